"""ledgers.settlement_rules: TARIFF_MISMATCH and the SETTLEMENT_* codes on literal
data, and on a generated sample against the generator's truth."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date
from typing import Any

import polars as pl
from generated import inputs_of, period_of
from literal import TAG_A, TAG_B, context, item, lane, rows, tag, tariff

from etc.codes import IDENTITY, Code
from etc.context import Context, Period
from etc.generate import build
from etc.settings import MoneySettings, Settings
from ledgers import settlement_rules as sr
from reconcile.prepare import prepare

RULES = {Code.TARIFF_MISMATCH: sr.tariff_mismatch,
         Code.SETTLEMENT_MISSING: sr.settlement_missing,
         Code.SETTLEMENT_AMOUNT_MISMATCH: sr.settlement_amount_mismatch,
         Code.SETTLEMENT_DUPLICATE: sr.settlement_duplicate,
         Code.SETTLEMENT_WRONG_PROVIDER: sr.settlement_wrong_provider,
         Code.SETTLEMENT_ORPHAN: sr.settlement_orphan,
         Code.SETTLEMENT_LATE: sr.settlement_late}
TAGS = [tag(TAG_A, provider_id="VETC"), tag(TAG_B, provider_id="EPASS")]


def fired(ctx: Context, cfg: MoneySettings | None = None) -> list[tuple[Any, ...]]:
    """(code, business_date, identity…, amount) of every finding of the seven rules."""
    found = pl.concat([rule(ctx, cfg or MoneySettings()) for rule in RULES.values()]).collect()
    out = []
    for r in found.iter_rows(named=True):
        ident = tuple(r[k] for k in IDENTITY[Code(r["code"])])
        out.append((r["code"], r["business_date"], *ident, r["amount_at_risk_vnd"]))
    return sorted(out, key=repr)


def detail(ctx: Context, code: Code) -> list[str]:
    return [d for (d,) in rows(RULES[code](ctx, MoneySettings()), "detail")]


def test_all_right_fires_nothing() -> None:
    ctx = context(lanes=[lane("T1")], tags=TAGS, settlements=[item("S1", "T1")])
    assert fired(ctx) == []


def test_tariff_on_its_last_day_and_the_next_on_its_first() -> None:
    tariffs = [tariff(amount_vnd=30_000, valid_to="2026-10-31"),
               tariff(amount_vnd=35_000, valid_from="2026-11-01")]
    ctx = context(
        Period(date(2026, 10, 31), date(2026, 11, 1)), tariffs=tariffs, tags=TAGS,
        lanes=[lane("OLD_OK", passed_at="2026-10-31 23:59", amount_vnd=30_000),
               lane("OLD_BAD", passed_at="2026-10-31 23:59", amount_vnd=35_000),
               lane("NEW_OK", passed_at="2026-11-01 00:00", amount_vnd=35_000),
               lane("NEW_BAD", passed_at="2026-11-01 00:00", amount_vnd=30_000)],
        settlements=[item(f"S{t}", t, amount_vnd=a) for t, a in [
            ("OLD_OK", 30_000), ("OLD_BAD", 35_000), ("NEW_OK", 35_000), ("NEW_BAD", 30_000)]])
    assert fired(ctx) == [("TARIFF_MISMATCH", date(2026, 10, 31), "OLD_BAD", 5_000),
                          ("TARIFF_MISMATCH", date(2026, 11, 1), "NEW_BAD", 5_000)]
    assert sorted(detail(ctx, Code.TARIFF_MISMATCH)) == [
        "charged 30,000 VND but the tariff of ST01 class 1 on 2026-11-01 is 35,000 VND",
        "charged 35,000 VND but the tariff of ST01 class 1 on 2026-10-31 is 30,000 VND"]


def test_tariff_mismatch_on_cash_and_without_tariff_but_not_on_free_passages() -> None:
    ctx = context(
        tags=TAGS, settlements=[item("S1", "NOTARIFF", amount_vnd=50_000)],
        lanes=[lane("CASH", payment_method="CASH", tag_id=None, amount_vnd=40_000),
               lane("NOTARIFF", charged_class=2, avc_class=2, amount_vnd=50_000),
               lane("VOID", override="VOID", amount_vnd=0),
               lane("FREE", override="FREE_PASS", amount_vnd=0),
               lane("EXEMPT", payment_method="EXEMPT", amount_vnd=0)])
    assert fired(ctx) == [("TARIFF_MISMATCH", date(2026, 11, 1), "CASH", 5_000),
                          ("TARIFF_MISMATCH", date(2026, 11, 1), "NOTARIFF", 50_000)]
    assert "charged 50,000 VND but no tariff of ST01 class 2 holds on 2026-11-01" in detail(
        ctx, Code.TARIFF_MISMATCH)


def test_missing_only_for_charged_etc_passages() -> None:
    ctx = context(tags=TAGS, lanes=[
        lane("ETC"), lane("CASH", payment_method="CASH"),
        lane("VOID", override="VOID", amount_vnd=0), lane("FREE", override="FREE_PASS",
                                                          amount_vnd=0),
        lane("EXEMPT", payment_method="EXEMPT", amount_vnd=0),
        lane("CLASS", override="CLASS")])
    assert fired(ctx) == [("SETTLEMENT_MISSING", date(2026, 11, 1), "CLASS", 35_000),
                          ("SETTLEMENT_MISSING", date(2026, 11, 1), "ETC", 35_000)]
    found = sr.settlement_missing(ctx, MoneySettings()).collect()
    assert set(found["provider_id"]) == {"VETC"} and set(found["lane_id"]) == {"L01"}
    assert detail(ctx, Code.SETTLEMENT_MISSING)[0] == (
        "no settlement item pays the charged ETC passage of 35,000 VND on 2026-11-01")


def test_second_item_from_the_other_provider_is_duplicate_and_wrong_provider() -> None:
    ctx = context(tags=TAGS, lanes=[lane("T1")], settlements=[
        item("S1", "T1", settled_at="2026-11-01 20:00"),
        item("S2", "T1", provider_id="EPASS", settled_at="2026-11-01 21:00",
             batch_id="B-EPASS")])
    assert fired(ctx) == [("SETTLEMENT_DUPLICATE", date(2026, 11, 1), "S2", 35_000),
                          ("SETTLEMENT_WRONG_PROVIDER", date(2026, 11, 1), "S2", 35_000)]
    wrong = sr.settlement_wrong_provider(ctx, MoneySettings()).collect().row(0, named=True)
    assert (wrong["txn_id"], wrong["batch_id"], wrong["provider_id"], wrong["tag_id"],
            wrong["station_id"], wrong["lane_id"], wrong["plate"]) == (
        "T1", "B-EPASS", "EPASS", TAG_A, "ST01", "L01", "51H12345")
    assert detail(ctx, Code.SETTLEMENT_DUPLICATE) == [
        "item S2 of EPASS pays 35,000 VND for passage T1, already settled by item S1"]
    assert detail(ctx, Code.SETTLEMENT_WRONG_PROVIDER) == [
        f"item S2 of 35,000 VND was settled by EPASS but tag {TAG_A} of passage T1 was "
        "issued by VETC"]


def test_wrong_provider_also_for_a_first_item_and_never_for_an_unknown_tag() -> None:
    ctx = context(tags=TAGS, lanes=[lane("T1", tag_id=TAG_B), lane("T2", tag_id=None)],
                  settlements=[item("S1", "T1"), item("S2", "T2")])
    assert fired(ctx) == [("SETTLEMENT_WRONG_PROVIDER", date(2026, 11, 1), "S1", 35_000)]


def test_equal_settled_at_first_item_is_the_lower_settlement_id() -> None:
    ctx = context(tags=TAGS, lanes=[lane("T1")], settlements=[
        item("S2", "T1", amount_vnd=30_000), item("S1", "T1")])
    # S1 (right amount) is first: no AMOUNT_MISMATCH; S2 is the duplicate
    assert fired(ctx) == [("SETTLEMENT_DUPLICATE", date(2026, 11, 1), "S2", 30_000)]


def test_amount_mismatch_of_the_first_item_only() -> None:
    ctx = context(tags=TAGS, lanes=[lane("T1"), lane("T2")], settlements=[
        item("S1", "T1", amount_vnd=36_000),
        item("S2", "T2"), item("S3", "T2", amount_vnd=1_000, settled_at="2026-11-01 21:00")])
    assert fired(ctx) == [("SETTLEMENT_AMOUNT_MISMATCH", date(2026, 11, 1), "T1", 1_000),
                          ("SETTLEMENT_DUPLICATE", date(2026, 11, 1), "S3", 1_000)]
    assert detail(ctx, Code.SETTLEMENT_AMOUNT_MISMATCH) == [
        "first item S1 of VETC pays 36,000 VND but the passage was charged 35,000 VND"]


def test_negative_reversal_items() -> None:
    ctx = context(tags=TAGS, lanes=[lane("T1"), lane("T2")], settlements=[
        item("S1", "T1"), item("S2", "T1", amount_vnd=-35_000, settled_at="2026-11-01 21:00"),
        item("S3", "T2", amount_vnd=-35_000)])
    assert fired(ctx) == [("SETTLEMENT_AMOUNT_MISMATCH", date(2026, 11, 1), "T2", 70_000),
                          ("SETTLEMENT_DUPLICATE", date(2026, 11, 1), "S2", -35_000)]


def test_late_exactly_at_the_deadline_and_not_a_microsecond_before() -> None:
    ctx = context(tags=TAGS, lanes=[lane("AT"), lane("BEFORE"), lane("SECOND")], settlements=[
        item("S1", "AT", settled_at="2026-11-03 00:00"),
        item("S2", "BEFORE", settled_at="2026-11-02 23:59:59.999999"),
        item("S3", "SECOND", settled_at="2026-11-01 22:00"),
        item("S4", "SECOND", settled_at="2026-11-05 00:00")])
    assert fired(ctx) == [("SETTLEMENT_DUPLICATE", date(2026, 11, 1), "S4", 35_000),
                          ("SETTLEMENT_LATE", date(2026, 11, 1), "AT", 0)]
    assert detail(ctx, Code.SETTLEMENT_LATE) == [
        "first item S1 was settled at 2026-11-03 00:00:00 local, not before the deadline "
        "2026-11-03 00:00 local (business date 2026-11-01 + 1 day(s))"]
    same_day = fired(ctx, MoneySettings(late_after_days=0))
    assert [f for f in same_day if f[0] == "SETTLEMENT_LATE"] == [
        ("SETTLEMENT_LATE", date(2026, 11, 1), "AT", 0),
        ("SETTLEMENT_LATE", date(2026, 11, 1), "BEFORE", 0)]


def test_item_for_a_void_passage_is_orphan_only() -> None:
    ctx = context(tags=TAGS, lanes=[lane("T1", override="VOID", amount_vnd=0)],
                  settlements=[item("S1", "T1")])
    assert fired(ctx) == [("SETTLEMENT_ORPHAN", date(2026, 11, 1), "S1", 35_000)]
    assert detail(ctx, Code.SETTLEMENT_ORPHAN) == [
        "item S1 of VETC pays 35,000 VND for passage T1, which was VOID"]


def test_item_for_an_unknown_txn_is_orphan_on_the_local_settlement_date() -> None:
    ctx = context(Period(date(2026, 11, 1), date(2026, 11, 2)), tags=TAGS, settlements=[
        item("S1", "GHOST1", settled_at="2026-11-01 23:30"),
        item("S2", "GHOST2", settled_at="2026-11-01T17:30:00+00:00", amount_vnd=-5_000)])
    assert fired(ctx) == [("SETTLEMENT_ORPHAN", date(2026, 11, 1), "S1", 35_000),
                          ("SETTLEMENT_ORPHAN", date(2026, 11, 2), "S2", -5_000)]
    assert "item S1 of VETC pays 35,000 VND for txn_id GHOST1, which no loaded passage has" in (
        detail(ctx, Code.SETTLEMENT_ORPHAN))


def test_an_item_for_a_passage_that_owes_nothing_but_is_not_void_fires_nothing() -> None:
    ctx = context(tags=TAGS, settlements=[item("S1", "CASH"), item("S2", "FREE"),
                                          item("S3", "EXEMPT")],
                  lanes=[lane("CASH", payment_method="CASH", tag_id=None),
                         lane("FREE", override="FREE_PASS", amount_vnd=0),
                         lane("EXEMPT", payment_method="EXEMPT", amount_vnd=0)])
    assert fired(ctx) == []


def test_items_in_several_chunks_after_a_filter() -> None:
    """polars 2.1's pl.format panics on such a frame; the rules' text must not."""
    ctx = context(tags=TAGS, lanes=[lane(f"T{i}") for i in range(6)], settlements=[
        item(f"S{i}", f"T{i % 4}", provider_id="EPASS" if i % 3 else "VETC",
             amount_vnd=35_000 + 1_000 * (i % 2)) for i in range(15)])
    df = ctx.items.collect().rechunk()
    chunked = df.slice(0, 6)
    for start, n in [(6, 3), (9, 2), (11, 4)]:
        chunked = chunked.vstack(df.slice(start, n))
    assert chunked.n_chunks() == 4
    assert fired(replace(ctx, items=chunked.lazy())) == fired(ctx)
    assert Counter(f[0] for f in fired(ctx)) == {
        "SETTLEMENT_MISSING": 2, "SETTLEMENT_AMOUNT_MISMATCH": 2, "SETTLEMENT_DUPLICATE": 11,
        "SETTLEMENT_WRONG_PROVIDER": 10}


def test_say_is_format_with_nulls() -> None:
    out = pl.select(sr.say("a {} b {}", pl.lit(1), pl.lit("x")).alias("t"),
                    sr.say("{}!", pl.lit(None, pl.String)).alias("n"))
    assert out.row(0) == ("a 1 b x", None)


CODES = [c.value for c in RULES]


def test_generated_sample_equals_the_truth() -> None:
    f = build(seed=7, days=2, passages=3000)
    period = period_of(f)
    ctx = prepare(inputs_of(f), period, Settings())
    found = pl.concat([rule(ctx, MoneySettings()) for rule in RULES.values()]).collect()
    found = found.filter(period.holds(pl.col("business_date")))
    truth = f.truth.filter(pl.col("code").is_in(CODES) & period.holds(pl.col("business_date")))

    def keyed(df: pl.DataFrame) -> set[tuple[Any, ...]]:
        return {(r["code"], r["business_date"], r["txn_id"] if IDENTITY[Code(r["code"])] ==
                 ("txn_id",) else r["settlement_id"]) for r in df.iter_rows(named=True)}

    assert set(truth["code"]) == set(CODES)
    assert found.height == truth.height
    assert sorted(keyed(found) ^ keyed(truth), key=repr) == []
