"""The pieces of the report's counts section and scorecard on literal frames:
one source per lane and date, PLATE_MULTI_TAG plates per provider, and the line
chart that breaks at hours without counts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import polars as pl

from etc.render.line_charts import Line, line_chart
from reconcile.counted import choose_sources
from reconcile.scorecard import multi_tag_plates

DAY = date(2026, 11, 1)


def interval(source: str, hour: int, counted: int, recorded: int) -> dict[str, object]:
    return dict(station_id="ST01", lane_id="L01", source=source, business_date=DAY,
                interval_start=datetime(2026, 11, 1, hour, tzinfo=UTC), minutes=60,
                counted=counted, recorded=recorded)


def test_a_lane_counted_twice_is_taken_from_the_source_showing_more() -> None:
    """CAM shows 10 − 8 + 5 − 5 = 2 more, LOOP 30 − 8 = 22 more: LOOP's intervals stay."""
    rows = pl.DataFrame([interval("CAM", 1, 10, 8), interval("CAM", 2, 5, 5),
                         interval("LOOP", 1, 30, 8)])
    assert choose_sources(rows).select("source", "counted").rows() == [("LOOP", 30)]
    # a tie goes to the smaller source name
    tie = pl.DataFrame([interval("LOOP", 1, 9, 8), interval("CAM", 1, 9, 8)])
    assert choose_sources(tie)["source"].to_list() == ["CAM"]


def test_plates_with_several_tags_count_for_every_provider_on_them() -> None:
    detail = ("at the end of 2026-11-01, {n} tags registered to plate {p} are ACTIVE or "
              "LOW_BALANCE (2 or more is a finding): {tags}")
    found = pl.DataFrame({
        "code": ["PLATE_MULTI_TAG", "PLATE_MULTI_TAG", "TAG_CLONE"],
        "plate": ["51A11111", "51B22222", "51C33333"],
        "detail": [detail.format(n=2, p="51A11111", tags="T1 (VETC, ACTIVE), T2 (EPASS, "
                                 "LOW_BALANCE)"),
                   detail.format(n=2, p="51B22222", tags="T3 (VETC, ACTIVE), T4 (VETC, ACTIVE)"),
                   "T5 (EPASS, ACTIVE)"],
    })
    got = dict(multi_tag_plates(found).sort("provider_id").rows())
    assert got == {"EPASS": 1, "VETC": 2}


def test_a_line_breaks_where_a_value_is_missing() -> None:
    svg = line_chart("c", "title", ["00", "01", "02", "03"],
                     [Line("counted", [1, 2, None, 4], ["a", "b", "", "d"], "hl")],
                     axis="Vehicles", fmt=str, category="Hour", empty="none",
                     shade=[False, False, True, False], shade_tip="down")
    assert len(re.findall(r'<polyline class="line hl"', svg)) == 2  # 00–01, then 03 alone
    assert len(re.findall(r'<circle class="dot hl"', svg)) == 3
    assert svg.count('<rect class="gap"') == 1 and "02: down" in svg
    assert "nothing to chart" in line_chart("c", "t", ["00"], [Line("x", [None], [""])],
                                            axis="a", fmt=str, category="h", empty="no data")
