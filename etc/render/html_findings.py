"""The report page's findings: a table of contents and one sortable, filterable
table per rule code (etc.render.html), in `lang`.

Each code's heading gives its code (an English identifier, as exported), its
short name, category, severities, count and money at risk; the table puts the
evidence first (date, money, the detail sentence, in `lang`) and the keys after
it. Codes come in findings.md's order, unknown ones after them.
"""

from __future__ import annotations

from html import escape

import polars as pl

from etc.codes import NOTE_STATES, Code, Severity
from etc.findings import KEY_COLUMNS
from etc.render.lang import (
    Lang,
    category_name,
    code_title,
    column,
    count_of,
    money,
    number,
    severity_name,
    t,
)
from etc.render.sortable import Col, table
from etc.reports import Report

MAX_ROWS = 1000


def _code_order(found: list[str]) -> list[str]:
    known = [c.value for c in Code if c.value in found]
    return known + sorted(set(found) - set(known))


def filled(rows: pl.DataFrame, column: str) -> bool:
    """Whether `column` has a non-empty value in some row."""
    values = rows[column]
    return bool(((values.is_not_null()) & (values != "")).any())


def codes(report: Report, lang: Lang) -> str:
    """The findings section: contents, then a section per code."""
    found = report.findings
    if report.provider_names:  # "VETC (Công ty …)": the name beside the id
        found = found.with_columns(pl.col("provider_id").replace(
            {k: f"{k} ({v})" for k, v in report.provider_names.items()}))
    order = _code_order(found["code"].unique().to_list())
    title = escape(t(lang, "findings.title"))
    if not order:
        return ('<section id="findings" aria-labelledby="findings-h">\n'
                f'<h2 id="findings-h">{title}</h2>\n<p class="nothing">'
                f'{escape(t(lang, "findings.none"))}</p>\n</section>')
    sections, toc = [], []
    for code in order:
        rows = found.filter(pl.col("code") == code)
        risk = int(rows["amount_at_risk_vnd"].sum())
        name = code_title(lang, code)
        toc.append(f'<li><a href="#code-{escape(code)}">{escape(code)}</a> '
                   + (f'<span class="name">{escape(name)}</span> ' if name else "")
                   + f"{escape(count_of(lang, rows.height, 'finding'))}, "
                   f"{escape(money(lang, risk))}</li>")
        sections.append(_code_section(code, rows, risk, lang))
    return ('<section id="findings" aria-labelledby="findings-h">\n'
            f'<h2 id="findings-h">{title}</h2>\n{_note_filter(found, lang)}'
            f'<nav aria-label="{escape(t(lang, "codes"))}">'
            f'<ul class="toc">{"".join(toc)}</ul></nav>\n' + "\n".join(sections)
            + "\n</section>")


def _note_filter(found: pl.DataFrame, lang: Lang) -> str:
    """The select that shows only the findings of one note state (report.js), with
    the count of each."""
    if "note_state" not in found.columns:
        return ""
    states = found["note_state"].fill_null("NONE")
    options = [f'<option value="">{escape(t(lang, "notes.all"))} '
               f"({number(lang, found.height)})</option>"]
    for state in (*NOTE_STATES, "NONE"):
        n = int((states == state).sum())
        options.append(f'<option value="{state}">{escape(t(lang, f"note.{state}"))} '
                       f"({number(lang, n)})</option>")
    return (f'<p class="note-filter"><label for="note-filter">{escape(t(lang, "notes.label"))}'
            f'</label> <select id="note-filter">{"".join(options)}</select></p>\n')


def _code_section(code: str, rows: pl.DataFrame, risk: int, lang: Lang) -> str:
    ranks = {s.value: s.rank for s in Severity}
    sevs = sorted(set(rows["severity"].drop_nulls().to_list()),
                  key=lambda s: (-ranks.get(s, -1), s))
    cats = sorted(set(rows["category"].drop_nulls().to_list()))
    # the evidence first, where the eye lands; the keys after it (the table scrolls)
    cols = []
    if "finding_id" in rows.columns and filled(rows, "finding_id"):
        cols.append(Col("finding_id", t(lang, "c.finding_id"), "code"))
    cols += [Col("business_date", t(lang, "c.business_date"), "date"),
             Col("amount_at_risk_vnd", t(lang, "c.at_risk"), "vnd"),
             Col("detail", t(lang, "c.detail"), "prose")]
    if len(sevs) > 1:
        cols.append(Col("severity", t(lang, "c.severity"), "sev"))
    cols += [Col("state", t(lang, "c.state"), "state"),
             Col("first_seen_date", t(lang, "c.first_seen"), "date"),
             Col("days_open", t(lang, "c.days_open"), "int")]
    if "note_state" in rows.columns and filled(rows, "note_state"):
        cols += [Col("note_state", t(lang, "c.note_state"), "note"),
                 Col("note_text", t(lang, "c.note_text"), "prose")]
    cols += [Col(k, column(lang, k), "text") for k in KEY_COLUMNS if filled(rows, k)]
    badges = " ".join(f'<span class="sev sev-{escape(s)}">{escape(severity_name(lang, s))}'
                      "</span>" for s in sevs)
    name = code_title(lang, code)
    cat_text = ", ".join(category_name(lang, c) for c in cats)
    title = (f'<h3 id="code-{escape(code)}"><code>{escape(code)}</code> '
             + (f'<span class="name">{escape(name)}</span> ' if name else "")
             + f'<span class="cat">{escape(cat_text)}</span> {badges} '
             f'<span class="count">{escape(count_of(lang, rows.height, "finding"))}</span> '
             f'<span class="risk">{escape(t(lang, "at_risk_of", money=money(lang, risk)))}'
             "</span></h3>")
    return (f'<section class="code" aria-labelledby="code-{escape(code)}">\n{title}\n'
            + table(f"t-{code}", t(lang, "findings.of", code=code), cols, rows, MAX_ROWS,
                    t(lang, "what.findings"), lang,
                    note="note_state" if "note_state" in rows.columns else None)
            + "\n</section>")
