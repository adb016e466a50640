"""BATCH_UNPAID, BATCH_AMOUNT_MISMATCH and BANK_UNMATCHED_CREDIT on literal inputs,
and against the generator's truth on a small sample."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import polars as pl
from literal import context, entry, inputs, item, lane, rows

from etc.context import Context, Period
from etc.generate import build
from etc.settings import MoneySettings, Settings
from ledgers.bank_rules import bank_unmatched_credit, batch_amount_mismatch, batch_unpaid
from reconcile.prepare import prepare

B1 = "B-VETC-ST01-20261101"
B2 = "B-EPASS-ST01-20261101"
CFG = MoneySettings()
RULES = (batch_unpaid, batch_amount_mismatch, bank_unmatched_credit)


def findings(ctx: Context, cfg: MoneySettings = CFG) -> pl.DataFrame:
    return pl.concat([rule(ctx, cfg) for rule in RULES]).collect()


def keys(ctx: Context) -> list[tuple[Any, ...]]:
    """(code, business_date, batch_id, entry_id, amount at risk) of every finding."""
    return rows(pl.concat([rule(ctx, CFG) for rule in RULES]),
                "code", "business_date", "batch_id", "entry_id", "amount_at_risk_vnd")


def one_batch(batch_id: str = B1, **kw: Any) -> dict[str, list[dict[str, Any]]]:
    """A passage T1 of 35,000 VND settled in `batch_id`."""
    return dict(lanes=[lane("T1")], settlements=[item("S1", "T1", batch_id=batch_id, **kw)])


def test_batch_paid_by_amount_only_is_no_finding() -> None:
    ctx = context(**one_batch(), bank=[entry("E1", remittance="chuyen tien thu phi")])
    assert keys(ctx) == []


def test_two_unpaid_batches_with_the_same_net_are_not_guessed() -> None:
    ctx = context(
        lanes=[lane("T1"), lane("T2")],
        settlements=[item("S1", "T1", batch_id=B1),
                     item("S2", "T2", batch_id=B2, provider_id="EPASS")],
        bank=[entry("E1", amount_vnd=35_000)],
    )
    assert keys(ctx) == [
        ("BANK_UNMATCHED_CREDIT", date(2026, 11, 2), None, "E1", 35_000),
        ("BATCH_UNPAID", date(2026, 11, 1), B2, None, 35_000),
        ("BATCH_UNPAID", date(2026, 11, 1), B1, None, 35_000),
    ]


def test_amount_match_outside_the_window_is_no_match() -> None:
    ctx = context(**one_batch(), bank=[entry("E1", booking_date="2026-11-05")])
    found = findings(ctx)
    assert sorted(found.select("code", "batch_id", "entry_id").rows(), key=repr) == [
        ("BANK_UNMATCHED_CREDIT", None, "E1"), ("BATCH_UNPAID", B1, None)]
    unpaid = found.filter(pl.col("code") == "BATCH_UNPAID").row(0, named=True)
    assert unpaid["provider_id"] == "VETC" and unpaid["station_id"] == "ST01"
    assert unpaid["detail"] == (
        f"batch {B1} (1 items, net 35,000 VND, last item 2026-11-01) has no credit on account "
        "ACCT-ST01 by reference, remittance text or amount within 3 days of its last item")
    lone = found.filter(pl.col("code") == "BANK_UNMATCHED_CREDIT").row(0, named=True)
    assert lone["business_date"] == date(2026, 11, 5)
    assert "35,000 VND on account ACCT-ST01 booked 2026-11-05" in lone["detail"]
    assert "within 3 days" in lone["detail"]


def test_batch_id_only_in_the_remittance_text() -> None:
    ctx = context(**one_batch(), bank=[entry("E1", amount_vnd=35_000,
                                            remittance=f"VETC TT phi ETC lo {B1}")])
    assert keys(ctx) == []


def test_batch_id_split_by_an_mt940_wrap_in_the_remittance() -> None:
    ctx = context(**one_batch(), bank=[
        entry("E1", amount_vnd=35_000, booking_date="2026-11-09",  # outside the amount window
              remittance="VETC TT phi ETC lo B-VETC-ST01-202611 01")])
    assert keys(ctx) == []


def test_reference_naming_an_unknown_batch_is_an_unmatched_credit() -> None:
    ctx = context(**one_batch(), bank=[entry("E1", reference="B-VETC-ST01-20991231",
                                            amount_vnd=12_345)])
    assert keys(ctx) == [("BANK_UNMATCHED_CREDIT", date(2026, 11, 2), None, "E1", 12_345),
                         ("BATCH_UNPAID", date(2026, 11, 1), B1, None, 35_000)]
    detail = findings(ctx).filter(pl.col("code") == "BANK_UNMATCHED_CREDIT")["detail"][0]
    assert "(reference B-VETC-ST01-20991231)" in detail and "12,345 VND" in detail


def test_debit_entry_is_ignored() -> None:
    ctx = context(**one_batch(), bank=[entry("E1", reference=B1),
                                       entry("D1", direction="DBIT", amount_vnd=22_000)])
    assert keys(ctx) == []


def test_batch_amount_mismatch_when_the_fee_was_not_kept_back() -> None:
    ctx = context(**one_batch(fee_vnd=700), bank=[entry("E1", reference=B1, amount_vnd=35_000)])
    assert keys(ctx) == [("BATCH_AMOUNT_MISMATCH", date(2026, 11, 1), B1, "E1", 700)]
    assert findings(ctx)["detail"][0] == (
        f"batch {B1} was credited 35,000 VND in 1 credit(s) matched by REFERENCE but its net "
        "is 34,300 VND (gross 35,000 − fee 700 VND), a difference of 700 VND")


def test_two_credits_for_one_batch_are_compared_by_their_sum() -> None:
    paid_in_two = context(**one_batch(), bank=[entry("E1", reference=B1, amount_vnd=20_000),
                                               entry("E2", reference=B1, amount_vnd=15_000)])
    assert keys(paid_in_two) == []
    paid_twice = context(**one_batch(), bank=[entry("E1", reference=B1),
                                              entry("E2", reference=B1)])
    assert keys(paid_twice) == [("BATCH_AMOUNT_MISMATCH", date(2026, 11, 1), B1, None, 35_000)]


def test_window_is_a_setting_of_the_matching() -> None:
    # the engine matches credits once (prepare, with settings.money); the rules compare
    late = dict(bank=[entry("E1", booking_date="2026-11-05")], **one_batch())
    wide = Settings(money=MoneySettings(bank_match_days=4))
    assert keys(context(settings=wide, **late)) == []
    assert rows(batch_unpaid(context(**late), CFG), "batch_id") == [(B1,)]


BANK_CODES = ("BATCH_UNPAID", "BATCH_AMOUNT_MISMATCH", "BANK_UNMATCHED_CREDIT")


def test_generated_sample_equals_its_truth() -> None:
    f = build(seed=7, days=2, passages=3000)
    period = Period(f.start, f.start + timedelta(days=f.days - 1))
    # the generator's settlements, bank and stations follow etc.schemas; lanes and
    # tags stay empty (the bank rules read batches and credits only)
    sample = replace(inputs(), settlements=f.settlements.lazy(), bank=f.bank.lazy(),
                     stations=f.stations.lazy())
    ctx = prepare(sample, period, Settings())
    found = findings(ctx).filter(period.holds(pl.col("business_date")))
    got = {(r["code"], r["business_date"], r["batch_id"] or r["entry_id"])
           for r in found.iter_rows(named=True)}
    truth = f.truth.filter(pl.col("code").is_in(BANK_CODES))
    want = {(r["code"], r["business_date"], r["batch_id"] or r["entry_id"])
            for r in truth.iter_rows(named=True)}
    assert len(want) == 12
    assert got == want


def test_the_same_entry_id_unmatched_on_two_accounts_is_reported_once_per_account() -> None:
    from literal import context, entry, station

    ctx = context(stations=[station("ST01"), station("ST02")], bank=[
        entry("FT1", account="ACCT-ST01", amount_vnd=11_000),
        entry("FT1", account="ACCT-ST02", amount_vnd=12_000),
        entry("FT2", account="ACCT-ST02", amount_vnd=13_000)])
    from etc.settings import MoneySettings
    from ledgers.bank_rules import bank_unmatched_credit

    got = bank_unmatched_credit(ctx, MoneySettings()).collect()
    assert sorted(got.select("entry_id", "amount_at_risk_vnd").rows()) == [
        ("ACCT-ST01/FT1", 11_000), ("ACCT-ST02/FT1", 12_000), ("FT2", 13_000)]
