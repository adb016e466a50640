"""TAG_POOR_READ and LANE_READ_DEGRADED (cards.quality).

Poor read: a window of cfg.poor_read_days business dates ending on each date
of the period; unread = read_count 0, weak = rssi_dbm strictly below −70.
Lane degraded: a lane's unread share against the median of the OTHER lanes of
its station that date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from literal import DAY, TAG_A, TAG_B, context, lane, rows, tag

from cards import quality
from etc.context import Period
from etc.settings import TagSettings

CFG = TagSettings()


def passes(tag_id: str, days: list[int], **kw: Any) -> list[dict[str, Any]]:
    """One passage of `tag_id` on each 2026-11-(day) at 08:00."""
    return [lane(f"{tag_id[-2:]}-{d}-{kw.get('read_count', 3)}-{kw.get('rssi_dbm', 0)}",
                 tag_id=tag_id, passed_at=f"2026-11-{d:02d} 08:00", **kw) for d in days]


def poor(lanes: list[dict[str, Any]], first: date = date(2026, 11, 8),
         last: date = date(2026, 11, 8)) -> list[tuple[Any, ...]]:
    ctx = context(lanes=lanes, tags=[tag(TAG_A), tag(TAG_B, provider_id="EPASS")],
                  period=Period(first, last))
    return rows(quality.tag_poor_read(ctx, CFG), "business_date", "tag_id", "provider_id",
                "amount_at_risk_vnd")


def test_poor_read_window_includes_six_days_before_and_excludes_seven() -> None:
    # on 11-08 the window is 11-02 … 11-08: the unread passage of 11-01 is outside
    inside = passes(TAG_A, [2], read_count=0) + passes(TAG_A, [5, 8])
    assert poor(inside) == []  # 1 of 3 bad
    inside += passes(TAG_A, [3], rssi_dbm=-71.0)
    assert poor(inside) == [(date(2026, 11, 8), TAG_A, "VETC", 0)]  # 2 of 4 = 50 %
    outside = passes(TAG_A, [1], read_count=0) + passes(TAG_A, [1], rssi_dbm=-75.0) \
        + passes(TAG_A, [5, 6, 8])
    assert poor(outside) == []  # 11-02 … 11-08: 0 bad of 3
    assert poor(outside, first=date(2026, 11, 7), last=date(2026, 11, 7)) == [
        (date(2026, 11, 7), TAG_A, "VETC", 0)]  # 11-01 … 11-07: 2 bad of 4


def test_poor_read_rssi_exactly_at_threshold_is_not_weak() -> None:
    lanes = passes(TAG_B, [6, 7], rssi_dbm=-70.0) + passes(TAG_B, [8])
    assert poor(lanes) == []
    lanes = passes(TAG_B, [6, 7], rssi_dbm=-70.1) + passes(TAG_B, [8])
    assert poor(lanes) == [(date(2026, 11, 8), TAG_B, "EPASS", 0)]


def test_poor_read_needs_min_passages_and_skips_cash_and_malformed() -> None:
    bad = passes(TAG_A, [7, 8], read_count=0)
    assert poor(bad) == []  # 2 < 3 passages
    assert poor(bad + passes(TAG_A, [6], read_count=0, payment_method="CASH")) == []
    malformed = [lane(f"M{d}", tag_id="BAD", read_count=0, passed_at=f"2026-11-0{d} 08:00")
                 for d in (6, 7, 8)]
    assert poor(malformed) == []


def test_poor_read_one_finding_per_tag_and_date_of_the_period() -> None:
    lanes = passes(TAG_A, [6, 7, 8], read_count=0)
    found = poor(lanes, first=date(2026, 11, 7), last=date(2026, 11, 9))
    assert found == [(date(2026, 11, d), TAG_A, "VETC", 0) for d in (8, 9)]
    ctx = context(lanes=lanes, tags=[tag(TAG_A)], period=Period(date(2026, 11, 8),
                                                                date(2026, 11, 8)))
    (detail,), = rows(quality.tag_poor_read(ctx, CFG), "detail")
    assert detail == (f"tag {TAG_A} passed 3 times from 2026-11-02 to 2026-11-08, 3 of them "
                      "unread or weak (rssi below -70.0 dBm): 100.0 % against thresholds of 3 "
                      "passages and 50.0 %")


def test_poor_read_provider_at_the_latest_passage_of_the_window() -> None:
    # the tag moves from VETC to EPASS at 11-08 12:00: of its two passages that
    # day the later one (20:00) is EPASS's; up to 11-07 the latest is 11-04's, VETC's
    tags = [tag(TAG_A, provider_id="VETC", valid_from="2026-10-01 00:00"),
            tag(TAG_A, provider_id="EPASS", valid_from="2026-11-08 12:00")]
    lanes = [*passes(TAG_A, [8, 2, 3, 4], read_count=0),
             lane("LATE", tag_id=TAG_A, passed_at="2026-11-08 20:00", read_count=0)]
    ctx = context(lanes=lanes, tags=tags, period=Period(date(2026, 11, 4), date(2026, 11, 8)))
    found = rows(quality.tag_poor_read(ctx, CFG), "business_date", "provider_id")
    assert found == [(date(2026, 11, d), "VETC") for d in (4, 5, 6, 7)] + [
        (date(2026, 11, 8), "EPASS")]


def test_poor_read_passages_at_the_same_instant_give_one_finding() -> None:
    lanes = [*passes(TAG_A, [6, 7, 8], read_count=0),
             lane("DUP", tag_id=TAG_A, passed_at="2026-11-08 08:00", read_count=3)]
    found = rows(quality.tag_poor_read(context(lanes=lanes, tags=[tag(TAG_A)],
                                               period=Period(DAY, date(2026, 11, 8))), CFG),
                 "business_date", "tag_id", "detail")
    assert [f[:2] for f in found] == [(date(2026, 11, 8), TAG_A)]
    assert "passed 4 times" in found[0][2] and "3 of them unread or weak" in found[0][2]


def test_poor_read_share_zero_counts_tags_read_well() -> None:
    """A share of 0 makes every tag with enough passages fire — even one never
    read badly, which the narrowing to tags with a bad read must then not drop."""
    lanes = passes(TAG_A, [6, 7, 8]) + passes(TAG_B, [7, 8])
    ctx = context(lanes=lanes, tags=[tag(TAG_A), tag(TAG_B)],
                  period=Period(date(2026, 11, 8), date(2026, 11, 8)))
    zero = TagSettings(poor_read_share=0.0)
    assert rows(quality.tag_poor_read(ctx, zero), "business_date", "tag_id") == [
        (date(2026, 11, 8), TAG_A)]
    assert rows(quality.tag_poor_read(ctx, CFG), "tag_id") == []


def lane_day(lane_id: str, n: int, unread: int, station: str = "ST01",
             **kw: Any) -> list[dict[str, Any]]:
    """`n` ETC passages on `lane_id`, the first `unread` of them unread."""
    return [lane(f"{station}-{lane_id}-{i}", station_id=station, lane_id=lane_id,
                 read_count=0 if i < unread else 2, **kw) for i in range(n)]


def degraded(lanes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    ctx = context(lanes=lanes, tags=[tag(TAG_A)])
    return rows(quality.lane_read_degraded(ctx, CFG), "business_date", "station_id", "lane_id",
                "amount_at_risk_vnd")


def test_lane_degraded_at_exactly_three_times_the_median() -> None:
    # others: 10 % and 10 % → median 10 %; L01 at 30 % is exactly 3×
    lanes = lane_day("L01", 10, 3) + lane_day("L02", 10, 1) + lane_day("L03", 10, 1)
    assert degraded(lanes) == [(DAY, "ST01", "L01", 0)]
    ctx = context(lanes=lanes, tags=[tag(TAG_A)])
    (detail,), = rows(quality.lane_read_degraded(ctx, CFG), "detail")
    assert detail == ("lane L01 of ST01 had 3 of 10 ETC passages unread (30.0 %) against a "
                      "median of 10.0 % over the station's 2 other lanes (thresholds 5.0 % and "
                      "3.0× the median)")
    below = lane_day("L01", 100, 29) + lane_day("L02", 10, 1) + lane_day("L03", 10, 1)
    assert degraded(below) == []  # 29 % < 3 × 10 %


def test_lane_degraded_median_zero_and_share_threshold() -> None:
    lanes = lane_day("L01", 20, 1) + lane_day("L02", 10, 0) + lane_day("L03", 10, 0)
    assert degraded(lanes) == [(DAY, "ST01", "L01", 0)]  # 5 % ≥ 5 %, median 0
    lanes = lane_day("L01", 21, 1) + lane_day("L02", 10, 0) + lane_day("L03", 10, 0)
    assert degraded(lanes) == []  # 4.8 % < 5 %


def test_lane_degraded_needs_another_etc_lane_of_the_station() -> None:
    alone = lane_day("L01", 10, 9) + lane_day("L02", 10, 0, payment_method="CASH")
    other_station = lane_day("L01", 10, 0, station="ST02")
    assert degraded(alone + other_station) == []


def test_lane_degraded_median_of_the_other_lanes_only() -> None:
    # shares 40 %, 10 %, 10 %, 50 %: L01's others 10/10/50 → median 10 % → fires;
    # L04's others 40/10/10 → median 10 % → fires; L02's others 40/10/50 → 40 %
    lanes = (lane_day("L01", 10, 4) + lane_day("L02", 10, 1) + lane_day("L03", 10, 1)
             + lane_day("L04", 10, 5))
    assert degraded(lanes) == [(DAY, "ST01", "L01", 0), (DAY, "ST01", "L04", 0)]
