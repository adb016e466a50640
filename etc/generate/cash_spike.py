"""CASH_SHARE_SPIKE injected: on `k` lane-days a lane takes far more cash than it
usually does (traffic steered to where cash can be pocketed).

The rule compares a day with the lane's median over the 28 days before and needs
at least 7 of them, so a spike can only be injected from the 8th day of a sample:
`build` calls `inject` only for samples of 8 days or more (shorter ones have no
CASH_SHARE_SPIKE in their truth).

On a chosen lane-day the lane gets extra cash passages: copies of plain cash
passages of its station that day (no override, classes agreeing, not part of any
other truth), each a few minutes after its original, with ids of their own
(`{station}-{yyyymmdd}-K{n}`). As many as make the day's share at least 3.5 × the
median and 15 points above it, with 30 or more cash passages beyond the usual
share — clear of findings.md's 3× and 10 points and of the 20 passages of
`[fraud] cash_spike_passages`. Lanes chosen have a median share of at most 25 %
and passages on at least 7 of the days before.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from statistics import median

import numpy as np
import polars as pl

from etc.generate.frames import Frames
from etc.generate.truth import TRUTH_COLUMNS

MIN_DAYS = 8
"""Days a sample needs before a spike can be injected (7 earlier days + the spike's)."""
LOOKBACK = 28


def _local_day(frames: Frames) -> pl.Expr:
    local = pl.col("passed_at").dt.replace_time_zone(None) + timedelta(hours=7)
    return (local.dt.date() - pl.lit(frames.start)).dt.total_days().cast(pl.Int32)


def _extra_needed(n: int, cash: int, med: float) -> int:
    """Fewest extra cash passages taking the day clear of the rule's limits."""
    x = 0
    while True:
        share = (cash + x) / (n + x)
        beyond = cash + x - round(med * (n + x))
        if share >= max(3.5 * med, med + 0.15) and beyond >= 30:
            return x
        x += 1


def inject(frames: Frames, seed: int, k: int) -> Frames:
    """Frames with up to k CASH_SHARE_SPIKE lane-days (fewer when too few lanes
    qualify) and their truth; unchanged for samples shorter than MIN_DAYS."""
    if k == 0 or frames.days < MIN_DAYS:
        return frames
    rng = np.random.default_rng([seed, 14])
    lanes = frames.lanes.with_columns(_local_day(frames).alias("_day"))
    daily = (lanes.group_by("station_id", "lane_id", "_day")
             .agg(pl.len().alias("n"), (pl.col("payment_method") == "CASH").sum().alias("cash"))
             .sort("station_id", "lane_id", "_day"))
    shares: dict[tuple[str, str], dict[int, tuple[int, int]]] = {}
    for sid, lid, day, n, cash in daily.iter_rows():
        shares.setdefault((sid, lid), {})[day] = (n, cash)
    truth_txn = frames.truth["txn_id"].drop_nulls().implode()
    plain = lanes.filter((pl.col("payment_method") == "CASH") & pl.col("override").is_null()
                         & (pl.col("charged_class") == pl.col("avc_class"))
                         & ~pl.col("txn_id").is_in(truth_txn))
    sources = {key: df for key, df in plain.partition_by("station_id", "_day",
                                                          as_dict=True).items()}
    candidates = []
    for (sid, lid), days in sorted(shares.items()):
        for day in range(MIN_DAYS - 1, frames.days):
            earlier = [c / n for d, (n, c) in days.items() if 1 <= day - d <= LOOKBACK]
            if day in days and len(earlier) >= 7 and median(earlier) <= 0.25 \
                    and (sid, day) in sources:
                candidates.append((sid, lid, day, median(earlier)))
    if not candidates:
        return frames
    order = rng.permutation(len(candidates))
    chosen: list[tuple[str, str, int, float]] = []
    lanes_used: set[tuple[str, str]] = set()
    for i in order:
        sid, lid, day, med = candidates[int(i)]
        if (sid, lid) not in lanes_used and len(chosen) < k:
            chosen.append((sid, lid, day, med))
            lanes_used.add((sid, lid))
    copies = []
    for sid, lid, day, med in sorted(chosen):
        n, cash = shares[(sid, lid)][day]
        x = _extra_needed(n, cash, med)
        src = sources[(sid, day)]
        picked = src[rng.integers(0, src.height, x)]
        stamp = (frames.start + timedelta(days=day)).strftime("%Y%m%d")
        copies.append(picked.with_columns(
            pl.Series("txn_id", [f"{sid}-{stamp}-K{j:04d}" for j in range(x)]),
            pl.lit(lid).alias("lane_id"),
            pl.Series("_off", rng.integers(30, 600, x)),
        ).with_columns(pl.col("passed_at") + pl.duration(seconds=pl.col("_off")))
            .drop("_day", "_off"))
    truth = pl.DataFrame(
        [("CASH_SHARE_SPIKE", frames.start + timedelta(days=day), sid, lid)
         for sid, lid, day, _ in chosen],
        schema={"code": pl.String, "business_date": pl.Date, "station_id": pl.String,
                "lane_id": pl.String}, orient="row")
    return replace(
        frames,
        lanes=pl.concat([frames.lanes, *copies]),
        truth=pl.concat([frames.truth, truth], how="diagonal_relaxed")
        .select(TRUTH_COLUMNS).sort(TRUTH_COLUMNS, nulls_last=True))
