"""The workbook primitives of the XLSX report and statement (etc.render.xlsx).

Written cell by cell with xlsxwriter so that each value keeps its type: money
and counts are numbers (format `#,##0`, money with ` ₫` in Vietnamese), dates
are Excel dates (`dd/mm/yyyy` in Vietnamese, `yyyy-mm-dd` in English), instants
are Excel date-times in local time, text is written as text, never as a
formula, and neutralised first (etc.render.safe) so a cell cannot start one.
Table headers are the columns' names in the book's language (etc.render.lang.
column); the values of `category`, `severity` and `state` columns are shown by
their names in that language. Tables have a bold, frozen header and an
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

from etc.localtime import LOCAL, clock
from etc.render.awaiting import local_naive
from etc.render.lang import (
    XLSX_DAY,
    XLSX_MINUTE,
    XLSX_MONEY,
    Lang,
    category_name,
    column,
    day,
    severity_name,
    state_name,
)
from etc.render.safe import neutralise, neutralise_frame

NUMBER = "#,##0"
"""VND amounts and counts: integers with thousands separators."""
PLAIN = {"load_id"}
"""Integer columns that are identifiers, shown without separators."""
MIN_WIDTH, MAX_WIDTH = 8, 60
_NOT_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
_OPTIONS = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
            "strings_to_urls": False}


def sheet_name(name: str) -> str:
    """`name` within Excel's limits: 31 characters, none of []:*?/\\, no edge quote."""
    return name.translate(_NOT_IN_SHEET_NAMES)[:31].strip("'") or "Sheet"


def local_time(instant: datetime, lang: Lang = "en") -> str:
    """An aware instant as local (UTC+07:00) 'YYYY-MM-DD HH:MM:SS +07:00' text
    ('DD/MM/YYYY HH:MM:SS +07:00' in Vietnamese)."""
    text = clock(instant)
    if lang == "vi":
        text = day(lang, instant.astimezone(LOCAL).date()) + text[10:]
    return text + " +07:00"


def period(first: Any, last: Any, lang: Lang = "en") -> str:
    return (f"{day(lang, first)} đến {day(lang, last)}" if lang == "vi"
            else f"{first} to {last}")


_NAMED = {"category": category_name, "severity": severity_name, "state": state_name}


def named_values(df: pl.DataFrame, lang: Lang) -> pl.DataFrame:
    """`df` with its category, severity and state codes shown by their names."""
    if lang == "en":
        return df
    out = df
    for name, fn in _NAMED.items():
        if name in df.columns and df.schema[name] == pl.String:
            values = df[name].unique().drop_nulls().to_list()
            out = out.with_columns(pl.col(name).replace({v: fn(lang, v) for v in values}))
    return out


class Book:
    """A workbook with one format per (number format, bold) pair and a width per column."""

    def __init__(self, path: Path, created: datetime, title: str, lang: Lang = "en") -> None:
        self.lang = lang
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
            if isinstance(value, bool):
                self.text(ws, r, 1, str(value))
            elif isinstance(value, int):
                ws.write_number(r, 1, value, self.fmt(NUMBER))
            else:
                self.text(ws, r, 1, str(value))
        return top + len(items)

    def table(self, ws: Worksheet, top: int, df: pl.DataFrame,
              bold_rows: Iterable[int] = ()) -> int:
        """`df` with a bold header at row `top`, typed cells below; returns the next
        free row. `bold_rows` are row indexes of `df` written bold (a total line)."""
        for c, name in enumerate(df.columns):
            self.text(ws, top, c, column(self.lang, name), bold=True)
        bold = set(bold_rows)
        writers = [self._writer(ws, name, dtype) for name, dtype in df.schema.items()]
        for i, row in enumerate(neutralise_frame(named_values(df, self.lang)).iter_rows()):
            for c, value in enumerate(row):
                if value is not None:
                    writers[c](top + 1 + i, c, value, i in bold)
        for c, width in enumerate(_widths(df.rename(
                {n: column(self.lang, n) for n in df.columns}))):
            self._widen(ws, c, width)
        return top + 1 + df.height

    def _widen(self, ws: Worksheet, col: int, width: int) -> None:
        key = (ws.name, col)
        self._widths[key] = max(self._widths.get(key, MIN_WIDTH), min(width, MAX_WIDTH))

    def _writer(self, ws: Worksheet, name: str, dtype: pl.DataType) -> Any:
        if dtype.is_integer():
            number = ("0" if name in PLAIN else XLSX_MONEY[self.lang] if name.endswith("_vnd")
                      else NUMBER)
            return lambda r, c, v, b: ws.write_number(r, c, v, self.fmt(number, b))
        if dtype.is_float():
            return lambda r, c, v, b: ws.write_number(r, c, v, self.fmt("0.0000", b))
        if dtype == pl.Date:
            return lambda r, c, v, b: ws.write_datetime(r, c, v,
                                                        self.fmt(XLSX_DAY[self.lang], b))
        if isinstance(dtype, pl.Datetime):
            return lambda r, c, v, b: ws.write_datetime(r, c, naive_local(v),
                                                        self.fmt(XLSX_MINUTE[self.lang], b))
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


def naive_local(value: datetime) -> datetime:
    """An aware instant as naive local time; a naive one (already local) as it is."""
    return value.astimezone(LOCAL).replace(tzinfo=None) if value.tzinfo else value


def due_local(frame: pl.DataFrame) -> pl.DataFrame:
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


