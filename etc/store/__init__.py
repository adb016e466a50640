"""The DuckDB store: the only package that speaks SQL to the database file.

Tables (documented in the README): one per input kind (etc.schemas), `loads`
(one row per loaded file), `quarantine` (refused rows with their reason) and
`batch_parts` (settlement items summed per load and batch). Every file loads in
one transaction: its good rows, its refused rows and its `loads` row land
together or not at all.

Per reconciliation run: `runs` (the manifest, one row per run) and `findings`,
`pending`, `matches`, `dispositions`, `tieouts`, `traffic` and `lifecycle`, each
led by `run_id` (their columns are the Polars schemas of etc.findings and
etc.outputs). A run is written piece by piece and exists once its `runs` row,
written last, does (`runs_writing` marks it until then); writing a run id again
replaces that run. `notes` (notes on findings) is append-only and belongs to no run.

    ddl.py         the tables
    connection.py  opening the file, transactions, plain reads
    lock.py        waiting while another process holds the file
    loads.py       loading one validated file
    inputs.py      what a run reads (all, or scoped to its period)
    runs.py        writing and reading runs
    arrivals.py    what was loaded since a run, and which dates it concerns
    notes.py       notes on findings (append-only)
    drill.py       the rows behind a finding (etc show)
    archive.py     the input tables as partitioned Parquet (etc archive)
    source.py      an archive read as a store: the same scoped reads
    counted.py     the report's scoped reads of counts and providers' figures
"""

from __future__ import annotations

from pathlib import Path

from etc.manifests import LoadRef, RunManifest, RunRow
from etc.store.archive import ArchiveCopies
from etc.store.arrivals import Arrivals
from etc.store.connection import DEFAULT_WAIT_SECONDS
from etc.store.counted import CountedReads
from etc.store.ddl import RUN_TABLES
from etc.store.drill import Drill
from etc.store.inputs import INPUT_KINDS, InputReads
from etc.store.loads import LoadCounts, Loads, PriorLoad
from etc.store.lock import StoreBusyError, Waiting
from etc.store.notes import Notes
from etc.store.runs import FINDING_ORDER, Runs

__all__ = ["DEFAULT_WAIT_SECONDS", "FINDING_ORDER", "INPUT_KINDS", "RUN_TABLES", "LoadCounts",
           "LoadRef", "PriorLoad", "RunManifest", "RunRow", "Store", "StoreBusyError"]


class Store(Loads, InputReads, Runs, Arrivals, Notes, Drill, ArchiveCopies, CountedReads):
    """An open DuckDB file. Use as a context manager, or call `close()`. Opening it
    clears what a run writer killed midway left (Runs.clear_unfinished_runs)."""

    def __init__(self, path: str | Path, *, create: bool = True,
                 wait_seconds: float = DEFAULT_WAIT_SECONDS,
                 waiting: Waiting | None = None) -> None:
        super().__init__(path, create=create, wait_seconds=wait_seconds, waiting=waiting)
        self.clear_unfinished_runs()
