"""The verdict at the top of the report page (etc.render.html).

A banner (no findings, PASS or FAIL against the nightly threshold), the figure
boxes (money at risk, findings, NEW / OPEN / RESOLVED and, when the run awaits
anything, the pending items), the line saying what is awaited and until when,
and the category × severity matrix. Every value goes through `html.escape`.
"""

from __future__ import annotations

from html import escape

import polars as pl

from etc.codes import Category, Severity
from etc.render.awaiting import LOCAL_LABEL, Awaiting, minute, money, plural
from etc.reports import Report, State


def verdict(report: Report) -> str:
    """The verdict section."""
    found = report.findings
    total, risk = found.height, report.total_at_risk_vnd
    threshold = Severity(report.fail_at)
    failing = report.failing()
    if total == 0:
        banner = ('<div class="banner pass" role="status"><strong>No findings</strong>: '
                  "this run found nothing to report and nothing at risk.</div>")
    elif failing:
        banner = (f'<div class="banner fail" role="status"><strong>FAIL</strong>: '
                  f"{plural(failing, 'finding')} at or above {escape(threshold.value)}, "
                  f"the nightly threshold (<code>etc nightly</code> exits 1).</div>")
    else:
        banner = (f'<div class="banner pass" role="status"><strong>PASS</strong>: '
                  f"no finding at or above {escape(threshold.value)}, the nightly threshold "
                  f"({plural(total, 'finding')} below it).</div>")
    waiting = Awaiting.of(report.pending)
    figures = [("at-risk", money(risk), "money at risk"),
               ("findings", f"{total:,}", "findings")]
    figures += [(s.value.lower(), f"{report.count(s):,}", s.value) for s in State]
    if waiting:
        figures.append(("awaiting", f"{waiting.items:,}",
                        f"awaiting, {money(waiting.amount_vnd)}"))
    boxes = "".join(f'<div class="figure" data-figure="{k}"><span class="big">{v}</span>'
                    f'<span class="what">{escape(w)}</span></div>' for k, v, w in figures)
    return (f'<section id="verdict" aria-labelledby="verdict-h">\n'
            f'<h2 id="verdict-h">Verdict</h2>\n{banner}\n<div class="figures">{boxes}</div>\n'
            f"{awaiting_line(report, waiting)}{matrix(report.summary)}\n</section>")


def awaiting_line(report: Report, waiting: Awaiting) -> str:
    """'awaiting: 12 items, … due by … — not findings yet; …' with the run's as-of
    time, and a newline; nothing when the run awaits nothing."""
    if not waiting:
        return ""
    one = waiting.items == 1
    then = "by then" if waiting.due_by else "in time"
    what = (f"not a finding yet; it becomes one if nothing arrives {then}" if one else
            f"not findings yet; they become findings if nothing arrives {then}")
    as_of = report.run.as_of
    when = (f' <span class="as-of">As of {escape(minute(as_of))} ({LOCAL_LABEL}).</span>'
            if as_of else "")
    return (f'<p class="awaiting" data-awaiting="{waiting.items}">{escape(waiting.text())} '
            f'— {what} (<a href="#awaiting">listed below</a>).{when}</p>\n')


def matrix(summary: pl.DataFrame) -> str:
    """Findings and money per category (rows) and severity (columns), with totals."""
    cells = {(r["category"], r["severity"]): (int(r["findings"]), int(r["amount_at_risk_vnd"]))
             for r in summary.iter_rows(named=True)}
    cats = [c.value for c in Category] + sorted({c for c, _ in cells} - set(Category))
    sevs = [s.value for s in reversed(Severity)]

    def cell(pairs: list[tuple[int, int]], tag: str = "td") -> str:
        n, amount = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        if n == 0:
            return f'<{tag} class="num zero">–</{tag}>'
        return (f'<{tag} class="num">{n:,}<span class="money">{amount:,} VND</span></{tag}>')

    head = "".join(f'<th scope="col"><span class="sev sev-{s}">{s}</span></th>' for s in sevs)
    body = []
    for c in cats:
        row = [cells.get((c, s), (0, 0)) for s in sevs]
        body.append(f'<tr><th scope="row">{escape(c)}</th>'
                    + "".join(cell([p]) for p in row) + cell(row, "th") + "</tr>")
    foot = [cell([cells.get((c, s), (0, 0)) for c in cats], "th") for s in sevs]
    every = cell(list(cells.values()), "th")
    return ('<div class="scroll"><table class="matrix"><caption>Findings and money at risk by '
            f'category and severity</caption>\n<thead><tr><td></td>{head}'
            '<th scope="col">All</th></tr></thead>'
            f'\n<tbody>{"".join(body)}</tbody>\n<tfoot><tr><th scope="row">All</th>'
            f'{"".join(foot)}{every}</tr></tfoot></table></div>')
