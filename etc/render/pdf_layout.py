"""The page and table primitives of the statement PDF (etc.render.pdf).

Landscape A4 and its margins; numbers with thousands separators; text in the
letters the fonts hold; a canvas that numbers its pages "page N of M"; column
widths measured in the font that is drawn; and the grid every table of the
statement is drawn as (grey header row repeated on each page, pale bands).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, Table, TableStyle

from etc.render.fonts import BUILTIN, Fonts, Look, printable

PAGE = landscape(A4)
MARGIN = 15 * mm
"""Left and right margin; the frame keeps MARGIN + 5 mm at top and bottom, where
the page header and footer go (their text stays 10 mm inside the paper's edge)."""
WIDTH = PAGE[0] - 2 * MARGIN - 12
"""The width tables may take: the frame's, which pads 6 pt on each side."""
GREY = colors.HexColor("#e6e6e6")
PALE = colors.HexColor("#f6f6f6")


def vnd(value: int | None) -> str:
    """An integer with thousands separators ("1,250,000"); empty for null."""
    return "" if value is None else f"{value:,}"


def text(value: object, fonts: Fonts) -> str:
    return "" if value is None else printable(str(value), fonts)


def para(value: object, look: Look, bold: bool = False) -> Paragraph:
    return Paragraph(escape(text(value, look.fonts)), look.bold_cell if bold else look.cell)


class NumberedCanvas(Canvas):
    """A canvas that holds its pages until the end to write "page N of M" on each
    (in `font`, with the words of `page`, given through the document's canvasmaker)."""

    def __init__(self, *args: Any, font: str = BUILTIN.regular, page: str = "page {n} of {m}",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._font = font
        self._page = page
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self.setFont(self._font, 8)
            self.drawRightString(PAGE[0] - MARGIN, 10 * mm,
                                 self._page.format(n=number, m=total))
            super().showPage()
        super().save()


def fit(rows: list[list[Any]], least: Sequence[float], fonts: Fonts, size: float = 7,
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


def grid(rows: list[list[Any]], widths: Sequence[float], numeric_from: int | None,
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
