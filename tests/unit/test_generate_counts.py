"""The generator's vehicle counts (etc.generate.counts) and cash spikes
(etc.generate.cash_spike): coverage, noise that stays noise, missed hours, the
injected anomalies in the truth, and files that load without a refusal."""

from __future__ import annotations

import functools
from datetime import timedelta
from pathlib import Path

import polars as pl

from etc.generate import Frames, build, generate, instances
from etc.generate.counts import has_sensor
from etc.ingest import ingest_paths
from etc.schemas import Kind
from etc.store import Store


@functools.cache
def normal() -> Frames:
    return build(seed=29, days=2, passages=6000, anomalies=False)


def per_lane_day(frames: Frames) -> pl.DataFrame:
    """Counted (all sources, all rows) and recorded passages per lane-day, over the
    intervals the sensor covered."""
    local = pl.col("passed_at").dt.replace_time_zone(None) + timedelta(hours=7)
    rec = frames.lanes.with_columns(local.dt.date().alias("business_date"),
                                    local.dt.hour().alias("hour"))
    c_local = pl.col("interval_start").dt.replace_time_zone(None) + timedelta(hours=7)
    counted = frames.counts.with_columns(c_local.dt.date().alias("business_date"),
                                         c_local.dt.hour().alias("hour"))
    hours = counted.select("station_id", "lane_id", "business_date", "hour").unique()
    recorded = (rec.join(hours, on=["station_id", "lane_id", "business_date", "hour"])
                .group_by("station_id", "lane_id", "business_date").agg(pl.len().alias("rec")))
    return (counted.group_by("station_id", "lane_id", "business_date")
            .agg(pl.col("vehicles").sum().alias("counted"))
            .join(recorded, on=["station_id", "lane_id", "business_date"], how="left")
            .with_columns(pl.col("rec").fill_null(0)))


def test_most_stations_have_sensors_and_the_rest_none() -> None:
    f = normal()
    covered = set(f.counts["station_id"].unique())
    every = set(f.stations["station_id"])
    assert covered == {s for s in every if has_sensor(int(s[2:]))}
    assert len(covered) >= 0.8 * len(every) and "ST06" not in covered
    assert set(f.counts["interval_minutes"].unique()) == {15, 60}
    assert f.counts["source"].str.starts_with("LOOP-").any()          # per class
    assert f.counts["vehicle_class"].is_null().any()                  # all classes


def test_noise_is_there_but_stays_under_the_rule_s_limits() -> None:
    days = per_lane_day(normal())
    diff = days["counted"] - days["rec"]
    assert (diff != 0).any(), "sensors are not perfect"
    assert (diff.abs() < 20).all() and (diff.abs() <= 0.02 * days["rec"] + 5).all()


def test_some_sensor_days_miss_hours() -> None:
    f = normal()
    full = (f.counts.filter(pl.col("vehicle_class").is_null())
            .group_by("station_id", "lane_id", pl.col("interval_start").dt.date())
            .agg((pl.col("interval_minutes").sum() / 60).alias("hours")))
    assert full["hours"].max() == 24 and full["hours"].min() < 24


def test_hidden_vehicles_are_in_the_counts_of_the_truth_s_lanes_only() -> None:
    f = build(seed=31, days=2, passages=3000)
    truth = f.truth.filter(pl.col("code") == "PASSAGES_HIDDEN").select(
        "station_id", "lane_id", "business_date")
    assert truth.height == instances(3000 * 2)
    days = per_lane_day(f).with_columns((pl.col("counted") - pl.col("rec")).alias("excess"))
    hid = days.join(truth, on=["station_id", "lane_id", "business_date"])
    assert hid.height == truth.height and (hid["excess"] >= 30).all()
    rest = days.join(truth, on=["station_id", "lane_id", "business_date"], how="anti")
    assert (rest["excess"].abs() < 20).all()


def test_a_cash_spike_needs_eight_days() -> None:
    codes = set(build(seed=37, days=7, passages=1500).truth["code"])
    assert "CASH_SHARE_SPIKE" not in codes and "PASSAGES_HIDDEN" in codes
    eight = build(seed=37, days=8, passages=1500)
    spikes = eight.truth.filter(pl.col("code") == "CASH_SHARE_SPIKE")
    assert spikes.height >= 1 and (spikes["business_date"] == eight.start
                                   + timedelta(days=7)).all()


def test_count_and_provider_files_load_without_a_refusal(tmp_path: Path) -> None:
    sample = generate(tmp_path / "s", seed=41, days=2, passages=2000)
    names = sorted(p.name for p in sample.files[Kind.COUNTS.value])
    assert names == ["counts_20261101.csv", "counts_20261102.parquet"]
    with Store(tmp_path / "etc.duckdb") as store:
        paths = sample.files[Kind.COUNTS.value] + sample.files[Kind.PROVIDERS.value]
        results = ingest_paths(store, paths)
        assert [r.kind for r in results] == ["counts", "counts", "providers"]
        assert all(r.rows_quarantined == 0 and r.rows_loaded == r.rows_read for r in results)
        assert sum(r.rows_loaded for r in results[:2]) == sample.counts["counts"]
