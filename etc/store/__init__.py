"""The DuckDB store: the only package that speaks SQL to the database file.

Tables (documented in the README): one per input kind (etc.schemas), `loads`
(one row per loaded file), `quarantine` (refused rows with their reason) and
`batch_parts` (settlement items summed per load and batch). Every file loads in
one transaction: its good rows, its refused rows and its `loads` row land
together or not at all.

Per reconciliation run: `runs` (the manifest, one row per run) and `findings`,
`pending`, `matches`, `dispositions`, `tieouts`, `traffic` and `lifecycle`, each
led by `run_id` (their columns are the Polars schemas of etc.findings and
etc.outputs). A run is written in one transaction; writing a run id again
replaces that run.

    ddl.py         the tables
    connection.py  opening the file, transactions, plain reads
    loads.py       loading one validated file
    inputs.py      what a run reads (all, or scoped to its period)
    runs.py        writing and reading runs
    arrivals.py    what was loaded since a run, and which dates it concerns
    archive.py     the input tables as partitioned Parquet (etc archive)
    source.py      an archive read as a store: the same scoped reads
"""

from __future__ import annotations

from etc.manifests import LoadRef, RunManifest, RunRow
from etc.store.archive import ArchiveCopies
from etc.store.arrivals import Arrivals
from etc.store.ddl import RUN_TABLES
from etc.store.inputs import INPUT_KINDS, InputReads
from etc.store.loads import LoadCounts, Loads, PriorLoad
from etc.store.runs import FINDING_ORDER, Runs

__all__ = ["FINDING_ORDER", "INPUT_KINDS", "RUN_TABLES", "LoadCounts", "LoadRef", "PriorLoad",
           "RunManifest", "RunRow", "Store"]


class Store(Loads, InputReads, Runs, Arrivals, ArchiveCopies):
    """An open DuckDB file. Use as a context manager, or call `close()`."""
