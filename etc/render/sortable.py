"""Sortable, filterable HTML tables of the report page (report.js drives them).

A table comes with a filter box above it and an "n of N rows" count; each
header is a button that sorts by its column. Numeric cells carry the raw number
in `data-sort` (the text shows "1,250,000") and their header `data-type="number"`,
so report.js sorts them as numbers; dates sort as their ISO text. A table shows
at most `cap` rows, in the model's order, and says so when it holds more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from html import escape

import polars as pl

NUMERIC = ("vnd", "int")


@dataclass(frozen=True)
class Col:
    """A column: the frame's column name, its header text and how to show it:
    text, prose (wrapped, wide: the evidence), code, date, int, vnd (thousands
    separators), sev or state (badges)."""

    name: str
    title: str
    kind: str


def cell(value: object, kind: str) -> str:
    """One `<td>`; every value escaped."""
    if value is None:
        return '<td class="num" data-sort=""></td>' if kind in NUMERIC else "<td></td>"
    if kind in NUMERIC:
        n = int(value)  # type: ignore[call-overload]
        return f'<td class="num" data-sort="{n}">{n:,}</td>'
    text = value.isoformat() if isinstance(value, date) else str(value)
    if kind in ("sev", "state"):
        return (f'<td><span class="{kind} {kind}-{escape(text)}">{escape(text)}</span></td>')
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


def table(ident: str, caption: str, cols: list[Col], rows: pl.DataFrame, cap: int,
          what: str, where: str = "<code>etc findings</code> or the XLSX report has all") -> str:
    """The filter box, the table of the first `cap` rows, and a note when capped
    (`where`: markup saying what holds them all)."""
    shown = rows.head(cap)
    body = "\n".join(
        "<tr>" + "".join(cell(r[c.name], c.kind) for c in cols) + "</tr>"
        for r in shown.iter_rows(named=True))
    ident = escape(ident)
    box = (f'<div class="filter"><label for="{ident}-f">Filter</label> '
           f'<input type="search" id="{ident}-f" data-table="{ident}" data-count="{ident}-n" '
           f'placeholder="text in any column" autocomplete="off" spellcheck="false"> '
           f'<output id="{ident}-n" for="{ident}-f" aria-live="polite">'
           f"{shown.height:,} of {shown.height:,} rows</output></div>")
    heads = "".join(_header(c) for c in cols)
    out = (f'{box}\n<div class="table-wrap"><table id="{ident}" class="data sortable">'
           f'<caption>{escape(caption)} <span class="hint">(click a header to sort)</span>'
           f"</caption>\n<thead><tr>{heads}</tr></thead>\n<tbody>\n{body}\n</tbody></table></div>")
    if rows.height > shown.height:
        out += (f'\n<p class="capped">Showing {shown.height:,} of {rows.height:,} '
                f"{escape(what)}; {where}.</p>")
    return out
