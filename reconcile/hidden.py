"""PASSAGES_HIDDEN: the road authority's own vehicle counts against the passages
a lane recorded (findings.md; counts of formats.md).

Per count interval (one station, lane, source and start; its rows per class, or
one row for all classes) the vehicles counted are compared with the passages the
lane recorded in [start, start + minutes) — every payment method, VOID and
FREE_PASS included: a cancelled passage was still a vehicle. The differences are
summed over the intervals the sensor covered, so an hour without counts (a
sensor down) compares nothing, and noise of either sign cancels out. A source
with no rows for a lane that day is simply no evidence.

A lane counted by two sources is judged by each; the one showing more vehicles
hidden is reported (the detail names it). Counts outside the run's period are
not read.
"""

from __future__ import annotations

import polars as pl

from cards.quality import RATIO_SLACK
from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.localtime import OFFSET, day_start
from etc.settings import FraudSettings
from ledgers.tariffs import tariff_by_date

SRC = "__src"
"""The source as a join key: empty for a count without one (nulls never join)."""
INTERVAL = ("station_id", "lane_id", SRC, "interval_start")
LANE_DAY = ("station_id", "lane_id", SRC, "business_date")
WORST_HOURS = 3
"""Hours named in the detail."""


def _intervals(counts: pl.LazyFrame) -> pl.LazyFrame:
    """One row per interval: its length, date, whether it was counted per class,
    and the vehicles counted (the all-classes row when there is one, else the sum
    of the class rows)."""
    whole = pl.col("vehicle_class").is_null()
    return counts.group_by(*INTERVAL).agg(
        pl.col("business_date").first(),
        pl.col("interval_minutes").max(),
        (~whole.any()).alias("by_class"),
        pl.when(whole.any()).then(pl.col("vehicles").filter(whole).sum())
        .otherwise(pl.col("vehicles").sum()).alias("counted"),
    )


def _recorded(ctx: Context, intervals: pl.LazyFrame) -> pl.LazyFrame:
    """Every passage of a counted lane with the interval it falls in (of each
    source counting that lane): INTERVAL columns and avc_class. Intervals of one
    source never overlap (the loader refuses that), so the interval starting last
    at or before the passage is the only one that can hold it."""
    first, last = ctx.period.first, ctx.period.last
    span = pl.col("passed_at").is_between(day_start(pl.lit(first)),
                                          day_start(pl.lit(last), days_after=2), closed="left")
    sources = intervals.select("station_id", "lane_id", SRC).unique()
    passages = (ctx.passages.filter(span)
                .select("station_id", "lane_id", "passed_at", "avc_class")
                .join(sources, on=["station_id", "lane_id"])
                .sort("passed_at"))
    ends = intervals.select(*INTERVAL, "interval_minutes").sort("interval_start")
    end = pl.col("interval_start") + pl.duration(minutes=pl.col("interval_minutes"))
    return (passages.join_asof(ends, left_on="passed_at", right_on="interval_start",
                               by=["station_id", "lane_id", SRC], strategy="backward",
                               check_sortedness=False)  # sorted just above
            .filter(pl.col("passed_at") < end)
            .select(*INTERVAL, "avc_class"))


def _per_interval(ctx: Context, counts: pl.LazyFrame, intervals: pl.LazyFrame,
                  recorded: pl.LazyFrame) -> pl.LazyFrame:
    """Per interval: counted, recorded, excess (counted − recorded) and value, the
    VND of that excess: per class at the class's tariff where the sensor counts by
    class (the lane's measured avc_class on the recorded side), else all at the
    class-1 tariff; negative where fewer were counted; a class without a tariff is
    priced 0. One chain, so the as-of join of the passages runs once."""
    tariffs = tariff_by_date(ctx.inputs.tariffs, intervals.select("business_date"))
    class_1 = (tariffs.filter(pl.col("vehicle_class") == 1).drop("vehicle_class")
               .rename({"amount_vnd": "tariff_1"}))
    seen = (recorded.group_by(*INTERVAL, pl.col("avc_class").alias("vehicle_class"))
            .agg(pl.len().cast(pl.Int64).alias("rec")))
    counted = (counts.filter(pl.col("vehicle_class").is_not_null())
               .group_by(*INTERVAL, "vehicle_class").agg(pl.col("vehicles").sum().alias("cnt")))
    cells = seen.join(counted, on=[*INTERVAL, "vehicle_class"], how="full", coalesce=True,
                      nulls_equal=True)
    rec, cnt = pl.col("rec").fill_null(0), pl.col("cnt").fill_null(0)
    return (
        intervals.join(cells, on=list(INTERVAL), how="left", nulls_equal=True)
        .join(tariffs, on=["station_id", "vehicle_class", "business_date"], how="left")
        .join(class_1, on=["station_id", "business_date"], how="left")
        .group_by(*INTERVAL)
        .agg(pl.col("business_date", "interval_minutes", "counted", "by_class").first(),
             rec.sum().alias("recorded"),
             ((cnt - rec) * pl.col("amount_vnd").fill_null(0)).sum().alias("by_class_vnd"),
             pl.col("tariff_1").first().fill_null(0))
        .with_columns((pl.col("counted") - pl.col("recorded")).alias("excess"))
        .with_columns(pl.when(pl.col("by_class")).then(pl.col("by_class_vnd"))
                      .otherwise(pl.col("excess") * pl.col("tariff_1")).alias("value"))
    )


def _lane_days(per_interval: pl.LazyFrame) -> pl.LazyFrame:
    """Per lane-day and source: the sums, and the local hours with the most
    vehicles hidden as text ("14:00 +35, 15:00 +30"; null when no hour shows any)."""
    hour = (pl.col("interval_start").dt.replace_time_zone(None) + OFFSET).dt.hour()
    text = say("{}:00 +{}", pl.col("hour").cast(pl.String).str.zfill(2), pl.col("excess"))
    worst = (text.filter(pl.col("excess") > 0)
             .sort_by(pl.col("excess").filter(pl.col("excess") > 0),
                      pl.col("hour").filter(pl.col("excess") > 0), descending=[True, False])
             .head(WORST_HOURS).str.join(", "))
    return (
        per_interval.group_by(*LANE_DAY, hour.alias("hour"))
        .agg(pl.col("counted", "recorded", "excess", "value", "interval_minutes").sum(),
             pl.len().alias("intervals"))
        .group_by(*LANE_DAY)
        .agg(pl.col("counted", "recorded", "excess", "intervals").sum(),
             pl.col("interval_minutes").sum().alias("minutes"),
             pl.col("value").sum().clip(lower_bound=0),
             pl.when(pl.col("excess").max() > 0).then(worst).alias("worst"))
    )


def passages_hidden(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """PASSAGES_HIDDEN: per lane and business date, the vehicles the authority's
    sensors counted exceed the passages the lane recorded in the intervals they
    covered by at least `hidden_vehicles` and at least `hidden_share` of those
    recorded. Money at risk: the vehicles counted beyond those recorded at the
    station's tariff of their counted class (class 1 where the count has no
    class), never below 0. It does not judge a lane without counts, nor counts
    below the recorded passages (a sensor that misses vehicles hides nothing)."""
    counts = (ctx.inputs.counts.filter(ctx.period.holds(pl.col("business_date")))
              .with_columns(pl.col("source").fill_null("").alias(SRC)))
    intervals = _intervals(counts)
    per_interval = _per_interval(ctx, counts, intervals, _recorded(ctx, intervals))
    days = (
        _lane_days(per_interval)
        .filter((pl.col("excess") >= cfg.hidden_vehicles)
                & (pl.col("excess") >= cfg.hidden_share * pl.col("recorded") * (1 - RATIO_SLACK)))
        .sort("excess", SRC, descending=[True, False])
        .unique(["station_id", "lane_id", "business_date"], keep="first", maintain_order=True)
    )
    share = pl.when(pl.col("recorded") > 0).then(
        say("{} %", (100 * pl.col("excess") / pl.col("recorded")).round(1))
    ).otherwise(pl.lit("all of them"))
    detail = say(
        "the authority's sensor {} counted {} vehicles on lane {} of {} on {} in {} "
        "intervals ({} h covered) but the lane recorded {} passages in them: {} more ({}; "
        f"limit {cfg.hidden_vehicles} and {cfg.hidden_share:.0%}); worst hours {{}}; "
        "{} VND at the tariff of the counted classes",
        pl.when(pl.col(SRC) == "").then(pl.lit("(no source)")).otherwise(pl.col(SRC)),
        vnd(pl.col("counted")), pl.col("lane_id"), pl.col("station_id"),
        pl.col("business_date"), pl.col("intervals"),
        (pl.col("minutes") / 60).round(1), vnd(pl.col("recorded")), vnd(pl.col("excess")),
        share, pl.col("worst").fill_null("none"), vnd(pl.col("value")))
    return finding(days, Code.PASSAGES_HIDDEN, amount=pl.col("value"), detail=detail)
