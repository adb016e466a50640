"""The settlement statement as a PDF that prints on A4 (reportlab platypus).

Landscape A4 with print margins; every page has a header (operator, period) and
a footer (the run ids, "page N of M"). The first page opens with the totals and
the passages and gross by vehicle class and payment method, then come the
station × day lines (header row repeated on each page, total line bold), the
gaps behind them (at most MAX_GAPS rows, then a note), the items not yet due
(only when there are any; the header then says "awaiting: N items, X VND, due
by …") and the inputs with their full sha256. Text is real text; reportlab's
invariant mode keeps the bytes the same for the same statement (on the same
machine: the fonts are part of them).

The fonts come from etc.render.fonts (DejaVu when installed, so Vietnamese
letters stay; else the built-in ones, and text without accents). Column widths
are measured in the font that is drawn.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import polars as pl
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from etc.localtime import clock
from etc.render.awaiting import Awaiting
from etc.render.fonts import Fonts, Look, choose_fonts, look_of, printable
from etc.render.lang import (
    DEFAULT_LANG,
    Lang,
    day,
    local_minute,
    minute,
    number,
    severity_name,
    t,
)
from etc.render.pdf_layout import MARGIN, PAGE, NumberedCanvas, fit, grid, para, text
from etc.render.pdf_totals import amount, totals
from etc.reports import RunInfo, Statement

MAX_GAPS = 500
"""Gap rows (and awaited items) shown in the PDF; the XLSX statement lists all."""


DAY_COLUMNS = (("passages", "s.passages"), ("gross_vnd", "s.gross"),
               ("settled_gross_vnd", "s.settled"), ("fee_vnd", "s.fee"), ("net_vnd", "s.net"),
               ("banked_vnd", "s.banked"), ("settle_gap_vnd", "s.settle_gap"),
               ("bank_gap_vnd", "s.bank_gap"), ("findings", "s.findings"),
               ("amount_at_risk_vnd", "s.at_risk"))


def _days(statement: Statement, look: Look, lang: Lang) -> Table:
    """The station × day lines and the total line; each number column as wide as its
    widest text, the station column takes the rest (at least 90 pt)."""
    rows: list[list[Any]] = [[t(lang, "s.date"), t(lang, "s.station"),
                              *(t(lang, key) for _, key in DAY_COLUMNS)]]
    lines = pl.concat([statement.days, statement.total], how="vertical")
    for i, r in enumerate(lines.iter_rows(named=True)):
        total = i >= statement.days.height
        station = (t(lang, "s.total") if total and r["station_id"] == "TOTAL" else
                   " ".join(text(r[c], look.fonts) for c in ("station_id", "station_name")
                            if r[c]))
        rows.append([text(day(lang, r["business_date"]), look.fonts),
                     para(station, look, bold=total),
                     *(amount(lang, r[c]) for c, _ in DAY_COLUMNS)])
    total = statement.total.height > 0
    widths = fit(rows, (48, 90, *[44] * len(DAY_COLUMNS)), look.fonts, pad=10, rest=1,
                  bold=(0, -1) if total else (0,))
    table = grid(rows, widths, 2, look.fonts, total=total)
    table.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 3)])
    return table


def _gaps(gaps: pl.DataFrame, look: Look, lang: Lang) -> list[Any]:
    if gaps.height == 0:
        return [Paragraph(escape(printable(t(lang, "s.no_gaps"), look.fonts)), look.body)]
    named = gaps.with_columns(pl.col("severity").replace(
        {v: severity_name(lang, v) for v in gaps["severity"].unique().drop_nulls().to_list()}))
    return _items(named, ("severity", t(lang, "s.severity")), look, t(lang, "s.what_gaps"), lang)


def _awaiting(awaiting: pl.DataFrame, look: Look, lang: Lang) -> list[Any]:
    """The items not yet due, with their due time; nothing when there are none."""
    if awaiting.height == 0:
        return []
    local = t(lang, "local")
    due = awaiting.with_columns(local_minute(lang, pl.col("due_at")).alias("due_local"))
    intro = printable(t(lang, "s.awaiting_intro", local=local), look.fonts)
    return [*_heading(t(lang, "s.awaiting"), look), Paragraph(escape(intro), look.body),
            Spacer(1, 4),
            *_items(due, ("due_local", t(lang, "s.due", local=local)), look,
                    t(lang, "s.what_awaited"), lang)]


def _items(rows_of: pl.DataFrame, fourth: tuple[str, str], look: Look, what: str,
           lang: Lang) -> list[Any]:
    """Station, date, code, `fourth` (column, title), key, money, detail: at most
    MAX_GAPS rows, then a note."""
    rows: list[list[Any]] = [[t(lang, "s.station"), t(lang, "s.date"), t(lang, "s.code"),
                              fourth[1], t(lang, "s.key"), t(lang, "s.at_risk_vnd"),
                              t(lang, "s.detail")]]
    for r in rows_of.head(MAX_GAPS).iter_rows(named=True):
        rows.append([text(r["station_id"], look.fonts),
                     text(day(lang, r["business_date"]), look.fonts),
                     *(text(r[c], look.fonts) for c in ("code", fourth[0])),
                     para(r["key"], look), amount(lang, r["amount_at_risk_vnd"]),
                     para(r["detail"], look)])
    widths = fit(rows, (45, 50, 120, 45, 115, 60, 200), look.fonts, rest=6)
    table = grid(rows, widths, 5, look.fonts)
    table.setStyle([("ALIGN", (6, 0), (6, -1), "LEFT")])
    out: list[Any] = [table]
    if rows_of.height > MAX_GAPS:
        more = rows_of.height - MAX_GAPS
        line = t(lang, "s.more", more=number(lang, more), what=what,
                 total=number(lang, rows_of.height))
        out.append(Paragraph(escape(printable(line, look.fonts)), look.body))
    return out


def _inputs(statement: Statement, look: Look, lang: Lang) -> list[Any]:
    fonts = look.fonts
    files = [[t(lang, "s.file"), t(lang, "s.kind"), "sha256"],
             *([para(r["file"], look), text(r["kind"], fonts), text(r["sha256"], fonts)]
               for r in statement.inputs.iter_rows(named=True))]
    runs = [[t(lang, "s.run"), t(lang, "s.business_dates"), t(lang, "s.started"),
             t(lang, "s.code_version"), t(lang, "s.inputs_sha")],
            *([r.run_id, f"{day(lang, r.first_date)} {t(lang, 's.to')} {day(lang, r.last_date)}",
               _started(r, lang), text(r.code_version, fonts), r.inputs_sha256]
              for r in statement.runs)]
    out: list[Any] = []
    for rows, least in ((files, (250, 60, 300)), (runs, (170, 110, 95, 50, 300))):
        table = grid(rows, fit(rows, least, fonts, mono=len(least) - 1), None, fonts)
        table.setStyle([("FONT", (-1, 1), (-1, -1), fonts.mono, 6.5)])
        out += [table, Spacer(1, 6)]
    return out


def _awaited(statement: Statement, look: Look, lang: Lang) -> list[Any]:
    """The header's line "awaiting: N items, X VND, due by …" when anything is awaited."""
    waiting = Awaiting.of(statement.awaiting)
    if not waiting:
        return []
    then = t(lang, "s.by_then" if waiting.due_by else "s.in_time")
    line = t(lang, "s.awaited.many" if waiting.items > 1 else "s.awaited.one",
             text=waiting.text(lang), then=then)
    strong = ParagraphStyle("awaiting", parent=look.body, fontName=look.fonts.bold)
    return [Spacer(1, 3), Paragraph(escape(printable(line, look.fonts)), strong)]


def _heading(title: str, look: Look) -> list[Any]:
    """A section heading, on a new page when less than 3 cm are left for what follows."""
    return [CondPageBreak(30 * mm), Paragraph(escape(printable(title, look.fonts)), look.head)]


def _started(run: RunInfo, lang: Lang) -> str:
    return minute(lang, run.started_at) + clock(run.started_at)[16:]


def _runs_text(runs: Sequence[RunInfo], lang: Lang) -> str:
    """The footer's run ids: all of them when few, else the first and last."""
    if len(runs) <= 2:
        return (t(lang, "s.one_run", ids=", ".join(r.run_id for r in runs)) if runs
                else t(lang, "s.no_run"))
    return t(lang, "s.many_runs", n=len(runs), a=runs[0].run_id, b=runs[-1].run_id)


def write_statement_pdf(statement: Statement, path: Path, lang: Lang = DEFAULT_LANG, *,
                        fonts: Fonts | None = None) -> None:
    """Write `statement` to `path` as a landscape A4 PDF in `lang`, in `fonts`
    (default: `choose_fonts()`, DejaVu when installed)."""
    look = look_of(fonts or choose_fonts())
    regular, bold = look.fonts.regular, look.fonts.bold
    operator = printable(statement.operator_label, look.fonts)
    first, last = day(lang, statement.first_date), day(lang, statement.last_date)
    dates = printable(t(lang, "s.dates", a=first, b=last), look.fonts)
    footer = _runs_text(statement.runs, lang)

    def decorate(canvas: Canvas, _doc: Any) -> None:
        width, height = PAGE
        canvas.saveState()
        canvas.setFont(bold, 9)
        canvas.drawString(MARGIN, height - 12 * mm,
                          printable(t(lang, "s.head", op=operator), look.fonts))
        canvas.setFont(regular, 9)
        canvas.drawRightString(width - MARGIN, height - 12 * mm, dates)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, height - 14 * mm, width - MARGIN, height - 14 * mm)
        canvas.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
        canvas.setFont(regular, 8)
        canvas.drawString(MARGIN, 10 * mm, printable(footer, look.fonts))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 5 * mm, bottomMargin=MARGIN + 5 * mm, invariant=1,
        title=f"{t(lang, 's.title')} {operator} {first}–{last}", author="etc", creator="etc",
        producer="etc", initialFontName=regular,
    )
    story: list[Any] = [
        Paragraph(escape(printable(t(lang, "s.of_operator", op=operator), look.fonts)),
                  look.title),
        Paragraph(escape(printable(t(lang, "s.rests", a=first, b=last, runs=footer),
                                   look.fonts)), look.body),
        *_awaited(statement, look, lang),
        Spacer(1, 8),
        totals(statement, look.fonts, lang),
        *_heading(t(lang, "s.days"), look),
        _days(statement, look, lang),
        *_heading(t(lang, "s.gaps"), look),
        *_gaps(statement.gaps, look, lang),
        *_awaiting(statement.awaiting, look, lang),
        *_heading(t(lang, "s.inputs"), look),
        *_inputs(statement, look, lang),
    ]
    page = printable(t(lang, "s.page", n="{n}", m="{m}"), look.fonts)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate,
              canvasmaker=functools.partial(NumberedCanvas, font=regular, page=page))
