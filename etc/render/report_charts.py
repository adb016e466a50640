"""The discrepancy report's charts: its frames turned into `etc.render.charts` bars.

Per station (findings and money at risk, the top stations by money), per
business day, the unread share per lane (degraded lanes highlighted) and the
money flow charged → settled gross → settled net → banked per station. Each
chart is a `<figure>` with a visible caption, in `lang`; a capped chart says what
it shows of how many. Money at risk that names no station (a bank credit paying
no batch) is in no station's bar: the station charts say how much of it there
is. Nothing is computed here beyond choosing and labelling bars.
"""

from __future__ import annotations

from html import escape

import polars as pl

from etc.render.charts import Bar, grouped_hbar_chart, hbar_chart, vbar_chart
from etc.render.lang import Lang, day, money, number, percent, t
from etc.reports import Report

FLOW_SERIES = ("flow.charged", "flow.gross", "flow.net", "flow.banked")
FLOW_COLUMNS = ("charged_vnd", "settled_gross_vnd", "settled_net_vnd", "banked_vnd")


def _figure(caption: str, svg: str, *notes: str, key: str = "") -> str:
    """A chart with its caption and notes (text, escaped here; empty ones dropped); `key`
    is the class of a colour swatch shown before the last note."""
    extra = "".join(f'<p class="note">{escape(n)}</p>' for n in notes[:-1] if n)
    if notes and notes[-1]:
        swatch = f'<span class="key {key}"></span>' if key else ""
        extra += f'<p class="note">{swatch}{escape(notes[-1])}</p>'
    return (f'<figure class="chart-box"><figcaption>{escape(caption)}</figcaption>\n{svg}\n'
            f"{extra}</figure>")


def _station(row: dict[str, object]) -> str:
    name = row.get("station_name")
    return f"{row['station_id']} {name}" if name else str(row["station_id"])


def _stations(report: Report, top: int, lang: Lang) -> str:
    frame = report.by_station
    rows = list(frame.head(top).iter_rows(named=True))
    note = (t(lang, "chart.top_stations", top=top, total=number(lang, frame.height))
            if frame.height > top else "")
    found = report.findings
    lone = found.filter(pl.col("station_id").is_null() | (pl.col("station_id") == ""))
    nowhere = (t(lang, "chart.no_station", n=number(lang, lone.height),
                 money=money(lang, int(lone["amount_at_risk_vnd"].sum())))
               if lone.height else "")
    tips = [t(lang, "chart.station_tip", station=_station(r),
              n=number(lang, r["findings"]), money=money(lang, r["amount_at_risk_vnd"]))
            for r in rows]
    bars_money = [Bar(_station(r), r["amount_at_risk_vnd"], tip)
                  for r, tip in zip(rows, tips, strict=True)]
    bars_found = [Bar(_station(r), r["findings"], tip) for r, tip in zip(rows, tips, strict=True)]
    why = t(lang, "chart.no_station_why")
    title_m, title_f = t(lang, "chart.station_money"), t(lang, "chart.station_findings")
    return (_figure(title_m, hbar_chart("chart-station-money", title_m, bars_money,
                                        axis=t(lang, "chart.axis_money"),
                                        fmt=lambda v: number(lang, v), empty=why),
                    note, nowhere)
            + "\n" + _figure(title_f, hbar_chart("chart-station-findings", title_f, bars_found,
                                                 axis=t(lang, "fig.findings"),
                                                 fmt=lambda v: number(lang, v), empty=why),
                             note))


def _days(frame: pl.DataFrame, lang: Lang) -> str:
    rows = list(frame.iter_rows(named=True))
    if not any(r["findings"] for r in rows):
        rows = []
    tips = [t(lang, "chart.day_tip", day=day(lang, r["business_date"]),
              n=number(lang, r["findings"]), money=money(lang, r["amount_at_risk_vnd"]))
            for r in rows]
    labels = [r["business_date"].strftime("%d/%m" if lang == "vi" else "%m-%d") for r in rows]
    bars_money = [Bar(lb, r["amount_at_risk_vnd"], tip)
                  for lb, r, tip in zip(labels, rows, tips, strict=True)]
    bars_found = [Bar(lb, r["findings"], tip)
                  for lb, r, tip in zip(labels, rows, tips, strict=True)]
    why = t(lang, "chart.no_day_why")
    title_m, title_f = t(lang, "chart.day_money"), t(lang, "chart.day_findings")
    category = t(lang, "chart.day_axis")
    return (_figure(title_m, vbar_chart("chart-day-money", title_m, bars_money,
                                        axis=t(lang, "chart.axis_money"),
                                        fmt=lambda v: number(lang, v), category=category,
                                        empty=why))
            + "\n" + _figure(title_f, vbar_chart("chart-day-findings", title_f, bars_found,
                                                 axis=t(lang, "fig.findings"),
                                                 fmt=lambda v: number(lang, v),
                                                 category=category, empty=why)))


def _lanes(frame: pl.DataFrame, top: int, lang: Lang) -> str:
    rows = list(frame.head(top).iter_rows(named=True))
    degraded_word = t(lang, "chart.degraded")
    bars = [Bar(f"{r['station_id']} {r['lane_id']}" + (f" ({degraded_word})" if r["degraded"]
                                                         else ""),
                r["unread_share"],
                t(lang, "chart.lane_tip", station=r["station_id"], lane=r["lane_id"],
                  unread=number(lang, r["unread"]), n=number(lang, r["etc_passages"]),
                  share=percent(lang, r["unread_share"]))
                + (t(lang, "chart.lane_degraded") if r["degraded"] else ""),
                highlight=bool(r["degraded"]))
            for r in rows]
    capped = (t(lang, "chart.top_lanes", top=top, total=number(lang, frame.height))
              if frame.height > top else "")
    title = t(lang, "chart.lanes")
    svg = hbar_chart("chart-lanes", title, bars, axis=t(lang, "chart.lanes_axis"),
                     fmt=lambda v: percent(lang, v), empty=t(lang, "chart.no_lanes_why"),
                     whole=False)
    degraded = any(b.highlight for b in bars)
    return _figure(title, svg, capped, t(lang, "chart.lanes_key") if degraded else "",
                   key="hl" if degraded else "")


def _flow(frame: pl.DataFrame, top: int, lang: Lang) -> str:
    """Per station, largest gap (charged − banked) first: the four amounts, and the
    gaps between them in each bar's tooltip and label."""
    gap = (pl.col("charged_vnd") - pl.col("banked_vnd")).abs()
    chosen = (frame.with_row_index("_i").sort(gap, "_i", descending=[True, False]).head(top))
    series = [t(lang, s) for s in FLOW_SERIES]
    groups = []
    for r in chosen.iter_rows(named=True):
        sid = str(r["station_id"])
        gaps = t(lang, "flow.gaps", settle=money(lang, r["charged_vnd"] - r["settled_gross_vnd"]),
                 fee=money(lang, r["settled_gross_vnd"] - r["settled_net_vnd"]),
                 bank=money(lang, r["settled_net_vnd"] - r["banked_vnd"]))
        short = r["charged_vnd"] - r["banked_vnd"]  # > 0: less banked than charged
        label = (f"{sid} ({'−' if short > 0 else '+'}{number(lang, abs(short))})" if short
                 else sid)
        groups.append((label, [Bar(sid, r[c], f"{sid} {s.lower()}: {money(lang, r[c])}; {gaps}")
                               for s, c in zip(series, FLOW_COLUMNS, strict=True)]))
    note = (t(lang, "flow.top", top=top, total=number(lang, frame.height))
            if frame.height > top else t(lang, "flow.order"))
    title = t(lang, "flow.title")
    svg = grouped_hbar_chart("chart-flow", title, groups, series, axis=t(lang, "chart.axis_money"),
                             fmt=lambda v: number(lang, v), empty=t(lang, "flow.none"))
    return _figure(title, svg, note)


def report_charts(report: Report, top_stations: int, top_lanes: int, flow_stations: int,
                  lang: Lang = "en") -> str:
    """Every chart of the report, in page order."""
    return "\n".join([
        '<div class="charts">',
        _stations(report, top_stations, lang),
        _days(report.by_day, lang),
        _lanes(report.lanes, top_lanes, lang),
        _flow(report.money_flow, flow_stations, lang),
        "</div>",
    ])
