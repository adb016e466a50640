"""ledgers.tieout: charged → settled → banked per station and business date, and
the allocation of bank credits to settlement items (Σ banked = Σ matched credits)."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import polars as pl
from literal import DAY, context, entry, item, lane, station

from etc.context import Period
from etc.outputs import TIEOUT_SCHEMA
from ledgers.tieout import banked_items, tieouts

B1 = "B-VETC-ST01-20261101"
B2 = "B-VETC-ST02-20261101"
STATIONS = [station("ST01"), station("ST02")]


def tie(**kw: Any) -> dict[tuple[str, date], dict[str, Any]]:
    """The tie-out rows by (station_id, business_date), without their keys."""
    out = tieouts(context(stations=STATIONS, **kw)).collect()
    assert out.schema == pl.Schema(TIEOUT_SCHEMA)
    return {(r.pop("station_id"), r.pop("business_date")): r for r in out.rows(named=True)}


def banked(**kw: Any) -> dict[str, int]:
    ctx = context(stations=STATIONS, period=Period(date(2026, 10, 1), date(2026, 12, 31)), **kw)
    return dict(banked_items(ctx).select("settlement_id", "banked_vnd").collect().rows())


def test_a_day_ties_out_from_lanes_to_bank() -> None:
    got = tie(
        lanes=[lane("T1"), lane("T2", payment_method="CASH"), lane("T3", override="VOID"),
               lane("T4", payment_method="EXEMPT", amount_vnd=0),
               lane("T5", amount_vnd=52_000),
               lane("T6", passed_at="2026-10-31 23:59")],  # another business date
        settlements=[item("S1", "T1", fee_vnd=700, batch_id=B1),
                     item("S9", "T99", station_id="ST02", amount_vnd=40_000, batch_id=B2,
                          settled_at="2026-11-01 21:00")],  # orphan: no passage at ST02
        bank=[entry("E1", reference=B1, amount_vnd=34_300),
              entry("E2", account="ACCT-ST02", reference=B2, amount_vnd=40_000)],
    )
    assert got == {
        ("ST01", DAY): dict(passages=5, etc_passages=2, charged_vnd=87_000, cash_vnd=35_000,
                            settled_gross_vnd=35_000, fee_vnd=700, settled_net_vnd=34_300,
                            banked_vnd=34_300, settle_gap_vnd=52_000, bank_gap_vnd=0),
        ("ST02", DAY): dict(passages=0, etc_passages=0, charged_vnd=0, cash_vnd=0,
                            settled_gross_vnd=40_000, fee_vnd=0, settled_net_vnd=40_000,
                            banked_vnd=40_000, settle_gap_vnd=-40_000, bank_gap_vnd=0),
    }


def test_unpaid_batch_leaves_a_bank_gap() -> None:
    got = tie(lanes=[lane("T1")], settlements=[item("S1", "T1", fee_vnd=700)])
    row = got[("ST01", DAY)]
    assert (row["settled_net_vnd"], row["banked_vnd"], row["bank_gap_vnd"]) == (
        34_300, 0, 34_300)


def test_short_credit_is_spread_pro_rata_remainder_on_the_first_item() -> None:
    items = [item("S2", "T2", amount_vnd=20_000), item("S1", "T1", amount_vnd=10_000),
             item("S3", "T3", amount_vnd=30_000, station_id="ST02")]
    got = banked(settlements=items, bank=[entry("E1", reference="B-1", amount_vnd=50_000)])
    # floor(10,000·50,000/60,000) = 8,333, 16,666, 25,000: 49,999, so S1 gets +1
    assert got == {"S1": 8_334, "S2": 16_666, "S3": 25_000}
    rows = tie(lanes=[lane("T1"), lane("T2"), lane("T3", station_id="ST02")], settlements=items,
               bank=[entry("E1", reference="B-1", amount_vnd=50_000)])
    assert rows[("ST01", DAY)]["banked_vnd"] == 25_000
    assert rows[("ST02", DAY)]["banked_vnd"] == 25_000
    assert rows[("ST02", DAY)]["bank_gap_vnd"] == 5_000


def test_over_credit_and_two_credits_are_allocated_in_full() -> None:
    items = [item("S1", "T1", amount_vnd=35_000, fee_vnd=700),
             item("S2", "T2", amount_vnd=35_000, fee_vnd=700)]
    got = banked(settlements=items, bank=[entry("E1", reference="B-1", amount_vnd=70_000),
                                          entry("E2", reference="B-1", amount_vnd=1)])
    assert got == {"S1": 35_001, "S2": 35_000}


def test_batch_with_net_zero_puts_the_credit_on_its_first_item() -> None:
    items = [item("S2", "T1", amount_vnd=35_000), item("S1", "T1", amount_vnd=-35_000)]
    got = banked(settlements=items, bank=[entry("E1", reference="B-1", amount_vnd=5_000)])
    assert got == {"S1": 5_000, "S2": 0}


def test_only_the_period_is_reported() -> None:
    got = tie(lanes=[lane("T1"), lane("T0", passed_at="2026-10-31 10:00")],
              settlements=[item("S0", "T0", settled_at="2026-10-31 20:00")])
    assert list(got) == [("ST01", DAY)]
    assert got[("ST01", DAY)]["settled_gross_vnd"] == 0


def test_banked_adds_up_to_the_matched_credits_on_random_batches() -> None:
    rng = random.Random(20261101)
    for _ in range(6):
        items: list[dict[str, Any]] = []
        bank: list[dict[str, Any]] = []
        for b in range(rng.randint(1, 4)):
            batch_id = f"B-{b}"
            for i in range(rng.randint(1, 5)):
                amount = rng.choice([-35_000, 0, 35_000, 52_000, 87_000, 1_250_001])
                items.append(item(f"S{b}-{i}", f"T{b}-{i}", batch_id=batch_id,
                                  amount_vnd=amount, fee_vnd=rng.choice([0, 700, 1_041]),
                                  settled_at=f"2026-11-0{rng.randint(1, 3)} 12:00",
                                  station_id=rng.choice(["ST01", "ST02"])))
            for c in range(rng.choice([0, 1, 1, 2])):
                bank.append(entry(f"E{b}-{c}", reference=batch_id,
                                  amount_vnd=rng.randint(1, 3_000_000)))
        ctx = context(stations=STATIONS, settlements=items, bank=bank,
                      period=Period(date(2026, 11, 1), date(2026, 11, 3)))
        credited = sum(e["amount_vnd"] for e in bank)
        per_item = banked_items(ctx).collect()
        assert per_item["banked_vnd"].sum() == credited
        assert per_item.height == len(items)
        assert tieouts(ctx).collect()["banked_vnd"].sum() == credited
        by_batch = {e["reference"]: 0 for e in bank}
        for e in bank:
            by_batch[e["reference"]] += e["amount_vnd"]
        got = (per_item.join(ctx.items.select("settlement_id", "batch_id").collect(),
                             on="settlement_id")
               .group_by("batch_id").agg(pl.col("banked_vnd").sum()))
        for batch_id, total in got.rows():
            assert total == by_batch.get(batch_id, 0), batch_id
