"""ledgers.dispositions: exactly one disposition per passage of the period."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime

import polars as pl
from literal import TAG_A, TAG_B, context, item, lane, tag

from etc.context import Period
from etc.outputs import DISPOSITION_SCHEMA, Disposition
from etc.settings import MoneySettings
from ledgers.dispositions import dispositions

TAGS = [tag(TAG_A, provider_id="VETC"), tag(TAG_B, provider_id="EPASS")]
LANES = [
    lane("VOID_ETC", override="VOID", amount_vnd=0),
    lane("VOID_CASH", override="VOID", payment_method="CASH", amount_vnd=0),
    lane("FREE", override="FREE_PASS", amount_vnd=0),
    lane("FREE_EXEMPT", override="FREE_PASS", payment_method="EXEMPT", amount_vnd=0),
    lane("EXEMPT", payment_method="EXEMPT", amount_vnd=0),
    lane("CASH", payment_method="CASH", tag_id=None),
    lane("CASH_SETTLED", payment_method="CASH"),
    lane("UNSETTLED"),
    lane("DIFFERS"),
    lane("DIFFERS_TWICE"),
    lane("TWICE"),
    lane("TWICE_LATE"),
    lane("LATE"),
    lane("SETTLED"),
    lane("SETTLED_CLASS", override="CLASS", charged_class=2, amount_vnd=52_000),
    lane("OTHER_DAY", passed_at="2026-11-02 08:00"),
]
ITEMS = [
    item("S01", "VOID_ETC"),
    item("S02", "CASH_SETTLED"),
    item("S03", "DIFFERS", amount_vnd=30_000),
    item("S04", "DIFFERS_TWICE", amount_vnd=30_000),
    item("S05", "DIFFERS_TWICE", amount_vnd=5_000, settled_at="2026-11-01 21:00"),
    item("S06", "TWICE"),
    item("S07", "TWICE", amount_vnd=-35_000, settled_at="2026-11-02 09:00"),
    item("S08", "TWICE_LATE", settled_at="2026-11-03 00:00"),
    item("S09", "TWICE_LATE", settled_at="2026-11-03 00:00"),
    item("S10", "LATE", settled_at="2026-11-03 00:00"),
    item("S11", "SETTLED", settled_at="2026-11-02 23:59:59.999999"),
    item("S12", "SETTLED_CLASS", amount_vnd=52_000),
    item("S13", "GHOST"),
    item("S14", "OTHER_DAY"),
]
EXPECTED = {
    "VOID_ETC": "VOID", "VOID_CASH": "VOID", "FREE": "FREE_PASS", "FREE_EXEMPT": "FREE_PASS",
    "EXEMPT": "EXEMPT", "CASH": "CASH", "CASH_SETTLED": "CASH", "UNSETTLED": "UNSETTLED",
    "DIFFERS": "AMOUNT_DIFFERS", "DIFFERS_TWICE": "AMOUNT_DIFFERS", "TWICE": "SETTLED_TWICE",
    "TWICE_LATE": "SETTLED_TWICE", "LATE": "SETTLED_LATE", "SETTLED": "SETTLED",
    "SETTLED_CLASS": "SETTLED"}


def table(cfg: MoneySettings | None = None) -> pl.DataFrame:
    ctx = context(tags=TAGS, lanes=LANES, settlements=ITEMS)
    return dispositions(ctx, cfg or MoneySettings()).collect().sort("txn_id")


def test_one_disposition_per_passage_of_the_period() -> None:
    df = table()
    assert df.schema == pl.Schema(DISPOSITION_SCHEMA)
    assert dict(df.select("txn_id", "disposition").rows()) == EXPECTED
    counts = Counter(df["disposition"])
    assert sum(counts.values()) == len(LANES) - 1  # OTHER_DAY is outside the period
    assert set(counts) == set(Disposition)


def test_amounts_and_flags() -> None:
    got = {r[0]: r[1:] for r in table().select(
        "txn_id", "charged_vnd", "items", "settled_vnd", "first_settlement_id", "late",
        "amount_diff_vnd").rows()}
    assert got == {
        "VOID_ETC": (0, 1, 35_000, "S01", False, 35_000),
        "VOID_CASH": (0, 0, 0, None, False, None),
        "FREE": (0, 0, 0, None, False, None),
        "FREE_EXEMPT": (0, 0, 0, None, False, None),
        "EXEMPT": (0, 0, 0, None, False, None),
        "CASH": (35_000, 0, 0, None, False, None),
        "CASH_SETTLED": (35_000, 1, 35_000, "S02", False, 0),
        "UNSETTLED": (35_000, 0, 0, None, False, None),
        "DIFFERS": (35_000, 1, 30_000, "S03", False, -5_000),
        "DIFFERS_TWICE": (35_000, 2, 35_000, "S04", False, -5_000),
        "TWICE": (35_000, 2, 0, "S06", False, 0),
        "TWICE_LATE": (35_000, 2, 70_000, "S08", True, 0),
        "LATE": (35_000, 1, 35_000, "S10", True, 0),
        "SETTLED": (35_000, 1, 35_000, "S11", False, 0),
        "SETTLED_CLASS": (52_000, 1, 52_000, "S12", False, 0),
    }


def test_keys_and_first_settled_at() -> None:
    row = table().filter(pl.col("txn_id") == "LATE").row(0, named=True)
    assert (row["business_date"], row["station_id"], row["lane_id"], row["payment_method"],
            row["first_settled_at"]) == (date(2026, 11, 1), "ST01", "L01", "ETC",
                                         datetime(2026, 11, 2, 17, 0, tzinfo=UTC))


def test_more_days_allowed_turns_late_into_settled() -> None:
    df = table(MoneySettings(late_after_days=2))
    assert dict(df.select("txn_id", "disposition").rows())["LATE"] == "SETTLED"
    assert not df["late"].any()


def test_period_of_two_days_counts_every_passage() -> None:
    ctx = context(Period(date(2026, 11, 1), date(2026, 11, 2)), tags=TAGS, lanes=LANES,
                  settlements=ITEMS)
    df = dispositions(ctx, MoneySettings()).collect()
    assert df.height == len(LANES) and df["txn_id"].n_unique() == len(LANES)
    assert df.filter(pl.col("txn_id") == "OTHER_DAY")["disposition"].to_list() == ["SETTLED"]
