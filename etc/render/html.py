"""The discrepancy report as one self-contained HTML page (`etc report --out X.html`).

The page opens with the night's verdict (money at risk, findings by category
and severity, what is new since the previous run, pass or fail against the
nightly threshold, what the run awaits; `etc.render.verdict`), then inline SVG
charts (`etc.render.charts`), the authority's counts against the recorded
passages and the providers' scorecard (`etc.render.html_counted`), then a
sortable, filterable table per code (`etc.render.html_findings`), the items
awaited (not yet due, when there are any), what was resolved, and the inputs
the run rests on. Everything is inline (CSS and JS are package files read
here), a Content-Security-Policy forbids every fetch, and every value goes
through `html.escape`: the file opens offline and runs nothing it holds. The
same `Report` and language always give the same text. Words, numbers and dates
follow `lang` (etc.render.lang).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from html import escape
from importlib import resources
from pathlib import Path

import polars as pl

from etc.findings import KEY_COLUMNS
from etc.localtime import clock
from etc.render.html_counted import counted_section, scorecard_section
from etc.render.html_findings import MAX_ROWS, codes, filled
from etc.render.lang import DEFAULT_LANG, Lang, column, day, local_minute, minute, number, t
from etc.render.report_charts import report_charts
from etc.render.sortable import Col, table
from etc.render.verdict import verdict
from etc.reports import Report

TOP_STATIONS = 20
TOP_LANES = 30
FLOW_STATIONS = 20
CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
       "base-uri 'none'; form-action 'none'")


@cache
def _asset(name: str) -> str:
    """A package file of etc.render (report.css, report.js) as text."""
    return resources.files("etc.render").joinpath(name).read_text(encoding="utf-8")


def write_html(report: Report, path: Path, lang: Lang = DEFAULT_LANG) -> None:
    """Write the report page to `path` (UTF-8, LF line ends)."""
    path.write_bytes(render_html(report, lang).encode("utf-8"))


def render_html(report: Report, lang: Lang = DEFAULT_LANG) -> str:
    """The whole page as text."""
    run = report.run
    return "\n".join([
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(t(lang, 'report.title'))} {escape(run.run_id)}</title>",
        f"<style>\n{_asset('report.css')}</style>",
        "</head>",
        "<body>",
        _header(report, lang),
        "<main>",
        verdict(report, lang),
        _charts(report, lang),
        counted_section(report, lang),
        scorecard_section(report, lang),
        codes(report, lang),
        _awaiting(report, lang),
        _resolved(report, lang),
        _refused(report, lang),
        "</main>",
        _footer(report, lang),
        f"<script>\n{_asset('report.js')}</script>",
        "</body>",
        "</html>",
        "",
    ])


def _header(report: Report, lang: Lang) -> str:
    run = report.run
    period = day(lang, run.first_date)
    if run.last_date != run.first_date:
        period += f" … {day(lang, run.last_date)}"
    local = t(lang, "local")
    started = (minute(lang, run.started_at) + clock(run.started_at)[16:]
               + f" ({local})")
    items = [
        (t(lang, "h.run"), f"<code>{escape(run.run_id)}</code>"),
        (t(lang, "h.dates"), escape(period)),
        (t(lang, "h.started"), escape(started)),
        *([(t(lang, "h.as_of"), escape(f"{minute(lang, run.as_of)} ({local})"))]
          if run.as_of else []),
        (t(lang, "h.code_version"), escape(run.code_version)),
        (t(lang, "h.settings"), f'<code title="{escape(run.settings_sha256)}">'
                                f"{escape(run.settings_sha256[:12])}</code>"),
        (t(lang, "h.compared"), f"<code>{escape(report.previous_run_id)}</code>"
         if report.previous_run_id else escape(t(lang, "h.no_previous"))),
    ]
    rows = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in items)
    return (f'<header class="page">\n<h1>{escape(t(lang, "report.title"))}</h1>\n'
            f'<dl class="meta">{rows}</dl>\n</header>')


def _charts(report: Report, lang: Lang) -> str:
    return (f'<section id="charts" aria-labelledby="charts-h">\n<h2 id="charts-h">'
            f'{escape(t(lang, "charts"))}</h2>\n'
            f"{report_charts(report, TOP_STATIONS, TOP_LANES, FLOW_STATIONS, lang)}\n</section>")


def _awaiting(report: Report, lang: Lang) -> str:
    """What the run awaits, one table; nothing at all when it awaits nothing."""
    pending = report.pending
    if pending.height == 0:
        return ""
    local = t(lang, "local")
    rows = pending.with_columns(local_minute(lang, pl.col("due_at")).alias("due_local"))
    if report.provider_names:  # "VETC (Công ty …)", as in the findings' tables
        rows = rows.with_columns(pl.col("provider_id").replace(
            {k: f"{k} ({v})" for k, v in report.provider_names.items()}))
    # as in the code tables: the evidence first, the keys after it (the table scrolls)
    cols = [Col("code", t(lang, "c.code"), "code"),
            Col("business_date", t(lang, "c.business_date"), "date"),
            Col("due_local", t(lang, "c.due", local=local), "date"),
            Col("amount_at_risk_vnd", t(lang, "c.at_risk"), "vnd"),
            Col("detail", t(lang, "c.detail"), "prose")]
    cols += [Col(k, column(lang, k), "text") for k in KEY_COLUMNS if filled(rows, k)]
    as_of = report.run.as_of
    when = t(lang, "awaiting.when", at=minute(lang, as_of), local=local) if as_of else ""
    title = t(lang, "awaiting.title")
    return ('<section id="awaiting" aria-labelledby="awaiting-h">\n'
            f'<h2 id="awaiting-h">{escape(title)}</h2>\n'
            f'<p class="intro">{escape(t(lang, "awaiting.intro", when=when))}</p>\n'
            + table("t-awaiting", title, cols, rows, MAX_ROWS, t(lang, "what.pending"), lang,
                    where=t(lang, "where.pending"))
            + "\n</section>")


def _resolved(report: Report, lang: Lang) -> str:
    head = ('<section id="resolved" aria-labelledby="resolved-h">\n'
            f'<h2 id="resolved-h">{escape(t(lang, "resolved.title"))}</h2>\n')
    if report.previous_run_id is None:
        return (head + f'<p class="nothing">{escape(t(lang, "resolved.none_before"))}</p>\n'
                "</section>")
    if report.resolved.height == 0:
        return (head + '<p class="nothing">'
                + t(lang, "resolved.nothing", run=f"<code>{escape(report.previous_run_id)}</code>")
                + "</p>\n</section>")
    cols = [Col("code", t(lang, "c.code"), "text"), Col("category", t(lang, "c.category"), "cat"),
            Col("identity", t(lang, "c.identity"), "text"),
            Col("first_seen_date", t(lang, "c.first_seen"), "date"),
            Col("last_seen_date", t(lang, "c.last_seen"), "date"),
            Col("last_seen_run", t(lang, "c.last_seen_run"), "text"),
            Col("amount_at_risk_vnd", t(lang, "c.at_risk_last"), "vnd"),
            Col("detail", t(lang, "c.detail_last"), "prose")]
    return (head + table("t-resolved", t(lang, "resolved.title"), cols, report.resolved,
                         MAX_ROWS, t(lang, "what.resolved"), lang) + "\n</section>")


def _refused(report: Report, lang: Lang) -> str:
    """Rows refused on loading the run's files, per file and reason; nothing when none."""
    rows = report.quarantine
    if rows.height == 0:
        return ""
    cols = [Col("file", t(lang, "c.file"), "text"), Col("reason", t(lang, "c.reason"), "code"),
            Col("rows", t(lang, "c.rows"), "int"), Col("first_row", t(lang, "c.first_row"), "int"),
            Col("detail", t(lang, "c.example"), "prose")]
    total = number(lang, int(rows["rows"].sum()))
    return ('<section id="refused" aria-labelledby="refused-h">\n'
            f'<h2 id="refused-h">{escape(t(lang, "refused.title"))}</h2>\n'
            f'<p class="intro">{t(lang, "refused.intro", n=escape(total))}</p>\n'
            + table("t-refused", t(lang, "refused.title"), cols, rows, MAX_ROWS,
                    t(lang, "what.refused"), lang) + "\n</section>")


def _footer(report: Report, lang: Lang) -> str:
    run = report.run
    cols = [Col("file", t(lang, "c.file"), "text"), Col("kind", t(lang, "c.kind"), "text"),
            Col("sha256", "sha256", "code")]
    rows = "".join(
        "<tr>" + "".join(f"<td>{_plain(r[c.name], c.kind, lang)}</td>" for c in cols) + "</tr>"
        for r in run.inputs.iter_rows(named=True))
    heads = "".join(f'<th scope="col">{escape(c.title)}</th>' for c in cols)
    return ('<footer class="page">\n'
            f'<h2>{escape(t(lang, "inputs.title"))}</h2>\n'
            f'<div class="scroll"><table class="inputs"><thead><tr>{heads}</tr></thead>'
            f"<tbody>{rows}</tbody></table></div>\n"
            f"<p>{escape(t(lang, 'inputs.sha'))} <code>{escape(run.inputs_sha256)}</code>; "
            f"{escape(t(lang, 'settings.sha'))} <code>{escape(run.settings_sha256)}</code>; "
            f"{escape(t(lang, 'run.word'))} <code>{escape(run.run_id)}</code>.</p>\n</footer>")


def _plain(value: object, kind: str, lang: Lang) -> str:
    text = ("" if value is None else day(lang, value) if isinstance(value, date)
            else str(value))
    return f"<code>{escape(text)}</code>" if kind == "code" else escape(text)
