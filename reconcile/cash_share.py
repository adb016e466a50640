"""CASH_SHARE_SPIKE: a lane whose share of CASH passages jumps against its own
recent days (findings.md) — revenue moving to where it can be pocketed.

The look-back reads the passages the context holds (every loaded date) or, in a
run that reads only its window, the store's count per lane and day before it
(etc.context.Inputs.lane_days), so a night's run sees the 28 days before it
when they were loaded. Shares are per
lane and business date over every passage (VOID and FREE_PASS included: the
share is of the lane's traffic, not of its money).
"""

from __future__ import annotations

import polars as pl

from cards.quality import RATIO_SLACK
from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.settings import FraudSettings

LANE = ("station_id", "lane_id")


def daily_cash_shares(passages: pl.LazyFrame) -> pl.LazyFrame:
    """Per lane and business date: passages, cash passages, their amount and the
    cash share (cash / passages)."""
    cash = pl.col("payment_method") == "CASH"
    return (passages.group_by(*LANE, "business_date")
            .agg(pl.len().cast(pl.Int64).alias("passages"),
                 cash.sum().cast(pl.Int64).alias("cash"),
                 pl.col("amount_vnd").filter(cash).sum().cast(pl.Int64).alias("cash_vnd"))
            .with_columns((pl.col("cash") / pl.col("passages")).alias("share")))


def cash_share_spike(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """CASH_SHARE_SPIKE: a lane's cash share on a date of the period is at least
    `cash_spike_ratio` × its median share over the `cash_lookback_days` days
    before, and at least `cash_spike_points` above that median; only when the lane
    had passages on at least `cash_min_days` of those days (days without any are
    not zeros: the lane may have been closed), and with at least
    `cash_spike_passages` cash passages beyond the median share (cash − median ×
    passages, rounded): our reading, as findings.md is silent on volume — on a
    lane of ten passages one cash payer is ten points. Money at risk: 0 — the cash passages
    were recorded; what a spike may hide is counted by PASSAGES_HIDDEN. The detail
    gives the cash passages beyond the usual share and their amount. It does not
    compare a lane with the station's other lanes. Both limits are inclusive, with
    cards.quality's slack for float rounding (0.30 is 3 × 0.10)."""
    daily = daily_cash_shares(ctx.history())
    today = daily.filter(ctx.period.holds(pl.col("business_date")))
    if ctx.inputs.lane_days is not None:  # a scoped run: the days before come counted
        past = ctx.inputs.lane_days.filter(pl.col("business_date") < ctx.period.first)
        share = (pl.col("cash") / pl.col("passages")).alias("share")
        daily = pl.concat([today, past.with_columns(share).select(
            today.collect_schema().names())])
    before = daily.select(*LANE, pl.col("business_date").alias("earlier"),
                          pl.col("share").alias("earlier_share"))
    gap = (pl.col("business_date") - pl.col("earlier")).dt.total_days()
    history = (
        today.select(*LANE, "business_date")
        .join(before, on=list(LANE))
        .filter(gap.is_between(1, cfg.cash_lookback_days))
        .group_by(*LANE, "business_date")
        .agg(pl.col("earlier_share").median().alias("median"), pl.len().alias("days"))
    )
    extra = (pl.col("cash") - (pl.col("median") * pl.col("passages")).round(0)
             .cast(pl.Int64)).clip(lower_bound=0)
    spikes = (
        today.join(history, on=[*LANE, "business_date"])
        .with_columns(extra.alias("extra"))
        .filter((pl.col("days") >= cfg.cash_min_days)
                & (pl.col("extra") >= cfg.cash_spike_passages)
                & (pl.col("share") >= cfg.cash_spike_ratio * pl.col("median") * (1 - RATIO_SLACK))
                & (pl.col("share") - pl.col("median") >= cfg.cash_spike_points - RATIO_SLACK))
    )
    extra_vnd = pl.col("cash_vnd") * pl.col("extra") // pl.col("cash")  # whole VND, rounded down
    ratio = pl.when(pl.col("median") > 0).then(
        say("{}×", (pl.col("share") / pl.col("median")).round(1))
    ).otherwise(pl.lit("from none"))
    detail = say(
        "lane {} of {} took {} of its {} passages in cash on {} ({} %), against a median "
        "of {} % over the {} days with passages in the "
        f"{cfg.cash_lookback_days} before ({{}}, +{{}} points; limit "
        f"{cfg.cash_spike_ratio:g}× and +{100 * cfg.cash_spike_points:g} points): "
        f"{{}} cash passages ({{}} VND) beyond the usual share (limit {cfg.cash_spike_passages})",
        pl.col("lane_id"), pl.col("station_id"), vnd(pl.col("cash")), vnd(pl.col("passages")),
        pl.col("business_date"), (100 * pl.col("share")).round(1),
        (100 * pl.col("median")).round(1), pl.col("days"), ratio,
        (100 * (pl.col("share") - pl.col("median"))).round(1), vnd(pl.col("extra")),
        vnd(extra_vnd))
    return finding(spikes, Code.CASH_SHARE_SPIKE, detail=detail)
