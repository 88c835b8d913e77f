"""Shared helpers: the CLI (the reference every result is compared with) and
a cell-by-cell comparison of a pyarrow table with the CLI's CSV."""

import csv
import datetime as dt
import io
import json
import os
import pathlib
import subprocess
from decimal import Decimal

import pyarrow as pa
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
HE4 = ROOT / "deals" / "absc-2003-he4"
CARMAX = ROOT / "deals" / "carmax-2024-2"
FJF01 = ROOT / "deals" / "fjf-01"
SCENARIOS = ROOT / "scenarios"


def cli_path() -> pathlib.Path:
    """The release binary of the root crate (`WATERFALL_CLI` overrides)."""
    given = os.environ.get("WATERFALL_CLI")
    if given:
        return pathlib.Path(given)
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "release" / "waterfall"


@pytest.fixture(scope="session")
def cli():
    path = cli_path()
    if not path.exists():
        subprocess.run(
            ["cargo", "build", "--release", "--locked"], cwd=ROOT, check=True
        )

    def run(*args, check=True):
        p = subprocess.run(
            [str(path), *map(str, args)], cwd=ROOT, capture_output=True, text=True
        )
        if check and p.returncode not in (0, 1):
            raise AssertionError(f"waterfall {args} failed: {p.stderr}")
        return p

    return run


def cli_json(cli, *args):
    out = cli(*args, "--format", "json").stdout
    return json.loads(out, parse_float=Decimal, parse_int=Decimal)


def cli_csv_rows(text: str):
    return list(csv.reader(io.StringIO(text)))


def _cell(value, typ):
    """A table value as the CLI's CSV writes it, for comparing."""
    if value is None:
        return None
    if pa.types.is_decimal(typ):
        return Decimal(value)
    if pa.types.is_date(typ):
        return value.isoformat()
    return value


def _csv_cell(text: str, typ, bools):
    if text == "" and not pa.types.is_string(typ):
        return None
    if pa.types.is_decimal(typ):
        return Decimal(text)
    if pa.types.is_boolean(typ):
        return {bools[0]: True, bools[1]: False}[text]
    if pa.types.is_integer(typ):
        return int(text)
    if pa.types.is_floating(typ):
        return float(text)
    return text


def assert_table_equals_csv(table: pa.Table, text: str, bools=("yes", "no")):
    """Every column name, row and cell of `table` equals the CLI's CSV:
    decimals by value (the CSV's 0.10 is 0.1), dates as ISO text, an empty
    cell as a null."""
    rows = cli_csv_rows(text)
    header, body = rows[0], rows[1:]
    assert table.column_names == header
    assert table.num_rows == len(body), (table.num_rows, len(body))
    assert table.num_rows > 0
    columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = [f.type for f in table.schema]
    for r, row in enumerate(body):
        for c, text_cell in enumerate(row):
            ours = _cell(columns[c][r], types[c])
            theirs = _csv_cell(text_cell, types[c], bools)
            assert ours == theirs, (
                f"row {r + 1} column {header[c]}: python {ours!r}, CLI {text_cell!r}"
            )
