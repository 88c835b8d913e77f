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
checkout on every machine). Paths are made absolute on the client. Where the
workers cannot see the client's files, ``ship`` reads a deal's directory (or
a scenario or report file) on the client, and ``run_grid`` takes what it
returns in place of a path (``ship=True`` ships every path it is given): the
files go to each worker once, are written under its temporary directory,
named by their digest, and loaded from there.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pathlib
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

import pyarrow as pa

from . import _waterfall

PathLike = Union[str, "os.PathLike[str]"]

#: Scenarios a task runs by default (the CLI's grid chunk).
DEFAULT_CHUNK = 256


#: The most ``ship`` reads: a loan tape's own limit.
MAX_SHIPPED_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class Shipped:
    """Files read on the client, to be loaded on a worker that cannot see
    them: a deal's directory or one file (``ship`` makes one).

    ``files`` holds each file's path (relative to the directory shipped, or
    the file's name) and bytes; ``name`` is what the worker loads (``.`` for
    a directory); ``digest`` is the SHA-256 of the paths and bytes, which
    names the worker's copy, so two ships of the same files share it.
    """

    files: tuple[tuple[str, bytes], ...]
    name: str
    digest: str


def ship(path: PathLike) -> Shipped:
    """Read the deal directory (every file under it) or the scenario or
    report file at ``path`` for ``run_grid`` to send to the workers.

    A deal's loan tape or start report outside its directory is not in
    it: ship that file on its own, or keep it inside the directory.
    Raises ``ValueError`` past ``MAX_SHIPPED_BYTES``.
    """
    p = pathlib.Path(path).resolve()
    if p.is_dir():
        root, members, name = p, sorted(f for f in p.rglob("*") if f.is_file()), "."
    elif p.is_file():
        root, members, name = p.parent, [p], p.name
    else:
        raise ValueError(f"{p}: there is no such file or directory to ship")
    files = []
    total = 0
    digest = hashlib.sha256(name.encode() + b"\0")
    for f in members:
        rel = f.relative_to(root).as_posix()
        data = f.read_bytes()
        total += len(data)
        if total > MAX_SHIPPED_BYTES:
            raise ValueError(
                f"{p}: more than {MAX_SHIPPED_BYTES} bytes to ship (at {rel})"
            )
        digest.update(rel.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
        files.append((rel, data))
    return Shipped(tuple(files), name, digest.hexdigest())


def _here(x: Any) -> Any:
    """``x`` as this process loads it: a path as it is, a ``Shipped`` as the
    path of its files written under this machine's temporary directory
    (once: a second call, or another process, finds them there)."""
    if not isinstance(x, Shipped):
        return x
    top = pathlib.Path(tempfile.gettempdir()) / "waterfall-shipped"
    home = top / x.digest
    if not home.exists():
        top.mkdir(parents=True, exist_ok=True)
        staging = pathlib.Path(tempfile.mkdtemp(dir=top, prefix=".partial-"))
        for rel, data in x.files:
            parts = pathlib.PurePosixPath(rel)
            if parts.is_absolute() or ".." in parts.parts:
                shutil.rmtree(staging, ignore_errors=True)
                raise ValueError(f"a shipped file's path must stay inside it: {rel}")
            target = staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        try:
            # Whole or not at all: another process may have won the race.
            os.rename(staging, home)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)
            if not home.exists():
                raise
    return os.fspath(home if x.name == "." else home / x.name)


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
    table = _load(_here(path)).grid(
        _here(scenarios), start=_here(start), first=first, last=last, threads=threads
    )
    column = pa.array([label] * table.num_rows, type=pa.string())
    return table.add_column(0, "deal", column)


def _absolute(p: Any, shipping: bool = False) -> Any:
    if isinstance(p, (str, os.PathLike)):
        return ship(p) if shipping else os.path.abspath(os.fspath(p))
    return p


def _start(start: Any, shipping: bool) -> Any:
    if start is None or (isinstance(start, str) and start in ("closing", "latest")):
        return start
    return _absolute(start, shipping)


def run_grid(
    deals: Sequence[PathLike] | Mapping[str, PathLike],
    scenarios: Any,
    client: Any,
    *,
    start: Any = None,
    chunk_size: int = DEFAULT_CHUNK,
    threads: int | None = None,
    ship: bool = False,
) -> pa.Table:
    """Run every scenario of ``scenarios`` for every deal on the cluster
    ``client`` (a ``dask.distributed.Client``) and return one table.

    ``deals`` is a list of deal paths (each labelled in the ``deal`` column
    by its short name) or a mapping of label to path. ``scenarios`` is a
    scenario file path or dict, as ``Deal.grid`` takes. ``start`` is where
    every projection starts (None for closing, ``"latest"``, a report path),
    or a mapping of label to start. ``chunk_size`` is the number of scenarios
    a task runs; ``threads`` the rayon workers a task uses (all the worker
    machine's cores by default). A deal, the scenarios or a start may be a
    ``Shipped`` (see ``ship``) instead of a path; ``ship=True`` ships every
    path given, for workers that cannot see the client's files.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be at least 1, found {chunk_size}")
    if isinstance(deals, Mapping):
        pairs = [(str(label), _absolute(path, ship)) for label, path in deals.items()]
    else:
        pairs = []
        for path in deals:
            path = _absolute(path, ship)
            pairs.append((_waterfall.Deal.load(_here(path)).short_name, path))
    if not pairs:
        raise ValueError("run_grid needs at least one deal")
    scenarios = _absolute(scenarios, ship)
    n = _waterfall.scenario_count(_here(scenarios))

    def sent(x: Any) -> Any:
        # Shipped files go to the cluster once, not once a task.
        return client.scatter(x) if isinstance(x, Shipped) else x

    scenarios = sent(scenarios)
    futures = []
    for label, path in pairs:
        s = sent(_start(start.get(label) if isinstance(start, Mapping) else start, ship))
        path = sent(path)
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
