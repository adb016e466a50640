"""The discrepancy report as one self-contained HTML page (`etc report --out X.html`).

The page opens with the night's verdict (money at risk, findings by category
and severity, what is new since the previous run, pass or fail against the
nightly threshold), then inline SVG charts (`etc.render.charts`), then a
sortable, filterable table per code, what was resolved, and the inputs the run
rests on. Everything is inline (CSS and JS are package files read here), a
Content-Security-Policy forbids every fetch, and every value goes through
`html.escape`: the file opens offline and runs nothing it holds. The same
`Report` always gives the same text.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

import polars as pl

from etc.codes import Category, Code, Severity
from etc.findings import KEY_COLUMNS
from etc.localtime import clock
from etc.render.report_charts import report_charts
from etc.render.sortable import Col, table
from etc.reports import Report, State

MAX_ROWS = 1000
TOP_STATIONS = 20
TOP_LANES = 30
FLOW_STATIONS = 20
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")


@cache
def _asset(name: str) -> str:
    """A package file of etc.render (report.css, report.js) as text."""
    return resources.files("etc.render").joinpath(name).read_text(encoding="utf-8")


def write_html(report: Report, path: Path) -> None:
    """Write the report page to `path` (UTF-8, LF line ends)."""
    path.write_bytes(render_html(report).encode("utf-8"))


def render_html(report: Report) -> str:
    """The whole page as text."""
    run = report.run
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Discrepancy report {escape(run.run_id)}</title>",
        f"<style>\n{_asset('report.css')}</style>",
        "</head>",
        "<body>",
        _header(report),
        "<main>",
        _verdict(report),
        _charts(report),
        _codes(report),
        _resolved(report),
        "</main>",
        _footer(report),
        f"<script>\n{_asset('report.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


def _vnd(amount: int) -> str:
    return f"{amount:,} VND"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _header(report: Report) -> str:
    run = report.run
    period = run.first_date.isoformat()
    if run.last_date != run.first_date:
        period += f" … {run.last_date.isoformat()}"
    started = clock(run.started_at) + " (UTC+07:00)"
    items = [
        ("Run", f"<code>{escape(run.run_id)}</code>"),
        ("Business dates", escape(period)),
        ("Run started", escape(started)),
        ("Code version", escape(run.code_version)),
        ("Settings sha256", f'<code title="{escape(run.settings_sha256)}">'
                            f"{escape(run.settings_sha256[:12])}</code>"),
        ("Compared with", f"<code>{escape(report.previous_run_id)}</code>"
         if report.previous_run_id else "no earlier run (every finding is new)"),
    ]
    rows = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
    return (f'<header class="page">\n<h1>Discrepancy report</h1>\n'
            f'<dl class="meta">{rows}</dl>\n</header>')


def _verdict(report: Report) -> str:
    found = report.findings
    total, risk = found.height, report.total_at_risk_vnd
    threshold = Severity(report.fail_at)
    failing = report.failing()
    if total == 0:
        banner = ('<div class="banner pass" role="status"><strong>No findings</strong>: '
                  "this run found nothing to report and nothing at risk.</div>")
    elif failing:
        banner = (f'<div class="banner fail" role="status"><strong>FAIL</strong>: '
                  f"{_plural(failing, 'finding')} at or above {escape(threshold.value)}, "
                  f"the nightly threshold (<code>etc nightly</code> exits 1).</div>")
    else:
        banner = (f'<div class="banner pass" role="status"><strong>PASS</strong>: '
                  f"no finding at or above {escape(threshold.value)}, the nightly threshold "
                  f"({_plural(total, 'finding')} below it).</div>")
    figures = [("at-risk", _vnd(risk), "money at risk"),
               ("findings", f"{total:,}", "findings")]
    figures += [(s.value.lower(), f"{report.count(s):,}", s.value) for s in State]
    boxes = "".join(f'<div class="figure" data-figure="{k}"><span class="big">{v}</span>'
                    f'<span class="what">{w}</span></div>' for k, v, w in figures)
    return (f'<section id="verdict" aria-labelledby="verdict-h">\n'
            f'<h2 id="verdict-h">Verdict</h2>\n{banner}\n<div class="figures">{boxes}</div>\n'
            f"{_matrix(report.summary)}\n</section>")


def _matrix(summary: pl.DataFrame) -> str:
    """Findings and money per category (rows) and severity (columns), with totals."""
    cells = {(r["category"], r["severity"]): (int(r["findings"]), int(r["amount_at_risk_vnd"]))
             for r in summary.iter_rows(named=True)}
    cats = [c.value for c in Category] + sorted({c for c, _ in cells} - set(Category))
    sevs = [s.value for s in reversed(Severity)]

    def cell(pairs: list[tuple[int, int]], tag: str = "td") -> str:
        n, money = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        if n == 0:
            return f'<{tag} class="num zero">–</{tag}>'
        return (f'<{tag} class="num">{n:,}<span class="money">{money:,} VND</span></{tag}>')

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


def _charts(report: Report) -> str:
    return (f'<section id="charts" aria-labelledby="charts-h">\n<h2 id="charts-h">Charts</h2>\n'
            f"{report_charts(report, TOP_STATIONS, TOP_LANES, FLOW_STATIONS)}\n</section>")


def _code_order(codes: list[str]) -> list[str]:
    known = [c.value for c in Code if c.value in codes]
    return known + sorted(set(codes) - set(known))


def _codes(report: Report) -> str:
    found = report.findings
    codes = _code_order(found["code"].unique().to_list())
    if not codes:
        return ('<section id="findings" aria-labelledby="findings-h">\n'
                '<h2 id="findings-h">Findings by code</h2>\n<p class="nothing">No findings in '
                "this run.</p>\n</section>")
    sections, toc = [], []
    for code in codes:
        rows = found.filter(pl.col("code") == code)
        risk = int(rows["amount_at_risk_vnd"].sum())
        toc.append(f'<li><a href="#code-{escape(code)}">{escape(code)}</a> '
                   f"{_plural(rows.height, 'finding')}, {_vnd(risk)}</li>")
        sections.append(_code_section(code, rows, risk))
    return ('<section id="findings" aria-labelledby="findings-h">\n'
            f'<h2 id="findings-h">Findings by code</h2>\n<nav aria-label="Codes"><ul class="toc">'
            f'{"".join(toc)}</ul></nav>\n' + "\n".join(sections) + "\n</section>")


def _filled(rows: pl.DataFrame, column: str) -> bool:
    values = rows[column]
    return bool(((values.is_not_null()) & (values != "")).any())


def _code_section(code: str, rows: pl.DataFrame, risk: int) -> str:
    ranks = {s.value: s.rank for s in Severity}
    sevs = sorted(set(rows["severity"].drop_nulls().to_list()),
                  key=lambda s: (-ranks.get(s, -1), s))
    cats = sorted(set(rows["category"].drop_nulls().to_list()))
    # the evidence first, where the eye lands; the keys after it (the table scrolls)
    cols = [Col("business_date", "Business date", "date"),
            Col("amount_at_risk_vnd", "At risk (VND)", "vnd"), Col("detail", "Detail", "prose")]
    if len(sevs) > 1:
        cols.append(Col("severity", "Severity", "sev"))
    cols += [Col("state", "State", "state"), Col("first_seen_date", "First seen", "date"),
             Col("days_open", "Days open", "int")]
    cols += [Col(k, k, "text") for k in KEY_COLUMNS if _filled(rows, k)]
    badges = " ".join(f'<span class="sev sev-{escape(s)}">{escape(s)}</span>' for s in sevs)
    title = (f'<h3 id="code-{escape(code)}"><code>{escape(code)}</code> '
             f'<span class="cat">{escape(", ".join(cats))}</span> {badges} '
             f'<span class="count">{_plural(rows.height, "finding")}</span> '
             f'<span class="risk">{_vnd(risk)} at risk</span></h3>')
    return (f'<section class="code" aria-labelledby="code-{escape(code)}">\n{title}\n'
            + table(f"t-{code}", f"Findings of {code}", cols, rows, MAX_ROWS, "findings")
            + "\n</section>")


def _resolved(report: Report) -> str:
    head = ('<section id="resolved" aria-labelledby="resolved-h">\n'
            '<h2 id="resolved-h">Resolved since the previous run</h2>\n')
    if report.previous_run_id is None:
        return head + '<p class="nothing">No earlier run to compare with.</p>\n</section>'
    if report.resolved.height == 0:
        return (head + f'<p class="nothing">Nothing found by run '
                f"<code>{escape(report.previous_run_id)}</code> was resolved by this run."
                "</p>\n</section>")
    cols = [Col("code", "Code", "text"), Col("category", "Category", "text"),
            Col("identity", "Identity", "text"), Col("first_seen_date", "First seen", "date"),
            Col("last_seen_date", "Last seen", "date"),
            Col("last_seen_run", "Last seen in run", "text"),
            Col("amount_at_risk_vnd", "At risk when last found (VND)", "vnd"),
            Col("detail", "Detail when last found", "prose")]
    return (head + table("t-resolved", "Resolved since the previous run", cols,
                         report.resolved, MAX_ROWS, "resolved identities") + "\n</section>")


def _footer(report: Report) -> str:
    run = report.run
    cols = [Col("file", "File", "text"), Col("kind", "Kind", "text"),
            Col("sha256", "sha256", "code")]
    rows = "".join(
        "<tr>" + "".join(f"<td>{_plain(r[c.name], c.kind)}</td>" for c in cols) + "</tr>"
        for r in run.inputs.iter_rows(named=True))
    heads = "".join(f'<th scope="col">{c.title}</th>' for c in cols)
    return ('<footer class="page">\n<h2>Inputs this run rests on</h2>\n'
            f'<div class="scroll"><table class="inputs"><thead><tr>{heads}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>\n"
            f"<p>Inputs sha256 <code>{escape(run.inputs_sha256)}</code>; "
            f"settings sha256 <code>{escape(run.settings_sha256)}</code>; "
            f"run <code>{escape(run.run_id)}</code>.</p>\n</footer>")


def _plain(value: object, kind: str) -> str:
    text = "" if value is None else value.isoformat() if isinstance(value, date) else str(value)
    return f"<code>{escape(text)}</code>" if kind == "code" else escape(text)
