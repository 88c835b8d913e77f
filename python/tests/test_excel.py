"""`waterfall project --format xlsx` read back with openpyxl (a reader other
than the one the Rust tests use): every class sheet holds the figures of the
same run's classes.csv, as numbers."""

import csv
import datetime as dt
from decimal import Decimal

import openpyxl

from conftest import HE4, SCENARIOS


def test_the_he4_workbook_opens_with_openpyxl_and_holds_the_csv_figures(cli, tmp_path):
    book = tmp_path / "he4.xlsx"
    csv_dir = tmp_path / "csv"
    start = HE4 / "filings" / "2003-12-15.txt"
    scenario = SCENARIOS / "base.toml"
    cli("project", HE4, "--from", start, "--scenario", scenario, "--out", book)
    cli("project", HE4, "--from", start, "--scenario", scenario, "--out", csv_dir)

    wb = openpyxl.load_workbook(book, read_only=True)
    assert wb.sheetnames[0] == "summary"
    assert {"A-1", "M-1", "collateral", "deal"} <= set(wb.sheetnames)

    with open(csv_dir / "classes.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    by_class = {}
    for r in body:
        by_class.setdefault(r[header.index("class")], []).append(r)

    for name in ("A-1", "M-1"):
        sheet = list(wb[name].iter_rows(values_only=True))
        assert list(sheet[0]) == header
        assert len(sheet) - 1 == len(by_class[name])
        for got, want in zip(sheet[1:], by_class[name]):
            for col, g, w in zip(header, got, want):
                if col == "class":
                    assert g == w
                elif col == "date":
                    assert isinstance(g, dt.datetime)
                    assert g.date().isoformat() == w
                elif w == "":
                    assert g is None
                else:
                    # A number, not text, equal to the CSV's digits.
                    assert isinstance(g, (int, float)), (col, g)
                    assert Decimal(repr(g)).quantize(Decimal(w)) == Decimal(w), (col, g, w)

    # The deal file's figure, by hand: A-1 was issued at 504,000,000.
    summary = list(wb["summary"].iter_rows(values_only=True))
    head = next(r for r in summary if r and r[0] == "class")
    a1 = next(r for r in summary if r and r[0] == "A-1")
    assert a1[head.index("original_balance")] == 504_000_000
