"""The chunks of a run as Ray tasks (`etc reconcile --engine ray`).

    with ray_chunks(Path("archive"), address=None) as runner:
        reconcile(store, period, settings, source=open_archive(...), runner=runner)

Each chunk of days (reconcile.scope.chunks) is one task: it opens the archive
itself (the folder must be at the same path on every node: shared storage),
reads the chunk's partitions with its look-back and returns its RunTables; the
driver writes them as a local run does (reconcile.engine.reconcile), in the
chunks' order, so the run is the same. A task whose worker dies is retried by
Ray (`max_retries`); an error raised by the code is not (it would fail again).
A chunk that still fails stops the run before anything is stored, with one line
naming the chunk and why (ChunkFailed).

The archive, not the DuckDB file: a DuckDB file is opened by one writing process
only (the driver, which writes the run) and is not on the other nodes.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from etc.archive import open_archive
from etc.context import Period
from etc.errors import EtcError
from reconcile.engine import ChunkJob, ChunkRunner, Progress, RunTables, compute_chunk

MAX_RETRIES = 3
"""Times Ray runs a chunk again after its worker died (not after an error)."""

TEST_HOOK = "ETC_TEST_CHUNK_HOOK"
"""Tests only: a folder; a file `kill-<first date>` there makes the next attempt
of that chunk delete it and end its process (os._exit), `fail-<first date>`
makes every attempt raise."""


class ChunkFailed(EtcError):
    """A chunk of a run failed on the cluster, also after Ray's retries."""


class ClusterUnreachable(EtcError):
    """--ray-address names no Ray cluster this process can join."""


class RayMissing(EtcError):
    """--engine ray without the ray package."""


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise RayMissing("--engine ray needs the ray package",
                         hint="pip install 'etc-reconcile[ray]'") from None
    return ray


def _hook(piece: Period) -> None:
    folder = os.environ.get(TEST_HOOK)
    if not folder:
        return
    if (Path(folder) / f"fail-{piece.first}").exists():
        raise RuntimeError("failing as the test asked")
    kill = Path(folder) / f"kill-{piece.first}"
    try:
        kill.unlink()
    except FileNotFoundError:
        return
    os._exit(17)


def run_chunk(folder: str, piece: Period, job: ChunkJob) -> RunTables:
    """A Ray task's body: one chunk's tables, read from the archive in `folder`."""
    _hook(piece)
    with open_archive(Path(folder)) as source:
        return compute_chunk(source, piece, job)


def ray_runner(folder: Path, max_retries: int = MAX_RETRIES) -> ChunkRunner:
    """A ChunkRunner on the Ray cluster this process is connected to."""
    ray = _ray()
    task = ray.remote(run_chunk).options(max_retries=max_retries, retry_exceptions=False)
    where = str(folder.resolve())

    def run(pieces: list[Period], job: ChunkJob, say: Progress) -> Iterator[RunTables]:
        shared = ray.put(job)
        refs = [task.remote(where, piece, shared) for piece in pieces]
        of = {ref: piece for ref, piece in zip(refs, pieces, strict=True)}
        waiting = list(refs)
        try:
            for ref in refs:
                while ref in waiting:
                    ready, waiting = ray.wait(waiting, num_returns=1)
                    for r in ready:
                        done = len(refs) - len(waiting)
                        say(f"chunk {_days(of[r])} computed ({done}/{len(refs)})",
                            0.9 * done / len(refs))
                yield _get(ray, ref, of[ref])
        finally:
            for r in waiting:
                ray.cancel(r)
    return run


def _get(ray: Any, ref: Any, piece: Period) -> RunTables:
    try:
        tables: RunTables = ray.get(ref)
    except ray.exceptions.RayTaskError as exc:
        cause = exc.cause if getattr(exc, "cause", None) is not None else exc
        why = cause.one_line() if isinstance(cause, EtcError) else (
            f"{type(cause).__name__}: {_first_line(cause)}")
        raise ChunkFailed(f"chunk {_days(piece)} failed: {why}", hint="nothing was stored"
                          ) from None
    except ray.exceptions.RayError as exc:
        raise ChunkFailed(f"chunk {_days(piece)} failed after {MAX_RETRIES} retries: "
                          f"{type(exc).__name__}: {_first_line(exc)}",
                          hint="nothing was stored; see the Ray logs of the worker") from None
    return tables


def _reachable(address: str | None, seconds: float = 5.0) -> None:
    """A HOST:PORT address must accept a connection within `seconds`: Ray itself
    keeps retrying an unreachable head for minutes."""
    if not address or address == "auto" or "://" in address or ":" not in address:
        return
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=seconds).close()
    except (OSError, ValueError) as exc:
        raise ClusterUnreachable(f"cannot reach the Ray cluster at {address}: "
                          f"{getattr(exc, 'strerror', None) or exc}",
                          hint="is 'ray start --head' running there, and is --ray-address "
                               "its GCS address (HOST:6379)?") from None


def _days(piece: Period) -> str:
    return str(piece.first) if piece.days == 1 else f"{piece.first}..{piece.last}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


@contextmanager
def ray_chunks(folder: Path, address: str | None = None,
               max_retries: int = MAX_RETRIES) -> Iterator[ChunkRunner]:
    """A ChunkRunner on Ray: the cluster at `address` ("auto": the one started on this
    node with `ray start`), or a local one started here and stopped after (None),
    or the one this process is already connected to."""
    ray = _ray()
    started = False
    if not ray.is_initialized():
        _reachable(address)
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     configure_logging=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = address or "a new local one"
            raise ClusterUnreachable(f"cannot reach the Ray cluster at {where}: "
                                     f"{_first_line(exc)}", hint="is 'ray start --head' "
                                     "running there, and is --ray-address its GCS address?"
                                     ) from None
        started = True
    try:
        yield ray_runner(folder, max_retries)
    finally:
        if started:
            ray.shutdown()
