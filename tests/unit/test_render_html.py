"""The HTML discrepancy report (etc.render.html): escaped, offline, the model's numbers."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
from reportsamples import FINDINGS, _finding, frame, sample_report

from etc.render.charts import Bar, hbar_chart, vbar_chart, vnd
from etc.render.html import render_html, write_html
from etc.reports import (
    BY_DAY_SCHEMA,
    BY_STATION_SCHEMA,
    LANE_SCHEMA,
    MONEY_FLOW_SCHEMA,
    RESOLVED_SCHEMA,
    Report,
    State,
)


def figure(page: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}"><span class="big">([^<]*)</span>', page)
    assert found, name
    return found.group(1)


def svgs(page: str) -> dict[str, str]:
    """Each chart's markup by its id."""
    return dict(re.findall(r'<svg class="chart" id="([^"]+)"(.*?)</svg>', page, re.S))


def table_rows(page: str, ident: str) -> int:
    found = re.search(rf'<table id="{ident}".*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, ident
    return found.group(1).count("<tr")


def empty_report() -> Report:
    base = sample_report([])
    return replace(
        base, previous_run_id=None, resolved=frame([], RESOLVED_SCHEMA),
        by_station=frame([], BY_STATION_SCHEMA), lanes=frame([], LANE_SCHEMA),
        money_flow=frame([], MONEY_FLOW_SCHEMA),
        by_day=frame([{"business_date": date(2026, 11, 1), "findings": 0,
                       "amount_at_risk_vnd": 0}], BY_DAY_SCHEMA))


def test_values_are_escaped() -> None:
    report = sample_report()
    report = replace(report, by_station=report.by_station.with_columns(
        pl.lit('<img src=x onerror="alert(2)">').alias("station_name")))
    page = render_html(report, "en")
    assert "no settlement for 52,000 VND &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert page.count("<script") == 1  # the page's own script only
    assert "<img" not in page
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in page  # in the chart tooltips
    assert "=HYPERLINK(&quot;http://x&quot;)" in page


def test_verdict_shows_the_models_numbers() -> None:
    report = sample_report()
    page = render_html(report, "en")
    assert figure(page, "at-risk") == "1,407,000 VND" == f"{report.total_at_risk_vnd:,} VND"
    assert figure(page, "findings") == "6"
    assert (figure(page, "new"), figure(page, "open"), figure(page, "resolved")) == (
        "5", "1", "1") == tuple(str(report.count(s)) for s in State)
    assert '<div class="banner fail"' in page
    assert "4 findings at or above HIGH" in page  # 3 HIGH + DOUBLE_CHARGE HIGH
    # the category × severity matrix: MONEY HIGH is two findings, 87,000 VND
    money = re.search(r'<th scope="row">MONEY</th>(.*?)</tr>', page)
    assert money and '2<span class="money">87,000 VND</span>' in money.group(1)
    # header: run started 20:15 UTC is 03:15 the next day in Vietnam
    assert "2026-11-03 03:15:00 (UTC+07:00)" in page
    assert "2026-11-01 … 2026-11-02" in page
    assert "R20261031-20261031-9876543210" in page


def test_pass_banner_below_the_threshold() -> None:
    page = render_html(replace(sample_report(), fail_at="CRITICAL"), "en")
    assert '<div class="banner pass"' in page and "no finding at or above CRITICAL" in page
    assert '<div class="banner fail"' not in page


def test_nothing_refers_outside_the_file() -> None:
    page = render_html(sample_report(), "en")
    links = re.findall(r'\b(?:src|href|action|srcset|poster|data)\s*=\s*"([^"]*)"', page)
    assert links and all(link.startswith("#") for link in links)
    assert not re.search(r"(?:src|href)\s*=\s*['\"]?\s*(?:https?:)?//", page, re.I)
    for forbidden in ("<link", "<iframe", "<img", "@import", "url(", "fetch(", "XMLHttpRequest"):
        assert forbidden not in page, forbidden
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_sections_follow_the_catalogue_and_drop_empty_key_columns() -> None:
    page = render_html(sample_report(list(reversed(FINDINGS))), "en")
    order = re.findall(r'<h3 id="code-([A-Z_]+)"', page)
    assert order == ["TAG_NOT_ACTIVE", "LANE_READ_DEGRADED", "SETTLEMENT_MISSING",
                     "BANK_UNMATCHED_CREDIT", "DOUBLE_CHARGE"]
    bank = re.search(r'<table id="t-BANK_UNMATCHED_CREDIT".*?</thead>', page, re.S)
    assert bank
    heads = re.findall(r'<button type="button">([^<]*)</button>', bank.group(0))
    assert heads == ["Business date", "At risk (VND)", "Detail", "State", "First seen",
                     "Days open", "entry_id"]
    # numbers sort by their raw value
    assert '<td class="num" data-sort="1250000">1,250,000</td>' in page
    assert 'data-type="number"' in bank.group(0)


def test_a_code_with_more_than_1000_rows_is_capped() -> None:
    many = [_finding("SETTLEMENT_MISSING", "MONEY", "HIGH", date(2026, 11, 1), 1000 + i,
                     f"row {i}", txn_id=f"X{i}") for i in range(1001)]
    page = render_html(sample_report([*FINDINGS, *many]), "en")
    assert table_rows(page, "t-SETTLEMENT_MISSING") == 1000
    assert "Showing 1,000 of 1,003 findings; <code>etc findings</code> or the XLSX" in page
    assert page.count('class="capped"') == 1  # the other codes are whole
    assert "1,000 of 1,000 rows" in page
    assert figure(page, "findings") == "1,007"


def test_empty_report_says_no_findings() -> None:
    page = render_html(empty_report(), "en")
    assert '<div class="banner pass" role="status"><strong>No findings</strong>' in page
    assert figure(page, "at-risk") == "0 VND"
    assert figure(page, "findings") == "0"
    assert "<svg" not in page
    assert page.count("nothing to chart") == 6
    assert "No findings in this run." in page
    assert "No earlier run to compare with." in page
    assert 'class="data sortable"' not in page


def test_charts_draw_one_bar_per_row_and_cap_stations() -> None:
    report = sample_report()
    stations = frame([{"station_id": f"S{i:02d}", "station_name": None, "findings": 30 - i,
                       "amount_at_risk_vnd": (30 - i) * 1000} for i in range(25)],
                     BY_STATION_SCHEMA)
    charts = svgs(render_html(replace(report, by_station=stations), "en"))
    bars = {k: v.count('<rect class="bar') for k, v in charts.items()}
    assert bars == {"chart-station-money": 20, "chart-station-findings": 20,
                    "chart-day-money": 2, "chart-day-findings": 2, "chart-lanes": 3,
                    "chart-flow": 8}
    assert 'class="bar s0 hl"' in charts["chart-lanes"]  # the degraded lane S02 L3
    assert charts["chart-lanes"].count(" hl") == 1
    assert "<title>S02 lane L3: 12 of 80 ETC passages unread (15.0 %)" in charts["chart-lanes"]
    assert "<title>S01 charged: 12,600,000 VND; settle gap " in charts["chart-flow"]
    assert "S19" in charts["chart-station-money"] and "S20" not in charts["chart-station-money"]
    page = render_html(replace(report, by_station=stations), "en")
    assert "The 20 stations with the most money at risk, of 25." in page
    for svg in charts.values():
        assert 'role="img"' in svg and "<title" in svg


def test_chart_shapes() -> None:
    assert "nothing to chart (none)" in hbar_chart("c", "T", [], axis="VND", fmt=vnd,
                                                   empty="none")
    svg = hbar_chart("c", "T", [Bar("a", 300, "a"), Bar("b", -100, "b")], axis="VND", fmt=vnd,
                     empty="")
    widths = [float(w) for w in re.findall(r'<rect class="bar[^"]*" x="[^"]*" y="[^"]*" '
                                           r'width="([^"]*)"', svg)]
    assert widths[0] == 3 * widths[1] > 0  # proportional, the negative one drawn leftwards
    ticks = re.findall(r'<text class="tick"[^>]*>([^<]*)</text>', svg)
    assert ticks == ["-100", "0", "100", "200", "300"]
    day = vbar_chart("d", "Days", [Bar("11-01", 2, "x"), Bar("11-02", 4, "y")], axis="Findings",
                     fmt=vnd, category="Date", empty="")
    heights = [float(h) for h in re.findall(r'height="([0-9.]+)"><title>', day)]
    assert heights[1] == 2 * heights[0] > 0


def test_output_is_deterministic(tmp_path: Path) -> None:
    assert render_html(sample_report(), "en") == render_html(sample_report(), "en")
    write_html(sample_report(), tmp_path / "a.html", "en")
    write_html(sample_report(), tmp_path / "b.html", "en")
    data = (tmp_path / "a.html").read_bytes()
    assert data == (tmp_path / "b.html").read_bytes()
    assert data.decode("utf-8") == render_html(sample_report(), "en")
    assert b"\r" not in data
