"""ledgers.tariffs: `charged`, and the tariff of each passage's station, class and date."""

from __future__ import annotations

from datetime import date

import polars as pl
from literal import frame, lane, tariff

from ledgers.tariffs import price, tariff_by_date


def priced(lanes: list[dict[str, object]], tariffs: list[dict[str, object]]) -> dict[str, tuple]:
    df = price(frame("lanes", lanes), frame("tariffs", tariffs)).collect()
    assert df.height == len(lanes)
    return {r[0]: r[1:] for r in
            df.select("txn_id", "charged", "tariff_vnd", "avc_tariff_vnd").rows()}


def test_charged_follows_override_and_payment_method() -> None:
    got = priced(
        [lane("T1"), lane("T2", override="VOID"), lane("T3", override="FREE_PASS"),
         lane("T4", payment_method="EXEMPT"), lane("T5", payment_method="CASH"),
         lane("T6", override="CLASS"), lane("T7", override="MANUAL_ENTRY"),
         lane("T8", override="VOID", payment_method="CASH")],
        [tariff()])
    assert {t: v[0] for t, v in got.items()} == {
        "T1": True, "T2": False, "T3": False, "T4": False, "T5": True, "T6": True,
        "T7": True, "T8": False}


def test_valid_to_is_inclusive_and_the_next_tariff_starts_the_day_after() -> None:
    tariffs = [tariff(amount_vnd=30_000, valid_from="2026-01-01", valid_to="2026-10-31"),
               tariff(amount_vnd=35_000, valid_from="2026-11-01", valid_to=None)]
    got = priced([lane("LAST", passed_at="2026-10-31 23:59:59"),
                  lane("FIRST", passed_at="2026-11-01 00:00"),
                  # 2026-10-31T17:30Z is 00:30 local on 2026-11-01: the new tariff
                  lane("UTC", passed_at="2026-10-31T17:30:00+00:00")], tariffs)
    assert got == {"LAST": (True, 30_000, 30_000), "FIRST": (True, 35_000, 35_000),
                   "UTC": (True, 35_000, 35_000)}


def test_charged_and_measured_class_priced_separately_and_null_without_tariff() -> None:
    tariffs = [tariff(vehicle_class=1, amount_vnd=35_000), tariff(vehicle_class=2,
                                                                  amount_vnd=50_000),
               tariff(station_id="ST02", vehicle_class=1, amount_vnd=20_000,
                      valid_from="2026-11-02")]
    got = priced([lane("T1", charged_class=1, avc_class=2),
                  lane("T2", charged_class=3, avc_class=1),
                  lane("T3", station_id="ST02"),
                  lane("T4", station_id="ST02", passed_at="2026-11-02 07:00")], tariffs)
    assert got == {"T1": (True, 35_000, 50_000), "T2": (True, None, 35_000),
                   "T3": (True, None, None), "T4": (True, 20_000, 20_000)}


def test_overlapping_tariffs_take_the_latest_valid_from() -> None:
    tariffs = [tariff(amount_vnd=30_000, valid_from="2026-01-01", valid_to=None),
               tariff(amount_vnd=40_000, valid_from="2026-10-15", valid_to="2026-11-01")]
    got = priced([lane("T1", passed_at="2026-11-01 12:00"),
                  lane("T2", passed_at="2026-11-02 12:00")], tariffs)
    assert got == {"T1": (True, 40_000, 40_000), "T2": (True, 30_000, 30_000)}


def test_tariffs_expand_only_over_the_dates_present() -> None:
    dates = pl.LazyFrame({"business_date": [date(2026, 11, 1)] * 3 + [date(2026, 11, 3)]})
    out = tariff_by_date(frame("tariffs", [tariff(), tariff(vehicle_class=2,
                                                            amount_vnd=50_000)]), dates)
    assert sorted(out.collect().rows()) == [
        ("ST01", 1, date(2026, 11, 1), 35_000), ("ST01", 1, date(2026, 11, 3), 35_000),
        ("ST01", 2, date(2026, 11, 1), 50_000), ("ST01", 2, date(2026, 11, 3), 50_000)]


def test_every_passage_once_with_its_columns() -> None:
    lanes = [lane(f"T{i}", charged_class=1 + i % 2) for i in range(6)]
    df = price(frame("lanes", lanes), frame("tariffs", [tariff()])).collect()
    assert sorted(df.select("txn_id", "tariff_vnd").rows()) == [
        (f"T{i}", 35_000 if i % 2 == 0 else None) for i in range(6)]
    assert df.columns[:-3] == frame("lanes", lanes).collect_schema().names()
    assert df.columns[-3:] == ["charged", "tariff_vnd", "avc_tariff_vnd"]
    assert df.schema["tariff_vnd"] == pl.Int64 and df.schema["charged"] == pl.Boolean
