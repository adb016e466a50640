"""The report's "Counted against recorded": the road authority's vehicle counts
against the passages the lanes recorded, per station, over the intervals the
sensors covered (as PASSAGES_HIDDEN compares them), with the hourly series of
the lanes found hiding passages and the stations without any count.

    counted = build_counted(store, run, findings, traffic, stations)

The store reads only the run's dates and loads (etc.store.counted); the rest
are pure functions of frames, tested with hand-checked numbers.
"""

from __future__ import annotations

import polars as pl

from etc.codes import Code
from etc.localtime import OFFSET
from etc.reports import RunInfo
from etc.reports_counted import (
    COUNTED_HOUR_SCHEMA,
    COUNTED_STATION_SCHEMA,
    UNCOVERED_SCHEMA,
    Counted,
)
from etc.store import Store

LANE_DATE = ["station_id", "lane_id", "business_date"]
MINUTES_PER_DAY = 1440


def build_counted(store: Store, run: RunInfo, found: pl.DataFrame, traffic: pl.DataFrame,
                  stations: pl.DataFrame) -> Counted:
    """The section's frames for a run: `found` its findings, `traffic` its traffic
    rows, `stations` the stations list (station_id, name, operator_id, operator_name)."""
    loads = run.inputs["load_id"].to_list()
    intervals = store.count_intervals(run.first_date, run.last_date, loads)
    chosen = choose_sources(intervals)
    hidden = hidden_lanes(found)
    keys = [f"{s}|{ln}" for s, ln in hidden.select("station_id", "lane_id").unique().iter_rows()]
    passages = store.lane_hours(run.first_date, run.last_date, sorted(keys), loads)
    days = (run.last_date - run.first_date).days + 1
    return Counted(stations=by_station(chosen, traffic, found, stations, days),
                   hours=by_hour(chosen, hidden, passages),
                   uncovered=uncovered(intervals, traffic, stations))


def hidden_lanes(found: pl.DataFrame) -> pl.DataFrame:
    """The lanes and dates with a PASSAGES_HIDDEN finding."""
    return (found.filter(pl.col("code") == Code.PASSAGES_HIDDEN.value)
            .select(LANE_DATE).unique().sort(LANE_DATE))


def choose_sources(intervals: pl.DataFrame) -> pl.DataFrame:
    """The intervals of one source per lane and date: the one showing the most
    vehicles counted beyond those recorded (the smallest source name on a tie),
    as PASSAGES_HIDDEN reports a lane counted twice."""
    per = (intervals.group_by(*LANE_DATE, "source")
           .agg((pl.col("counted") - pl.col("recorded")).sum().alias("_excess"))
           .sort("_excess", "source", descending=[True, False])
           .unique(LANE_DATE, keep="first").drop("_excess"))
    return intervals.join(per, on=[*LANE_DATE, "source"], how="semi")


def _names(stations: pl.DataFrame) -> pl.DataFrame:
    """station_id, station_name and operator_name (its id when the list names none)."""
    return (stations.unique("station_id", keep="first")
            .select("station_id", pl.col("name").alias("station_name"),
                    pl.coalesce("operator_name", "operator_id").alias("operator_name")))


def _passages(traffic: pl.DataFrame) -> pl.DataFrame:
    return traffic.group_by("station_id").agg(pl.col("passages").sum().cast(pl.Int64))


def by_station(chosen: pl.DataFrame, traffic: pl.DataFrame, found: pl.DataFrame,
               stations: pl.DataFrame, days: int) -> pl.DataFrame:
    """Per station with counts: lanes, lanes counted, hours covered, coverage,
    counted and recorded in the covered intervals, their difference, the
    station's passages and its PASSAGES_HIDDEN findings with their money at risk.
    Coverage is the covered lane-minutes over every lane's whole period."""
    counted = chosen.group_by("station_id").agg(
        pl.col("lane_id").n_unique().cast(pl.Int64).alias("lanes_counted"),
        pl.col("minutes").sum().alias("_minutes"),
        pl.col("counted").sum(), pl.col("recorded").sum())
    lanes = (pl.concat([traffic.select("station_id", "lane_id"),
                        chosen.select("station_id", "lane_id")]).unique()
             .group_by("station_id").agg(pl.len().cast(pl.Int64).alias("lanes")))
    hidden = (found.filter(pl.col("code") == Code.PASSAGES_HIDDEN.value).group_by("station_id")
              .agg(pl.len().cast(pl.Int64).alias("findings"), pl.col("amount_at_risk_vnd").sum()))
    recorded = pl.col("recorded")
    return (
        counted.join(lanes, on="station_id", how="left")
        .join(_passages(traffic), on="station_id", how="left")
        .join(hidden, on="station_id", how="left")
        .join(_names(stations), on="station_id", how="left")
        .with_columns(pl.col("passages", "findings", "amount_at_risk_vnd").fill_null(0),
                      (pl.col("_minutes") / 60).alias("covered_hours"),
                      (pl.col("_minutes") / (pl.col("lanes") * days * MINUTES_PER_DAY))
                      .clip(upper_bound=1.0).alias("coverage"),
                      (pl.col("counted") - recorded).alias("difference"))
        .with_columns(pl.when(recorded > 0).then(pl.col("difference") / recorded)
                      .alias("difference_share"))
        .sort(["amount_at_risk_vnd", "difference", "station_id"],
              descending=[True, True, False])
        .select(list(COUNTED_STATION_SCHEMA)).cast(COUNTED_STATION_SCHEMA)  # type: ignore[arg-type]
    )


def by_hour(chosen: pl.DataFrame, hidden: pl.DataFrame, passages: pl.DataFrame) -> pl.DataFrame:
    """Every local hour (0–23) of each lane and date in `hidden`: vehicles counted and
    passages recorded in the intervals starting in it (null when none was counted),
    and every passage of the lane in that hour (`passages`: station_id, lane_id,
    business_date, hour, passages)."""
    if hidden.height == 0:
        return pl.DataFrame(schema=COUNTED_HOUR_SCHEMA)
    hour = (pl.col("interval_start").dt.replace_time_zone(None) + OFFSET).dt.hour()
    seen = (chosen.join(hidden, on=LANE_DATE, how="semi")
            .group_by(*LANE_DATE, hour.cast(pl.Int32).alias("hour"))
            .agg(pl.col("counted").sum(), pl.col("recorded").sum()))
    grid = hidden.join(pl.DataFrame({"hour": list(range(24))}, schema={"hour": pl.Int32()}),
                       how="cross")
    return (grid.join(seen, on=[*LANE_DATE, "hour"], how="left")
            .join(passages.with_columns(pl.col("hour").cast(pl.Int32)),
                  on=[*LANE_DATE, "hour"], how="left")
            .with_columns(pl.col("passages").fill_null(0))
            .sort([*LANE_DATE, "hour"])
            .select(list(COUNTED_HOUR_SCHEMA)).cast(COUNTED_HOUR_SCHEMA))  # type: ignore[arg-type]


def uncovered(intervals: pl.DataFrame, traffic: pl.DataFrame,
              stations: pl.DataFrame) -> pl.DataFrame:
    """The stations of the list without a single count interval in the period,
    with their passages (0 when none)."""
    return (_names(stations).join(intervals.select("station_id").unique(), on="station_id",
                                  how="anti")
            .join(_passages(traffic), on="station_id", how="left")
            .with_columns(pl.col("passages").fill_null(0))
            .sort("station_id")
            .select(list(UNCOVERED_SCHEMA)).cast(UNCOVERED_SCHEMA))  # type: ignore[arg-type]
