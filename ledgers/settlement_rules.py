"""MONEY rules on passages and their settlement items (findings.md): the price
charged against the tariff, and each charged ETC passage against the items that
pay it.

They read the engine's shared frames (etc.context): `passages` (with `charged`
and `tariff_vnd`) and `items` (ranked per txn_id, with their passage's columns),
so none of them joins passages to items again.

What fires for an item paying a passage that owes nothing or is not settled by
ETC: an item for a VOID passage is SETTLEMENT_ORPHAN (findings.md). An item for
a CASH, EXEMPT or FREE_PASS passage is not covered by any code: MISSING,
AMOUNT_MISMATCH and LATE concern charged ETC passages only, so such an item
fires nothing by itself — only DUPLICATE (a further item) or WRONG_PROVIDER (the
passage's tag belongs to another provider) can still fire for it.
"""

from __future__ import annotations

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.localtime import local_text
from etc.settings import MoneySettings
from etc.txnkey import TXN_KEY
from ledgers.deadlines import settle_deadline
from ledgers.tariffs import CHARGE_FREE_OVERRIDES

PASSAGE_KEYS = ("business_date", "station_id", "lane_id", "txn_id", "tag_id", "plate",
                "staff_id")
"""Columns of a passage that a passage-keyed finding carries."""


def _item_keys() -> dict[str, pl.Expr]:
    """Keys of an item's finding: its passage's station, lane, tag and plate (the
    item's own station when it has no passage), and the item's provider."""
    return {
        "station_id": pl.coalesce(pl.col("passage_station_id"), pl.col("station_id")),
        "lane_id": pl.col("passage_lane_id"),
        "tag_id": pl.col("passage_tag_id"),
        "plate": pl.col("passage_plate"),
        "provider_id": pl.col("provider_id"),
    }


def _first_of_charged_etc() -> pl.Expr:
    """Items that are the first (rank 0) of a charged ETC passage."""
    owes = ~pl.col("passage_override").is_in(CHARGE_FREE_OVERRIDES).fill_null(False)
    return (pl.col("rank") == 0) & pl.col("has_passage") & owes & (
        pl.col("passage_payment_method") == "ETC")


def tariff_mismatch(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """TARIFF_MISMATCH: a charged passage (any payment method, CASH included) whose
    amount_vnd differs from the tariff of its station, charged_class and business
    date — or for which no tariff holds (then the whole amount is at risk).
    Not: passages that owe nothing (VOID, FREE_PASS, EXEMPT); a charged_class
    lower than measured (that is CLASS_UNDERCHARGE)."""
    bad = ctx.passages.filter(
        pl.col("charged") & (pl.col("amount_vnd") != pl.col("tariff_vnd")).fill_null(True))
    what = say("the tariff of {} class {} on {}", pl.col("station_id"),
                     pl.col("charged_class"), pl.col("business_date"))
    detail = pl.when(pl.col("tariff_vnd").is_null()).then(
        say("charged {} VND but no tariff of {} class {} holds on {}",
                  vnd(pl.col("amount_vnd")), pl.col("station_id"), pl.col("charged_class"),
                  pl.col("business_date"))
    ).otherwise(say("charged {} VND but {} is {} VND", vnd(pl.col("amount_vnd")), what,
                          vnd(pl.col("tariff_vnd"))))
    at_risk = (pl.col("amount_vnd") - pl.col("tariff_vnd")).abs().fill_null(pl.col("amount_vnd"))
    return finding(bad.select(*PASSAGE_KEYS, "amount_vnd", "tariff_vnd", "charged_class"),
                   Code.TARIFF_MISMATCH, amount=at_risk, detail=detail)


def settlement_missing(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """SETTLEMENT_MISSING: a charged ETC passage with no settlement item at all;
    the passage's amount is at risk; provider_id is its tag's provider (who owes
    the item), when the tag is known. Not: CASH, EXEMPT, VOID or FREE_PASS
    passages, which no provider settles. Due at the settlement deadline
    (ledgers.deadlines): before it, the item may still come and the passage is
    pending; an item that comes after it makes the passage SETTLEMENT_LATE."""
    owed = ctx.passages.filter(pl.col("charged") & (pl.col("payment_method") == "ETC"))
    paid = ctx.items.select(TXN_KEY).drop_nulls()
    missing = owed.join(paid, on=TXN_KEY, how="anti")
    return finding(
        missing.select(*PASSAGE_KEYS, "amount_vnd", "tag_provider_id"),
        Code.SETTLEMENT_MISSING, amount=pl.col("amount_vnd"),
        keys={"provider_id": pl.col("tag_provider_id")},
        detail=say("no settlement item pays the charged ETC passage of {} VND on {}",
                         vnd(pl.col("amount_vnd")), pl.col("business_date")),
        due=settle_deadline(cfg))


def settlement_amount_mismatch(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """SETTLEMENT_AMOUNT_MISMATCH: the first item (by settled_at, then
    settlement_id) of a charged ETC passage pays another amount than was charged;
    the absolute difference is at risk. Not: further items (SETTLEMENT_DUPLICATE),
    items of passages that owe nothing or were paid in cash."""
    bad = ctx.items.filter(_first_of_charged_etc()
                           & (pl.col("amount_vnd") != pl.col("passage_amount_vnd")))
    return finding(
        bad, Code.SETTLEMENT_AMOUNT_MISMATCH,
        amount=(pl.col("amount_vnd") - pl.col("passage_amount_vnd")).abs(),
        keys=_item_keys(),
        detail=say("first item {} of {} pays {} VND but the passage was charged {} VND",
                         pl.col("settlement_id"), pl.col("provider_id"),
                         vnd(pl.col("amount_vnd")), vnd(pl.col("passage_amount_vnd"))))


def settlement_duplicate(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """SETTLEMENT_DUPLICATE: every further item (rank >= 1) of a loaded passage,
    whatever the passage (the customer paid twice); its amount is at risk. Keyed by
    settlement_id; the first item is named in the detail. Not: further items
    naming a txn_id no passage has (each is a SETTLEMENT_ORPHAN). A further item
    from another provider is also SETTLEMENT_WRONG_PROVIDER."""
    extra = ctx.items.filter(pl.col("has_passage") & (pl.col("rank") >= 1))
    first = ctx.items.filter(pl.col("has_passage") & (pl.col("rank") == 0)).select(
        TXN_KEY, pl.col("settlement_id").alias("first_settlement_id"))
    extra = extra.join(first.join(extra.select(TXN_KEY), on=TXN_KEY, how="semi"),
                       on=TXN_KEY, how="left")
    return finding(
        extra, Code.SETTLEMENT_DUPLICATE, amount=pl.col("amount_vnd"), keys=_item_keys(),
        detail=say("item {} of {} pays {} VND for passage {}, already settled by item {}",
                         pl.col("settlement_id"), pl.col("provider_id"),
                         vnd(pl.col("amount_vnd")), pl.col("txn_id"),
                         pl.col("first_settlement_id")))


def settlement_wrong_provider(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """SETTLEMENT_WRONG_PROVIDER: any item of a loaded passage (first or further)
    whose provider is not the provider of the passage's tag at passage time; its
    amount is at risk. Not: passages whose tag is unknown (no provider to compare:
    TAG_UNKNOWN / TAG_MALFORMED say so)."""
    bad = ctx.items.filter(pl.col("has_passage")
                           & (pl.col("provider_id") != pl.col("tag_provider_id")))
    return finding(
        bad, Code.SETTLEMENT_WRONG_PROVIDER, amount=pl.col("amount_vnd"), keys=_item_keys(),
        detail=say("item {} of {} VND was settled by {} but tag {} of passage {} was "
                         "issued by {}", pl.col("settlement_id"), vnd(pl.col("amount_vnd")),
                         pl.col("provider_id"), pl.col("passage_tag_id"), pl.col("txn_id"),
                         pl.col("tag_provider_id")))


def settlement_orphan(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """SETTLEMENT_ORPHAN: an item naming a txn_id that no loaded passage has, or a
    VOID passage (money taken for no passage); its amount is at risk. An item
    without a passage belongs to the local date of its settled_at. Not: items of
    FREE_PASS, EXEMPT or CASH passages (no code covers them; see the module). An
    item without a passage is due at the settlement deadline of its date: until
    then its passage may still arrive."""
    void = (pl.col("passage_override") == "VOID").fill_null(False)
    bad = ctx.items.filter(~pl.col("has_passage") | void)
    detail = pl.when(pl.col("has_passage")).then(
        say("item {} of {} pays {} VND for passage {}, which was VOID",
                  pl.col("settlement_id"), pl.col("provider_id"), vnd(pl.col("amount_vnd")),
                  pl.col("txn_id"))
    ).otherwise(say("item {} of {} pays {} VND for txn_id {}, which no loaded passage has",
                          pl.col("settlement_id"), pl.col("provider_id"),
                          vnd(pl.col("amount_vnd")), pl.col("txn_id")))
    return finding(bad, Code.SETTLEMENT_ORPHAN, amount=pl.col("amount_vnd"), keys=_item_keys(),
                   detail=detail, due=pl.when(~pl.col("has_passage")).then(settle_deadline(cfg)))


def settlement_late(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """SETTLEMENT_LATE: the first item of a charged ETC passage was settled at or
    after local midnight ending business_date + `late_after_days` (settled_at >=
    day_start(business_date, late_after_days + 1)); nothing is at risk (the money
    came). Not: further items, nor passages that owe nothing or were paid in cash."""
    days = cfg.late_after_days + 1
    deadline = settle_deadline(cfg)
    late = ctx.items.filter(_first_of_charged_etc() & (pl.col("settled_at") >= deadline))
    return finding(
        late, Code.SETTLEMENT_LATE, keys=_item_keys(),
        detail=say("first item {} was settled at {} local, not before the deadline {} "
                         "00:00 local (business date {} + {} day(s))",
                         pl.col("settlement_id"), local_text(pl.col("settled_at")),
                         pl.col("business_date").dt.offset_by(f"{days}d"),
                         pl.col("business_date"), pl.lit(cfg.late_after_days)))
