"""The settlement statement as a PDF that prints on A4 (reportlab platypus).

Landscape A4 with print margins; every page has a header (operator, period) and
a footer (the run ids, "page N of M"). The first page opens with the totals and
the passages and gross by vehicle class and payment method, then come the
station × day lines (header row repeated on each page, total line bold), the
gaps behind them (at most MAX_GAPS rows, then a note) and the inputs with their
full sha256. Text is real text; reportlab's invariant mode keeps the bytes the
same for the same statement (on the same machine: the fonts are part of them).

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
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from etc.localtime import clock
from etc.render.fonts import BUILTIN, Fonts, Look, choose_fonts, look_of, printable
from etc.reports import CLASSES, METHODS, RunInfo, Statement

PAGE = landscape(A4)
MARGIN = 15 * mm
"""Left and right margin; the frame keeps MARGIN + 5 mm at top and bottom, where
the page header and footer go (their text stays 10 mm inside the paper's edge)."""
WIDTH = PAGE[0] - 2 * MARGIN - 12
"""The width tables may take: the frame's, which pads 6 pt on each side."""
MAX_GAPS = 500
"""Gap rows shown in the PDF; the XLSX statement lists every gap."""
GREY = colors.HexColor("#e6e6e6")
PALE = colors.HexColor("#f6f6f6")


def vnd(value: int | None) -> str:
    """An integer with thousands separators ("1,250,000"); empty for null."""
    return "" if value is None else f"{value:,}"


def _text(value: object, fonts: Fonts) -> str:
    return "" if value is None else printable(str(value), fonts)


def _para(value: object, look: Look, bold: bool = False) -> Paragraph:
    return Paragraph(escape(_text(value, look.fonts)), look.bold_cell if bold else look.cell)


class _NumberedCanvas(Canvas):
    """A canvas that holds its pages until the end to write "page N of M" on each
    (in `font`, given through the document's canvasmaker)."""

    def __init__(self, *args: Any, font: str = BUILTIN.regular, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font = font
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self.setFont(self._font, 8)
            self.drawRightString(PAGE[0] - MARGIN, 10 * mm, f"page {number} of {total}")
            super().showPage()
        super().save()


def _fit(rows: list[list[Any]], least: Sequence[float], fonts: Fonts, size: float = 7,
         pad: float = 12, rest: int | None = None, bold: Sequence[int] = (0,),
         mono: int | None = None) -> list[float]:
    """Column widths: each at least `least` and as wide as its widest text cell as
    drawn (rows `bold` in bold, other cells of column `mono` monospaced) plus `pad`;
    column `rest` takes what is left of the page width. Paragraph cells wrap."""
    widths = list(least)
    for i, row in enumerate(rows):
        heavy = i in bold or i - len(rows) in bold
        for c, cell in enumerate(row):
            font = fonts.bold if heavy else fonts.mono if c == mono else fonts.regular
            if isinstance(cell, str) and c != rest:
                widths[c] = max(widths[c], stringWidth(cell, font, size) + pad)
    if rest is not None:
        widths[rest] = max(WIDTH - sum(widths) + widths[rest], least[rest])
    return widths


def _grid(rows: list[list[Any]], widths: Sequence[float], numeric_from: int | None,
          fonts: Fonts, total: bool = False, font: float = 7) -> Table:
    """A table with a grey header row repeated on each page, numbers right-aligned
    from column `numeric_from` on, pale bands, and a bold last row when `total`."""
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.regular, font),
        ("FONT", (0, 0), (-1, 0), fonts.bold, font),
        ("BACKGROUND", (0, 0), (-1, 0), GREY),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, PALE]),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    if numeric_from is not None:
        style.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if total:
        style += [("FONT", (0, -1), (-1, -1), fonts.bold, font),
                  ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black)]
    return Table(rows, colWidths=list(widths), repeatRows=1, style=TableStyle(style),
                 hAlign="LEFT")


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
    box_widths = _fit(totals, (150, 80), fonts, size=8)
    box = _grid(totals, box_widths, 1, fonts, font=8)
    box.setStyle([("BOX", (0, 0), (-1, -1), 0.8, colors.black)])
    split = [["Vehicle class", "Passages", "Gross (VND)"],
             *([f"Class {c}", vnd(t.get(f"class{c}_passages")),
                vnd(t.get(f"class{c}_gross_vnd"))] for c in CLASSES),
             ["Payment method", "Passages", "Gross (VND)"],
             *([m, vnd(t.get(f"{m.lower()}_passages")), vnd(t.get(f"{m.lower()}_gross_vnd"))]
               for m in METHODS)]
    row = len(CLASSES) + 1
    by_widths = _fit(split, (90, 60, 80), fonts, size=8, bold=(0, row))
    by = _grid(split, by_widths, 1, fonts, font=8)
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
        station = " ".join(_text(r[c], look.fonts) for c in ("station_id", "station_name")
                           if r[c])
        rows.append([_text(r["business_date"], look.fonts),
                     _para(station, look, bold=i >= statement.days.height),
                     *(vnd(r[c]) for c, _ in DAY_COLUMNS)])
    total = statement.total.height > 0
    widths = _fit(rows, (48, 90, *[44] * len(DAY_COLUMNS)), look.fonts, pad=10, rest=1,
                  bold=(0, -1) if total else (0,))
    table = _grid(rows, widths, 2, look.fonts, total=total)
    table.setStyle([("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 3)])
    return table


def _gaps(gaps: pl.DataFrame, look: Look) -> list[Any]:
    if gaps.height == 0:
        return [Paragraph("No gaps: no MONEY or FRAUD finding on these stations and dates.",
                          look.body)]
    rows: list[list[Any]] = [["Station", "Date", "Code", "Severity", "Key", "At risk (VND)",
                              "Detail"]]
    for r in gaps.head(MAX_GAPS).iter_rows(named=True):
        rows.append([*(_text(r[c], look.fonts) for c in ("station_id", "business_date", "code",
                                                         "severity")),
                     _para(r["key"], look), vnd(r["amount_at_risk_vnd"]),
                     _para(r["detail"], look)])
    widths = _fit(rows, (45, 50, 120, 45, 115, 60, 200), look.fonts, rest=6)
    table = _grid(rows, widths, 5, look.fonts)
    table.setStyle([("ALIGN", (6, 0), (6, -1), "LEFT")])
    out: list[Any] = [table]
    if gaps.height > MAX_GAPS:
        more = gaps.height - MAX_GAPS
        out.append(Paragraph(f"{more:,} more gaps are not shown here; the XLSX statement "
                             f"lists all {gaps.height:,}.", look.body))
    return out


def _inputs(statement: Statement, look: Look) -> list[Any]:
    fonts = look.fonts
    files = [["File", "Kind", "sha256"],
             *([_para(r["file"], look), _text(r["kind"], fonts), _text(r["sha256"], fonts)]
               for r in statement.inputs.iter_rows(named=True))]
    runs = [["Run", "Business dates", "Started (UTC+07:00)", "Code", "Inputs sha256"],
            *([r.run_id, f"{r.first_date} to {r.last_date}", _started(r),
               _text(r.code_version, fonts), r.inputs_sha256] for r in statement.runs)]
    out: list[Any] = []
    for rows, least in ((files, (250, 60, 300)), (runs, (170, 110, 95, 50, 300))):
        table = _grid(rows, _fit(rows, least, fonts, mono=len(least) - 1), None, fonts)
        table.setStyle([("FONT", (-1, 1), (-1, -1), fonts.mono, 6.5)])
        out += [table, Spacer(1, 6)]
    return out


def _heading(text: str, look: Look) -> list[Any]:
    """A section heading, on a new page when less than 3 cm are left for what follows."""
    return [CondPageBreak(30 * mm), Paragraph(escape(text), look.head)]


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
        Spacer(1, 8),
        _summary(statement, look.fonts),
        *_heading("Stations and days", look),
        _days(statement, look),
        *_heading("Gaps and the findings behind them", look),
        *_gaps(statement.gaps, look),
        *_heading("Inputs", look),
        *_inputs(statement, look),
    ]
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate,
              canvasmaker=functools.partial(_NumberedCanvas, font=regular))
