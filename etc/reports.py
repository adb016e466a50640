"""What the people-facing outputs show: the numbers, computed before rendering.

`reconcile.report` builds a `Report` (the road authority's discrepancy report)
and `ledgers.statement` a `Statement` (a toll operator's settlement statement)
from a stored run; `etc.render` turns them into HTML, XLSX, CSV and PDF without
computing anything of its own beyond sums for display. Every frame's columns
are declared here once; money is Int64 VND, dates are local business dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path

import polars as pl

from etc.codes import Severity
from etc.findings import FINDING_SCHEMA
from etc.manifests import RunRow
from etc.outputs import PENDING_SCHEMA
from etc.reports_counted import Counted, Scorecard


class State(StrEnum):
    """A finding identity's state in a run (reconcile.lifecycle)."""

    NEW = "NEW"
    """Found by this run, by no run before it (or resolved before and found again)."""
    OPEN = "OPEN"
    """Found by this run and by an earlier one, not resolved in between."""
    RESOLVED = "RESOLVED"
    """Found by an earlier run, not by this one, which checked it again."""


INPUT_SCHEMA: dict[str, pl.DataType] = {
    "load_id": pl.Int64(),
    "file": pl.String(),       # file name as loaded (no folder)
    "kind": pl.String(),
    "sha256": pl.String(),
}
"""The input files a run rests on, in load order."""

REPORT_FINDING_SCHEMA: dict[str, pl.DataType] = {
    **FINDING_SCHEMA,
    "state": pl.String(),              # NEW or OPEN
    "first_seen_date": pl.Date(),      # business date it was first found
    "days_open": pl.Int32(),           # business_date − first_seen_date, in days
    "finding_id": pl.String(),         # etc.findings.finding_id: stable across runs
    "note_state": pl.String(),         # the latest note's state (null: no note)
    "note_text": pl.String(),          # "text — author, YYYY-MM-DD" of that note
}
"""A run's findings with their lifecycle state, in the run's order."""

RESOLVED_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "category": pl.String(),
    "identity": pl.String(),           # "txn_id=T1" or "station_id=S1|lane_id=L2"
    "first_seen_date": pl.Date(),
    "last_seen_date": pl.Date(),
    "last_seen_run": pl.String(),
    "amount_at_risk_vnd": pl.Int64(),  # as last found
    "detail": pl.String(),             # as last found
}
"""Identities an earlier run found that this run checked and no longer finds."""

SUMMARY_SCHEMA: dict[str, pl.DataType] = {
    "category": pl.String(),
    "severity": pl.String(),
    "findings": pl.Int64(),
    "amount_at_risk_vnd": pl.Int64(),
}
"""Findings and money at risk per category and severity (only pairs that occur)."""

BY_STATION_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "station_name": pl.String(),       # null when the station is not in the stations table
    "findings": pl.Int64(),
    "amount_at_risk_vnd": pl.Int64(),
}
"""Findings with a station_id, per station; sorted by money at risk, then findings, desc."""

BY_DAY_SCHEMA: dict[str, pl.DataType] = {
    "business_date": pl.Date(),
    "findings": pl.Int64(),
    "amount_at_risk_vnd": pl.Int64(),
}
"""Findings per business date of the run (every date of the period, zeros included)."""

LANE_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "lane_id": pl.String(),
    "etc_passages": pl.Int64(),
    "unread": pl.Int64(),              # ETC passages with read_count 0
    "unread_share": pl.Float64(),      # unread / etc_passages (0 when none)
    "degraded": pl.Boolean(),          # a LANE_READ_DEGRADED finding on some date of the run
}
"""Per lane over the run's period; sorted by unread_share desc, station, lane."""

MONEY_FLOW_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "charged_vnd": pl.Int64(),         # charged ETC passages
    "settled_gross_vnd": pl.Int64(),
    "settled_net_vnd": pl.Int64(),
    "banked_vnd": pl.Int64(),
}
"""Charged → settled → banked per station, Σ over the run's period (tieouts)."""


QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "load_id": pl.Int64(),
    "file": pl.String(),
    "reason": pl.String(),             # etc.reasons: MISSING_VALUE, DUPLICATE_CONFLICT, …
    "rows": pl.Int64(),                # rows of that file refused for that reason
    "first_row": pl.Int64(),           # the first of them (as `etc quarantine` numbers rows)
    "detail": pl.String(),             # its message
}
"""Rows refused on loading a run's input files, per file and reason, in load order."""


@dataclass(frozen=True)
class RunInfo:
    """The `runs` row an output rests on."""

    run_id: str
    first_date: date
    last_date: date
    started_at: datetime               # aware (UTC)
    code_version: str
    settings_sha256: str
    inputs_sha256: str                 # sha256 of the sorted distinct input sha256s
    inputs: pl.DataFrame               # INPUT_SCHEMA
    as_of: datetime | None = None      # aware (UTC): what was due was judged as of then

    @classmethod
    def of(cls, row: RunRow) -> RunInfo:
        """The RunInfo of a stored `runs` row."""
        inputs = pl.DataFrame(
            [{"load_id": r.load_id, "file": Path(r.file).name, "kind": r.kind,
              "sha256": r.sha256} for r in row.loads], schema=INPUT_SCHEMA)
        return cls(run_id=row.run_id, first_date=row.first_date, last_date=row.last_date,
                   started_at=row.started_at, code_version=row.code_version,
                   settings_sha256=row.settings_sha256, inputs_sha256=row.inputs_sha256,
                   inputs=inputs.sort("load_id"), as_of=row.as_of)


@dataclass(frozen=True)
class Report:
    """The discrepancy report of one run, for the road authority."""

    run: RunInfo
    previous_run_id: str | None
    """The run the lifecycle states compare with (the latest earlier run), if any."""
    fail_at: str
    """The severity at or above which `etc nightly` exits 1 (settings)."""
    findings: pl.DataFrame             # REPORT_FINDING_SCHEMA
    resolved: pl.DataFrame             # RESOLVED_SCHEMA
    summary: pl.DataFrame              # SUMMARY_SCHEMA
    by_station: pl.DataFrame           # BY_STATION_SCHEMA
    by_day: pl.DataFrame               # BY_DAY_SCHEMA
    lanes: pl.DataFrame                # LANE_SCHEMA
    money_flow: pl.DataFrame           # MONEY_FLOW_SCHEMA
    accounts: tuple[str, ...]
    """Bank and traffic account ids that may appear in the findings (masked unless revealed)."""
    pending: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=PENDING_SCHEMA))
    """What the run awaits (PENDING_SCHEMA): not findings yet, never failing a night."""
    provider_names: dict[str, str] = field(default_factory=dict)
    """provider_id → name, from the providers data (empty when not loaded)."""
    quarantine: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(
        schema=QUARANTINE_SCHEMA))
    """Rows refused on loading the run's input files, per file and reason (QUARANTINE_SCHEMA)."""
    passing_notes: tuple[str, ...] = ()
    """Note states that keep a finding from failing (settings' [notes] pass_states)."""
    counted: Counted = field(default_factory=Counted)
    """The authority's counts against the recorded passages (etc.reports_counted)."""
    scorecard: Scorecard = field(default_factory=Scorecard)
    """The ETC service providers' scorecard and trend (etc.reports_counted)."""

    @property
    def pending_vnd(self) -> int:
        return int(self.pending["amount_at_risk_vnd"].sum())

    @property
    def total_at_risk_vnd(self) -> int:
        return int(self.findings["amount_at_risk_vnd"].sum())

    def failing(self) -> int:
        """Findings at or above `fail_at` whose note state is not one of `passing_notes`:
        a nightly run with any exits 1."""
        levels = [s.value for s in Severity if s.rank >= Severity(self.fail_at).rank]
        high = self.findings["severity"].is_in(levels)
        passed = self.findings["note_state"].is_in(list(self.passing_notes)).fill_null(False)
        return int((high & ~passed).sum())

    def count(self, state: State) -> int:
        """Findings of this run in `state` (NEW, OPEN), or identities RESOLVED by it."""
        if state is State.RESOLVED:
            return self.resolved.height
        return int((self.findings["state"] == state.value).sum())


CLASSES = (1, 2, 3, 4, 5)
METHODS = ("ETC", "CASH", "EXEMPT")

STATEMENT_DAY_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "station_name": pl.String(),
    "business_date": pl.Date(),        # null on the total row
    "passages": pl.Int64(),            # every passage, VOID and FREE_PASS included
    **{f"class{c}_passages": pl.Int64() for c in CLASSES},   # by charged_class
    **{f"class{c}_gross_vnd": pl.Int64() for c in CLASSES},
    **{f"{m.lower()}_passages": pl.Int64() for m in METHODS},  # by payment_method
    **{f"{m.lower()}_gross_vnd": pl.Int64() for m in METHODS},
    "gross_vnd": pl.Int64(),           # Σ amount of charged passages (ETC + CASH)
    "settled_gross_vnd": pl.Int64(),   # settlement items of the station and date
    "fee_vnd": pl.Int64(),             # provider fees on those items
    "net_vnd": pl.Int64(),             # settled gross − fees
    "banked_vnd": pl.Int64(),          # bank credits allocated to those items
    "settle_gap_vnd": pl.Int64(),      # charged ETC − settled gross
    "bank_gap_vnd": pl.Int64(),        # net − banked
    "findings": pl.Int64(),            # MONEY and FRAUD findings of the station and date
    "amount_at_risk_vnd": pl.Int64(),
    "behind": pl.String(),             # "SETTLEMENT_MISSING 2 (150,000); BATCH_UNPAID 1 (…)"
    "run_id": pl.String(),             # the run the row rests on
}
"""One row per station and business date (the statement's lines), and the same
columns for the total row (station_id "TOTAL", business_date null, run_id null
when several runs). `gross_vnd` counts a passage's amount only when it is charged
(override not VOID/FREE_PASS, payment_method not EXEMPT)."""

GAP_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "business_date": pl.Date(),
    "code": pl.String(),
    "severity": pl.String(),
    "key": pl.String(),                # the finding's identity text ("txn_id=T1")
    "amount_at_risk_vnd": pl.Int64(),
    "detail": pl.String(),
}
"""The MONEY and FRAUD findings behind the gaps, one row per finding, by station,
date, code, key."""


AWAITING_SCHEMA: dict[str, pl.DataType] = {
    **GAP_SCHEMA,
    "due_at": pl.Datetime("us", "UTC"),
}
"""What a statement's dates still await (a settlement within its deadline, a
credit within its bank window), one row per pending item, by station, date,
code, key: "awaiting: N items, X VND, due by …"."""


@dataclass(frozen=True)
class Statement:
    """The settlement statement of one toll operator for a range of business dates."""

    operator_id: str
    first_date: date
    last_date: date
    days: pl.DataFrame                 # STATEMENT_DAY_SCHEMA, by station then date
    total: pl.DataFrame                # STATEMENT_DAY_SCHEMA, one row
    gaps: pl.DataFrame                 # GAP_SCHEMA
    runs: tuple[RunInfo, ...]          # the runs its dates rest on, oldest date first
    inputs: pl.DataFrame               # INPUT_SCHEMA: the union of the runs' inputs
    awaiting: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=AWAITING_SCHEMA))
    """What its dates' runs await at its stations (AWAITING_SCHEMA): not gaps yet."""
    operator_name: str | None = None
    """The operator's name from the stations data (stations.operator_name), if given."""

    @property
    def operator_label(self) -> str:
        """'VEC (Tổng công ty …)' when the stations data names the operator, else its id."""
        name = self.operator_name
        return f"{self.operator_id} ({name})" if name else self.operator_id
