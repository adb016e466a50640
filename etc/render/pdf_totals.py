"""The first block of the statement PDF (etc.render.pdf): the money chain and
the passages and gross by vehicle class and payment method, in `lang`.

The chain reads down the page so that each gap can be read off it: gross
charged (ETC + cash), less cash, is ETC charged; against it the settled gross
and the settle gap; less the providers' fees, the net; against it the banked
amount and the bank gap. Exempt passages (charged nothing) are counted below.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.platypus import Table

from etc.render.fonts import Fonts
from etc.render.lang import Lang, number, t
from etc.render.pdf_layout import GREY, fit, grid
from etc.reports import CLASSES, METHODS, Statement

CHAIN = (("s.chain.gross", "gross_vnd"), ("s.chain.cash", "cash_gross_vnd"),
         ("s.chain.etc", "etc_gross_vnd"), ("s.chain.settled", "settled_gross_vnd"),
         ("s.chain.settle_gap", "settle_gap_vnd"), ("s.chain.fee", "fee_vnd"),
         ("s.chain.net", "net_vnd"), ("s.chain.banked", "banked_vnd"),
         ("s.chain.bank_gap", "bank_gap_vnd"), ("s.chain.exempt", "exempt_passages"),
         ("s.chain.findings", "findings"), ("s.chain.at_risk", "amount_at_risk_vnd"))
"""The chain's lines: (catalogue key, total column)."""
GAP_LINES = (4, 8)
"""Rows of the chain (1-based, after its title) drawn bold: the two gaps."""


def amount(lang: Lang, value: int | None) -> str:
    return "" if value is None else number(lang, value)


def totals(statement: Statement, fonts: Fonts, lang: Lang) -> Table:
    """The chain box beside the passages and gross by class and by payment method."""
    tot = statement.total.row(0, named=True) if statement.total.height else {}
    chain = [[t(lang, "s.totals"), ""],
             *([t(lang, key), amount(lang, tot.get(col))] for key, col in CHAIN)]
    box_widths = fit(chain, (170, 80), fonts, size=8)
    box = grid(chain, box_widths, 1, fonts, font=8)
    style: list[tuple[Any, ...]] = [("BOX", (0, 0), (-1, -1), 0.8, colors.black)]
    for row in GAP_LINES:
        style += [("FONT", (0, row + 1), (-1, row + 1), fonts.bold, 8),
                  ("LINEBELOW", (0, row + 1), (-1, row + 1), 0.5, colors.black)]
    box.setStyle(style)
    split = [[t(lang, "s.class"), t(lang, "s.passages"), t(lang, "s.gross_vnd")],
             *([t(lang, "s.class_n", c=c), amount(lang, tot.get(f"class{c}_passages")),
                amount(lang, tot.get(f"class{c}_gross_vnd"))] for c in CLASSES),
             [t(lang, "s.method"), t(lang, "s.passages"), t(lang, "s.gross_vnd")],
             *([t(lang, f"method.{m}"), amount(lang, tot.get(f"{m.lower()}_passages")),
                amount(lang, tot.get(f"{m.lower()}_gross_vnd"))] for m in METHODS)]
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
