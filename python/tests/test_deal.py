"""Every result of the package against the CLI's, on the bundled deals."""

import csv
import re
import threading
import time
import tomllib
from decimal import Decimal

import polars as pl
import pyarrow as pa
import pytest

import waterfall
from conftest import (
    CARMAX,
    FJF01,
    HE4,
    ROOT,
    SCENARIOS,
    assert_table_equals_csv,
    cli_json,
)

# (deal, scenario file, start) triples the CLI runs as they are.
PROJECTIONS = [
    (HE4, SCENARIOS / "base.toml", "latest"),
    (HE4, SCENARIOS / "stress.toml", "latest"),
    (CARMAX, SCENARIOS / "auto-base.toml", None),
    (CARMAX, SCENARIOS / "auto-base.toml", "latest"),
]

GRIDS = [
    (HE4, SCENARIOS / "grid.toml", "latest"),
    (HE4, SCENARIOS / "prospectus.toml", "latest"),
    (CARMAX, SCENARIOS / "auto-base.toml", None),
]


def from_args(start):
    return [] if start is None else ["--from", start]


def test_load_names_the_deal():
    d = waterfall.Deal.load(HE4)
    assert d.short_name
    assert "A-1" in d.classes and "M-1" in d.classes
    assert d.path.name == "deal.toml"
    assert d.show().strip()


@pytest.mark.parametrize("fast", [False, True], ids=["exact", "fast"])
@pytest.mark.parametrize(
    "deal,scenario,start", PROJECTIONS, ids=lambda x: getattr(x, "name", str(x))
)
def test_project_equals_the_cli_files(cli, tmp_path, deal, scenario, start, fast):
    out = tmp_path / "out"
    out.mkdir()
    args = ["project", deal, "--scenario", scenario, "--out", out, "--format", "csv"]
    p = cli(*args, *from_args(start), *(["--fast"] if fast else []))
    assert p.returncode == 0, p.stderr
    r = waterfall.Deal.load(deal).project(scenario, start=start, fast=fast)
    for name in ["classes", "collateral", "deal", "summary"]:
        text = (out / f"{name}.csv").read_text()
        assert_table_equals_csv(r[name], text, bools=("true", "false"))
    # The CLI's standard output is classes.csv too.
    assert_table_equals_csv(r.classes, p.stdout)


def test_project_money_is_exact_decimal():
    r = waterfall.Deal.load(HE4).project(SCENARIOS / "base.toml", start="latest")
    assert r.classes.schema.field("principal").type == pa.decimal128(38, 2)
    assert r.classes.schema.field("rate").type == pa.decimal128(38, 10)
    v = r.classes.column("principal")[0].as_py()
    assert isinstance(v, Decimal)


def test_polars_reads_the_tables_as_exact_decimals_to_the_cent(cli, tmp_path):
    # polars takes the Arrow tables as they are: the money and rate columns
    # stay decimals, and every cell equals the CLI's classes.csv.
    out = tmp_path / "out"
    out.mkdir()
    args = ["project", HE4, "--scenario", SCENARIOS / "base.toml"]
    p = cli(*args, "--from", "latest", "--out", out, "--format", "csv")
    assert p.returncode == 0, p.stderr
    r = waterfall.Deal.load(HE4).project(SCENARIOS / "base.toml", start="latest")
    df = pl.from_arrow(r.classes)
    assert df.schema["principal"] == pl.Decimal(38, 2)
    assert df.schema["rate"] == pl.Decimal(38, 10)
    with open(out / "classes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert df.height == len(rows) > 100
    for column in ["beginning_balance", "rate", "interest", "principal", "ending_balance"]:
        assert df[column].to_list() == [Decimal(row[column]) for row in rows], column
    # A sum in polars is the sum of the printed cents, not of floats.
    total = sum(Decimal(row["principal"]) for row in rows)
    assert df["principal"].sum() == total


def test_project_events_equal_the_cli_json(cli):
    args = ["project", HE4, "--scenario", SCENARIOS / "base.toml", "--from", "latest"]
    j = cli_json(cli, *args)
    r = waterfall.Deal.load(HE4).project(SCENARIOS / "base.toml", start="latest")
    ev = j["events"]
    assert r.events["periods"] == ev["periods"]
    for k in ["last_date", "stepdown", "first_trigger", "call"]:
        ours = r.events[k]
        assert (ours.isoformat() if ours else None) == ev[k]
    assert r.events["cumulative_loss"] == ev["cumulative_loss"]
    assert r.events["cumulative_loss_percent"] == ev["cumulative_loss_percent"]
    assert r.scenario == j["scenario"]


def test_a_dict_is_the_file_it_was_read_from():
    path = SCENARIOS / "base.toml"
    as_dict = tomllib.loads(path.read_text())
    d = waterfall.Deal.load(HE4)
    a = d.project(path, start="latest")
    b = d.project(as_dict, start="latest")
    assert a.classes.equals(b.classes)
    assert a.collateral.equals(b.collateral)


def test_a_fixed_prospectus_speed_from_closing(cli, tmp_path):
    # FJF-01 starts at closing; its own scenarios hold the published speeds.
    scen = sorted((FJF01 / "scenarios").glob("*.toml"))
    assert scen
    for s in scen:
        d = waterfall.Deal.load(FJF01)
        if waterfall.scenario_count(s) != 1:
            continue
        p = cli("project", FJF01, "--scenario", s, "--format", "csv")
        assert p.returncode == 0, p.stderr
        assert_table_equals_csv(d.project(s).classes, p.stdout)


@pytest.mark.parametrize(
    "deal,scenarios,start", GRIDS, ids=lambda x: getattr(x, "name", str(x))
)
def test_grid_equals_the_cli(cli, deal, scenarios, start):
    p = cli("grid", deal, "--scenarios", scenarios, "--format", "csv", *from_args(start))
    assert p.returncode == 0, p.stderr
    t = waterfall.Deal.load(deal).grid(scenarios, start=start)
    assert_table_equals_csv(t, p.stdout)
    assert t.column_names == waterfall.grid_columns()


def test_the_counterparty_default_is_in_the_grid_and_price_tables(cli):
    # Two scenarios that differ only there: the tables say which is which.
    deal = ROOT / "deals" / "example-subprime-2006"
    s = SCENARIOS / "counterparty.toml"
    p = cli("grid", deal, "--scenarios", s, "--format", "csv")
    assert p.returncode == 0, p.stderr
    d = waterfall.Deal.load(deal)
    g = d.grid(s)
    assert_table_equals_csv(g, p.stdout)
    assert g.schema.field("counterparty_default").type == pa.int64()
    assert g.schema.field("termination_payment").type == pa.decimal128(38, 2)
    months = set(g.column("counterparty_default").to_pylist())
    payments = set(g.column("termination_payment").to_pylist())
    assert months == {None, 24}
    assert payments == {None, Decimal("2500000.00")}
    p = cli("price", deal, "--class", "M-1", "--scenarios", s, "--price", "100", "--format", "csv")
    assert p.returncode == 0, p.stderr
    t = d.price("M-1", s, prices=["100"])
    assert_table_equals_csv(t, p.stdout)
    assert t.column("counterparty_default").to_pylist() == [None, 24]
    assert t.column("termination_payment").to_pylist() == [None, Decimal("2500000.00")]


def test_grid_is_the_same_for_any_thread_count_and_chunking():
    d = waterfall.Deal.load(HE4)
    s = SCENARIOS / "grid.toml"
    whole = d.grid(s, start="latest", threads=1)
    assert whole.equals(d.grid(s, start="latest", threads=2))
    n = waterfall.scenario_count(s)
    parts = [d.grid(s, start="latest", first=a, last=min(a + 7, n)) for a in range(0, n, 7)]
    assert pa.concat_tables(parts).equals(whole)


def test_grid_releases_the_gil():
    d = waterfall.Deal.load(HE4)
    s = SCENARIOS / "grid.toml"
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        time.sleep(0.01)
        begin = time.perf_counter()
        for _ in range(3):
            d.grid(s, start="latest")
        end = time.perf_counter()
    finally:
        done.set()
        t.join()
    during = [x for x in ticks if begin < x < end]
    # With the GIL held for the whole call the ticker could not run at all.
    assert len(during) >= 10, (len(during), end - begin)


def test_reconcile_equals_the_cli(cli):
    for deal in [HE4, CARMAX]:
        j = cli_json(cli, "reconcile", deal)
        runs = j if isinstance(j, list) else [j]
        t = waterfall.Deal.load(deal).reconcile()
        rows = t.to_pylist()
        expected = [f for r in runs for f in r["figures"]]
        assert len(rows) == len(expected)
        for ours, theirs in zip(rows, expected):
            for k in ["id", "label", "unit", "status", "line", "note"]:
                assert ours[k] == (None if theirs[k] is None else type(ours[k])(theirs[k])), k
            for k in ["ours", "reported", "difference", "tolerance"]:
                assert ours[k] == theirs[k], (ours["id"], k, ours[k], theirs[k])
        dates = sorted({r["distribution_date"] for r in runs})
        assert sorted({d.isoformat() for d in t.column("distribution_date").to_pylist()}) == dates


def test_he4_reconciles_to_the_filing(cli):
    """The December 2003 HE4 statement: A-1's total distribution as printed
    in the filing, matched, and the CLI's count of matched figures."""
    filing = HE4 / "filings" / "2003-12-15.txt"
    text = filing.read_text()
    m = re.search(r"^\s*A-1\s+N/A\s+([\d,]+)\s*$", text, re.M)
    printed = Decimal(m.group(1).replace(",", ""))
    t = waterfall.Deal.load(HE4).reconcile(filing)
    row = [r for r in t.to_pylist() if r["id"] == "class[A-1].total_distribution"][0]
    assert row["reported"] == printed
    assert abs(row["ours"] - printed) <= row["tolerance"]
    assert row["status"] == "match"
    statuses = t.column("status").to_pylist()
    assert "mismatch" not in statuses and "missing" not in statuses
    summary = cli_json(cli, "reconcile", HE4, filing)["summary"]
    assert statuses.count("match") == summary["match"] > 0


@pytest.mark.parametrize(
    "class_name,by,scenario",
    [("M-4", "cdr", None), ("all", "cdr", None), ("M-1", "severity", SCENARIOS / "stress.toml")],
)
def test_breakeven_equals_the_cli(cli, class_name, by, scenario):
    args = ["breakeven", HE4, "--class", class_name, "--by", by, "--from", "latest"]
    if scenario is not None:
        args += ["--scenario", scenario]
    j = cli_json(cli, *args)
    t = waterfall.Deal.load(HE4).breakeven(class_name, scenario, by=by, start="latest")
    rows = t.to_pylist()
    assert len(rows) == len(j["breakevens"]) >= 1
    for ours, theirs in zip(rows, j["breakevens"]):
        for k, v in theirs.items():
            assert ours[k] == v, (k, ours[k], v)


@pytest.mark.parametrize("settle", [None, "2004-01-20"])
def test_price_equals_the_cli(cli, settle):
    scen = SCENARIOS / "prospectus.toml"
    args = ["price", HE4, "--class", "M-1", "--scenarios", scen, "--from", "latest"]
    if settle:
        args += ["--settle", settle]
    p = cli(*args, "--price", "99-16+,100", "--yield", "5", "--format", "csv")
    assert p.returncode == 0, p.stderr
    t = waterfall.Deal.load(HE4).price(
        "M-1", scen, prices=["99-16+", "100"], yields=[5.0], settle=settle, start="latest"
    )
    assert_table_equals_csv(t, p.stdout)
    assert t.column("price")[0].as_py() == 99.515625
    assert t.column("price_32nds")[0].as_py() == "99-16+"


@pytest.mark.parametrize(
    "call,args",
    [
        (lambda: waterfall.Deal.load(ROOT / "no-such-deal"), ["show", ROOT / "no-such-deal"]),
        (
            lambda: waterfall.Deal.load(HE4).grid(SCENARIOS / "grid.toml"),
            ["grid", HE4, "--scenarios", SCENARIOS / "grid.toml"],
        ),
        (
            lambda: waterfall.Deal.load(HE4).project(SCENARIOS / "grid.toml"),
            ["project", HE4, "--scenario", SCENARIOS / "grid.toml"],
        ),
        (
            lambda: waterfall.Deal.load(HE4).price("Z-9", SCENARIOS / "base.toml", prices=["100"]),
            ["price", HE4, "--class", "Z-9", "--scenarios", SCENARIOS / "base.toml", "--price", "100"],
        ),
    ],
    ids=["no deal", "closing with a filing index", "grid to project", "no class"],
)
def test_errors_carry_the_cli_message(cli, call, args):
    p = cli(*args, check=False)
    assert p.returncode == 2
    expected = [line.removeprefix("waterfall: ") for line in p.stderr.splitlines()]
    with pytest.raises(waterfall.InputError) as e:
        call()
    assert isinstance(e.value, waterfall.WaterfallError)
    assert str(e.value).splitlines() == expected
    assert e.value.messages == expected


def test_a_bad_scenario_file_is_located(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nprepay = "fast"\n')
    p = cli("project", HE4, "--scenario", bad, "--from", "latest", check=False)
    with pytest.raises(waterfall.InputError) as e:
        waterfall.Deal.load(HE4).project(bad, start="latest")
    expected = [line.removeprefix("waterfall: ") for line in p.stderr.splitlines()]
    assert str(e.value).splitlines() == expected
    assert e.value.kind == "at" and e.value.line == 2 and e.value.path == str(bad)


def test_a_bad_dict_raises_not_panics():
    d = waterfall.Deal.load(HE4)
    with pytest.raises(waterfall.InputError, match="scenario dict"):
        d.project({"name": "x", "prepay": "fast"}, start="latest")
    with pytest.raises(waterfall.InputError):
        d.project({"name": "x", "severity": 40}, start="latest")
    with pytest.raises(TypeError):
        d.project({"name": "x", "prepay": object()}, start="latest")
    with pytest.raises(TypeError):
        d.grid(42)
    with pytest.raises(waterfall.InputError):
        d.grid(SCENARIOS / "grid.toml", start="latest", first=5, last=2)


def test_ctrl_c_stops_a_grid_between_chunks():
    import os
    import signal

    big = {
        "name": "big",
        "lag": 12,
        "libor": {"filing": True, "shift": "0"},
        "grid": {
            "prepay": [f"{50 + i}PPC" for i in range(50)],
            "default": [f"{i}CDR" for i in range(40)],
        },
    }
    assert waterfall.scenario_count(big) == 2000
    d = waterfall.Deal.load(HE4)
    timer = threading.Timer(0.05, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            d.grid(big, start="latest")
    finally:
        timer.cancel()
