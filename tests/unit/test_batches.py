"""ledgers.batches: batch sums and which bank credit pays which batch.

Batches and credits are built straight from typed input frames (no engine run):
each test spells out the items of its batches and the bank entries.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from literal import entry, frame, item, station

from etc.outputs import MATCH_SCHEMA
from etc.settings import MoneySettings
from ledgers.batches import batches, credit_matches, match_credits, parts_of

B1 = "B-VETC-ST01-20261101"
B2 = "B-VETC-ST01-20261102"


def batch_frame(items: list[dict[str, Any]], stations: list[dict[str, Any]] | None = None
                ) -> pl.LazyFrame:
    return batches(parts_of(frame("settlements", items)),
                   frame("stations", stations or [station()]))


def matched(items: list[dict[str, Any]], bank: list[dict[str, Any]], days: int = 3
            ) -> list[tuple[str, str | None, str | None]]:
    """(entry_id, batch_id, match_method) of every credit, sorted by entry."""
    credits = match_credits(frame("bank", bank), batch_frame(items),
                            MoneySettings(bank_match_days=days))
    return sorted(credits.select("entry_id", "batch_id", "match_method").collect().rows())


def test_batch_sums_its_items_and_takes_the_station_account() -> None:
    got = batch_frame([
        item("S1", "T1", batch_id=B1, amount_vnd=35_000, fee_vnd=700),
        item("S2", "T2", batch_id=B1, amount_vnd=52_000, fee_vnd=1_040,
             settled_at="2026-11-01 23:30"),
        item("S3", "T3", batch_id=B2, station_id="ST09", settled_at="2026-11-02 00:10"),
    ]).collect().sort("batch_id")
    assert got.rows(named=True)[0] == {
        "batch_id": B1, "provider_id": "VETC", "station_id": "ST01", "account": "ACCT-ST01",
        "items": 2, "gross_vnd": 87_000, "fee_vnd": 1_740, "net_vnd": 85_260,
        "last_settled_at": datetime(2026, 11, 1, 16, 30, tzinfo=UTC),
        "business_date": date(2026, 11, 1),
    }
    # unknown station: no account; 00:10 local is already the next business date
    assert got.row(1, named=True)["account"] is None
    assert got.row(1, named=True)["business_date"] == date(2026, 11, 2)
    assert got.schema["items"] == pl.UInt32 and got.schema["net_vnd"] == pl.Int64


def test_mixed_batch_takes_the_most_frequent_provider_and_station_ties_smallest() -> None:
    got = batch_frame([
        item("S1", "T1", provider_id="VETC", station_id="ST02"),
        item("S2", "T2", provider_id="VETC", station_id="ST01"),
        item("S3", "T3", provider_id="EPASS", station_id="ST02"),
        item("S4", "T4", provider_id="EPASS", station_id="ST02"),
        item("S5", "T5", provider_id="VDTC", station_id="ST01"),
    ], [station("ST01"), station("ST02")]).collect()
    # providers: EPASS 2, VETC 2, VDTC 1 -> tie, smallest EPASS; stations: ST02 3, ST01 2
    assert got.select("provider_id", "station_id", "account").row(0) == (
        "EPASS", "ST02", "ACCT-ST02")


def test_reference_names_the_batch() -> None:
    assert matched([item("S1", "T1", batch_id=B1)],
                   [entry("E1", reference=B1, amount_vnd=1)]) == [("E1", B1, "REFERENCE")]


def test_batch_id_only_in_the_remittance_text() -> None:
    assert matched([item("S1", "T1", batch_id=B1)],
                   [entry("E1", remittance=f"VETC TT phi ETC lo {B1}.", amount_vnd=1)]
                   ) == [("E1", B1, "REMITTANCE")]


def test_batch_id_split_by_an_mt940_line_wrap() -> None:
    # the :86: lines are joined with a space: the id arrives as two words
    text = "VETC TT phi ETC lo B-VETC-ST01-2026 1101 ngay 02/11"
    assert matched([item("S1", "T1", batch_id=B1)],
                   [entry("E1", remittance=text, amount_vnd=1)]) == [("E1", B1, "REMITTANCE")]


def test_whole_word_wins_over_two_joined_words() -> None:
    # "B-1" is a word; "B-1" + "0" would be B-10: the whole word is taken
    assert matched([item("S1", "T1", batch_id="B-1"), item("S2", "T2", batch_id="B-10")],
                   [entry("E1", remittance="lo B-1 0 xe", amount_vnd=1)]
                   ) == [("E1", "B-1", "REMITTANCE")]


def test_text_naming_two_batches_names_none() -> None:
    assert matched([item("S1", "T1", batch_id=B1), item("S2", "T2", batch_id=B2)],
                   [entry("E1", remittance=f"{B1} {B2}", amount_vnd=1)]
                   ) == [("E1", None, None)]


def test_reference_naming_an_unknown_batch_matches_nothing() -> None:
    assert matched([item("S1", "T1", batch_id=B1)],
                   [entry("E1", reference="B-VETC-ST01-20991231", amount_vnd=1)]
                   ) == [("E1", None, None)]


def test_amount_alone_pays_the_one_unpaid_batch_of_that_net() -> None:
    items = [item("S1", "T1", batch_id=B1, amount_vnd=35_000, fee_vnd=700),
             item("S2", "T2", batch_id=B2, amount_vnd=34_300)]  # same net, but named
    bank = [entry("E1", amount_vnd=34_300, booking_date="2026-11-04"),
            entry("E2", reference=B2, amount_vnd=34_300)]
    assert matched(items, bank) == [("E1", B1, "AMOUNT"), ("E2", B2, "REFERENCE")]


def test_amount_match_respects_the_window_both_ways() -> None:
    items = [item("S1", "T1", batch_id=B1, settled_at="2026-11-01 20:00")]
    assert matched(items, [entry("E1", booking_date="2026-11-04")]) == [("E1", B1, "AMOUNT")]
    assert matched(items, [entry("E1", booking_date="2026-11-05")]) == [("E1", None, None)]
    assert matched(items, [entry("E1", booking_date="2026-10-29")]) == [("E1", B1, "AMOUNT")]
    assert matched(items, [entry("E1", booking_date="2026-11-02")], days=0) == [
        ("E1", None, None)]


def test_amount_match_needs_the_same_account() -> None:
    assert matched([item("S1", "T1")], [entry("E1", account="ACCT-OTHER")]) == [
        ("E1", None, None)]


def test_two_batches_with_the_same_net_are_never_guessed() -> None:
    items = [item("S1", "T1", batch_id=B1), item("S2", "T2", batch_id=B2)]
    assert matched(items, [entry("E1")]) == [("E1", None, None)]


def test_two_credits_competing_for_one_batch_match_neither() -> None:
    assert matched([item("S1", "T1", batch_id=B1)], [entry("E1"), entry("E2")]) == [
        ("E1", None, None), ("E2", None, None)]


def test_two_credits_naming_one_batch_both_pay_it() -> None:
    assert matched([item("S1", "T1", batch_id=B1)],
                   [entry("E1", reference=B1), entry("E2", remittance=f"lo {B1}")]) == [
        ("E1", B1, "REFERENCE"), ("E2", B1, "REMITTANCE")]


def test_debits_are_not_credits() -> None:
    assert matched([item("S1", "T1", batch_id=B1)],
                   [entry("E1", direction="DBIT", reference=B1)]) == []


def test_credit_matches_in_the_match_schema() -> None:
    credits = match_credits(frame("bank", [entry("E1", reference=B1), entry("E2", amount_vnd=9)]),
                            batch_frame([item("S1", "T1", batch_id=B1)]), MoneySettings())
    got = credit_matches(credits).collect()
    assert got.schema == pl.Schema(MATCH_SCHEMA)
    assert got.rows(named=True) == [{
        "stage": "BATCH_CREDIT", "business_date": date(2026, 11, 2), "txn_id": None,
        "settlement_id": None, "batch_id": B1, "account": "ACCT-ST01", "entry_id": "E1",
        "method": "REFERENCE", "rank": None, "provider_matches": None, "amount_vnd": 35_000,
    }]
