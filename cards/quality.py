"""Tag-quality rules (findings.md): tags that the lanes fail to read, and lanes
that fail to read tags. Both are quality findings: money at risk 0.

A passage is *unread* when read_count is 0 (the tag was not read: the passage
was entered by staff or from the plate) and *weak* when rssi_dbm is strictly
below cfg.weak_rssi_dbm; a null read_count or rssi_dbm is neither.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import empty_findings, finding, say
from etc.settings import TagSettings
from etc.tagkey import tag_key

RATIO_SLACK = 1e-9
"""Relative slack on LANE_READ_DEGRADED's ratio test, so that a share of exactly
ratio × the median fires despite float rounding (0.30 vs 3 × 0.10)."""


def unread() -> pl.Expr:
    return (pl.col("read_count") == 0).fill_null(False)


def weak(cfg: TagSettings) -> pl.Expr:
    return (pl.col("rssi_dbm") < cfg.weak_rssi_dbm).fill_null(False)


def percent(share: pl.Expr) -> pl.Expr:
    """A 0–1 share as text with one decimal and a percent sign (37.5 %)."""
    return pl.concat_str((share * 100).round(1).cast(pl.String), pl.lit(" %"))


def tag_poor_read(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_POOR_READ: for each date d of the run's period, over the ETC passages
    with a well-formed tag whose business_date falls in the cfg.poor_read_days
    days ending on d (d − days + 1 … d), a tag with >= cfg.poor_read_min_passages
    passages of which a share >= cfg.poor_read_share were unread or weak: one
    finding per (tag_id, d). provider_id is the tag's provider at its latest
    passage of the window. Money at risk 0.
    Not: malformed tag ids; CASH or EXEMPT passages; dates outside the period.

    Tags are grouped by their exact integer key (`etc.tagkey`), per (key,
    business_date) once, then summed over each date's window; the text id and
    the provider are fetched only for the tags that fire. With a share above 0,
    a tag without a single unread or weak passage in the run's windows cannot
    fire, so only the tags with one are grouped (at 10 M passages: 5 % of the
    tags, 0.5 M of the 8.7 M passages; 1.2 s where grouping them all took 3.6 s)."""
    dates = list(ctx.period.dates())
    if not dates:
        return empty_findings()
    span = timedelta(days=cfg.poor_read_days - 1)
    counted = ((pl.col("payment_method") == "ETC") & pl.col("tag_ok")
           & pl.col("business_date").is_between(pl.lit(dates[0] - span), pl.lit(dates[-1])))
    bad = unread() | weak(cfg)
    key = tag_key(pl.col("tag_id"), ok=pl.col("tag_ok")).alias("_key")
    rows = ctx.history().filter(counted).select(key, "business_date", "passed_at", bad.alias("bad"),
                                           "tag_id", "tag_provider_id")
    if cfg.poor_read_share > 0:
        suspects = ctx.history().filter(counted & bad).select(key).unique()
        rows = rows.join(suspects, on="_key", how="semi")
    rows = rows.cache()
    daily = rows.group_by("_key", "business_date").agg(
        pl.len().alias("n"), pl.col("bad").sum(), pl.col("passed_at").max().alias("last"))
    per_day: list[pl.LazyFrame] = []
    for d in dates:
        window = (
            daily.filter(pl.col("business_date").is_between(pl.lit(d - span), pl.lit(d)))
            .group_by("_key")
            .agg(pl.col("n").sum(), pl.col("bad").sum(), pl.col("last").max())
            .with_columns(pl.lit(d).alias("business_date"), pl.lit(d - span).alias("since"))
        )
        per_day.append(window)
    share = pl.col("bad") / pl.col("n")
    fired = pl.concat(per_day).filter(
        (pl.col("n") >= cfg.poor_read_min_passages) & (share >= cfg.poor_read_share))
    latest = rows.select("_key", pl.col("passed_at").alias("last"), "tag_id",
                         pl.col("tag_provider_id").alias("provider_id"))
    # passages of one tag at one instant share the tag row in force, hence the provider
    poor = (fired.join(latest, on=["_key", "last"])
            .unique(["_key", "business_date"], keep="any"))
    detail = say(
        "tag {} passed {} times from {} to {}, {} of them unread or weak (rssi below {} dBm): "
        "{} against thresholds of {} passages and {}",
        pl.col("tag_id"), pl.col("n"), pl.col("since"), pl.col("business_date"), pl.col("bad"),
        pl.lit(cfg.weak_rssi_dbm), percent(share), pl.lit(cfg.poor_read_min_passages),
        percent(pl.lit(cfg.poor_read_share)))
    return finding(poor, Code.TAG_POOR_READ, detail=detail)


def lane_read_degraded(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """LANE_READ_DEGRADED: per business_date, station and lane over the ETC
    passages: the lane's unread share (read_count 0 among all its ETC passages)
    is >= cfg.lane_unread_share and >= cfg.lane_unread_ratio × the median share
    of the OTHER lanes of the same station that had ETC passages that date. That
    median may be 0: then the share threshold alone decides. One finding per
    (station_id, lane_id, business_date); money at risk 0.
    Not: a station with a single ETC lane that date (nothing to compare with);
    weak reads (only unread counts here); CASH and EXEMPT passages."""
    keys = ["business_date", "station_id"]
    lanes = (
        ctx.passages.filter(pl.col("payment_method") == "ETC")
        .group_by(*keys, "lane_id")
        .agg(pl.len().alias("n"), unread().sum().alias("unread"))
        .with_columns((pl.col("unread") / pl.col("n")).alias("share"))
    )
    others = (
        lanes.join(lanes.select(*keys, pl.col("lane_id").alias("other"),
                                pl.col("share").alias("other_share")), on=keys)
        .filter(pl.col("lane_id") != pl.col("other"))
        .group_by(*keys, "lane_id")
        .agg(
            pl.col("n", "unread", "share").first(),
            pl.col("other_share").median().alias("median"),
            pl.len().alias("others"),
        )
    )
    ratio = cfg.lane_unread_ratio
    degraded = others.filter(
        (pl.col("share") >= cfg.lane_unread_share)
        & (pl.col("share") >= ratio * pl.col("median") * (1 - RATIO_SLACK)))
    detail = say(
        "lane {} of {} had {} of {} ETC passages unread ({}) against a median of {} over the "
        "station's {} other lanes (thresholds {} and {}× the median)",
        pl.col("lane_id"), pl.col("station_id"), pl.col("unread"), pl.col("n"),
        percent(pl.col("share")), percent(pl.col("median")), pl.col("others"),
        percent(pl.lit(cfg.lane_unread_share)), pl.lit(ratio))
    return finding(degraded, Code.LANE_READ_DEGRADED, detail=detail)
