"""FRAUD rules (reconcile.fraud, reconcile.velocity) on dict-literal passages, and
on a generated sample against its truth."""

from __future__ import annotations

import functools
import math
import random
from datetime import date, timedelta
from typing import Any

import polars as pl
import pytest
from literal import TAG_A, TAG_B, at, context, exemption, lane, rows, station, tag, tariff

from etc.context import Context, Inputs, Period
from etc.generate import build
from etc.localtime import local_date
from etc.parse import normalise_plate
from etc.settings import FraudSettings, Settings
from reconcile import fraud, velocity
from reconcile.prepare import prepare
from reconcile.velocity import EARTH_RADIUS_KM, haversine_km

CFG = FraudSettings()
KEYS = ("txn_id", "amount_at_risk_vnd")


def north(km: float, lat: float = 10.80) -> float:
    """The latitude `km` north of `lat` on a meridian (great-circle distance km)."""
    return lat + math.degrees(km / EARTH_RADIUS_KM)


def distance(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The rule's own distance between two station rows (same expression, same kernel)."""
    df = pl.DataFrame({"la": [a["lat"]], "lo": [a["lon"]], "lb": [b["lat"]], "ob": [b["lon"]]})
    return float(df.select(haversine_km(pl.col("la"), pl.col("lo"), pl.col("lb"),
                                        pl.col("ob"))).item())


NEAR = station("ST02", lat=north(4.9))
FAR = station("ST03", lat=21.03, lon=105.85)  # about 1,140 km north
STATIONS = [station("ST01"), NEAR, FAR]


def detail(found: pl.LazyFrame) -> str:
    (text,) = found.collect()["detail"]
    return str(text)


# ---- DOUBLE_CHARGE ---------------------------------------------------------------

def test_double_charge_exactly_at_the_window_fires_for_the_later_passage() -> None:
    ctx = context(lanes=[lane("T1", passed_at="2026-11-01 08:00:00"),
                         lane("T2", passed_at="2026-11-01 08:05:00", lane_id="L02")],
                  tags=[tag(TAG_A)])
    found = fraud.double_charge(ctx, CFG)
    assert rows(found, "txn_id", "tag_id", "station_id", "lane_id", "provider_id",
                "amount_at_risk_vnd", "business_date") == [
        ("T2", TAG_A, "ST01", "L02", "VETC", 35_000, date(2026, 11, 1))]
    text = detail(found)
    assert "300 s after T1" in text and "window 300 s" in text and "35,000 VND" in text


def test_double_charge_one_second_over_the_window_does_not_fire() -> None:
    ctx = context(lanes=[lane("T1", passed_at="2026-11-01 08:00:00"),
                         lane("T2", passed_at="2026-11-01 08:05:01")])
    assert rows(fraud.double_charge(ctx, CFG)) == []


@pytest.mark.parametrize("voided", ["T1", "T2"])
def test_double_charge_needs_both_passages_charged(voided: str) -> None:
    ctx = context(lanes=[lane(t, passed_at=f"2026-11-01 08:0{i}",
                              override="VOID" if t == voided else None)
                         for i, t in enumerate(["T1", "T2"])])
    assert rows(fraud.double_charge(ctx, CFG)) == []


def test_double_charge_compares_with_the_previous_passage_only() -> None:
    # T1 charged, T2 voided, T3 charged: T3's previous passage (T2) is no charge
    ctx = context(lanes=[lane("T1", passed_at="2026-11-01 08:00"),
                         lane("T2", passed_at="2026-11-01 08:01", override="VOID"),
                         lane("T3", passed_at="2026-11-01 08:02")])
    assert rows(fraud.double_charge(ctx, CFG)) == []


def test_double_charge_other_station_other_tag_or_cash_do_not_pair() -> None:
    ctx = context(stations=STATIONS, lanes=[
        lane("T1", passed_at="2026-11-01 08:00"),
        lane("T2", passed_at="2026-11-01 08:01", station_id="ST02"),
        lane("T3", passed_at="2026-11-01 08:02", tag_id=TAG_B),
        lane("T4", passed_at="2026-11-01 08:03", payment_method="CASH", tag_id=None),
        lane("T5", passed_at="2026-11-01 08:04", payment_method="CASH", tag_id=None)])
    assert rows(fraud.double_charge(ctx, CFG)) == []


@pytest.mark.parametrize("order", [["T1", "T2"], ["T2", "T1"]])
def test_double_charge_same_instant_reports_the_larger_txn_id(order: list[str]) -> None:
    ctx = context(lanes=[lane(t, passed_at="2026-11-01 08:00") for t in order])
    assert rows(fraud.double_charge(ctx, CFG), *KEYS) == [("T2", 35_000)]


def test_double_charge_follows_each_tag_through_interleaved_passages() -> None:
    hexy = "ABCDEF0123456789ABCDEF01"
    ctx = context(lanes=[lane(f"T{i}", passed_at=f"2026-11-01 08:0{i}", tag_id=t)
                         for i, t in enumerate([TAG_A, hexy, TAG_B, TAG_A, hexy, TAG_B])])
    assert rows(fraud.double_charge(ctx, CFG), "txn_id", "tag_id") == [
        ("T3", TAG_A), ("T4", hexy), ("T5", TAG_B)]


def test_double_charge_pairs_a_malformed_tag_by_its_text() -> None:
    ctx = context(lanes=[lane("T1", passed_at="2026-11-01 08:00", tag_id="NOT-A-TAG"),
                         lane("T2", passed_at="2026-11-01 08:03", tag_id="NOT-A-TAG"),
                         lane("T3", passed_at="2026-11-01 08:04", tag_id="NOT-A-TAG-EITHER")])
    assert rows(fraud.double_charge(ctx, CFG), "txn_id", "tag_id") == [("T2", "NOT-A-TAG")]


# ---- TAG_CLONE -------------------------------------------------------------------

def test_tag_clone_far_stations_minutes_apart_fires_with_the_evidence() -> None:
    ctx = context(stations=STATIONS, tags=[tag(TAG_A)],
                  lanes=[lane("T1", passed_at="2026-11-01 08:00"),
                         lane("T2", passed_at="2026-11-01 08:30", station_id="ST03",
                              amount_vnd=50_000),
                         lane("T3", passed_at="2026-11-01 09:00", station_id="ST03")])
    found = fraud.tag_clone(ctx, CFG)
    km = distance(STATIONS[0], FAR)
    assert rows(found, "txn_id", "station_id", "provider_id", "amount_at_risk_vnd") == [
        ("T2", "ST03", "VETC", 50_000)]  # T3 follows T2 at the same station: no clone
    text = detail(found)
    assert f"{round(km, 1)} km apart" in text and f"{round(km * 2, 1)} km/h over" in text
    assert "passed ST01" in text and "30.0 min later" in text and "150 km/h limit" in text


def test_tag_clone_near_or_unknown_stations_never_fire() -> None:
    assert 4.85 < distance(STATIONS[0], NEAR) < 4.95
    ctx = context(stations=STATIONS, lanes=[
        lane("T1", passed_at="2026-11-01 08:00"),
        lane("T2", passed_at="2026-11-01 08:01", station_id="ST02"),  # 294 km/h, but 4.9 km
        lane("T3", passed_at="2026-11-01 08:02", station_id="ST99")])  # not in the list
    assert rows(fraud.tag_clone(ctx, CFG)) == []


def test_tag_clone_exactly_at_the_speed_limit_does_not_fire() -> None:
    mid = station("ST04", lat=north(18.75))  # ≈ 150 km/h over 7 min 30 s
    stations = [station("ST01"), mid]
    exact = distance(stations[0], mid) * 8  # km per 0.125 h, as the rule divides it
    ctx = context(stations=stations, lanes=[
        lane("T1", passed_at="2026-11-01 08:00:00"),
        lane("T2", passed_at="2026-11-01 08:07:30", station_id="ST04")])
    assert rows(fraud.tag_clone(ctx, FraudSettings(clone_speed_kmh=exact))) == []
    just_under = FraudSettings(clone_speed_kmh=math.nextafter(exact, 0.0))
    assert rows(fraud.tag_clone(ctx, just_under), "txn_id") == [("T2",)]


def test_tag_clone_same_instant_at_two_stations_is_infinite_speed() -> None:
    ctx = context(stations=STATIONS, lanes=[
        lane("T1", passed_at="2026-11-01 08:00"),
        lane("T2", passed_at="2026-11-01 08:00", station_id="ST03"),
        lane("T3", passed_at="2026-11-01 09:00", tag_id=TAG_B),
        lane("T4", passed_at="2026-11-01 09:00", tag_id=TAG_B, station_id="ST02")])
    found = fraud.tag_clone(ctx, CFG)
    assert rows(found, *KEYS) == [("T2", 35_000)]  # TAG_B's stations are 4.9 km apart
    assert "an infinite speed" in detail(found)


# ---- the coarse pass of both rules keeps every tag that fires ----------------------

@functools.cache
def colliding_tags() -> tuple[str, str]:
    """Two tag ids of one coarse hash (`_tag`): found, since the hash is Polars'."""
    ids = pl.LazyFrame({"tag_id": [f"E2801160{i:016X}" for i in range(400_000)],
                        "payment_method": "ETC"})
    codes = velocity.tagged(ids).filter(pl.col("_tag").is_duplicated()).collect()
    first = codes.sort("_tag", "tag_id").row(0, named=True)
    twin = codes.filter(pl.col("_tag") == first["_tag"])["tag_id"]
    return twin[0], twin[1]


def test_tags_sharing_a_hash_are_told_apart_by_their_id() -> None:
    x, y = colliding_tags()
    ctx = context(stations=STATIONS, lanes=[
        lane("T1", passed_at="2026-11-01 08:00", tag_id=x),
        lane("T2", passed_at="2026-11-01 08:01", tag_id=y),
        lane("T3", passed_at="2026-11-01 08:02", tag_id=x),
        lane("T4", passed_at="2026-11-01 08:10", tag_id=y, station_id="ST02"),
        lane("T5", passed_at="2026-11-01 08:30", tag_id=x, station_id="ST03")])
    assert rows(fraud.double_charge(ctx, CFG), "txn_id", "tag_id") == [("T3", x)]
    # x: ST01 → ST03 in 28 min fires; the coarse steps T3 → T4 → T5 pass through y's ST02
    assert rows(fraud.tag_clone(ctx, CFG), "txn_id", "tag_id") == [("T5", x)]
    ctx = context(lanes=[lane("T1", passed_at="2026-11-01 08:00", tag_id=x),
                         lane("T2", passed_at="2026-11-01 08:02", tag_id=y)])
    assert rows(fraud.double_charge(ctx, CFG)) == []  # one hash, two tags: no pair


def test_double_charge_window_of_a_fraction_of_a_second() -> None:
    # 30.5 s apart, but 31 whole seconds apart: the coarse pass must not miss it
    ctx = context(lanes=[lane("T1", passed_at="2026-11-01 08:00:00.500"),
                         lane("T2", passed_at="2026-11-01 08:00:31")])
    found = fraud.double_charge(ctx, FraudSettings(double_charge_minutes=0.51))
    assert rows(found, "txn_id") == [("T2",)] and "30.5 s after T1" in detail(found)
    assert rows(fraud.double_charge(ctx, FraudSettings(double_charge_minutes=0.5))) == []


def test_tag_clone_sees_through_an_unlisted_station_in_the_same_second() -> None:
    # within one second the coarse pass orders by station code: the unlisted station
    # (its code between the other two) sits between T1 and T2 there
    codes = pl.LazyFrame({"station_id": [f"SX{i:02}" for i in range(30)]})
    names = codes.sort(velocity._station_code()).collect()["station_id"]
    first, unlisted, last = names[0], names[15], names[29]
    stations = [station(first), station(last, lat=21.03, lon=105.85)]
    ctx = context(stations=stations, lanes=[
        lane("T1", passed_at="2026-11-01 08:00:00.100", station_id=first),
        lane("T2", passed_at="2026-11-01 08:00:00.600", station_id=last),
        lane("T3", passed_at="2026-11-01 08:00:00.900", station_id=unlisted)])
    assert rows(fraud.tag_clone(ctx, CFG), "txn_id") == [("T2",)]


def every_tag(passages: pl.LazyFrame, *_: Any) -> pl.LazyFrame:
    """A coarse pass that keeps every tag: the rules then sort all passages."""
    return passages.select("_tag").drop_nulls().unique()


def test_rules_equal_a_sort_of_all_passages(monkeypatch: pytest.MonkeyPatch) -> None:
    x, y = colliding_tags()
    stations = [*STATIONS, station("ST04", lat=north(60)), station("ST05", lat=north(300))]
    cfgs = [CFG, FraudSettings(double_charge_minutes=0.51, clone_speed_kmh=20_000,
                               clone_min_distance_km=0)]
    found = 0
    for seed in range(8):
        rnd = random.Random(seed)
        start = at("2026-11-01 08:00")
        lanes = [lane(f"T{i:03}", tag_id=rnd.choice([x, y, TAG_A, TAG_B]),
                      station_id=rnd.choice(["ST01", "ST02", "ST03", "ST04", "ST05", "ST98"]),
                      passed_at=(start + timedelta(seconds=rnd.randrange(600) + rnd.choice(
                          [0, 0, 0.25, 0.5, 0.999]))).isoformat(),
                      override=rnd.choice([None, None, None, "VOID"]))
                 for i in range(80)]
        ctx = context(stations=stations, lanes=lanes)
        for cfg in cfgs:
            for rule in (fraud.double_charge, fraud.tag_clone):
                got = rows(rule(ctx, cfg))
                with monkeypatch.context() as m:
                    m.setattr(velocity, "_repeats", every_tag)
                    m.setattr(velocity, "_leaps", every_tag)
                    assert got == rows(rule(ctx, cfg)), (seed, cfg, rule.__name__)
                found += len(got)
    assert found > 100  # the comparison is not of empty results


# ---- CLASS_UNDERCHARGE -----------------------------------------------------------

def test_class_undercharge_at_risk_is_the_tariff_difference() -> None:
    ctx = context(tariffs=[tariff(), tariff(vehicle_class=2, amount_vnd=52_000)], lanes=[
        lane("T1", avc_class=2, charged_class=1, payment_method="CASH", tag_id=None,
             override="CLASS", staff_id="ST01-S01"),
        lane("T2", avc_class=3, charged_class=2, amount_vnd=52_000),  # no class-3 tariff
        lane("T3", avc_class=1, charged_class=2, amount_vnd=52_000),  # overcharge: not this
        lane("T4")])
    found = fraud.class_undercharge(ctx, CFG)
    assert rows(found, "txn_id", "staff_id", "amount_at_risk_vnd") == [
        ("T1", "ST01-S01", 17_000), ("T2", None, 0)]
    texts = dict(found.collect().select("txn_id", "detail").iter_rows())
    assert texts["T1"] == ("charged class 1 (35,000 VND) but the lane measured class 2 "
                           "(52,000 VND) at ST01 on 2026-11-01: 17,000 VND short")
    assert "class 3 (no tariff)" in texts["T2"] and "difference unknown" in texts["T2"]


# ---- EXEMPT_UNLISTED -------------------------------------------------------------

def exempt(txn_id: str, plate: str | None = "51H12345", **kw: Any) -> dict[str, Any]:
    return lane(txn_id, payment_method="EXEMPT", tag_id=None, plate=plate, amount_vnd=0, **kw)


@pytest.mark.parametrize(("valid_to", "fires"), [("2026-11-01", False), ("2026-10-31", True)])
def test_exempt_unlisted_valid_to_is_inclusive(valid_to: str, fires: bool) -> None:
    ctx = context(lanes=[exempt("T1")], exemptions=[exemption("51H12345", valid_to=valid_to)])
    expected = [("T1", "51H12345", 35_000)] if fires else []
    assert rows(fraud.exempt_unlisted(ctx, CFG), "txn_id", "plate", "amount_at_risk_vnd") == (
        expected)


def test_exempt_unlisted_not_yet_valid_and_unlisted_plates_fire() -> None:
    ctx = context(lanes=[exempt("T1"), exempt("T2", plate="29A99999"), exempt("T3", plate=None)],
                  exemptions=[exemption("51H12345", valid_from="2026-11-02")])
    found = fraud.exempt_unlisted(ctx, CFG)
    assert rows(found, "txn_id", "plate") == [("T1", "51H12345"), ("T2", "29A99999"),
                                              ("T3", None)]
    texts = dict(found.collect().select("txn_id", "detail").iter_rows())
    assert texts["T2"] == ("EXEMPT passage at ST01 with plate 29A99999, which is not on the "
                           "exemption list on 2026-11-01: 35,000 VND (class 1) not collected")
    assert "with no plate read" in texts["T3"]


def test_exempt_unlisted_compares_plates_normalised() -> None:
    ctx = context(lanes=[exempt("T1", plate="51h-123.45"), exempt("T2", plate="29A 999.99")],
                  exemptions=[exemption("51H 12345"), exemption("29A-99999")])
    assert rows(fraud.exempt_unlisted(ctx, CFG)) == []
    ctx = context(lanes=[exempt("T1", plate="51h-123.45")], exemptions=[exemption("51H 12346")])
    assert rows(fraud.exempt_unlisted(ctx, CFG), "txn_id", "plate") == [("T1", "51H12345")]


def test_exempt_unlisted_free_pass_by_staff() -> None:
    ctx = context(lanes=[lane("T1", payment_method="CASH", tag_id=None, override="FREE_PASS",
                              staff_id="ST01-S02", plate="30K55555"),
                         lane("T2", payment_method="CASH", tag_id=None)])
    found = fraud.exempt_unlisted(ctx, CFG)
    assert rows(found, "txn_id", "staff_id", "amount_at_risk_vnd") == [
        ("T1", "ST01-S02", 35_000)]
    assert detail(found).startswith("FREE_PASS by ST01-S02 passage at ST01 with plate 30K55555")


# ---- STAFF_OVERRIDE_OUTLIER -------------------------------------------------------

def overrides(staff: str, n: int, station_id: str = "ST01", kinds: tuple[str, ...] = ("CLASS",),
              day: str = "2026-11-01") -> list[dict[str, Any]]:
    return [lane(f"{staff}-{day}-{i}", station_id=station_id, staff_id=staff,
                 passed_at=f"{day} 09:00", payment_method="CASH", tag_id=None,
                 override=kinds[i % len(kinds)]) for i in range(n)]


@pytest.mark.parametrize(("n", "fires"), [(13, True), (12, False)])
def test_staff_outlier_median_of_an_even_number_of_staff(n: int, fires: bool) -> None:
    # counts 1, 2, 3, n: the median is 2.5 (not 2, not 3), 5 × 2.5 = 12.5
    lanes = overrides("S1", 1) + overrides("S2", 2) + overrides("S3", 3) + overrides(
        "S4", n, kinds=("CLASS", "VOID", "FREE_PASS"))
    found = fraud.staff_override_outlier(context(lanes=lanes), CFG)
    if not fires:
        assert rows(found) == []
        return
    assert rows(found, "staff_id", "business_date", "station_id", "txn_id",
                "amount_at_risk_vnd") == [("S4", date(2026, 11, 1), "ST01", None, 0)]
    assert detail(found) == (
        "S4 made 13 overrides at ST01 on 2026-11-01 (CLASS 5, VOID 4, FREE_PASS 4), at least "
        "10 and 5.2× the median 2.5 of the 4 staff with overrides there (limit 5×)")


def test_staff_outlier_none_when_everyone_overrides_a_lot() -> None:
    lanes = overrides("S1", 12) + overrides("S2", 15) + overrides("S3", 40)
    assert rows(fraud.staff_override_outlier(context(lanes=lanes), CFG)) == []


def test_staff_outlier_counts_per_station_and_day_and_only_its_overrides() -> None:
    lanes = (overrides("S1", 1) + overrides("S8", 1)
             + overrides("S2", 10, kinds=("MANUAL_ENTRY",))  # not an override counted
             + overrides("S3", 9)  # ≥ 5 × the median 1, but under 10
             + overrides("S4", 1, station_id="ST02") + overrides("S7", 1, station_id="ST02")
             + overrides("S5", 10, station_id="ST02")  # 10 ≥ 5 × median(1, 1, 10)
             + overrides("S5", 10, day="2026-11-02") + overrides("S6", 2, day="2026-11-02"))
    found = fraud.staff_override_outlier(context(lanes=lanes, stations=STATIONS), CFG)
    assert rows(found, "staff_id", "business_date", "station_id") == [
        ("S5", date(2026, 11, 1), "ST02")]  # on 2 Nov: 10 < 5 × median(10, 2) = 30


# ---- a generated sample against its truth ------------------------------------------

FRAUD = ("DOUBLE_CHARGE", "TAG_CLONE", "CLASS_UNDERCHARGE", "EXEMPT_UNLISTED",
         "STAFF_OVERRIDE_OUTLIER")


def sample_context(seed: int, days: int, passages: int) -> tuple[Context, pl.DataFrame]:
    """The Context of a generated sample, loaded as the loader would store it."""
    f = build(seed=seed, days=days, passages=passages)

    def plates(df: pl.DataFrame) -> pl.LazyFrame:
        return df.lazy().with_columns(normalise_plate(pl.col("plate")).alias("plate"),
                                      pl.col("plate").alias("plate_raw"))

    inputs = Inputs(
        lanes=plates(f.lanes).with_columns(pl.col("tag_id").str.to_uppercase(),
                                           local_date(pl.col("passed_at")).alias("business_date")),
        tags=plates(f.tags), settlements=f.settlements.lazy(), bank=f.bank.lazy(),
        stations=f.stations.lazy(), tariffs=f.tariffs.lazy(), exemptions=plates(f.exemptions))
    period = Period(f.start, f.start + timedelta(days=f.days - 1))
    return prepare(inputs, period, Settings()), f.truth


@pytest.mark.parametrize(("seed", "days", "passages"), [(7, 2, 3000), (11, 3, 2500)])
def test_fraud_rules_find_exactly_the_generated_truth(seed: int, days: int, passages: int) -> None:
    ctx, truth = sample_context(seed, days, passages)
    rules = pl.concat([getattr(fraud, code.lower())(ctx, CFG) for code in FRAUD])
    found = rules.collect(engine="in-memory")  # as the engine runs them (no pl.format panic)
    assert found.sort(found.columns).equals(rules.collect().sort(found.columns))
    found = found.filter(ctx.period.holds(pl.col("business_date")))
    key = pl.when(pl.col("code") == "STAFF_OVERRIDE_OUTLIER").then("staff_id").otherwise("txn_id")
    cols = [pl.col("code"), pl.col("business_date"), key.alias("key")]
    expected = truth.filter(pl.col("code").is_in(FRAUD)).select(cols)
    assert sorted(found.select(cols).rows()) == sorted(expected.rows())
    assert expected.group_by("code").len().height == len(FRAUD)  # every code was injected
    assert found["detail"].null_count() == 0 and found["amount_at_risk_vnd"].min() >= 0
