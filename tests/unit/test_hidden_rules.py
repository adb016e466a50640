"""PASSAGES_HIDDEN (reconcile.hidden) and CASH_SHARE_SPIKE (reconcile.cash_share)
on dict-literal passages and counts: literal frames in, literal findings out."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import polars as pl
from literal import context, lane, rows, tariff

from etc.context import Period
from etc.settings import FraudSettings
from reconcile import cash_share, hidden

CFG = FraudSettings()
DAY = date(2026, 11, 1)
TARIFFS = [tariff(vehicle_class=1, amount_vnd=35_000), tariff(vehicle_class=3, amount_vnd=70_000)]


def count(start: str = "08:00", vehicles: int = 0, minutes: int = 60, *, lane_id: str = "L01",
          cls: int | None = None, source: str | None = "CAM-1",
          day: str = "2026-11-01") -> dict[str, Any]:
    return dict(station_id="ST01", lane_id=lane_id, interval_start=f"{day} {start}",
                interval_minutes=minutes, vehicle_class=cls, vehicles=vehicles, source=source)


def passages(n: int, hour: int = 8, *, lane_id: str = "L01", prefix: str = "T",
             **kw: Any) -> list[dict[str, Any]]:
    """n passages spread over one local hour of 2026-11-01 (every 30 s from hh:00)."""
    return [lane(f"{prefix}{lane_id}{hour:02d}{i:04d}", lane_id=lane_id,
                 passed_at=f"2026-11-01 {hour:02d}:{i // 2:02d}:{30 * (i % 2):02d}", **kw)
            for i in range(n)]


def hidden_rows(**kw: Any) -> list[tuple[Any, ...]]:
    kw.setdefault("tariffs", TARIFFS)
    return rows(hidden.passages_hidden(context(**kw), CFG),
                "station_id", "lane_id", "business_date", "amount_at_risk_vnd")


# ---- PASSAGES_HIDDEN ---------------------------------------------------------

def test_counted_beyond_recorded_fires_with_its_evidence() -> None:
    ctx = context(lanes=passages(50), tariffs=TARIFFS,
                  counts=[count("08:00", 80), count("09:00", 3)])
    found = hidden.passages_hidden(ctx, CFG).collect()
    assert found.select("code", "station_id", "lane_id", "business_date",
                        "amount_at_risk_vnd").rows() == [
        ("PASSAGES_HIDDEN", "ST01", "L01", DAY, 33 * 35_000)]
    assert found["detail"][0] == (
        "the authority's sensor CAM-1 counted 83 vehicles on lane L01 of ST01 on 2026-11-01 "
        "in 2 intervals (2.0 h covered) but the lane recorded 50 passages in them: 33 more "
        "(66.0 %; limit 20 and 2%); worst hours 08:00 +30, 09:00 +3; 1,155,000 VND at the "
        "tariff of the counted classes")


def test_the_thresholds_are_inclusive() -> None:
    """20 more at 2.0 % fires; 19 more, or 20 more at under 2 %, does not."""
    at_limit = hidden_rows(lanes=passages(60, 8) + passages(60, 9) + passages(60, 10)
                           + passages(60, 11) + passages(60, 12) + passages(60, 13)
                           + passages(60, 14) + passages(60, 15) + passages(60, 16)
                           + passages(60, 17) + passages(60, 18) + passages(60, 19)
                           + passages(60, 20) + passages(60, 21) + passages(60, 22)
                           + passages(60, 23) + passages(40, 7),
                           counts=[count(f"{h:02d}:00", 60) for h in range(8, 24)]
                           + [count("07:00", 60)])
    # recorded 1,000, counted 1,020: 20 more, exactly 2 %
    assert at_limit == [("ST01", "L01", DAY, 20 * 35_000)]
    assert hidden_rows(lanes=passages(30), counts=[count("08:00", 49)]) == []
    assert hidden_rows(lanes=passages(30), counts=[count("08:00", 50)]) == [
        ("ST01", "L01", DAY, 20 * 35_000)]
    share = FraudSettings(hidden_share=0.5)
    ctx = context(lanes=passages(50), tariffs=TARIFFS, counts=[count("08:00", 74)])
    assert hidden.passages_hidden(ctx, share).collect().is_empty()  # 24 < 50 % of 50


def test_an_hour_the_sensor_did_not_cover_compares_nothing() -> None:
    """Counts for 08:00 only: the 40 passages at 10:00 are not set against them,
    and a sensor down all afternoon is no hidden traffic."""
    assert hidden_rows(lanes=passages(50, 8) + passages(40, 10),
                       counts=[count("08:00", 80)]) == [("ST01", "L01", DAY, 30 * 35_000)]
    assert hidden_rows(lanes=passages(50, 8) + passages(40, 10),
                       counts=[count("08:00", 50)]) == []


def test_every_recorded_passage_counts_void_and_cash_and_exempt_included() -> None:
    recorded = (passages(10, prefix="A") + passages(10, prefix="B", payment_method="CASH")
                + passages(10, prefix="C", payment_method="EXEMPT")
                + passages(10, prefix="D", override="VOID"))
    assert hidden_rows(lanes=recorded, counts=[count("08:00", 59)]) == []
    assert hidden_rows(lanes=recorded, counts=[count("08:00", 60)]) == [
        ("ST01", "L01", DAY, 20 * 35_000)]


def test_noise_of_either_sign_cancels_over_the_day() -> None:
    """+15 in one hour and −15 in the next: nothing hidden over the day."""
    assert hidden_rows(lanes=passages(50, 8) + passages(50, 9),
                       counts=[count("08:00", 65), count("09:00", 35)]) == []


def test_counts_by_class_are_priced_at_their_class() -> None:
    """The sensor saw 40 class 1 and 30 class 3; the lane recorded 40 and 5
    (by the class it measured): 25 class-3 vehicles at 70,000."""
    recorded = passages(40) + passages(5, prefix="H", avc_class=3, charged_class=1)
    assert hidden_rows(lanes=recorded, counts=[count("08:00", 40, cls=1),
                                               count("08:00", 30, cls=3)]) == [
        ("ST01", "L01", DAY, 25 * 70_000)]


def test_the_source_showing_more_is_reported_and_an_empty_source_works() -> None:
    ctx = context(lanes=passages(50), tariffs=TARIFFS,
                  counts=[count("08:00", 75, source=None), count("08:00", 90, source="LOOP")])
    found = hidden.passages_hidden(ctx, CFG).collect()
    assert found["amount_at_risk_vnd"].to_list() == [40 * 35_000]
    assert "sensor LOOP counted 90" in found["detail"][0]
    ctx = context(lanes=passages(50), tariffs=TARIFFS, counts=[count("08:00", 75, source=None)])
    assert "sensor (no source) counted 75" in hidden.passages_hidden(ctx, CFG).collect()[
        "detail"][0]


def test_each_lane_is_judged_on_its_own_and_no_counts_no_finding() -> None:
    lanes = passages(50, lane_id="L01") + passages(50, lane_id="L02")
    assert hidden_rows(lanes=lanes, counts=[count("08:00", 50, lane_id="L01"),
                                            count("08:00", 80, lane_id="L02")]) == [
        ("ST01", "L02", DAY, 30 * 35_000)]
    assert hidden_rows(lanes=lanes) == []


def test_counts_outside_the_period_are_not_read() -> None:
    assert hidden_rows(lanes=passages(50), counts=[count("08:00", 80, day="2026-11-02")]) == []


# ---- CASH_SHARE_SPIKE --------------------------------------------------------

def lane_day(day: date, n: int, cash: int, *, lane_id: str = "L01") -> list[dict[str, Any]]:
    """n passages of a lane on `day`, the first `cash` of them CASH (30,000 VND)."""
    return [lane(f"{lane_id}-{day:%m%d}-{i:03d}", lane_id=lane_id,
                 passed_at=f"{day} {8 + i // 60:02d}:{i % 60:02d}:00",
                 payment_method="CASH" if i < cash else "ETC",
                 amount_vnd=30_000 if i < cash else 35_000)
            for i in range(n)]


def history(days: int, n: int = 100, cash: int = 10, **kw: Any) -> list[dict[str, Any]]:
    return [p for k in range(1, days + 1) for p in lane_day(DAY - timedelta(days=k), n, cash, **kw)]


def spikes(lanes: list[dict[str, Any]], cfg: FraudSettings = CFG) -> pl.DataFrame:
    ctx = context(lanes=lanes, period=Period(DAY, DAY))
    return cash_share.cash_share_spike(ctx, cfg).collect()


def test_a_cash_share_jump_fires_with_its_evidence() -> None:
    found = spikes(history(8) + lane_day(DAY, 100, 40))
    assert found.select("code", "station_id", "lane_id", "business_date",
                        "amount_at_risk_vnd").rows() == [
        ("CASH_SHARE_SPIKE", "ST01", "L01", DAY, 0)]
    assert found["detail"][0] == (
        "lane L01 of ST01 took 40 of its 100 passages in cash on 2026-11-01 (40.0 %), "
        "against a median of 10.0 % over the 8 days with passages in the 28 before (4.0×, "
        "+30.0 points; limit 3× and +10 points): 30 cash passages (900,000 VND) beyond the "
        "usual share (limit 20)")


def test_seven_earlier_days_are_needed() -> None:
    assert spikes(history(6) + lane_day(DAY, 100, 40)).is_empty()
    assert spikes(history(7) + lane_day(DAY, 100, 40)).height == 1


def test_the_ratio_the_points_and_the_passages_must_all_be_reached() -> None:
    assert spikes(history(8) + lane_day(DAY, 100, 30)).height == 1  # 3×, +20 points, 20
    assert spikes(history(8) + lane_day(DAY, 100, 29)).is_empty()   # 2.9×
    low = history(8, n=300, cash=3)                                 # median 1 %
    assert spikes(low + lane_day(DAY, 300, 32)).is_empty()          # 10.7×, +9.7 points
    assert spikes(low + lane_day(DAY, 300, 33)).height == 1         # +10 points, 30 more
    quiet = history(8, n=20, cash=2)                                # 10 % of 20 a day
    assert spikes(quiet + lane_day(DAY, 20, 12)).is_empty()         # 60 %, but 10 more
    assert spikes(quiet + lane_day(DAY, 20, 12),
                  FraudSettings(cash_spike_passages=10)).height == 1


def test_only_the_lookback_window_counts() -> None:
    """Days 29 and more before do not count: 6 days inside the window are too few."""
    old = [p for k in range(29, 40) for p in lane_day(DAY - timedelta(days=k), 100, 10)]
    assert spikes(old + history(6) + lane_day(DAY, 100, 40)).is_empty()
    narrow = FraudSettings(cash_lookback_days=5, cash_min_days=5)
    assert spikes(history(8) + lane_day(DAY, 100, 40), narrow).height == 1


def test_a_lane_that_always_took_cash_is_no_spike_and_lanes_are_apart() -> None:
    steady = history(10, cash=50) + lane_day(DAY, 100, 50)
    other = history(10, cash=0, lane_id="L02") + lane_day(DAY, 100, 25, lane_id="L02")
    assert spikes(steady).is_empty()
    assert spikes(steady + other)["lane_id"].to_list() == ["L02"]  # 25 % from none
