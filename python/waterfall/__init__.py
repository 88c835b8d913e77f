"""waterfall: the cash-flow waterfall simulator, from Python.

Results are ``pyarrow.Table`` objects built in Rust and handed over without a
copy; read them with ``.to_pandas()`` or ``polars.from_arrow``. Money columns
are ``decimal128(38, 2)`` (the cents the CLI's CSV prints, exact), rates
``decimal128(38, 10)``; see the README for every column.
"""

from ._waterfall import (
    MONEY_SCALE,
    RATE_SCALE,
    Deal,
    InputError,
    InternalError,
    Projected,
    WaterfallError,
    grid_columns,
    scenario_count,
)

__all__ = [
    "Deal",
    "Projected",
    "WaterfallError",
    "InputError",
    "InternalError",
    "scenario_count",
    "grid_columns",
    "MONEY_SCALE",
    "RATE_SCALE",
]
