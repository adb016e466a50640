"""The road authority's own vehicle counts (kind `counts`), with sensor noise and
the PASSAGES_HIDDEN anomaly; and the providers' names (kind `providers`).

Sensors stand at most stations (not at every sixth, ST06, ST12, …: those are
"without sensor coverage"). Each counts every lane of its station in intervals of
15 minutes (60 at every fourth station), all classes in one row (a CAMERA; zero
rows included) or per class (a LOOP; a row per class seen). Normal noise:

- each vehicle is missed with probability 0.5 % and counted twice with 0.5 %
  (about ±1 % per interval, cancelling over a day: far below findings.md's 2 %
  and 20 vehicles);
- one sensor-day in five misses one to three hours (no rows then).

PASSAGES_HIDDEN: on `k` lane-days at stations with sensors, the lane's system
dropped cash passages during three consecutive hours: those vehicles are in the
counts (class 1) but were never written to the lanes file. They number
max(35, 4 % of the lane's recorded passages that day) — well above both limits.
The sensor of such a lane-day misses no hours.

Counts are made from the passages as finally written (etc.generate.cash_spike
moves traffic before), so every other lane-day compares equal but for the noise.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from etc.generate.frames import Frames
from etc.generate.network import PROVIDERS
from etc.generate.truth import TRUTH_COLUMNS
from etc.schemas import COUNTS, Kind

PROVIDER_NAMES = {"VETC": "Công ty TNHH Thu phí tự động VETC",
                  "EPASS": "Công ty CP Giao thông số Việt Nam (ePass)"}
HIDDEN_HOURS = 3
NOISE = 0.005
"""Probability that a vehicle is missed, and that one is counted twice."""


def has_sensor(number: int) -> bool:
    """Stations ST06, ST12, … have no sensors."""
    return number % 6 != 0


def providers() -> pl.DataFrame:
    return pl.DataFrame({"provider_id": list(PROVIDERS),
                         "name": [PROVIDER_NAMES[p] for p in PROVIDERS]})


def _grid(stations: pl.DataFrame, start: date, days: int) -> pl.DataFrame:
    """One row per sensor interval: station_id, lane_id, _day, _idx, _len, _by_class."""
    rows = []
    for sid, lanes in stations.select("station_id", "_lanes").iter_rows():
        number = int(sid[2:])
        if not has_sensor(number):
            continue
        length = 60 if number % 4 == 0 else 15
        for lane in range(1, lanes + 1):
            rows.append((sid, f"L{lane:02d}", length, number % 3 == 0))
    sensors = pl.DataFrame(rows, schema={"station_id": pl.String, "lane_id": pl.String,
                                         "_len": pl.Int32, "_by_class": pl.Boolean},
                           orient="row")
    return (sensors.join(pl.DataFrame({"_day": pl.arange(0, days, eager=True,
                                                         dtype=pl.Int32)}), how="cross")
            .with_columns(pl.int_ranges(0, 1440 // pl.col("_len"), dtype=pl.Int32)
                          .alias("_idx"))
            .explode("_idx"))


def _recorded(lanes: pl.DataFrame, start: date, grid: pl.DataFrame) -> pl.DataFrame:
    """Passages per station, lane, day, interval and avc_class."""
    local = lanes["passed_at"].dt.replace_time_zone(None) + timedelta(hours=7)
    lengths = grid.select("station_id", "_len").unique()
    return (lanes.select("station_id", "lane_id", "avc_class")
            .with_columns(((local.dt.date() - pl.lit(start)).dt.total_days()
                           .cast(pl.Int32)).alias("_day"),
                          (local.dt.hour().cast(pl.Int32) * 60 + local.dt.minute()).alias("_m"))
            .join(lengths, on="station_id")
            .with_columns((pl.col("_m") // pl.col("_len")).cast(pl.Int32).alias("_idx"))
            .group_by("station_id", "lane_id", "_day", "_idx", "avc_class")
            .agg(pl.len().cast(pl.Int64).alias("rec")))


def _noisy(rng: np.random.Generator, rec: np.ndarray) -> np.ndarray:
    return rec - rng.binomial(rec, NOISE) + rng.binomial(rec, NOISE)


def add_counts(frames: Frames, stations: pl.DataFrame, seed: int, k: int) -> Frames:
    """Frames with counts, providers and, for k > 0, PASSAGES_HIDDEN injected."""
    rng = np.random.default_rng([seed, 13])
    grid = _grid(stations, frames.start, frames.days)
    rec = _recorded(frames.lanes, frames.start, grid)
    hidden, truth = _hidden(rng, frames, grid, rec, k)
    cells = (grid.join(rec, on=["station_id", "lane_id", "_day", "_idx"], how="left")
             .with_columns(pl.when(pl.col("_by_class")).then(pl.col("avc_class"))
                           .alias("vehicle_class"))
             .group_by("station_id", "lane_id", "_day", "_idx", "_len", "_by_class",
                       "vehicle_class")
             .agg(pl.col("rec").fill_null(0).sum())
             .filter(~pl.col("_by_class") | pl.col("vehicle_class").is_not_null())
             .sort("station_id", "lane_id", "_day", "_idx", "vehicle_class", nulls_last=False))
    cells = cells.with_columns(pl.Series("vehicles", _noisy(rng, cells["rec"].to_numpy())))
    cells = _add_hidden(cells, hidden)
    cells = _miss_hours(rng, cells, hidden)
    day0 = pl.lit(frames.start).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
    counts = cells.with_columns(
        (day0 - pl.duration(hours=7) + pl.duration(days=pl.col("_day"))
         + pl.duration(minutes=pl.col("_idx") * pl.col("_len"))).alias("interval_start"),
        pl.col("_len").cast(pl.Int64).alias("interval_minutes"),
        pl.col("vehicle_class").cast(pl.Int8),
        pl.col("vehicles").cast(pl.Int64),
        pl.when(pl.col("_by_class")).then(pl.format("LOOP-{}", pl.col("station_id")))
        .otherwise(pl.format("CAM-{}", pl.col("station_id"))).alias("source"),
    ).select(COUNTS.names)
    truth_all = pl.concat([frames.truth, truth], how="vertical_relaxed").sort(
        TRUTH_COLUMNS, nulls_last=True)
    return replace(frames, counts=counts, providers=providers(), truth=truth_all)


def _hidden(rng: np.random.Generator, frames: Frames, grid: pl.DataFrame, rec: pl.DataFrame,
            k: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(station_id, lane_id, _day, _hour, extra) of the hidden vehicles, and their truth."""
    empty = pl.DataFrame(schema={"station_id": pl.String, "lane_id": pl.String,
                                 "_day": pl.Int32, "_hour": pl.Int32, "extra": pl.Int64})
    no_truth = pl.DataFrame(schema={c: frames.truth.schema[c] for c in TRUTH_COLUMNS})
    if k == 0:
        return empty, no_truth
    taken = frames.truth.filter(pl.col("lane_id").is_not_null()).select(
        "station_id", "lane_id", ((pl.col("business_date") - pl.lit(frames.start))
                                  .dt.total_days().cast(pl.Int32)).alias("_day"))
    per_day = rec.group_by("station_id", "lane_id", "_day").agg(pl.col("rec").sum())
    lane_days = (grid.select("station_id", "lane_id", "_day").unique()
                 .join(per_day, on=["station_id", "lane_id", "_day"], how="left")
                 .join(taken, on=["station_id", "lane_id", "_day"], how="anti")
                 .with_columns(pl.col("rec").fill_null(0))
                 .sort("station_id", "lane_id", "_day"))
    pick = rng.choice(lane_days.height, size=min(k, lane_days.height), replace=False)
    chosen = lane_days[np.sort(pick)]
    rows = []
    for sid, lid, day, recorded in chosen.iter_rows():
        total = max(35, -(-4 * recorded // 100))
        first = int(rng.integers(7, 20))
        share = rng.multinomial(total, [1 / HIDDEN_HOURS] * HIDDEN_HOURS)
        rows += [(sid, lid, day, first + h, int(share[h])) for h in range(HIDDEN_HOURS)]
    hidden = pl.DataFrame(rows, schema=empty.schema, orient="row")
    truth = chosen.select(
        pl.lit("PASSAGES_HIDDEN").alias("code"),
        (pl.lit(frames.start) + pl.duration(days=pl.col("_day"))).cast(pl.Date)
        .alias("business_date"), "station_id", "lane_id")
    return hidden, pl.concat([no_truth, truth], how="diagonal_relaxed")


def _add_hidden(cells: pl.DataFrame, hidden: pl.DataFrame) -> pl.DataFrame:
    """Add the hidden vehicles to the first interval of each hidden hour: to its
    all-classes row, or its class-1 row (made when the interval had none)."""
    if hidden.is_empty():
        return cells
    lengths = cells.select("station_id", "_len", "_by_class").unique(["station_id"])
    at = (hidden.join(lengths, on="station_id")
          .with_columns((pl.col("_hour") * 60 // pl.col("_len")).cast(pl.Int32).alias("_idx"),
                        pl.when(pl.col("_by_class")).then(pl.lit(1, pl.Int8))
                        .alias("vehicle_class"))
          .select("station_id", "lane_id", "_day", "_idx", "_len", "_by_class", "vehicle_class",
                  "extra"))
    keys = ["station_id", "lane_id", "_day", "_idx", "_len", "_by_class", "vehicle_class"]
    cells = cells.with_columns(pl.col("vehicle_class").cast(pl.Int8))
    missing = at.join(cells, on=keys, how="anti", nulls_equal=True).select(
        *keys, pl.lit(0, pl.Int64).alias("rec"), pl.lit(0, pl.Int64).alias("vehicles"))
    return (pl.concat([cells, missing], how="vertical_relaxed")
            .join(at, on=keys, how="left", nulls_equal=True)
            .with_columns((pl.col("vehicles") + pl.col("extra").fill_null(0)).alias("vehicles"))
            .drop("extra")
            .sort("station_id", "lane_id", "_day", "_idx", "vehicle_class", nulls_last=False))


def _miss_hours(rng: np.random.Generator, cells: pl.DataFrame,
                hidden: pl.DataFrame) -> pl.DataFrame:
    """One sensor-day in five (not a hidden lane's day) misses 1–3 hours."""
    sensor_days = cells.select("station_id", "_day").unique().sort("station_id", "_day")
    hit = rng.random(sensor_days.height) < 0.2
    first = rng.integers(0, 22, sensor_days.height)
    hours = rng.integers(1, 4, sensor_days.height)
    down = (sensor_days.with_columns(pl.Series("_from", first * 60, dtype=pl.Int32),
                                     pl.Series("_to", np.minimum(first + hours, 24) * 60,
                                               dtype=pl.Int32))
            .filter(pl.Series(hit))
            .join(hidden.select("station_id", "_day").unique(), on=["station_id", "_day"],
                  how="anti"))
    minute = pl.col("_idx") * pl.col("_len")
    gone = (cells.join(down, on=["station_id", "_day"])
            .filter((minute >= pl.col("_from")) & (minute < pl.col("_to")))
            .select("station_id", "lane_id", "_day", "_idx").unique())
    return cells.join(gone, on=["station_id", "lane_id", "_day", "_idx"], how="anti")


def write(frames: Frames, inputs: Path) -> dict[str, list[Path]]:
    """counts_YYYYMMDD.csv per day (naive local times; with several days the second
    day as counts_YYYYMMDD.parquet, UTC instants) and providers.csv, into `inputs`."""
    out = write_providers(frames, inputs)
    for d in range(frames.days):
        out[Kind.COUNTS.value] += write_day(frames, d, inputs)
    return out


def write_providers(frames: Frames, folder: Path, stamp: str = "") -> dict[str, list[Path]]:
    """providers<stamp>.csv (when the frames have providers); kind → files."""
    out: dict[str, list[Path]] = {Kind.COUNTS.value: [], Kind.PROVIDERS.value: []}
    if not frames.providers.is_empty():
        path = folder / f"providers{stamp}.csv"
        frames.providers.write_csv(path)
        out[Kind.PROVIDERS.value].append(path)
    return out


def write_day(frames: Frames, d: int, folder: Path) -> list[Path]:
    """The counts of the d-th day (none when it has none): CSV, or Parquet on day 1."""
    local = pl.col("interval_start").dt.replace_time_zone(None) + timedelta(hours=7)
    day = frames.start + timedelta(days=d)
    mine = frames.counts.filter(local.dt.date() == day)
    if mine.is_empty():
        return []
    if d == 1:
        path = folder / f"counts_{day:%Y%m%d}.parquet"
        mine.write_parquet(path)
    else:
        path = folder / f"counts_{day:%Y%m%d}.csv"
        mine.with_columns(local.dt.strftime("%Y-%m-%dT%H:%M:%S")).write_csv(path)
    return [path]
