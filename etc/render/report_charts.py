"""The discrepancy report's charts: its frames turned into `etc.render.charts` bars.

Per station (findings and money at risk, the top stations by money), per
business day, the unread share per lane (degraded lanes highlighted) and the
money flow charged → settled gross → settled net → banked per station. Each
chart is a `<figure>` with a visible caption; a capped chart says what it shows
of how many. Nothing is computed here beyond choosing and labelling bars.
"""

from __future__ import annotations

from html import escape

import polars as pl

from etc.render.charts import Bar, count, grouped_hbar_chart, hbar_chart, percent, vbar_chart, vnd
from etc.reports import Report

FLOW_SERIES = ("Charged", "Settled gross", "Settled net", "Banked")
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


def _stations(frame: pl.DataFrame, top: int) -> str:
    rows = list(frame.head(top).iter_rows(named=True))
    note = (f"The {top} stations with the most money at risk, of {frame.height:,}."
            if frame.height > top else "")
    tips = [f"{_station(r)}: {r['findings']:,} findings, {r['amount_at_risk_vnd']:,} VND at risk"
            for r in rows]
    money = [Bar(_station(r), r["amount_at_risk_vnd"], t) for r, t in zip(rows, tips, strict=True)]
    found = [Bar(_station(r), r["findings"], t) for r, t in zip(rows, tips, strict=True)]
    why = "no finding names a station"
    return (_figure("Money at risk per station (VND)",
                    hbar_chart("chart-station-money", "Money at risk per station (VND)", money,
                               axis="Money at risk (VND)", fmt=vnd, empty=why), note)
            + "\n" + _figure("Findings per station",
                             hbar_chart("chart-station-findings", "Findings per station", found,
                                        axis="Findings", fmt=count, empty=why), note))


def _days(frame: pl.DataFrame) -> str:
    rows = list(frame.iter_rows(named=True))
    if not any(r["findings"] for r in rows):
        rows = []
    tips = [f"{r['business_date'].isoformat()}: {r['findings']:,} findings, "
            f"{r['amount_at_risk_vnd']:,} VND at risk" for r in rows]
    labels = [r["business_date"].strftime("%m-%d") for r in rows]
    money = [Bar(lb, r["amount_at_risk_vnd"], t)
             for lb, r, t in zip(labels, rows, tips, strict=True)]
    found = [Bar(lb, r["findings"], t) for lb, r, t in zip(labels, rows, tips, strict=True)]
    why = "no findings on any day of the run"
    return (_figure("Money at risk per business day (VND)",
                    vbar_chart("chart-day-money", "Money at risk per business day (VND)", money,
                               axis="VND", fmt=vnd, category="Business date (month-day)",
                               empty=why))
            + "\n" + _figure("Findings per business day",
                             vbar_chart("chart-day-findings", "Findings per business day", found,
                                        axis="Findings", fmt=count,
                                        category="Business date (month-day)", empty=why)))


def _lanes(frame: pl.DataFrame, top: int) -> str:
    rows = list(frame.head(top).iter_rows(named=True))
    bars = [Bar(f"{r['station_id']} {r['lane_id']}" + (" (degraded)" if r["degraded"] else ""),
                r["unread_share"],
                f"{r['station_id']} lane {r['lane_id']}: {r['unread']:,} of "
                f"{r['etc_passages']:,} ETC passages unread ({percent(r['unread_share'])})"
                + ("; degraded (LANE_READ_DEGRADED)" if r["degraded"] else ""),
                highlight=bool(r["degraded"]))
            for r in rows]
    capped = (f"The {top} lanes with the highest unread share, of {frame.height:,}."
              if frame.height > top else "")
    svg = hbar_chart("chart-lanes", "Unread share of ETC passages per lane", bars,
                     axis="ETC passages with no tag read (%)", fmt=percent,
                     empty="no ETC passages in the run's period", whole=False)
    degraded = any(b.highlight for b in bars)
    return _figure("Unread share of ETC passages per lane", svg, capped,
                   "Lanes with a LANE_READ_DEGRADED finding in the run." if degraded else "",
                   key="hl" if degraded else "")


def _flow(frame: pl.DataFrame, top: int) -> str:
    ranked = frame.with_row_index("_i").sort(
        (pl.col("charged_vnd") - pl.col("banked_vnd")).abs(), "_i", descending=[True, False])
    chosen = ranked.head(top).sort("_i")
    groups = []
    for r in chosen.iter_rows(named=True):
        sid = str(r["station_id"])
        groups.append((sid, [Bar(sid, r[c], f"{sid} {s.lower()}: {r[c]:,} VND")
                             for s, c in zip(FLOW_SERIES, FLOW_COLUMNS, strict=True)]))
    note = (f"The {top} stations with the largest gap between charged and banked, "
            f"of {frame.height:,}." if frame.height > top else "")
    title = "Charged → settled gross → settled net → banked per station (VND)"
    svg = grouped_hbar_chart("chart-flow", title, groups, FLOW_SERIES, axis="VND", fmt=vnd,
                             empty="no money flow in the run's period")
    return _figure(title, svg, note)


def report_charts(report: Report, top_stations: int, top_lanes: int, flow_stations: int) -> str:
    """Every chart of the report, in page order."""
    return "\n".join([
        '<div class="charts">',
        _stations(report.by_station, top_stations),
        _days(report.by_day),
        _lanes(report.lanes, top_lanes),
        _flow(report.money_flow, flow_stations),
        "</div>",
    ])
