"""Portfolio grids on a 2-worker local Dask cluster equal `waterfall grid`
run on one machine, deal by deal."""

import pathlib

import pyarrow as pa
import pyarrow.compute as pc
import pytest

distributed = pytest.importorskip("dask.distributed")

import waterfall  # noqa: E402
from waterfall.dask import run_grid  # noqa: E402
from conftest import CARMAX, HE4, SCENARIOS, assert_table_equals_csv  # noqa: E402

DATA = pathlib.Path(__file__).parent / "data"


def ipc_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as w:
        w.write_table(table.combine_chunks())
    return sink.getvalue().to_pybytes()


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_two_deals_on_two_workers_equal_the_cli(cli, client):
    # Each deal with its own grid would need two calls; one grid file fits
    # both starts here: HE4 from its filing, CarMax from closing.
    cases = {
        "HE4": (HE4, SCENARIOS / "grid.toml", "latest"),
        "CarMax": (CARMAX, DATA / "auto-grid.toml", None),
    }
    results = {}
    for label, (deal, scenarios, start) in cases.items():
        results[label] = run_grid(
            {label: deal}, scenarios, client, start=start, chunk_size=7
        )
    for label, (deal, scenarios, start) in cases.items():
        t = results[label]
        assert t.column_names[0] == "deal"
        assert set(t.column("deal").to_pylist()) == {label}
        args = ["grid", deal, "--scenarios", scenarios, "--format", "csv"]
        p = cli(*args, *([] if start is None else ["--from", start]))
        assert p.returncode == 0, p.stderr
        assert_table_equals_csv(t.drop_columns(["deal"]), p.stdout)
        local = waterfall.Deal.load(deal).grid(scenarios, start=start)
        assert t.drop_columns(["deal"]).equals(local)
        # Byte for byte, as Arrow IPC: the same buffers, whatever the cluster.
        assert ipc_bytes(t.drop_columns(["deal"])) == ipc_bytes(local)
    # The tasks ran on both workers.
    assert len(client.scheduler_info()["workers"]) == 2


def test_a_portfolio_is_ordered_by_deal_then_scenario(client):
    deals = {"first": HE4, "second": HE4.parent / "absc-2003-he2"}
    t = run_grid(deals, SCENARIOS / "grid.toml", client, start="latest", chunk_size=16)
    labels = t.column("deal").to_pylist()
    n = labels.index("second")
    assert labels[:n] == ["first"] * n and set(labels[n:]) == {"second"}
    first = t.filter(pc.equal(t.column("deal"), "first")).drop_columns(["deal"])
    assert first.equals(waterfall.Deal.load(HE4).grid(SCENARIOS / "grid.toml", start="latest"))
    scen = first.column("scenario").to_pylist()
    assert scen == sorted(scen)
    again = run_grid(deals, SCENARIOS / "grid.toml", client, start="latest", chunk_size=5)
    assert again.equals(t)


def test_errors_come_back_as_waterfall_errors(client):
    with pytest.raises(waterfall.InputError, match="takes the index from the filing"):
        run_grid([HE4], SCENARIOS / "grid.toml", client)


def test_shipped_files_run_where_the_clients_paths_are_gone(client, tmp_path):
    # A copy of HE4's directory and of the grid file, shipped, then deleted:
    # the workers can only run them from what was shipped.
    import shutil

    from waterfall.dask import ship

    deal = tmp_path / "he4"
    shutil.copytree(HE4, deal)
    scenarios = tmp_path / "grid.toml"
    shutil.copyfile(SCENARIOS / "grid.toml", scenarios)
    shipped_deal, shipped_scenarios = ship(deal), ship(scenarios)
    assert shipped_deal.name == "." and shipped_scenarios.name == "grid.toml"
    assert any(rel.startswith("filings/") for rel, _ in shipped_deal.files)
    shutil.rmtree(deal)
    scenarios.unlink()
    t = run_grid(
        {"HE4": shipped_deal}, shipped_scenarios, client, start="latest", chunk_size=16
    )
    local = waterfall.Deal.load(HE4).grid(SCENARIOS / "grid.toml", start="latest")
    assert t.drop_columns(["deal"]).equals(local)
    # The same files shipped again share one copy on each machine.
    again = ship(SCENARIOS / "grid.toml")
    assert again.digest == shipped_scenarios.digest


def test_ship_true_ships_every_path_and_labels_by_short_name(client):
    t = run_grid([HE4], SCENARIOS / "grid.toml", client, start="latest", ship=True)
    name = waterfall.Deal.load(HE4).short_name
    assert set(t.column("deal").to_pylist()) == {name}
    local = waterfall.Deal.load(HE4).grid(SCENARIOS / "grid.toml", start="latest")
    assert t.drop_columns(["deal"]).equals(local)


def test_shipping_what_is_not_there_says_so(tmp_path):
    from waterfall.dask import ship

    with pytest.raises(ValueError, match="no such file or directory to ship"):
        ship(tmp_path / "missing")


def test_a_shipped_path_cannot_leave_its_folder():
    from waterfall.dask import Shipped, _here

    with pytest.raises(ValueError, match="must stay inside it"):
        _here(Shipped((("../escape.toml", b"x"),), "escape.toml", "0" * 64))
