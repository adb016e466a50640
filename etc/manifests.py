"""What a run is made of, as plain values: the files it rests on, its `runs` row
as written (RunManifest) and as read back (RunRow). Shared by the store, which
writes and reads them, and the report models, which show them (etc.reports), so
neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class LoadRef:
    """One loaded file, as a run's manifest names it."""

    load_id: int
    file: str
    sha256: str
    kind: str


@dataclass(frozen=True)
class RunManifest:
    """The `runs` row of one reconciliation run."""

    run_id: str
    first_date: date
    last_date: date
    settings_json: str
    settings_sha256: str
    code_version: str
    loads: tuple[LoadRef, ...]
    inputs_sha256: str
    """sha256 of the sorted distinct sha256s of every loaded file."""
    as_of: datetime
    """The instant the run judged what was due (etc.context.Period's deadlines)."""
    passages: int
    """Passages of the period's business dates."""
    pending: int
    """Findings not yet due as of `as_of` (the run's `pending` rows)."""
    started_at: datetime
    ended_at: datetime
    findings: int
    counts: Mapping[str, Mapping[str, int]]
    """code → {"findings": n, "amount_at_risk_vnd": m}."""
    timings: Mapping[str, float]
    """step → seconds."""


@dataclass(frozen=True)
class RunRow:
    """What outputs read of a `runs` row."""

    run_id: str
    first_date: date
    last_date: date
    as_of: datetime
    started_at: datetime
    code_version: str
    settings_sha256: str
    inputs_sha256: str
    loads: tuple[LoadRef, ...]
