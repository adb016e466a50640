"""The report page's "Counted against recorded" and provider scorecard sections.

Counted against recorded: the intro with the money at risk of PASSAGES_HIDDEN,
a table per station, an hourly line chart (counted, recorded in the counted
intervals; hours without counts shaded) for each lane and date with a finding,
and the stations without sensor coverage. The scorecard: a table per provider
(named where the providers data names it) and the 30-day trend of the share
unread or weak, one line per provider. Nothing is computed here beyond
choosing and labelling (reconcile.counted and reconcile.scorecard computed it).
"""

from __future__ import annotations

from html import escape

import polars as pl

from etc.codes import Code
from etc.render.lang import Lang, day, decimal, money, number, percent, t
from etc.render.line_charts import Line, legend, line_chart
from etc.render.report_charts import _figure
from etc.render.sortable import Col, table
from etc.reports import Report

MAX_LANE_CHARTS = 8
"""Hourly charts drawn (lane-days with the most money at risk first)."""
TABLE_ROWS = 1000
SERIES = ("s0", "s2", "s3", "s1")  # the two blues apart: two providers are the usual case


def _label(frame: pl.DataFrame, what: str, pattern: str) -> pl.DataFrame:
    """`what` (station, provider): its id, with its name by `pattern` where given."""
    key, name = pl.col(f"{what}_id"), pl.col(f"{what}_name")
    return frame.with_columns(pl.when(name.is_not_null()).then(pl.format(pattern, key, name))
                              .otherwise(key).alias(what))


def _station_label(frame: pl.DataFrame) -> pl.DataFrame:
    return _label(frame, "station", "{} {}")


def counted_section(report: Report, lang: Lang) -> str:
    """The whole "Counted against recorded" section."""
    counted = report.counted
    hidden = report.findings.filter(pl.col("code") == Code.PASSAGES_HIDDEN.value)
    head = ('<section id="counted" aria-labelledby="counted-h">\n'
            f'<h2 id="counted-h">{escape(t(lang, "counted.title"))}</h2>\n')
    if counted.stations.height == 0:
        body = f'<p class="nothing">{escape(t(lang, "counted.none"))}</p>'
    else:
        intro = t(lang, "counted.intro", n=escape(number(lang, hidden.height)),
                  money=escape(money(lang, int(hidden["amount_at_risk_vnd"].sum()))))
        cols = [Col("station", t(lang, "c.station"), "text"),
                Col("operator_name", t(lang, "c.operator"), "text"),
                Col("lanes", t(lang, "c.lanes"), "int"),
                Col("lanes_counted", t(lang, "c.lanes_counted"), "int"),
                Col("covered_hours", t(lang, "c.covered_hours"), "dec"),
                Col("coverage", t(lang, "c.coverage"), "pct"),
                Col("counted", t(lang, "c.counted"), "int"),
                Col("recorded", t(lang, "c.recorded"), "int"),
                Col("difference", t(lang, "c.difference"), "int"),
                Col("difference_share", t(lang, "c.difference_share"), "pct"),
                Col("passages", t(lang, "c.passages"), "int"),
                Col("findings", t(lang, "c.findings"), "int"),
                Col("amount_at_risk_vnd", t(lang, "c.at_risk"), "vnd")]
        body = (f'<p class="intro">{intro}</p>\n'
                + table("t-counted", t(lang, "counted.table"), cols,
                        _station_label(counted.stations), TABLE_ROWS, t(lang, "what.stations"),
                        lang)
                + f'\n<h3>{escape(t(lang, "counted.hourly"))}</h3>\n' + _hourly(report, lang))
    return head + body + "\n" + _uncovered(report, lang) + "\n</section>"


def _hourly(report: Report, lang: Lang) -> str:
    hours = report.counted.hours
    if hours.height == 0:
        return f'<p class="nothing">{escape(t(lang, "counted.no_findings"))}</p>'
    order = (report.findings.filter(pl.col("code") == Code.PASSAGES_HIDDEN.value)
             .sort(["amount_at_risk_vnd", "station_id", "lane_id", "business_date"],
                   descending=[True, False, False, False])
             .select("station_id", "lane_id", "business_date").unique(maintain_order=True))
    names = dict(report.counted.stations.select("station_id", "station_name").iter_rows())
    figures = []
    for n, (sid, lane, when) in enumerate(order.head(MAX_LANE_CHARTS).iter_rows()):
        rows = hours.filter((pl.col("station_id") == sid) & (pl.col("lane_id") == lane)
                            & (pl.col("business_date") == when)).sort("hour")
        station = f"{sid} {names[sid]}" if names.get(sid) else sid
        figures.append(_lane_chart(f"chart-counted-{n}", station, lane, when, rows, lang))
    capped = t(lang, "counted.top", top=MAX_LANE_CHARTS, total=order.height)
    note = f'<p class="note">{escape(capped)}</p>' if order.height > MAX_LANE_CHARTS else ""
    return '<div class="charts">\n' + "\n".join(figures) + "\n</div>" + note


def _lane_chart(ident: str, station: str, lane: str, when: object, rows: pl.DataFrame,
                lang: Lang) -> str:
    title = t(lang, "counted.chart", station=station, lane=lane, day=day(lang, when))  # type: ignore[arg-type]
    data = list(rows.iter_rows(named=True))
    tips = [t(lang, "counted.tip", hour=f"{r['hour']:02d}",
              counted="—" if r["counted"] is None else number(lang, r["counted"]),
              recorded="—" if r["recorded"] is None else number(lang, r["recorded"]),
              passages=number(lang, r["passages"])) for r in data]
    lines = [Line(t(lang, "counted.series_counted"), [r["counted"] for r in data], tips, "hl"),
             Line(t(lang, "counted.series_recorded"), [r["recorded"] for r in data], tips, "s0")]
    gaps = [r["counted"] is None for r in data]
    svg = line_chart(ident, title, [f"{r['hour']:02d}" for r in data], lines,
                     axis=t(lang, "counted.axis"), fmt=lambda v: number(lang, v),
                     category=t(lang, "counted.hour_axis"), empty=t(lang, "counted.no_data"),
                     shade=gaps, shade_tip=t(lang, "counted.gap"), every=3)
    keys = legend(lines, [("gap", t(lang, "counted.gap"))] if any(gaps) else [])
    return _figure(title, keys + "\n" + svg)


def _uncovered(report: Report, lang: Lang) -> str:
    rows = report.counted.uncovered
    head = f'<h3 id="uncovered-h">{escape(t(lang, "uncovered.title"))}</h3>\n'
    if rows.height == 0:
        return head + f'<p class="nothing">{escape(t(lang, "uncovered.none"))}</p>'
    cols = [Col("station", t(lang, "c.station"), "text"),
            Col("operator_name", t(lang, "c.operator"), "text"),
            Col("passages", t(lang, "c.passages"), "int")]
    return (head + f'<p class="intro">{escape(t(lang, "uncovered.intro", n=rows.height))}</p>\n'
            + table("t-uncovered", t(lang, "uncovered.title"), cols, _station_label(rows),
                    TABLE_ROWS, t(lang, "what.stations"), lang))


def _provider_label(frame: pl.DataFrame) -> pl.DataFrame:
    return _label(frame, "provider", "{} ({})")


def scorecard_section(report: Report, lang: Lang) -> str:
    """The providers' scorecard table and their trend chart."""
    card = report.scorecard
    head = ('<section id="scorecard" aria-labelledby="scorecard-h">\n'
            f'<h2 id="scorecard-h">{escape(t(lang, "scorecard.title"))}</h2>\n')
    if card.providers.height == 0:
        return head + f'<p class="nothing">{escape(t(lang, "scorecard.none"))}</p>\n</section>'
    cols = [Col("provider", t(lang, "c.provider"), "text"),
            Col("passages", t(lang, "c.etc_passages"), "int"),
            Col("unread_or_weak_share", t(lang, "c.unread_weak"), "pct"),
            Col("tag_not_active_per_10k", t(lang, "c.not_active_10k"), "dec"),
            Col("tag_unknown_per_10k", t(lang, "c.unknown_10k"), "dec"),
            Col("tag_low_balance_per_10k", t(lang, "c.low_balance_10k"), "dec"),
            Col("plates_multi_tag", t(lang, "c.plates_multi"), "int"),
            Col("latency_median_h", t(lang, "c.latency_median"), "dec"),
            Col("latency_p95_h", t(lang, "c.latency_p95"), "dec"),
            Col("late", t(lang, "c.late"), "int"),
            Col("duplicate", t(lang, "c.duplicate"), "int"),
            Col("wrong_provider", t(lang, "c.wrong_provider"), "int"),
            Col("amount_at_risk_vnd", t(lang, "c.at_risk"), "vnd")]
    providers = _provider_label(card.providers)
    return (head + f'<p class="intro">{escape(t(lang, "scorecard.intro"))}</p>\n'
            + table("t-scorecard", t(lang, "scorecard.table"), cols, providers, TABLE_ROWS,
                    t(lang, "what.providers"), lang)
            + "\n" + _trend(report, providers, lang) + "\n</section>")


def _trend(report: Report, providers: pl.DataFrame, lang: Lang) -> str:
    card = report.scorecard
    title = t(lang, "scorecard.trend", days=card.trend_days)
    dates = sorted(set(card.days["business_date"].to_list()))
    labels = [d.strftime("%d/%m" if lang == "vi" else "%m-%d") for d in dates]
    lines = []
    for n, (pid, label) in enumerate(providers.select("provider_id", "provider").iter_rows()):
        mine = {r["business_date"]: r for r in
                card.days.filter(pl.col("provider_id") == pid).iter_rows(named=True)}
        values = [mine[d]["unread_or_weak_share"] if d in mine else None for d in dates]
        tips = [t(lang, "scorecard.trend_tip", provider=label, day=day(lang, d),
                  share=percent(lang, mine[d]["unread_or_weak_share"] or 0.0),
                  bad=number(lang, mine[d]["unread_or_weak"]), n=number(lang, mine[d]["passages"]))
                if d in mine else "" for d in dates]
        lines.append(Line(label, values, tips, SERIES[n % len(SERIES)]))
    svg = line_chart("chart-provider-trend", title, labels, lines,
                     axis=t(lang, "scorecard.trend_axis"),
                     fmt=lambda v: f"{decimal(lang, v * 100)} %",
                     category=t(lang, "scorecard.day_axis"),
                     empty=t(lang, "scorecard.trend_none"), every=max(1, len(labels) // 10),
                     whole=False)
    return ('<div class="charts">'
            + _figure(title, legend(lines) + "\n" + svg, t(lang, "scorecard.trend_note"))
            + "</div>")
