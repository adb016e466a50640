"""The discrepancy report as one self-contained HTML page (`etc report --out X.html`).

The page opens with the night's verdict (money at risk, findings by category
and severity, what is new since the previous run, pass or fail against the
nightly threshold, what the run awaits; `etc.render.verdict`), then inline SVG
charts (`etc.render.charts`), then a sortable, filterable table per code, the
items awaited (not yet due, when there are any), what was resolved, and the
inputs the run rests on. Everything is inline (CSS and JS are package files
read here), a Content-Security-Policy forbids every fetch, and every value goes
through `html.escape`: the file opens offline and runs nothing it holds. The
same `Report` always gives the same text.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

import polars as pl

from etc.codes import Code, Severity
from etc.findings import KEY_COLUMNS
from etc.localtime import clock
from etc.render.awaiting import LOCAL_LABEL, local_minute, minute, money, plural
from etc.render.report_charts import report_charts
from etc.render.sortable import Col, table
from etc.render.verdict import verdict
from etc.reports import Report

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
        verdict(report),
        _charts(report),
        _codes(report),
        _awaiting(report),
        _resolved(report),
        "</main>",
        _footer(report),
        f"<script>\n{_asset('report.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


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
        *([("Judged as of", escape(f"{minute(run.as_of)} ({LOCAL_LABEL})"))]
          if run.as_of else []),
        ("Code version", escape(run.code_version)),
        ("Settings sha256", f'<code title="{escape(run.settings_sha256)}">'
                            f"{escape(run.settings_sha256[:12])}</code>"),
        ("Compared with", f"<code>{escape(report.previous_run_id)}</code>"
         if report.previous_run_id else "no earlier run (every finding is new)"),
    ]
    rows = "".join(f"<div><dt>{k}</dt><dd>{v}</dd></div>" for k, v in items)
    return (f'<header class="page">\n<h1>Discrepancy report</h1>\n'
            f'<dl class="meta">{rows}</dl>\n</header>')


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
                   f"{plural(rows.height, 'finding')}, {money(risk)}</li>")
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
             f'<span class="count">{plural(rows.height, "finding")}</span> '
             f'<span class="risk">{money(risk)} at risk</span></h3>')
    return (f'<section class="code" aria-labelledby="code-{escape(code)}">\n{title}\n'
            + table(f"t-{code}", f"Findings of {code}", cols, rows, MAX_ROWS, "findings")
            + "\n</section>")


def _awaiting(report: Report) -> str:
    """What the run awaits, one table; nothing at all when it awaits nothing."""
    pending = report.pending
    if pending.height == 0:
        return ""
    rows = pending.with_columns(local_minute(pl.col("due_at")).alias("due_local"))
    # as in the code tables: the evidence first, the keys after it (the table scrolls)
    cols = [Col("code", "Code", "code"), Col("business_date", "Business date", "date"),
            Col("due_local", f"Due ({LOCAL_LABEL})", "date"),
            Col("amount_at_risk_vnd", "At risk (VND)", "vnd"), Col("detail", "Detail", "prose")]
    cols += [Col(k, k, "text") for k in KEY_COLUMNS if _filled(rows, k)]
    as_of = report.run.as_of
    when = f" as of {escape(minute(as_of))} ({LOCAL_LABEL})" if as_of else ""
    return ('<section id="awaiting" aria-labelledby="awaiting-h">\n'
            '<h2 id="awaiting-h">Awaiting (not yet due)</h2>\n'
            f'<p class="intro">Not findings{when}: each awaits data still expected in time '
            "(a settlement within its deadline, a credit within its bank window) and becomes "
            "a finding if nothing arrives by its due time. They never fail a night.</p>\n"
            + table("t-awaiting", "Awaiting (not yet due)", cols, rows, MAX_ROWS,
                    "pending items", where="the XLSX report's Pending sheet has all")
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
