"""The report's counts section and provider scorecard as HTML (etc.render.html_counted):
literal frames in, the page's words and numbers out, in Vietnamese and English."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from reportsamples import _finding, frame, sample_report

from etc.render.html import render_html
from etc.reports import Report
from etc.reports_counted import (
    COUNTED_HOUR_SCHEMA,
    COUNTED_STATION_SCHEMA,
    PROVIDER_DAY_SCHEMA,
    PROVIDER_SCHEMA,
    UNCOVERED_SCHEMA,
    Counted,
    Scorecard,
)

D = date(2026, 11, 1)


def report() -> Report:
    hidden = _finding("PASSAGES_HIDDEN", "FRAUD", "HIGH", D, 1_050_000,
                      "the authority's sensor CAM-1 counted 51 vehicles …",
                      station_id="S01", lane_id="L1")
    base = sample_report([hidden])
    stations = frame([{
        "station_id": "S01", "station_name": "Trạm Long Thành", "operator_name": "VEC",
        "lanes": 2, "lanes_counted": 2, "covered_hours": 2.25, "coverage": 0.046875,
        "counted": 51, "recorded": 21, "difference": 30, "difference_share": 30 / 21,
        "passages": 24, "findings": 1, "amount_at_risk_vnd": 1_050_000}],
        COUNTED_STATION_SCHEMA)
    hours = frame([{"station_id": "S01", "lane_id": "L1", "business_date": D, "hour": h,
                    "counted": {8: 42, 10: 5}.get(h), "recorded": {8: 12, 10: 5}.get(h),
                    "passages": {8: 12, 10: 5, 12: 3}.get(h, 0)} for h in range(24)],
                  COUNTED_HOUR_SCHEMA)
    uncovered = frame([{"station_id": "S02", "station_name": "Trạm Dầu Giây",
                        "operator_name": "VEC", "passages": 2}], UNCOVERED_SCHEMA)
    provider = {c: 0 for c in PROVIDER_SCHEMA} | {
        "provider_id": "VETC", "provider_name": "Công ty VETC", "passages": 4,
        "unread_or_weak": 1, "unread_or_weak_share": 0.25, "tag_not_active_per_10k": 0.0,
        "tag_unknown": 1, "tag_unknown_per_10k": 2500.0, "tag_low_balance_per_10k": 0.0,
        "latency_median_h": 5.0, "latency_p95_h": 7.6, "amount_at_risk_vnd": 35_000}
    days = frame([{"provider_id": "VETC", "business_date": date(2026, 10, 31), "passages": 10,
                   "unread_or_weak": 1, "unread_or_weak_share": 0.1},
                  {"provider_id": "VETC", "business_date": D, "passages": 4,
                   "unread_or_weak": 1, "unread_or_weak_share": 0.25}], PROVIDER_DAY_SCHEMA)
    return replace(base, counted=Counted(stations, hours, uncovered),
                   scorecard=Scorecard(frame([provider], PROVIDER_SCHEMA), days))


def section(page: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?</section>', page, re.S)
    assert found, ident
    return found.group(0)


def test_counted_section_in_vietnamese() -> None:
    page = section(render_html(report(), "vi"), "counted")
    assert "Đếm độc lập so với lượt xe ghi nhận" in page
    assert "<strong>1.050.000 ₫</strong> có rủi ro" in page
    # coverage and the difference as shares, counts with separators
    assert '<td class="num" data-sort="0.046875">4,7 %</td>' in page
    assert '<td class="num" data-sort="1.4285714285714286">142,9 %</td>' in page
    assert "<td>S01 Trạm Long Thành</td><td>VEC</td>" in page
    # one hourly chart: counted in two pieces around the gap, 22 hours shaded
    chart = re.search(r'<svg class="chart" id="chart-counted-0".*?</svg>', page, re.S)
    assert chart
    assert chart.group(0).count('<polyline class="line hl"') == 2
    assert chart.group(0).count('<rect class="gap"') == 22
    assert "12: Cảm biến không đếm" in chart.group(0)  # passages, but no count then
    assert "08:00 — đếm 42, ghi nhận 12 (cả giờ: 12 lượt)" in chart.group(0)
    assert "<td>S02 Trạm Dầu Giây</td>" in page


def test_scorecard_in_english_names_the_provider() -> None:
    page = section(render_html(report(), "en"), "scorecard")
    assert "<td>VETC (Công ty VETC)</td>" in page
    assert '<td class="num" data-sort="0.25">25.0 %</td>' in page
    assert '<td class="num" data-sort="2500.0">2,500.0</td>' in page
    assert '<td class="num" data-sort="7.6">7.6</td>' in page
    trend = re.search(r'<svg class="chart" id="chart-provider-trend".*?</svg>', page, re.S)
    assert trend and trend.group(0).count('<circle class="dot s0"') == 2
    assert "VETC (Công ty VETC), 2026-11-01: 25.0 % (1 of 4 passages)" in trend.group(0)


def test_without_counts_or_providers_the_sections_say_so() -> None:
    page = render_html(sample_report(), "en")
    assert "No counts in the run&#x27;s period." in section(page, "counted")
    assert "No provider in the period." in section(page, "scorecard")


def test_providers_are_named_in_the_pending_table_and_the_xlsx(tmp_path: Path) -> None:
    from reportsamples import FINDINGS, PENDING
    from test_render_xlsx import read_xlsx

    from etc.render.xlsx import write_report_xlsx

    missing = _finding("SETTLEMENT_MISSING", "MONEY", "HIGH", D, 35_000, "no settlement",
                       txn_id="T7", provider_id="VETC")
    named = replace(sample_report([*FINDINGS, missing], PENDING),
                    provider_names={"VETC": "Công ty VETC"})
    awaiting = section(render_html(named, "en"), "awaiting")
    assert "<td>VETC (Công ty VETC)</td>" in awaiting
    path = tmp_path / "r.xlsx"
    write_report_xlsx(named, path, "en")
    book = read_xlsx(path)
    for sheet in ("MONEY", "Pending"):  # the new finding; BATCH_UNPAID =B7
        header = book[sheet].row(1)
        at = header.index("provider_id")
        assert header[at + 1] == "provider_name"
        rows = [book[sheet].row(n) for n in range(2, 7)]
        named_rows = [r for r in rows if "VETC" in r]
        assert len(named_rows) == 1
        assert named_rows[0][named_rows[0].index("VETC") + 1] == "Công ty VETC"
    # without providers data nothing is added
    write_report_xlsx(sample_report(), path, "en")
    assert "provider_name" not in read_xlsx(path)["MONEY"].row(1)
