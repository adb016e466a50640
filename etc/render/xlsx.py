"""The discrepancy report and the settlement statement as XLSX workbooks, in `lang`.

The cells and their formats are etc.render.xlsx_book's: numbers stay numbers,
dates stay dates (shown dd/mm/yyyy in Vietnamese), text is neutralised. Sheet
names, labels and table headers follow the language; codes (rule codes, DAY /
TOTAL lines) stay as exported.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from etc.codes import Category
from etc.findings import KEY_COLUMNS
from etc.render.awaiting import Awaiting
from etc.render.lang import DEFAULT_LANG, Lang, category_name, severity_name, t
from etc.render.xlsx_book import Book, due_local, local_time, period, sheet_name
from etc.reports import Report, RunInfo, State, Statement

__all__ = ["sheet_name", "write_report_xlsx", "write_statement_xlsx"]


def write_report_xlsx(report: Report, path: Path, lang: Lang = DEFAULT_LANG) -> None:
    """The discrepancy report: a Summary sheet (the verdict, the totals, the run),
    a sheet per category (TAG, MONEY, FRAUD; a provider_name column beside
    provider_id when the providers data names them), a Pending sheet (what the run awaits,
    not yet due), a Resolved sheet, then Counted against recorded and Providers (the
    scorecard, its trend); each with a header even when empty."""
    run = report.run
    book = Book(path, run.started_at, f"{t(lang, 'report.title')} {run.run_id}", lang)
    waiting = Awaiting.of(report.pending)
    failing = report.failing()
    verdict = ("x.none" if report.findings.height == 0 else "x.fail" if failing else "x.pass")
    ws = book.sheet(t(lang, "x.summary"))
    book.text(ws, 0, 0, t(lang, "report.title"), bold=True)
    row = book.pairs(ws, 1, [
        (t(lang, "x.verdict"), t(lang, verdict)),
        (t(lang, "x.fail_at"), severity_name(lang, report.fail_at)),
        (t(lang, "x.failing"), failing),
        (t(lang, "x.findings"), report.findings.height),
        (t(lang, "x.at_risk"), report.total_at_risk_vnd),
        *((t(lang, f"x.state.{s.value}"), report.count(s)) for s in State),
        (t(lang, "x.awaiting_items"), waiting.items),
        (t(lang, "x.awaiting_vnd"), waiting.amount_vnd),
        (t(lang, "x.awaiting_due"),
         local_time(waiting.due_by, lang) if waiting.due_by else t(lang, "x.none_word")),
        (t(lang, "h.run"), run.run_id),
        (t(lang, "x.period"), period(run.first_date, run.last_date, lang)),
        (t(lang, "x.started"), local_time(run.started_at, lang)),
        (t(lang, "x.as_of"),
         local_time(run.as_of, lang) if run.as_of else t(lang, "x.not_recorded")),
        (t(lang, "h.code_version"), run.code_version),
        (t(lang, "h.settings"), run.settings_sha256),
        (t(lang, "inputs.sha"), run.inputs_sha256),
        (t(lang, "x.previous"), report.previous_run_id or t(lang, "x.none_word")),
    ])
    for title, df in ((t(lang, "x.matrix"), report.summary),
                      (t(lang, "x.by_station"), report.by_station),
                      (t(lang, "x.by_day"), report.by_day),
                      (t(lang, "x.inputs"), run.inputs),
                      (t(lang, "refused.title"), report.quarantine)):
        book.text(ws, row + 1, 0, title, bold=True)
        row = book.table(ws, row + 2, df)
    findings = with_provider_names(report.findings.drop("run_id"), report.provider_names)
    for category in Category:
        ws = book.sheet(category_name(lang, category.value))
        part = findings.filter(pl.col("category") == category.value)
        book.table(ws, 0, part)
        book.frozen(ws, 0, part)
    ws = book.sheet(t(lang, "x.pending"))
    pending = with_provider_names(due_local(report.pending.select(
        "code", "category", "severity", "business_date", "due_at", *KEY_COLUMNS,
        "amount_at_risk_vnd", "detail")), report.provider_names)
    book.table(ws, 0, pending)
    book.frozen(ws, 0, pending)
    ws = book.sheet(t(lang, "x.resolved"))
    book.table(ws, 0, report.resolved)
    book.frozen(ws, 0, report.resolved)
    _counted_sheets(book, report, lang)
    book.close()


def with_provider_names(frame: pl.DataFrame, names: dict[str, str]) -> pl.DataFrame:
    """`frame` with a provider_name column after provider_id when the providers data
    names any provider (provider_id itself stays the id: a key people filter on)."""
    if not names:
        return frame
    name = pl.col("provider_id").replace_strict(names, default=None, return_dtype=pl.String)
    cols = frame.columns
    at = cols.index("provider_id") + 1
    return frame.with_columns(name.alias("provider_name")).select(
        [*cols[:at], "provider_name", *cols[at:]])


def _counted_sheets(book: Book, report: Report, lang: Lang) -> None:
    """Counted against recorded (per station, the stations without sensor coverage,
    the hourly series of the lanes with findings) and the providers' scorecard
    (per provider, then the trend per day), each sheet with a header even when empty."""
    counted = report.counted
    ws = book.sheet(t(lang, "x.counted"))
    book.table(ws, 0, counted.stations)
    book.frozen(ws, 0, counted.stations)
    row = counted.stations.height + 2
    for title, df in ((t(lang, "uncovered.title"), counted.uncovered),
                      (t(lang, "x.hours"), counted.hours)):
        book.text(ws, row, 0, title, bold=True)
        row = book.table(ws, row + 1, df) + 1
    card = report.scorecard
    ws = book.sheet(t(lang, "x.providers"))
    book.table(ws, 0, card.providers)
    book.frozen(ws, 0, card.providers)
    row = card.providers.height + 2
    book.text(ws, row, 0, f"{t(lang, 'x.trend')} ({card.trend_days})", bold=True)
    book.table(ws, row + 1, card.days)


def write_statement_xlsx(statement: Statement, path: Path, lang: Lang = DEFAULT_LANG) -> None:
    """The settlement statement: sheet Statement (header block, with what is
    awaited when anything is; a line per station and day, the total line bold),
    Gaps (the findings behind the gaps), Awaiting (items not yet due) and Inputs
    (the files with their sha256, the runs with their inputs_sha256)."""
    runs = statement.runs
    created = runs[0].started_at if runs else datetime(2000, 1, 1, tzinfo=UTC)
    book = Book(path, created, f"{t(lang, 's.title')} {statement.operator_id}", lang)
    waiting = Awaiting.of(statement.awaiting)
    ws = book.sheet(t(lang, "x.statement"))
    book.text(ws, 0, 0, t(lang, "s.title"), bold=True)
    top = book.pairs(ws, 1, [
        (t(lang, "s.operator"), statement.operator_label),
        (t(lang, "x.period"), period(statement.first_date, statement.last_date, lang)),
        (t(lang, "x.runs"), ", ".join(r.run_id for r in runs)),
        *([(t(lang, "x.awaiting_gaps"), waiting.tally(lang))] if waiting else []),
    ]) + 1
    lines = pl.concat([statement.days, statement.total], how="vertical")
    book.table(ws, top, lines, bold_rows=range(statement.days.height, lines.height))
    book.frozen(ws, top, statement.days)
    ws = book.sheet(t(lang, "x.gaps"))
    book.table(ws, 0, statement.gaps)
    book.frozen(ws, 0, statement.gaps)
    ws = book.sheet(t(lang, "x.awaiting"))
    awaiting = due_local(statement.awaiting)
    book.table(ws, 0, awaiting)
    book.frozen(ws, 0, awaiting)
    ws = book.sheet(t(lang, "x.inputs"))
    inputs = statement.inputs.select("file", "kind", "sha256")
    row = book.table(ws, 0, inputs)
    book.frozen(ws, 0, inputs)
    book.table(ws, row + 1, _runs_frame(runs, lang))
    book.close()


def _runs_frame(runs: Sequence[RunInfo], lang: Lang) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "run_id": [r.run_id for r in runs],
            "first_date": [r.first_date for r in runs],
            "last_date": [r.last_date for r in runs],
            "started_local": [local_time(r.started_at, lang) for r in runs],
            "code_version": [r.code_version for r in runs],
            "inputs_sha256": [r.inputs_sha256 for r in runs],
        },
        schema={"run_id": pl.String, "first_date": pl.Date, "last_date": pl.Date,
                "started_local": pl.String, "code_version": pl.String,
                "inputs_sha256": pl.String},
    )
