"""Sortable, filterable HTML tables of the report page (report.js drives them).

A table comes with a filter box above it and an "n of N rows" count; each
header is a button that sorts by its column. Numeric cells carry the raw number
in `data-sort` (the text shows "1.250.000" in Vietnamese, "1,250,000" in
English) and their header `data-type="number"`, so report.js sorts them as
numbers; dates carry their ISO text in `data-sort` and show dd/mm/yyyy in
Vietnamese. A table shows at most `cap` rows, in the model's order, and says so
when it holds more. Severity, state, category and note badges keep the code in
their class and `data-value` and show its name in the page's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import polars as pl

from etc.render.lang import (
    Lang,
    category_name,
    day,
    decimal,
    number,
    percent,
    severity_name,
    state_name,
    t,
)

NUMERIC = ("vnd", "int", "pct", "dec")
_NAMES = {"sev": severity_name, "state": state_name, "cat": category_name,
          "note": lambda lang, v: t(lang, f"note.{v}") if v else ""}


@dataclass(frozen=True)
class Col:
    """A column: the frame's column name, its header text and how to show it:
    text, prose (wrapped, wide: the evidence), code, date, int, vnd (thousands
    separators), pct (a 0…1 share as a percentage), dec (one decimal), sev, state,
    cat or note (badges with translated names)."""

    name: str
    title: str
    kind: str


def cell(value: object, kind: str, lang: Lang = "en") -> str:
    """One `<td>`; every value escaped."""
    if value is None:
        return '<td class="num" data-sort=""></td>' if kind in NUMERIC else "<td></td>"
    if kind in ("pct", "dec"):
        v = float(value)  # type: ignore[arg-type]
        shown = percent(lang, v) if kind == "pct" else decimal(lang, v)
        return f'<td class="num" data-sort="{v!r}">{shown}</td>'
    if kind in NUMERIC:
        n = int(value)  # type: ignore[call-overload]
        return f'<td class="num" data-sort="{n}">{number(lang, n)}</td>'
    if isinstance(value, date):
        return (f'<td class="date" data-sort="{value.isoformat()}">'
                f"{escape(day(lang, value))}</td>")
    text = str(value)
    if kind in _NAMES:
        if not text:
            return "<td></td>"
        return (f'<td data-value="{escape(text)}"><span class="{kind} {kind}-{escape(text)}">'
                f"{escape(_NAMES[kind](lang, text))}</span></td>")
    if kind == "code":
        return f"<td><code>{escape(text)}</code></td>"
    if kind == "date":
        return f'<td class="date">{escape(text)}</td>'
    if kind == "prose":
        return f'<td class="prose">{escape(text)}</td>'
    return f"<td>{escape(text)}</td>"


def _header(col: Col) -> str:
    kind = ' data-type="number" class="num"' if col.kind in NUMERIC else ""
    return (f'<th scope="col"{kind} aria-sort="none"><button type="button">'
            f"{escape(col.title)}</button></th>")


def _row(r: dict[str, object], cols: list[Col], lang: Lang, note: str | None) -> str:
    attr = "" if note is None else f' data-note="{escape(str(r.get(note) or "NONE"))}"'
    return f"<tr{attr}>" + "".join(cell(r[c.name], c.kind, lang) for c in cols) + "</tr>"


def table(ident: str, caption: str, cols: list[Col], rows: pl.DataFrame, cap: int,
          what: str, lang: Lang = "en", where: str | None = None,
          note: str | None = None) -> str:
    """The filter box, the table of the first `cap` rows, and a note when capped
    (`where`: markup saying what holds them all). With `note` (a column of the
    note state), each row carries it in `data-note` (NONE when empty), for the
    page's note filter."""
    shown = rows.head(cap)
    body = "\n".join(_row(r, cols, lang, note) for r in shown.iter_rows(named=True))
    ident = escape(ident)
    n = number(lang, shown.height)
    box = (f'<div class="filter"><label for="{ident}-f">{escape(t(lang, "filter"))}</label> '
           f'<input type="search" id="{ident}-f" data-table="{ident}" data-count="{ident}-n" '
           f'placeholder="{escape(t(lang, "filter.hint"))}" autocomplete="off" '
           f'spellcheck="false"> '
           f'<output id="{ident}-n" for="{ident}-f" aria-live="polite" '
           f'data-of="{escape(t(lang, "rows.of"))}" data-rows="{escape(t(lang, "rows.word"))}">'
           f"{escape(t(lang, 'rows.count', shown=n, total=n))}</output></div>")
    heads = "".join(_header(c) for c in cols)
    out = (f'{box}\n<div class="table-wrap"><table id="{ident}" class="data sortable">'
           f'<caption>{escape(caption)} <span class="hint">({escape(t(lang, "sort.hint"))})'
           f"</span></caption>\n<thead><tr>{heads}</tr></thead>\n<tbody>\n{body}\n"
           "</tbody></table></div>")
    if rows.height > shown.height:
        out += ('\n<p class="capped">'
                + t(lang, "capped", shown=number(lang, shown.height),
                    total=number(lang, rows.height), what=escape(what),
                    where=where if where is not None else t(lang, "where.findings"))
                + ".</p>")
    return out
