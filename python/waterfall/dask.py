"""Portfolio grids on a ``dask.distributed`` cluster.

``run_grid(deals, scenarios, client)`` splits every deal's scenario grid into
chunks, runs each (deal, chunk) pair as one task on the cluster (each task a
``Deal.grid`` call: Rust, rayon, the GIL released), and gathers the chunks
back in order into one ``pyarrow.Table``: deals in the order given, scenarios
in file order, with a ``deal`` column in front. The result is the same for
any cluster, worker count or chunk size: each scenario is computed by the
same code on its own, as ``waterfall grid`` computes it.

The workers read the deal and scenario files themselves: on a real cluster
they must see them at the same paths (a shared file system, or the same
checkout on every machine). Paths are made absolute on the client.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any, Union

import pyarrow as pa

from . import _waterfall

PathLike = Union[str, "os.PathLike[str]"]

#: Scenarios a task runs by default (the CLI's grid chunk).
DEFAULT_CHUNK = 256


@functools.lru_cache(maxsize=64)
def _load(path: str) -> _waterfall.Deal:
    # One load a worker process per deal, however many chunks it runs.
    return _waterfall.Deal.load(path)


def _run_chunk(
    label: str,
    path: str,
    scenarios: Any,
    start: Any,
    first: int,
    last: int,
    threads: int | None,
) -> pa.Table:
    """One task: scenarios ``first..last`` of one deal, with its deal column."""
    table = _load(path).grid(
        scenarios, start=start, first=first, last=last, threads=threads
    )
    column = pa.array([label] * table.num_rows, type=pa.string())
    return table.add_column(0, "deal", column)


def _absolute(p: Any) -> Any:
    if isinstance(p, (str, os.PathLike)):
        return os.path.abspath(os.fspath(p))
    return p


def _start(start: Any) -> Any:
    if start is None or (isinstance(start, str) and start in ("closing", "latest")):
        return start
    return _absolute(start)


def run_grid(
    deals: Sequence[PathLike] | Mapping[str, PathLike],
    scenarios: Any,
    client: Any,
    *,
    start: Any = None,
    chunk_size: int = DEFAULT_CHUNK,
    threads: int | None = None,
) -> pa.Table:
    """Run every scenario of ``scenarios`` for every deal on the cluster
    ``client`` (a ``dask.distributed.Client``) and return one table.

    ``deals`` is a list of deal paths (each labelled in the ``deal`` column
    by its short name) or a mapping of label to path. ``scenarios`` is a
    scenario file path or dict, as ``Deal.grid`` takes. ``start`` is where
    every projection starts (None for closing, ``"latest"``, a report path),
    or a mapping of label to start. ``chunk_size`` is the number of scenarios
    a task runs; ``threads`` the rayon workers a task uses (all the worker
    machine's cores by default).
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, found {chunk_size}")
    if isinstance(deals, Mapping):
        pairs = [(str(label), _absolute(path)) for label, path in deals.items()]
    else:
        pairs = []
        for path in deals:
            path = _absolute(path)
            pairs.append((_waterfall.Deal.load(path).short_name, path))
    if not pairs:
        raise ValueError("run_grid needs at least one deal")
    scenarios = _absolute(scenarios)
    n = _waterfall.scenario_count(scenarios)
    futures = []
    for label, path in pairs:
        s = _start(start.get(label) if isinstance(start, Mapping) else start)
        for first in range(0, n, chunk_size):
            last = min(first + chunk_size, n)
            futures.append(
                client.submit(
                    _run_chunk, label, path, scenarios, s, first, last, threads
                )
            )
    # Gathered in submission order: deal by deal, chunk by chunk.
    tables = client.gather(futures)
    return pa.concat_tables(tables)
