"""The verdict at the top of the report page (etc.render.html), in `lang`.

A banner (no findings, PASS or FAIL against the nightly threshold), the figure
boxes (money at risk, findings, NEW / OPEN / RESOLVED and, when the run awaits
anything, the pending items), the line saying what is awaited and until when,
and the category × severity matrix. Every value goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

import polars as pl

from etc.codes import Category, Severity
from etc.render.awaiting import Awaiting
from etc.render.lang import (
    Lang,
    category_name,
    count_of,
    minute,
    money,
    number,
    severity_name,
    state_name,
    t,
)
from etc.reports import Report, State


def verdict(report: Report, lang: Lang) -> str:
    """The verdict section."""
    found = report.findings
    total, risk = found.height, report.total_at_risk_vnd
    level = severity_name(lang, Severity(report.fail_at).value)
    failing = report.failing()
    if total == 0:
        banner = ('<div class="banner pass" role="status">'
                  + t(lang, "verdict.none") + "</div>")
    elif failing:
        banner = ('<div class="banner fail" role="status">'
                  + t(lang, "verdict.fail", n=escape(count_of(lang, failing, "finding")),
                      level=escape(level)) + "</div>")
    else:
        banner = ('<div class="banner pass" role="status">'
                  + t(lang, "verdict.pass", n=escape(count_of(lang, total, "finding")),
                      level=escape(level)) + "</div>")
    waiting = Awaiting.of(report.pending)
    figures = [("at-risk", money(lang, risk), t(lang, "fig.at_risk")),
               ("findings", number(lang, total), t(lang, "fig.findings"))]
    figures += [(s.value.lower(), number(lang, report.count(s)), state_name(lang, s.value))
                for s in State]
    if waiting:
        figures.append(("awaiting", number(lang, waiting.items),
                        t(lang, "fig.awaiting", money=money(lang, waiting.amount_vnd))))
    boxes = "".join(f'<div class="figure" data-figure="{k}"><span class="big">{escape(v)}'
                    f'</span><span class="what">{escape(w)}</span></div>'
                    for k, v, w in figures)
    return (f'<section id="verdict" aria-labelledby="verdict-h">\n'
            f'<h2 id="verdict-h">{escape(t(lang, "verdict"))}</h2>\n{banner}\n'
            f'<div class="figures">{boxes}</div>\n'
            f"{awaiting_line(report, waiting, lang)}{matrix(report.summary, lang)}\n</section>")


def awaiting_line(report: Report, waiting: Awaiting, lang: Lang) -> str:
    """'awaiting: 12 items, … due by … — not findings yet; …' with the run's as-of
    time, and a newline; nothing when the run awaits nothing."""
    if not waiting:
        return ""
    then = "then" if waiting.due_by else "time"
    what = t(lang, f"awaiting.{'one' if waiting.items == 1 else 'many'}.{then}")
    as_of = report.run.as_of
    when = (f' <span class="as-of">'
            f'{escape(t(lang, "as_of", at=minute(lang, as_of), local=t(lang, "local")))}'
            "</span>" if as_of else "")
    return (f'<p class="awaiting" data-awaiting="{waiting.items}">'
            f"{escape(waiting.text(lang))} — {escape(what)} "
            f'(<a href="#awaiting">{escape(t(lang, "listed_below"))}</a>).{when}</p>\n')


def matrix(summary: pl.DataFrame, lang: Lang) -> str:
    """Findings and money per category (rows) and severity (columns), with totals."""
    cells = {(r["category"], r["severity"]): (int(r["findings"]), int(r["amount_at_risk_vnd"]))
             for r in summary.iter_rows(named=True)}
    cats = [c.value for c in Category] + sorted({c for c, _ in cells} - set(Category))
    sevs = [s.value for s in reversed(Severity)]

    def cell(pairs: list[tuple[int, int]], tag: str = "td") -> str:
        n, amount = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        if n == 0:
            return f'<{tag} class="num zero">–</{tag}>'
        return (f'<{tag} class="num">{number(lang, n)}<span class="money">'
                f"{escape(money(lang, amount))}</span></{tag}>")

    head = "".join(f'<th scope="col"><span class="sev sev-{s}">{escape(severity_name(lang, s))}'
                   "</span></th>" for s in sevs)
    every_word = escape(t(lang, "all"))
    body = []
    for c in cats:
        row = [cells.get((c, s), (0, 0)) for s in sevs]
        body.append(f'<tr><th scope="row">{escape(category_name(lang, c))}</th>'
                    + "".join(cell([p]) for p in row) + cell(row, "th") + "</tr>")
    foot = [cell([cells.get((c, s), (0, 0)) for c in cats], "th") for s in sevs]
    every = cell(list(cells.values()), "th")
    return ('<div class="scroll"><table class="matrix"><caption>'
            f'{escape(t(lang, "matrix.caption"))}</caption>\n<thead><tr><td></td>{head}'
            f'<th scope="col">{every_word}</th></tr></thead>'
            f'\n<tbody>{"".join(body)}</tbody>\n<tfoot><tr><th scope="row">{every_word}</th>'
            f'{"".join(foot)}{every}</tr></tfoot></table></div>')
