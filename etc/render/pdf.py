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
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CondPageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from etc.localtime import clock
from etc.render.awaiting import LOCAL_LABEL, Awaiting, local_minute
from etc.render.fonts import Fonts, Look, choose_fonts, look_of, printable
from etc.render.pdf_layout import (
    GREY,
    MARGIN,
    PAGE,
    NumberedCanvas,
    fit,
    grid,
    para,
    text,
    vnd,
)
from etc.reports import CLASSES, METHODS, RunInfo, Statement

MAX_GAPS = 500
"""Gap rows (and awaited items) shown in the PDF; the XLSX statement lists all."""


def _summary(statement: Statement, fonts: Fonts) -> Table:
    """The totals box beside the passages and gross by class and by payment method."""
    t = statement.total.row(0, named=True) if statement.total.height else {}
    totals = [["Totals (VND)", ""],
              *([label, vnd(t.get(col))] for label, col in (
                  ("Gross", "gross_vnd"), ("Settled gross", "settled_gross_vnd"),
                  ("Fees", "fee_vnd"), ("Net", "net_vnd"), ("Banked", "banked_vnd"),
                  ("Settle gap (charged ETC - settled)", "settle_gap_vnd"),
                  ("Bank gap (net - banked)", "bank_gap_vnd"), ("Findings", "findings"),
                  ("Money at risk", "amount_at_risk_vnd")))]
    box_widths = fit(totals, (150, 80), fonts, size=8)
    box = grid(totals, box_widths, 1, fonts, font=8)
    box.setStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black)])
    split = [["Vehicle class", "Passages", "Gross (VND)"],
             *([f"Class {c}", vnd(t.get(f"class{c}_passages")),
                vnd(t.get(f"class{c}_gross_vnd"))] for c in CLASSES),
             ["Payment method", "Passages", "Gross (VND)"],
             *([m, vnd(t.get(f"{m.lower()}_passages")), vnd(t.get(f"{m.lower()}_gross_vnd"))]
               for m in METHODS)]
    row = len(CLASSES) + 1
    by_widths = fit(split, (90, 60, 80), fonts, size=8, bold=(0, row))
    by = grid(split, by_widths, 1, fonts, font=8)
    by.setStyle([("FONT", (0, row), (-1, row), fonts.bold, 8),
                 ("BACKGROUND", (0, row), (-1, row), GREY)])
    outer = Table([[box, by]], colWidths=[sum(box_widths) + 30, sum(by_widths) + 30],
                  hAlign="LEFT")
    outer.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("FONT", (0, 0), (-1, -1), fonts.regular, 8)])   # else it sets Helvetica
    return outer


DAY_COLUMNS = (("passages", "Passages"), ("gross_vnd", "Gross"),
               ("settled_gross_vnd", "Settled gross"), ("fee_vnd", "Fee"), ("net_vnd", "Net"),
               ("banked_vnd", "Banked"), ("settle_gap_vnd", "Settle gap"),
               ("bank_gap_vnd", "Bank gap"), ("findings", "Findings"),
               ("amount_at_risk_vnd", "At risk"))


def _days(statement: Statement, look: Look) -> Table:
    """The station × day lines and the total line; each number column as wide as its
    widest text, the station column takes the rest (at least 90 pt)."""
    rows: list[list[Any]] = [["Date", "Station", *(label for _, label in DAY_COLUMNS)]]
    lines = pl.concat([statement.days, statement.total], how="vertical")
    for i, r in enumerate(lines.iter_rows(named=True)):
        station = " ".join(text(r[c], look.fonts) for c in ("station_id", "station_name")
                           if r[c])
        rows.append([text(r["business_date"], look.fonts),
                     para(station, look, bold=i >= statement.days.height),
                     *(vnd(r[c]) for c, _ in DAY_COLUMNS)])
    total = statement.total.height > 0
    widths = fit(rows, (48, 90, *[44] * len(DAY_COLUMNS)), look.fonts, pad=10, rest=1,
                  bold=(0, -1) if total else (0,))
    table = grid(rows, widths, 2, look.fonts, total=total)
    table.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 3)])
    return table


def _gaps(gaps: pl.DataFrame, look: Look) -> list[Any]:
    if gaps.height == 0:
        return [Paragraph("No gaps: no MONEY or FRAUD finding on these stations and dates.",
                          look.body)]
    return _items(gaps, ("severity", "Severity"), look, "gaps")


def _awaiting(awaiting: pl.DataFrame, look: Look) -> list[Any]:
    """The items not yet due, with their due time; nothing when there are none."""
    if awaiting.height == 0:
        return []
    due = awaiting.with_columns(local_minute(pl.col("due_at")).alias("due_local"))
    return [*_heading("Awaiting (not yet due)", look),
            Paragraph("Not gaps yet: each becomes one if what it awaits has not arrived by "
                      f"its due time ({LOCAL_LABEL}).", look.body), Spacer(1, 4),
            *_items(due, ("due_local", f"Due ({LOCAL_LABEL})"), look, "awaited items")]


def _items(rows_of: pl.DataFrame, fourth: tuple[str, str], look: Look, what: str) -> list[Any]:
    """Station, date, code, `fourth` (column, title), key, money, detail: at most
    MAX_GAPS rows, then a note."""
    rows: list[list[Any]] = [["Station", "Date", "Code", fourth[1], "Key", "At risk (VND)",
                              "Detail"]]
    for r in rows_of.head(MAX_GAPS).iter_rows(named=True):
        rows.append([*(text(r[c], look.fonts) for c in ("station_id", "business_date", "code",
                                                         fourth[0])),
                     para(r["key"], look), vnd(r["amount_at_risk_vnd"]),
                     para(r["detail"], look)])
    widths = fit(rows, (45, 50, 120, 45, 115, 60, 200), look.fonts, rest=6)
    table = grid(rows, widths, 5, look.fonts)
    table.setStyle([("ALIGN", (6, 0), (6, -1), "LEFT")])
    out: list[Any] = [table]
    if rows_of.height > MAX_GAPS:
        more = rows_of.height - MAX_GAPS
        out.append(Paragraph(f"{more:,} more {what} are not shown here; the XLSX statement "
                             f"lists all {rows_of.height:,}.", look.body))
    return out


def _inputs(statement: Statement, look: Look) -> list[Any]:
    fonts = look.fonts
    files = [["File", "Kind", "sha256"],
             *([para(r["file"], look), text(r["kind"], fonts), text(r["sha256"], fonts)]
               for r in statement.inputs.iter_rows(named=True))]
    runs = [["Run", "Business dates", "Started (UTC+07:00)", "Code", "Inputs sha256"],
            *([r.run_id, f"{r.first_date} to {r.last_date}", _started(r),
               text(r.code_version, fonts), r.inputs_sha256] for r in statement.runs)]
    out: list[Any] = []
    for rows, least in ((files, (250, 60, 300)), (runs, (170, 110, 95, 50, 300))):
        table = grid(rows, fit(rows, least, fonts, mono=len(least) - 1), None, fonts)
        table.setStyle([("FONT", (-1, 1), (-1, -1), fonts.mono, 6.5)])
        out += [table, Spacer(1, 6)]
    return out


def _awaited(statement: Statement, look: Look) -> list[Any]:
    """The header's line "awaiting: N items, X VND, due by …" when anything is awaited."""
    waiting = Awaiting.of(statement.awaiting)
    if not waiting:
        return []
    then = "by then" if waiting.due_by else "in time"
    line = (f"{waiting.text()} — not gaps yet; they become gaps if nothing arrives {then}."
            if waiting.items > 1 else
            f"{waiting.text()} — not a gap yet; it becomes one if nothing arrives {then}.")
    strong = ParagraphStyle("awaiting", parent=look.body, fontName=look.fonts.bold)
    return [Spacer(1, 3), Paragraph(escape(printable(line, look.fonts)), strong)]


def _heading(title: str, look: Look) -> list[Any]:
    """A section heading, on a new page when less than 3 cm are left for what follows."""
    return [CondPageBreak(30 * mm), Paragraph(escape(title), look.head)]


def _started(run: RunInfo) -> str:
    return clock(run.started_at)


def _runs_text(runs: Sequence[RunInfo]) -> str:
    """The footer's run ids: all of them when few, else the first and last."""
    if len(runs) <= 2:
        return "run " + ", ".join(r.run_id for r in runs) if runs else "no run"
    return f"{len(runs)} runs: {runs[0].run_id} ... {runs[-1].run_id} (listed under Inputs)"


def write_statement_pdf(statement: Statement, path: Path, *, fonts: Fonts | None = None) -> None:
    """Write `statement` to `path` as a landscape A4 PDF, in `fonts` (default:
    `choose_fonts()`, DejaVu when installed)."""
    look = look_of(fonts or choose_fonts())
    regular, bold = look.fonts.regular, look.fonts.bold
    operator = printable(statement.operator_id, look.fonts)
    dates = f"{statement.first_date} to {statement.last_date}"
    footer = _runs_text(statement.runs)

    def decorate(canvas: Canvas, _doc: Any) -> None:
        width, height = PAGE
        canvas.saveState()
        canvas.setFont(bold, 9)
        canvas.drawString(MARGIN, height - 12 * mm, f"Settlement statement: {operator}")
        canvas.setFont(regular, 9)
        canvas.drawRightString(width - MARGIN, height - 12 * mm, f"business dates {dates}")
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN, height - 14 * mm, width - MARGIN, height - 14 * mm)
        canvas.line(MARGIN, 14 * mm, width - MARGIN, 14 * mm)
        canvas.setFont(regular, 8)
        canvas.drawString(MARGIN, 10 * mm, footer)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        str(path), pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN,
        topMargin=MARGIN + 5 * mm, bottomMargin=MARGIN + 5 * mm, invariant=1,
        title=f"Settlement statement {operator} {dates}", author="etc", creator="etc",
        producer="etc", initialFontName=regular,
    )
    story: list[Any] = [
        Paragraph(escape(f"Settlement statement of operator {operator}"), look.title),
        Paragraph(escape(f"Business dates {dates}. Rests on {footer}."), look.body),
        *_awaited(statement, look),
        Spacer(1, 8),
        _summary(statement, look.fonts),
        *_heading("Stations and days", look),
        _days(statement, look),
        *_heading("Gaps and the findings behind them", look),
        *_gaps(statement.gaps, look),
        *_awaiting(statement.awaiting, look),
        *_heading("Inputs", look),
        *_inputs(statement, look),
    ]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate,
              canvasmaker=functools.partial(NumberedCanvas, font=regular))
