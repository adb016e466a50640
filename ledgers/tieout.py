"""Tie-out per station and business date: charged → settled → banked.

The `tieouts` table (etc.outputs.TIEOUT_SCHEMA) shows where the money of a day
stopped: passages charged at the lanes, settlement items paid by the providers,
and the bank credits of their batches, allocated back to the items so that they
land on the items' station and date.
"""

from __future__ import annotations

import polars as pl

from etc.context import Context
from etc.outputs import TIEOUT_SCHEMA

_KEYS = ["station_id", "business_date"]


def credited_batches(credits: pl.LazyFrame, batches: pl.LazyFrame) -> pl.LazyFrame:
    """Per batch: batch_id, `batch_net` (its net) and `credited` (Σ of its matched
    credits, null when none)."""
    credited = credits.filter(pl.col("batch_id").is_not_null()).group_by("batch_id").agg(
        pl.col("amount_vnd").sum().alias("credited"))
    return batches.select("batch_id", pl.col("net_vnd").alias("batch_net")).join(
        credited, on="batch_id", how="left")


def _plain() -> pl.Expr:
    """A batch unpaid or paid its net exactly: its items bank their own net or 0."""
    return pl.col("credited").is_null() | (pl.col("credited") == pl.col("batch_net"))


def spread_batches(credits: pl.LazyFrame, batches: pl.LazyFrame) -> pl.LazyFrame:
    """The batches (batch_id) paid another sum than their net: their credits are
    spread over all their items (see `banked_items`)."""
    return credited_batches(credits, batches).filter(~_plain()).select("batch_id")


def banked_items(ctx: Context) -> pl.LazyFrame:
    """Every settlement item (settlement_id, station_id, business_date, amount_vnd,
    fee_vnd, net_vnd) with `banked_vnd`: its share of the credits matched to its
    batch, in whole VND.

    A batch's credited sum C (Σ of its matched credits) is spread over its items:
    each item's net when C equals the batch's net N; else floor(net × C / N) per
    item and the remainder on the batch's first item by settlement_id; when N is 0,
    all of C on that first item. So Σ banked_vnd over the items of a batch is C
    exactly, and Σ over all items is Σ of all matched credits. Items of an unpaid
    batch bank 0. The spread is made over every item of the batch: `ctx.items`,
    or `ctx.batch_items` when the run read only some items (etc.context).
    """
    per_batch = credited_batches(ctx.credits, ctx.batches)
    net = (pl.col("amount_vnd") - pl.col("fee_vnd").fill_null(0)).alias("net_vnd")
    items = ctx.items.select(
        "settlement_id", "batch_id", "station_id", "business_date", "amount_vnd",
        pl.col("fee_vnd").fill_null(0), net,
    ).join(per_batch, on="batch_id", how="left")
    # Nearly every batch is unpaid or paid its net exactly: those items need no
    # window. Only the items of the few batches paid another sum are spread pro rata.
    settled = items.filter(_plain()).with_columns(
        pl.when(pl.col("credited").is_null()).then(pl.lit(0, pl.Int64))
        .otherwise(pl.col("net_vnd")).alias("banked_vnd"))
    whole = ctx.items if ctx.batch_items is None else ctx.batch_items
    batch_net = pl.col("batch_net")
    first = pl.col("settlement_id") == pl.col("settlement_id").min().over("batch_id")
    wide = pl.Int128()
    share = (
        pl.when(batch_net == 0).then(pl.lit(0, pl.Int64))
        .otherwise((pl.col("net_vnd").cast(wide) * pl.col("credited").cast(wide)
                    // batch_net.cast(wide)).cast(pl.Int64))
    )
    remainder = pl.col("credited") - pl.col("share").sum().over("batch_id")
    spread = (
        whole.select("settlement_id", "batch_id", net)
        .join(per_batch.filter(~_plain()), on="batch_id", how="inner")
        .with_columns(share.alias("share"))
        .select("settlement_id", (pl.col("share") + pl.when(first).then(remainder).otherwise(0))
                .alias("banked_vnd"))
    )
    shared = items.filter(~_plain()).join(spread, on="settlement_id", how="left")
    return pl.concat([settled, shared]).drop("batch_id", "credited", "batch_net")


def tieouts(ctx: Context) -> pl.LazyFrame:
    """One row per (station_id, business_date) of the period that had passages or
    settlement items (TIEOUT_SCHEMA): the station's passages of that date, the
    charged ETC passages and their amount, the charged CASH amount, the items
    counted on their own station_id and business_date (gross, fee, net, banked —
    see `banked_items`), settle_gap = charged − settled gross and bank_gap =
    settled net − banked. A station/date with items but no passages gets a row
    with zero passages, and the other way round."""
    charged = pl.col("charged").fill_null(False)
    etc_charged = charged & (pl.col("payment_method") == "ETC")
    cash_charged = charged & (pl.col("payment_method") == "CASH")
    lanes = (
        ctx.passages.filter(ctx.period.holds(pl.col("business_date")))
        .group_by(_KEYS)
        .agg(
            pl.len().alias("passages"),
            etc_charged.sum().alias("etc_passages"),
            pl.col("amount_vnd").filter(etc_charged).sum().alias("charged_vnd"),
            pl.col("amount_vnd").filter(cash_charged).sum().alias("cash_vnd"),
        )
    )
    settled = (
        banked_items(ctx)
        .filter(ctx.period.holds(pl.col("business_date")))
        .group_by(_KEYS)
        .agg(
            pl.col("amount_vnd").sum().alias("settled_gross_vnd"),
            pl.col("fee_vnd").sum(),
            pl.col("net_vnd").sum().alias("settled_net_vnd"),
            pl.col("banked_vnd").sum(),
        )
    )
    both = lanes.join(settled, on=_KEYS, how="full", coalesce=True)
    filled = [
        pl.col(name).fill_null(0).cast(dtype)
        for name, dtype in TIEOUT_SCHEMA.items()
        if name not in _KEYS and name not in ("settle_gap_vnd", "bank_gap_vnd")
    ]
    out = both.with_columns(filled).with_columns(
        (pl.col("charged_vnd") - pl.col("settled_gross_vnd")).alias("settle_gap_vnd"),
        (pl.col("settled_net_vnd") - pl.col("banked_vnd")).alias("bank_gap_vnd"),
    )
    return out.select(pl.col(n).cast(t) for n, t in TIEOUT_SCHEMA.items()).sort(_KEYS)
