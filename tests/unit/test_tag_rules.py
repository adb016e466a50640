"""TAG rules on single passages (cards.rules) and PLATE_MULTI_TAG (cards.plates).

Each test builds the few passages and tag rows that matter (tests/literal.py:
every other column holds a plain valid value) and asserts the findings' keys,
money at risk and the values named in detail. The last test runs the rules on
a generated sample and compares them with the generator's truth.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from literal import DAY, TAG_A, TAG_B, TAG_C, context, lane, rows, tag

from cards import plates, quality, rules
from etc.context import Inputs, Period
from etc.generate import build
from etc.localtime import local_date
from etc.parse import normalise_plate
from etc.settings import Settings, TagSettings

CFG = TagSettings()
TAG_D = "E28011606000020000000004"


def test_malformed_only_for_etc_passages() -> None:
    ctx = context(lanes=[
        lane("T1", tag_id=None),
        lane("T2", tag_id="E2801160600002000000000Z"),
        lane("T3", tag_id=TAG_A.lower()),  # stored upper-case: well-formed
        lane("T4", tag_id="XYZ", payment_method="CASH"),
        lane("T5", tag_id=None, payment_method="EXEMPT", amount_vnd=0),
    ], tags=[tag(TAG_A)])
    found = rows(rules.tag_malformed(ctx, CFG), "txn_id", "tag_id", "amount_at_risk_vnd",
                 "business_date")
    assert found == [("T1", None, 0, DAY), ("T2", "E2801160600002000000000Z", 0, DAY)]
    details = dict(rows(rules.tag_malformed(ctx, CFG), "txn_id", "detail"))
    assert details == {"T1": "ETC passage has no tag_id",
                       "T2": "ETC passage's tag_id 'E2801160600002000000000Z' (24 characters) "
                             "is not 24 hexadecimal characters"}


def test_unknown_when_the_only_row_starts_after_the_passage() -> None:
    ctx = context(lanes=[
        lane("T1", tag_id=TAG_B, passed_at="2026-11-01 08:00", amount_vnd=52_000),
        lane("T2", tag_id=TAG_B, passed_at="2026-11-01 09:00"),  # row in force
        lane("T3", tag_id=TAG_C, payment_method="CASH"),          # not ETC
        lane("T4", tag_id=None),                                  # malformed, not unknown
    ], tags=[tag(TAG_B, valid_from="2026-11-01 09:00")])
    found = rows(rules.tag_unknown(ctx, CFG), "txn_id", "tag_id", "amount_at_risk_vnd", "detail")
    assert found == [("T1", TAG_B, 52_000,
                      f"tag {TAG_B} has no row in the tag list at or before 2026-11-01 08:00:00 "
                      "(local); 52,000 VND at risk")]


def test_not_active_when_let_through_but_not_when_void() -> None:
    ctx = context(lanes=[
        lane("T1", tag_id=TAG_A),
        lane("T2", tag_id=TAG_A, override="VOID", amount_vnd=0),
        lane("T3", tag_id=TAG_B, override="FREE_PASS", amount_vnd=0),
        lane("T4", tag_id=TAG_C),
        lane("T5", tag_id=TAG_A, payment_method="CASH"),
    ], tags=[tag(TAG_A, status="BLOCKED", provider_id="EPASS"), tag(TAG_B, status="LOST"),
             tag(TAG_C, status="EXPIRED", valid_from="2026-11-01 08:00:00.000001"),
             tag(TAG_C, status="ACTIVE", valid_from="2026-10-01 00:00")])
    found = rows(rules.tag_not_active(ctx, CFG), "txn_id", "provider_id", "amount_at_risk_vnd")
    assert found == [("T1", "EPASS", 35_000), ("T3", "VETC", 0)]
    (detail,), _ = rows(rules.tag_not_active(ctx, CFG), "detail")
    assert detail == (f"tag {TAG_A} was BLOCKED at 2026-11-01 08:00:00 (local) yet the passage "
                      "was let through with 35,000 VND charged")


def test_low_balance_money_is_the_passage_amount() -> None:
    ctx = context(lanes=[lane("T1", tag_id=TAG_A, amount_vnd=35_000), lane("T2", tag_id=TAG_B)],
                  tags=[tag(TAG_A, status="LOW_BALANCE", valid_from="2026-11-01 08:00"),
                        tag(TAG_A, status="ACTIVE", valid_from="2026-10-01 00:00"),
                        tag(TAG_B, status="ACTIVE")])
    found = rows(rules.tag_low_balance(ctx, CFG), "txn_id", "amount_at_risk_vnd", "detail")
    assert found == [("T1", 35_000, f"tag {TAG_A} was LOW_BALANCE at 2026-11-01 08:00:00 (local): "
                      "35,000 VND debited on credit")]


def test_class_mismatch_for_known_tags_only() -> None:
    ctx = context(lanes=[lane("T1", tag_id=TAG_A, avc_class=2), lane("T2", tag_id=TAG_B,
                                                                       avc_class=2),
                         lane("T3", tag_id=TAG_C, avc_class=1)],
                  tags=[tag(TAG_A, vehicle_class=1), tag(TAG_C, vehicle_class=1)])
    found = rows(rules.tag_class_mismatch(ctx, CFG), "txn_id", "amount_at_risk_vnd", "detail")
    assert found == [("T1", 0, f"the lane measured class 2 but tag {TAG_A} is registered for "
                      "class 1")]


def test_plate_mismatch_confidence_threshold_is_inclusive() -> None:
    ctx = context(lanes=[
        lane("T1", tag_id=TAG_A, plate="30A-999.99", plate_confidence=0.90),
        lane("T2", tag_id=TAG_A, plate="30A99999", plate_confidence=0.8999),
        lane("T3", tag_id=TAG_A, plate=None, plate_confidence=0.99),
        lane("T4", tag_id=TAG_A, plate="51h-123.45", plate_confidence=0.99),  # same, normalised
        lane("T5", tag_id=TAG_B, plate="30A99999", plate_confidence=0.99),    # unknown tag
    ], tags=[tag(TAG_A, plate="51H12345")])
    found = rows(rules.tag_plate_mismatch(ctx, CFG), "txn_id", "plate", "amount_at_risk_vnd",
                 "detail")
    assert found == [("T1", "30A99999", 0, f"ANPR read plate 30A99999 with confidence 0.9 "
                      f"(threshold 0.9) but tag {TAG_A} is registered to plate 51H12345")]
    stricter = rows(rules.tag_plate_mismatch(ctx, TagSettings(plate_confidence=0.95)), "txn_id")
    assert stricter == []


def multi(ctx_tags: list[dict[str, object]], last: date = DAY) -> list[tuple[object, ...]]:
    ctx = context(tags=ctx_tags, period=Period(DAY, last))
    return rows(plates.plate_multi_tag(ctx, CFG), "business_date", "plate", "tag_id",
                "provider_id", "amount_at_risk_vnd")


def test_plate_multi_tag_counts_the_state_at_the_end_of_the_day() -> None:
    tags = [tag(TAG_A, provider_id="VETC"),
            tag(TAG_B, provider_id="EPASS", status="LOW_BALANCE"),
            tag(TAG_B, provider_id="EPASS", status="BLOCKED", valid_from="2026-11-02 10:00")]
    assert multi(tags, date(2026, 11, 2)) == [(DAY, "51H12345", TAG_A, "VETC", 0)]
    ctx = context(tags=tags)
    (detail,), = rows(plates.plate_multi_tag(ctx, CFG), "detail")
    assert detail == ("at the end of 2026-11-01, 2 tags registered to plate 51H12345 are ACTIVE "
                      f"or LOW_BALANCE (2 or more is a finding): {TAG_A} (VETC, ACTIVE), "
                      f"{TAG_B} (EPASS, LOW_BALANCE)")


def test_plate_multi_tag_change_at_2359_counts_midnight_does_not() -> None:
    tags = [tag(TAG_A), tag(TAG_B, status="EXPIRED"),
            tag(TAG_B, status="ACTIVE", valid_from="2026-11-01 23:59"),
            tag(TAG_C, plate="30A11111"), tag(TAG_D, plate="30A11111", status="BLOCKED"),
            tag(TAG_D, plate="30A11111", status="ACTIVE", valid_from="2026-11-02 00:00")]
    assert multi(tags) == [(DAY, "51H12345", TAG_A, "VETC", 0)]
    assert multi(tags, date(2026, 11, 2)) == [
        (DAY, "51H12345", TAG_A, "VETC", 0),
        (date(2026, 11, 2), "30A11111", TAG_C, "VETC", 0),
        (date(2026, 11, 2), "51H12345", TAG_A, "VETC", 0)]


def test_plate_multi_tag_follows_the_plate_of_the_row_in_force() -> None:
    tags = [tag(TAG_A, plate="51H12345"), tag(TAG_B, plate="30A11111"),
            tag(TAG_B, plate="51H12345", valid_from="2026-11-01 12:00"),
            tag(TAG_C, plate="30A11111", status="BLOCKED")]
    assert multi(tags) == [(DAY, "51H12345", TAG_A, "VETC", 0)]


# ---- the generated sample against its truth --------------------------------------

TAG_RULES = (rules.tag_unknown, rules.tag_malformed, rules.tag_not_active,
             rules.tag_low_balance, plates.plate_multi_tag, rules.tag_class_mismatch,
             rules.tag_plate_mismatch, quality.tag_poor_read, quality.lane_read_degraded)
KEYS = {"TAG_POOR_READ": ("tag_id", "business_date"),
        "PLATE_MULTI_TAG": ("plate", "business_date"),
        "LANE_READ_DEGRADED": ("station_id", "lane_id", "business_date")}


def keyed(df: pl.DataFrame) -> set[tuple[object, ...]]:
    out: set[tuple[object, ...]] = set()
    for (code,), part in df.group_by("code"):
        cols = KEYS.get(str(code), ("txn_id",))
        out |= {(code, *r) for r in part.select(cols).unique().iter_rows()}
    return out


def test_tag_rules_find_exactly_the_generated_truth() -> None:
    from reconcile.prepare import prepare

    f = build(seed=7, days=2, passages=3000)
    up = pl.col("tag_id").str.to_uppercase()
    plate = normalise_plate(pl.col("plate"))
    inputs = Inputs(  # as the loader stores them: normalised plates, upper-case tags
        lanes=f.lanes.lazy().with_columns(
            up, plate, local_date(pl.col("passed_at")).alias("business_date")),
        tags=f.tags.lazy().with_columns(up, plate),
        settlements=f.settlements.lazy(), bank=f.bank.lazy(), stations=f.stations.lazy(),
        tariffs=f.tariffs.lazy(), exemptions=f.exemptions.lazy().with_columns(plate))
    period = Period(f.start, f.start + timedelta(days=f.days - 1))
    ctx = prepare(inputs, period, Settings())
    found = pl.concat([r(ctx, CFG) for r in TAG_RULES]).collect()
    found = found.filter(period.holds(pl.col("business_date")))
    codes = [r.__name__.upper() for r in TAG_RULES]
    truth = f.truth.filter(pl.col("code").is_in(codes))
    assert set(truth["code"]) == set(codes)  # every TAG code is exercised
    assert sorted(map(str, keyed(found) - keyed(truth))) == []
    assert sorted(map(str, keyed(truth) - keyed(found))) == []
    assert found.height == len(keyed(found))  # each identity once
