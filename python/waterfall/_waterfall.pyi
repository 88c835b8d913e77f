"""Type stubs of the compiled module ``waterfall._waterfall``."""

import datetime
import os
import pathlib
from decimal import Decimal
from typing import Any, Literal, Mapping, Sequence, TypedDict, Union

import pyarrow as pa

PathLike = Union[str, os.PathLike[str]]
#: A scenario file path, a dict with the scenario file's keys, or a list of
#: such dicts (each with a ``name``): a list of named scenarios.
Scenarios = Union[PathLike, Mapping[str, Any], Sequence[Mapping[str, Any]]]
#: Where a projection starts: None or "closing" (classes at their original
#: balances, the collateral at the cut-off), "latest" (the last file in the
#: deal's filings/), or the path of one of the deal's reports.
Start = Union[None, Literal["closing", "latest"], PathLike]

MONEY_SCALE: int
RATE_SCALE: int

class WaterfallError(Exception):
    """A problem the simulator reports, with the message the CLI prints."""

    #: "at" (a place in a file), "file", "usage", "many", "internal", "interrupted".
    kind: str
    #: The file the problem is in, where there is one.
    path: str | None
    line: int | None
    column: int | None
    #: One problem a line, as the CLI prints them (without "waterfall: ").
    messages: list[str]

class InputError(WaterfallError):
    """Bad input (the CLI's exit code 2)."""

class InternalError(WaterfallError):
    """A broken invariant of the engine: a bug (the CLI's exit code 3)."""

class Events(TypedDict):
    periods: int
    last_date: datetime.date | None
    stepdown: datetime.date | None
    first_trigger: datetime.date | None
    triggers: dict[str, datetime.date | None]
    call: datetime.date | None
    cumulative_loss: Decimal
    cumulative_loss_percent: Decimal

class Projected:
    """A projection: the four files ``project --out`` writes, as tables."""

    #: period, date, class, beginning_balance, rate, interest, principal,
    #: writedown, ending_balance, interest_shortfall, net_wac_carryover.
    classes: pa.Table
    #: period, date, group, beginning_balance, scheduled_principal,
    #: prepayments, liquidation_proceeds, repurchases, realized_loss,
    #: interest, ending_balance, in_foreclosure, net_wac.
    collateral: pa.Table
    #: The deal's state per period (columns as deal.csv).
    deal: pa.Table
    #: Per class: starting_balance, wal_years, principal window, totals, loss.
    summary: pa.Table
    #: The scenario in words.
    scenario: str
    events: Events
    def __getitem__(
        self, key: Literal["classes", "collateral", "deal", "summary"]
    ) -> pa.Table: ...

class Deal:
    """A deal file, loaded and validated."""

    @staticmethod
    def load(path: PathLike) -> Deal:
        """Load a ``deal.toml``, or a deal directory holding one."""
    @property
    def name(self) -> str: ...
    @property
    def short_name(self) -> str: ...
    @property
    def path(self) -> pathlib.Path: ...
    @property
    def classes(self) -> list[str]: ...
    def show(self) -> str:
        """The deal in words, as ``waterfall show`` prints it."""
    def reconcile(
        self,
        reports: PathLike | Sequence[PathLike] | None = None,
        *,
        tolerance: str | int | Decimal | None = None,
        from_report_state: bool = False,
    ) -> pa.Table:
        """Every figure of the reports (all of the deal's filings by
        default) compared with the engine's: report, distribution_date, id,
        class, field, label, unit, ours, reported, difference, tolerance,
        status, line, note."""
    def project(
        self, scenario: Scenarios, *, start: Start = None, fast: bool = False
    ) -> Projected:
        """Project one scenario to the last payment: exact decimals, or f64
        with ``fast=True``."""
    def grid(
        self,
        scenarios: Scenarios,
        *,
        start: Start = None,
        threads: int | None = None,
        first: int | None = None,
        last: int | None = None,
    ) -> pa.Table:
        """Every scenario in parallel (Rust, rayon, GIL released): one row
        per scenario and class, the columns of ``waterfall grid``."""
    def breakeven(
        self,
        class_name: str = "all",
        scenario: Scenarios | None = None,
        *,
        by: Literal["cdr", "sda", "severity"] = "cdr",
        tolerance: float | None = None,
        start: Start = None,
    ) -> pa.Table:
        """The highest default rate (or severity) with no writedown, per class."""
    def price(
        self,
        class_name: str,
        scenarios: Scenarios,
        *,
        prices: str | float | Sequence[str | float] | None = None,
        yields: Sequence[float] | None = None,
        settle: str | datetime.date | None = None,
        start: Start = None,
    ) -> pa.Table:
        """Yield, DM, WAL and duration per scenario and price (decimals or
        32nds such as ``"99-16+"``), or the price per yield."""

def scenario_count(scenarios: Scenarios) -> int:
    """The number of scenarios a file or dict defines."""

def grid_columns() -> list[str]:
    """The grid's column names, as the CLI's CSV header."""
