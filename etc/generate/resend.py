"""A late re-send of part of a lanes file, as station systems do after an outage:
most rows again (already present), one changed after the fact (a conflicting
duplicate), and a handful of damaged rows, one per common refusal reason.

It exercises the loading half (nothing here reaches a table, so the rules and the
ground truth are untouched) and gives `etc quarantine` something to show.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import polars as pl

from etc.generate.frames import Frames
from etc.schemas import LANES, LOCAL_TZ

RESENT = 40
# (column, bad text): each makes one row refused with its own reason.
DAMAGE = (
    ("amount_vnd", "35000.50"),          # FRACTIONAL_MONEY
    ("avc_class", "7"),                  # CLASS_OUT_OF_RANGE
    ("payment_method", "CARD"),          # UNKNOWN_PAYMENT_METHOD
    ("passed_at", "2026-11-31T08:00:00"),  # BAD_TIMESTAMP
    ("station_id", ""),                  # MISSING_VALUE
    ("amount_vnd", "-35000"),            # NEGATIVE_MONEY
)


def write_resend(frames: Frames, inputs: Path) -> Path:
    """Write lanes_<first day>_resend.csv into `inputs`; returns its path."""
    day = frames.start
    local = pl.col("passed_at").dt.convert_time_zone(LOCAL_TZ)
    first = (
        frames.lanes.filter(local.dt.date() == day)
        .sort("passed_at", "txn_id")
        .head(RESENT + 1 + len(DAMAGE))
    )
    text = first.select(
        [
            local.dt.strftime("%Y-%m-%dT%H:%M:%S+07:00").alias("passed_at")
            if c == "passed_at" else pl.col(c).cast(pl.String)
            for c in LANES.names
        ]
    )
    resent = text.head(RESENT)
    changed = text.slice(RESENT, 1).with_columns(
        (pl.col("amount_vnd").cast(pl.Int64) + 5_000).cast(pl.String))
    damaged = text.slice(RESENT + 1, len(DAMAGE)).with_row_index("_i").with_columns(
        pl.format("RS-{}-{}", pl.lit(day.strftime("%Y%m%d")), pl.col("_i")).alias("txn_id"))
    for i, (column, bad) in enumerate(DAMAGE):
        damaged = damaged.with_columns(
            pl.when(pl.col("_i") == i).then(pl.lit(bad)).otherwise(pl.col(column)).alias(column))
    out = pl.concat([resent, changed, damaged.drop("_i")])
    path = inputs / f"lanes_{day.strftime('%Y%m%d')}_resend.csv"
    out.write_csv(path)
    with path.open("a", encoding="utf-8") as fh:  # a line cut short in transfer
        fh.write(f"RS-{(day + timedelta(days=0)).strftime('%Y%m%d')}-cut,ST01,L1\n")
    return path
