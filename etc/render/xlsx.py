"""The discrepancy report and the settlement statement as XLSX workbooks.

Written cell by cell with xlsxwriter so that each value keeps its type: money
and counts are numbers (format `#,##0`), dates are Excel dates (`yyyy-mm-dd`),
instants are Excel date-times in local time (`yyyy-mm-dd hh:mm`), text is
written as text, never as a formula, and neutralised first (etc.render.safe) so
a cell cannot start one. Tables have a bold, frozen header and an
autofilter. The workbook's creation time is the run's start, and xlsxwriter
stamps its zip members with a fixed date, so the same model gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from etc.codes import Category
from etc.findings import KEY_COLUMNS
from etc.localtime import LOCAL, clock
from etc.render.awaiting import Awaiting, local_naive
from etc.render.safe import neutralise, neutralise_frame
from etc.reports import Report, RunInfo, State, Statement

NUMBER = "#,##0"
"""VND amounts and counts: integers with thousands separators."""
DAY = "yyyy-mm-dd"
MINUTE = "yyyy-mm-dd hh:mm"
"""Instants, shown in local time (UTC+07:00)."""
PLAIN = {"load_id"}
"""Integer columns that are identifiers, shown without separators."""
MIN_WIDTH, MAX_WIDTH = 8, 60
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
_OPTIONS = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False}


def sheet_name(name: str) -> str:
    """`name` within Excel's limits: 31 characters, none of []:*?/\\, no edge quote."""
    return name.translate(_NOT_IN_SHEET_NAMES)[:31].strip("'") or "Sheet"


def local_time(instant: datetime) -> str:
    """An aware instant as local (UTC+07:00) 'YYYY-MM-DD HH:MM:SS +07:00' text."""
    return clock(instant) + " +07:00"


def period(first: object, last: object) -> str:
    return f"{first} to {last}"


class _Book:
    """A workbook with one format per (number format, bold) pair and a width per column."""

    def __init__(self, path: Path, created: datetime, title: str) -> None:
        self.wb = Workbook(str(path), _OPTIONS)
        self.wb.set_properties({"title": title, "created": created.astimezone(UTC)})
        self._formats: dict[tuple[str | None, bool], Format] = {}
        self._widths: dict[tuple[str, int], int] = {}

    def fmt(self, num_format: str | None = None, bold: bool = False) -> Format:
        key = (num_format, bold)
        if key not in self._formats:
            props: dict[str, Any] = {"bold": True} if bold else {}
            if num_format:
                props["num_format"] = num_format
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]

    def sheet(self, name: str) -> Worksheet:
        return self.wb.add_worksheet(sheet_name(name))

    def text(self, ws: Worksheet, row: int, col: int, value: str, bold: bool = False) -> None:
        ws.write_string(row, col, neutralise(value) or "", self.fmt(bold=bold))

    def pairs(self, ws: Worksheet, top: int, items: Sequence[tuple[str, object]]) -> int:
        """Label/value lines (labels bold); integers as numbers. Returns the next row."""
        for r, (label, value) in enumerate(items, start=top):
            self.text(ws, r, 0, label, bold=True)
            self._widen(ws, 0, len(label) + 2)
            if isinstance(value, int):
                ws.write_number(r, 1, value, self.fmt(NUMBER))
            else:
                self.text(ws, r, 1, str(value))
        return top + len(items)

    def table(self, ws: Worksheet, top: int, df: pl.DataFrame,
              bold_rows: Iterable[int] = ()) -> int:
        """`df` with a bold header at row `top`, typed cells below; returns the next
        free row. `bold_rows` are row indexes of `df` written bold (a total line)."""
        for c, name in enumerate(df.columns):
            self.text(ws, top, c, name, bold=True)
        bold = set(bold_rows)
        writers = [self._writer(ws, name, dtype) for name, dtype in df.schema.items()]
        for i, row in enumerate(neutralise_frame(df).iter_rows()):
            for c, value in enumerate(row):
                if value is not None:
                    writers[c](top + 1 + i, c, value, i in bold)
        for c, width in enumerate(_widths(df)):
            self._widen(ws, c, width)
        return top + 1 + df.height

    def _widen(self, ws: Worksheet, col: int, width: int) -> None:
        key = (ws.name, col)
        self._widths[key] = max(self._widths.get(key, MIN_WIDTH), min(width, MAX_WIDTH))

    def _writer(self, ws: Worksheet, name: str, dtype: pl.DataType) -> Any:
        if dtype.is_integer():
            number = "0" if name in PLAIN else NUMBER
            return lambda r, c, v, b: ws.write_number(r, c, v, self.fmt(number, b))
        if dtype.is_float():
            return lambda r, c, v, b: ws.write_number(r, c, v, self.fmt("0.0000", b))
        if dtype == pl.Date:
            return lambda r, c, v, b: ws.write_datetime(r, c, v, self.fmt(DAY, b))
        if isinstance(dtype, pl.Datetime):
            return lambda r, c, v, b: ws.write_datetime(r, c, _naive_local(v),
                                                        self.fmt(MINUTE, b))
        if dtype == pl.Boolean:
            return lambda r, c, v, b: ws.write_boolean(r, c, v, self.fmt(bold=b))
        if dtype == pl.String:  # already neutralised with the frame
            return lambda r, c, v, b: ws.write_string(r, c, v, self.fmt(bold=b))
        return lambda r, c, v, b: ws.write_string(r, c, neutralise(str(v)) or "",
                                                  self.fmt(bold=b))

    @staticmethod
    def frozen(ws: Worksheet, header_row: int, df: pl.DataFrame) -> None:
        """Freeze the rows down to the table header at `header_row`; filter the table."""
        ws.freeze_panes(header_row + 1, 0)
        ws.autofilter(header_row, 0, header_row + df.height, max(df.width - 1, 0))

    def close(self) -> None:
        for (name, col), width in sorted(self._widths.items()):
            ws = self.wb.get_worksheet_by_name(name)
            if ws is not None:
                ws.set_column(col, col, width)
        self.wb.close()


def _naive_local(value: datetime) -> datetime:
    """An aware instant as naive local time; a naive one (already local) as it is."""
    return value.astimezone(LOCAL).replace(tzinfo=None) if value.tzinfo else value


def _due_local(frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its UTC `due_at` replaced by `due_local`, a naive local time."""
    return frame.with_columns(local_naive(pl.col("due_at")).alias("due_at")).rename(
        {"due_at": "due_local"})


def _widths(df: pl.DataFrame) -> list[int]:
    """A display width per column: its longest header or value (as text, with room
    for thousands separators and a neutralising quote), within MIN..MAX_WIDTH."""
    if df.height == 0:
        longest = [0] * df.width
    else:
        row = df.select(pl.col(c).cast(pl.String).str.len_chars().max() for c in df.columns)
        longest = [int(v or 0) for v in row.row(0)]
    out = []
    for name, dtype, n in zip(df.columns, df.dtypes, longest, strict=True):
        n = n + n // 3 if dtype.is_integer() else 16 if dtype == pl.Datetime else n + 1
        out.append(min(MAX_WIDTH, max(MIN_WIDTH, len(name) + 2, n + 2)))
    return out


def write_report_xlsx(report: Report, path: Path) -> None:
    """The discrepancy report: a Summary sheet, a sheet per category (TAG, MONEY,
    FRAUD), a Pending sheet (what the run awaits, not yet due) and a Resolved
    sheet; each with a header even when empty."""
    run = report.run
    book = _Book(path, run.started_at, f"Discrepancy report {run.run_id}")
    waiting = Awaiting.of(report.pending)
    ws = book.sheet("Summary")
    book.text(ws, 0, 0, "Discrepancy report", bold=True)
    row = book.pairs(ws, 1, [
        ("Run", run.run_id),
        ("Period", period(run.first_date, run.last_date)),
        ("Started (local time)", local_time(run.started_at)),
        ("As of (local time)", local_time(run.as_of) if run.as_of else "not recorded"),
        ("Code version", run.code_version),
        ("Settings sha256", run.settings_sha256),
        ("Inputs sha256", run.inputs_sha256),
        ("Previous run", report.previous_run_id or "none"),
        ("Fails at severity", report.fail_at),
        ("Money at risk (VND)", report.total_at_risk_vnd),
        *((f"{s.value.title()} findings" if s is not State.RESOLVED else "Resolved",
           report.count(s)) for s in State),
        ("Awaiting items (not yet due)", waiting.items),
        ("Awaiting (VND)", waiting.amount_vnd),
        ("Awaiting due by (local time)",
         local_time(waiting.due_by) if waiting.due_by else "none"),
    ])
    for title, df in (("Findings by category and severity", report.summary),
                      ("By station", report.by_station), ("By day", report.by_day),
                      ("Inputs", run.inputs)):
        book.text(ws, row + 1, 0, title, bold=True)
        row = book.table(ws, row + 2, df)
    findings = report.findings.drop("run_id")
    for category in Category:
        ws = book.sheet(category.value)
        part = findings.filter(pl.col("category") == category.value)
        book.table(ws, 0, part)
        book.frozen(ws, 0, part)
    ws = book.sheet("Pending")
    pending = _due_local(report.pending.select(
        "code", "category", "severity", "business_date", "due_at", *KEY_COLUMNS,
        "amount_at_risk_vnd", "detail"))
    book.table(ws, 0, pending)
    book.frozen(ws, 0, pending)
    ws = book.sheet("Resolved")
    book.table(ws, 0, report.resolved)
    book.frozen(ws, 0, report.resolved)
    book.close()


def write_statement_xlsx(statement: Statement, path: Path) -> None:
    """The settlement statement: sheet Statement (header block, with what is
    awaited when anything is; a line per station and day, the total line bold),
    Gaps (the findings behind the gaps), Awaiting (items not yet due) and Inputs
    (the files with their sha256, the runs with their inputs_sha256)."""
    runs = statement.runs
    created = runs[0].started_at if runs else datetime(2000, 1, 1, tzinfo=UTC)
    book = _Book(path, created, f"Settlement statement {statement.operator_id}")
    waiting = Awaiting.of(statement.awaiting)
    ws = book.sheet("Statement")
    book.text(ws, 0, 0, "Settlement statement", bold=True)
    top = book.pairs(ws, 1, [
        ("Operator", statement.operator_id),
        ("Period", period(statement.first_date, statement.last_date)),
        ("Runs", ", ".join(r.run_id for r in runs)),
        *([("Awaiting (not gaps yet)", waiting.tally())] if waiting else []),
    ]) + 1
    lines = pl.concat([statement.days, statement.total], how="vertical")
    book.table(ws, top, lines, bold_rows=range(statement.days.height, lines.height))
    book.frozen(ws, top, statement.days)
    ws = book.sheet("Gaps")
    book.table(ws, 0, statement.gaps)
    book.frozen(ws, 0, statement.gaps)
    ws = book.sheet("Awaiting")
    awaiting = _due_local(statement.awaiting)
    book.table(ws, 0, awaiting)
    book.frozen(ws, 0, awaiting)
    ws = book.sheet("Inputs")
    inputs = statement.inputs.select("file", "kind", "sha256")
    row = book.table(ws, 0, inputs)
    book.frozen(ws, 0, inputs)
    book.table(ws, row + 1, _runs_frame(runs))
    book.close()


def _runs_frame(runs: Sequence[RunInfo]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "run_id": [r.run_id for r in runs],
            "first_date": [r.first_date for r in runs],
            "last_date": [r.last_date for r in runs],
            "started_local": [local_time(r.started_at) for r in runs],
            "code_version": [r.code_version for r in runs],
            "inputs_sha256": [r.inputs_sha256 for r in runs],
        },
        schema={"run_id": pl.String, "first_date": pl.Date, "last_date": pl.Date,
                "started_local": pl.String, "code_version": pl.String,
                "inputs_sha256": pl.String},
    )
