"""Dispositions: what became of each passage of the run's dates, exactly one each.

The counts per disposition add up to the passages of the period, so an auditor
can see where every passage went: owed nothing (VOID, FREE_PASS, EXEMPT), paid
at the lane (CASH), or — for a charged ETC passage — the first of UNSETTLED,
AMOUNT_DIFFERS, SETTLED_TWICE, SETTLED_LATE, SETTLED that applies
(etc.outputs.Disposition). The flags (`items`, `late`, `amount_diff_vnd`) keep
what a higher disposition hides, e.g. a passage settled twice and late.

One passage is one row of `ctx.passages`; its items are read from `ctx.items`
(ranked per txn_id). Only the first item of each passage is joined to all the
passages; the further items (few) are summed apart, so there is no group-by
over all the items.
"""

from __future__ import annotations

import polars as pl

from etc.context import Context
from etc.localtime import day_start
from etc.outputs import DISPOSITION_SCHEMA, Disposition
from etc.settings import MoneySettings
from etc.txnkey import TXN_KEY


def _by_passage() -> pl.Expr:
    """The disposition of a passage (see the module docstring for the order)."""
    d = Disposition
    override = pl.col("override").fill_null("")
    return (
        pl.when(override == "VOID").then(pl.lit(d.VOID.value))
        .when(override == "FREE_PASS").then(pl.lit(d.FREE_PASS.value))
        .when(pl.col("payment_method") == "EXEMPT").then(pl.lit(d.EXEMPT.value))
        .when(pl.col("payment_method") == "CASH").then(pl.lit(d.CASH.value))
        .when(pl.col("items") == 0).then(pl.lit(d.UNSETTLED.value))
        .when(pl.col("first_amount_vnd") != pl.col("amount_vnd"))
        .then(pl.lit(d.AMOUNT_DIFFERS.value))
        .when(pl.col("items") > 1).then(pl.lit(d.SETTLED_TWICE.value))
        .when(pl.col("late")).then(pl.lit(d.SETTLED_LATE.value))
        .otherwise(pl.lit(d.SETTLED.value))
    )


def dispositions(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """One row per passage whose business_date is in `ctx.period`, in
    etc.outputs.DISPOSITION_SCHEMA:

        charged_vnd      amount_vnd when the passage is charged, else 0
        items            every settlement item naming its txn_id (UInt32)
        settled_vnd      Σ amount_vnd of those items (0 when none; reversals count)
        first_settlement_id, first_settled_at  of its first item (rank 0), or null
        late             the first item came at or after local midnight ending
                         business_date + `cfg.late_after_days` (False without items)
        amount_diff_vnd  first item's amount − charged_vnd (null without items)
    """
    in_period = ctx.period.holds(pl.col("business_date"))
    passages = ctx.passages.filter(in_period).select(
        "business_date", "station_id", "lane_id", "txn_id", TXN_KEY, "payment_method",
        "override", "amount_vnd", "charged")
    paying = ctx.items.filter(pl.col("has_passage") & in_period)
    first = paying.filter(pl.col("rank") == 0).select(
        TXN_KEY, pl.col("settlement_id").alias("first_settlement_id"),
        pl.col("settled_at").alias("first_settled_at"),
        pl.col("amount_vnd").alias("first_amount_vnd"))
    further = paying.filter(pl.col("rank") >= 1).group_by(TXN_KEY).agg(
        pl.len().cast(pl.UInt32).alias("further"),
        pl.col("amount_vnd").sum().alias("further_vnd"))
    has_first = pl.col("first_settlement_id").is_not_null()
    charged_vnd = pl.when(pl.col("charged")).then(pl.col("amount_vnd")).otherwise(0)
    deadline = day_start(pl.col("business_date"), cfg.late_after_days + 1)
    return (
        passages.join(first, on=TXN_KEY, how="left")
        .join(further, on=TXN_KEY, how="left")
        .with_columns(
            charged_vnd.cast(pl.Int64).alias("charged_vnd"),
            (has_first.cast(pl.UInt32) + pl.col("further").fill_null(0)).alias("items"),
            (pl.col("first_amount_vnd").fill_null(0) + pl.col("further_vnd").fill_null(0))
            .alias("settled_vnd"),
            (pl.col("first_settled_at") >= deadline).fill_null(False).alias("late"),
        )
        .with_columns(
            _by_passage().alias("disposition"),
            (pl.col("first_amount_vnd") - pl.col("charged_vnd")).alias("amount_diff_vnd"),
        )
        .select(pl.col(name).cast(dtype) for name, dtype in DISPOSITION_SCHEMA.items())
    )
