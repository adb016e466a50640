"""The engine: read the inputs, run every rule, shape the findings and write the run.

    result = reconcile(store, Period(date(2026, 11, 1), date(2026, 11, 2)), Settings())

Rules are pure; the engine is where their output gets its period, its category,
its severity and its order (reconcile.shape). The order is total (business date,
code, every key column, amount, detail; nulls first) and a code's identities are
unique, so the same inputs and settings give byte-identical findings in any load
order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from time import perf_counter
from typing import Final, Protocol

import polars as pl

from etc.codes import Code, Severity
from etc.context import Context, Inputs, Period, Scope
from etc.errors import EtcError
from etc.findings import RULE_COLUMNS
from etc.localtime import start_of
from etc.outputs import (
    DISPOSITION_SCHEMA,
    MATCH_SCHEMA,
    TIEOUT_SCHEMA,
    TRAFFIC_SCHEMA,
)
from etc.schemas import Kind
from etc.settings import Settings
from etc.store import FINDING_ORDER, LoadRef, Store
from ledgers.batches import credit_matches
from ledgers.dispositions import dispositions
from ledgers.items import item_matches
from ledgers.tieout import tieouts
from ledgers.traffic import traffic
from reconcile.lifecycle import states
from reconcile.manifest import inputs_sha256, manifest, run_id
from reconcile.prepare import BatchItems, prepare
from reconcile.registry import RULES
from reconcile.scope import chunks, scope
from reconcile.shape import common_severity, finish

Progress = Callable[[str, float], None]

CHUNK_DAYS: Final = 1
"""Days computed at once by default: a long period is read and computed a day at
a time (each with its look-back), so memory follows one day, not the period."""


class NothingToCheck(EtcError):
    """A run of dates that hold no passage: refused, so that it can neither report
    findings of tag lists alone nor resolve what it never checked."""

ENGINE: Final = "in-memory"
"""Polars engine for the rules and outputs. Polars 2.1's streaming engine panics
("assertion failed: i < self.len()") on `pl.format` after a filter of a frame of
many chunks (ctx frames are: DuckDB hands Arrow batches, prepare's collects keep
chunks); the in-memory engine does not, and was as fast or faster on 1 M passages."""


@dataclass(frozen=True)
class RunResult:
    """What a run found, for printing; the run itself is in the store."""

    run_id: str
    period: Period
    as_of: datetime
    findings: Mapping[Code, int]
    """Findings per code, every code (0 when none), in the catalogue's order."""
    at_risk_vnd: Mapping[Code, int]
    """Σ amount_at_risk_vnd per code, every code."""
    severity: Mapping[Code, Severity]
    """The most common severity of a code's findings (codes with findings only;
    a tie goes to the higher level)."""
    passages: int
    """Passages of the period's business dates."""
    pending: int
    """Findings not yet due as of `as_of`."""
    pending_vnd: int
    """Their Σ amount_at_risk_vnd."""
    dispositions: Mapping[str, int]
    """Passages per disposition (etc.outputs.Disposition), those that occur."""
    timings: Mapping[str, float]
    """Seconds per step: read, prepare, each rule code, findings, outputs, write."""

    @property
    def total_findings(self) -> int:
        return sum(self.findings.values())

    @property
    def total_at_risk_vnd(self) -> int:
        return sum(self.at_risk_vnd.values())


@dataclass(frozen=True)
class RunTables:
    """A run's rows, before they are written."""

    findings: pl.DataFrame
    pending: pl.DataFrame
    matches: pl.DataFrame
    dispositions: pl.DataFrame
    tieouts: pl.DataFrame
    traffic: pl.DataFrame
    passages: int
    """Passages of the period's business dates."""
    timings: Mapping[str, float] = field(default_factory=dict)
    """Seconds per step of the chunk (compute_chunk fills it)."""


class RunSource(Protocol):
    """What a run reads its inputs from: the store (etc.store.Store) or an archive
    (etc.store.source.ArchiveSource), through the same scoped reads."""

    def passage_dates(self, first: date, last: date) -> dict[date, int]: ...
    def data_until(self) -> datetime | None: ...
    def load_manifest(self) -> tuple[LoadRef, ...]: ...
    def table(self, kind: Kind | str) -> pl.LazyFrame: ...
    def inputs(self, scope: Scope | None = None) -> Inputs: ...
    def batch_items(self, batch_ids: list[str]) -> pl.DataFrame: ...


@dataclass(frozen=True)
class ChunkJob:
    """What every chunk of a run shares (picklable: a Ray task receives it)."""

    settings: Settings
    run: str
    as_of: datetime
    stations: pl.DataFrame
    """lat, lon of every station (the look-back of TAG_CLONE)."""


ChunkRunner = Callable[[list[Period], ChunkJob, Progress], Iterator[RunTables]]
"""Computes the chunks of a run and yields their tables in the chunks' order,
calling progress as it goes (fractions 0…0.9): in this process (`local_chunks`)
or as Ray tasks (reconcile.ray_engine)."""


def reconcile(store: Store, period: Period, settings: Settings,
              progress: Progress | None = None, *, as_of: datetime | None = None,
              chunk_days: int = CHUNK_DAYS, source: RunSource | None = None,
              runner: ChunkRunner | None = None) -> RunResult:
    """Run every rule over `period` and write the run (replacing a run of the
    same id). `progress(step, fraction done)` is called before each step.

    A period that holds no passage is refused (NothingToCheck): a run of dates
    with no data would only resolve what it never checked. `as_of` is the instant
    that decides what is due (default: the latest instant of the loaded data,
    so the same inputs give the same run). The period is read and computed in
    chunks of `chunk_days` days, each with its look-back (reconcile.scope), and
    written as it goes, the runs row last (Store.writing_run): memory follows the
    largest chunk.
    Inputs come from `source` (default: the store itself); the chunks are computed
    by `runner` (default: one after the other in this process); the run is
    written to `store` either way."""
    if as_of is not None and as_of.tzinfo is None:
        raise ValueError("as_of must be an aware instant (a time zone or offset)")
    say = progress or _quiet
    src: RunSource = source if source is not None else store
    started = datetime.now(UTC)
    days = src.passage_dates(period.first, period.last)
    if not days:
        raise NothingToCheck(f"no passages are loaded for {period.first}..{period.last}",
                             hint="load the lanes files of those dates first")
    moment = as_of or src.data_until() or start_of(period.last, 1)
    loads = src.load_manifest()
    run = run_id(period, settings.digest(), inputs_sha256(loads), moment)
    job = ChunkJob(settings, run, moment, src.table("stations").select("lat", "lon").collect())
    pieces = list(chunks(period, chunk_days))
    timings: dict[str, float] = {}
    found: list[pl.DataFrame] = []
    pending: list[pl.DataFrame] = []
    dispositions: list[pl.DataFrame] = []
    with store.writing_run(run) as add:
        for tables in (runner or local_chunks(src))(pieces, job, say):
            for step, seconds in tables.timings.items():
                timings[step] = round(timings.get(step, 0.0) + seconds, 4)
            for table in ("matches", "dispositions", "tieouts", "traffic"):
                add(table, getattr(tables, table))
            found.append(tables.findings)
            pending.append(tables.pending)
            dispositions.append(tables.dispositions.group_by("disposition").len())
            del tables  # before the next chunk is read: one chunk's rows at a time
        say("writing", 0.9)
        lap = _stopwatch(timings)
        findings = pl.concat(found).sort(FINDING_ORDER, nulls_last=False)
        waiting = pl.concat(pending).sort(FINDING_ORDER, nulls_last=False)
        earlier = store.earlier_runs(run, period.first, period.last, started)
        life = states(findings, store.open_identities(earlier), period, run)
        add("findings", findings)
        add("pending", waiting)
        add("lifecycle", life)
        record = manifest(run=run, period=period, settings=settings, loads=loads,
                          findings=findings, pending=waiting, as_of=moment,
                          passages=sum(days.values()), started_at=started,
                          ended_at=datetime.now(UTC), timings=timings)
        store.finish_run(record)
        lap("write")
    say("done", 1.0)
    return RunResult(
        run_id=run,
        period=period,
        as_of=moment,
        findings={Code(c): n["findings"] for c, n in record.counts.items()},
        at_risk_vnd={Code(c): n["amount_at_risk_vnd"] for c, n in record.counts.items()},
        severity=common_severity(findings),
        passages=record.passages,
        pending=waiting.height,
        pending_vnd=int(waiting["amount_at_risk_vnd"].sum()),
        dispositions=dict(pl.concat(dispositions).group_by("disposition").agg(pl.col("len").sum())
                          .sort("disposition").iter_rows()),
        timings=timings,
    )


def local_chunks(source: RunSource) -> ChunkRunner:
    """The chunks computed one after the other in this process, reading `source`."""
    def run(pieces: list[Period], job: ChunkJob, say: Progress) -> Iterator[RunTables]:
        for n, piece in enumerate(pieces):
            def part(step: str, done: float, n: int = n) -> None:
                say(step, 0.9 * (n + done) / len(pieces))
            yield compute_chunk(source, piece, job, part)
    return run


def compute_chunk(source: RunSource, piece: Period, job: ChunkJob,
                  say: Progress | None = None) -> RunTables:
    """One chunk's tables: its scoped inputs read from `source`, then `compute`;
    with the seconds of each step in `timings`."""
    timings: dict[str, float] = {}
    lap = _stopwatch(timings)
    (say or _quiet)("reading", 0.0)
    inputs = source.inputs(scope(piece, job.settings, job.stations))
    tables = compute(inputs, piece, job.settings, job.run, job.as_of, say, lap,
                     batch_items=source.batch_items)
    return replace(tables, timings=timings)


def compute(inputs: Inputs, period: Period, settings: Settings, run: str, as_of: datetime,
            say: Progress | None = None, lap: Callable[[str], None] | None = None, *,
            batch_items: BatchItems | None = None) -> RunTables:
    """The run's rows from the inputs: prepare the shared frames, run every rule
    (one collect each, timed), finish the findings, build the other tables."""
    say, lap = say or _quiet, lap or (lambda step: None)
    lap("read")
    say("preparing", 0.1)
    ctx = prepare(inputs, period, settings, batch_items)
    lap("prepare")
    parts: list[pl.DataFrame] = []
    for i, rule in enumerate(RULES):
        say(rule.code.value, 0.2 + 0.6 * i / len(RULES))
        parts.append(rule.run(ctx, settings).select(RULE_COLUMNS).collect(engine=ENGINE))
        lap(rule.code.value)
    found, pending = finish(pl.concat(parts), period, settings.severity, run, as_of)
    lap("findings")
    say("dispositions, tie-outs, matches", 0.8)
    disp, ties, pairs, lanes, passages = pl.collect_all(
        [*outputs(ctx, settings), ctx.passages.filter(in_period(ctx)).select(pl.len())],
        engine=ENGINE)
    lap("outputs")
    return RunTables(found, pending, pairs, disp, ties, lanes, int(passages.item()))


def in_period(ctx: Context) -> pl.Expr:
    return ctx.period.holds(pl.col("business_date"))


def outputs(ctx: Context, settings: Settings) -> list[pl.LazyFrame]:
    """Dispositions, tie-outs, matches and traffic of the period's business dates.

    Tie-outs (a few rows per station and day) are sorted by date and station.
    Dispositions (one row per passage) and matches (one per settlement item) are
    not: sorting 10 M rows on a text key took ~5 s each, and a table's rows have
    no order in SQL anyway — readers ORDER BY (txn_id; stage, settlement_id,
    account, entry_id). Their content, as a set, does not depend on load order."""
    def shaped(frame: pl.LazyFrame, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
        return frame.filter(in_period(ctx)).select(list(schema))

    return [
        shaped(dispositions(ctx, settings.money), DISPOSITION_SCHEMA),
        shaped(tieouts(ctx), TIEOUT_SCHEMA).sort("business_date", "station_id"),
        pl.concat([shaped(item_matches(ctx.items), MATCH_SCHEMA),
                   shaped(credit_matches(ctx.credits), MATCH_SCHEMA)]),
        shaped(traffic(ctx, settings.tags.weak_rssi_dbm), TRAFFIC_SCHEMA),
    ]


def _quiet(step: str, done: float) -> None:
    """A progress callback that shows nothing."""


def _stopwatch(timings: dict[str, float]) -> Callable[[str], None]:
    """`lap(step)` adds the seconds since the previous lap to `step`."""
    last = [perf_counter()]

    def lap(step: str) -> None:
        now = perf_counter()
        timings[step] = round(timings.get(step, 0.0) + now - last[0], 4)
        last[0] = now
    return lap
