"""Write the frames as they would arrive night by night: one inbox folder per
business date D of the period, `out_dir/nights/YYYY-MM-DD/`, holding what had
arrived by the cut-off of night D, C(D) = D+1 06:00 local time:

- the first night: stations, tariffs, exemptions and the tag snapshot;
- tag changes with valid_from < C(D), settlement items with settled_at < C(D) and
  bank entries booked on or before D, that no earlier night got;
- the lanes file(s) of D;
- the last night also everything still undelivered (items settled, entries booked
  and tag changes valid after its cut-off), so that the nights together hold
  exactly the rows of the one-shot `inputs/`.

Files are written by the writers of files.py, with the night's date in their
names (`settlements_VETC_20261102.csv`); camt.053 and MT940 statements keep one
file per booking day (`bank_CII_20261103.xml`), and lanes files are named by their
business date as in `inputs/`. A night with no rows of a kind gets no file of it.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from etc.generate import counts
from etc.generate.files import (
    Written,
    lane_keys,
    settlement_order,
    tag_rows,
    write_bank,
    write_lanes_day,
    write_reference,
    write_settlements,
    write_tag_changes,
    write_tag_snapshot,
)
from etc.generate.frames import Frames
from etc.schemas import Kind

CUTOFF_HOUR = 6
"""Night D takes what arrived before D+1 at this local hour."""


def night_dirs(out_dir: Path, start: date, days: int) -> list[Path]:
    """out_dir/nights/YYYY-MM-DD for each business date of the period."""
    return [out_dir / "nights" / (start + timedelta(days=d)).isoformat() for d in range(days)]


def night_of_instant(col: str, start: date, days: int) -> pl.Expr:
    """The night (0 … days-1) that delivers a row timestamped `col` (UTC instant):
    the first night D with col < C(D); the last night for anything later."""
    first_cut = ((start - date(1970, 1, 1)).days + 1) * 86_400 + (CUTOFF_HOUR - 7) * 3600
    secs = pl.col(col).dt.epoch("s")
    return (((secs - first_cut) // 86_400) + 1).clip(0, days - 1)


def night_of_date(col: str, start: date, days: int) -> pl.Expr:
    """The night that delivers a row dated `col`: the night of that date, the first
    for earlier dates, the last for later ones."""
    return (pl.col(col) - pl.lit(start)).dt.total_days().clip(0, days - 1)


def write_nights(frames: Frames, out_dir: Path) -> tuple[list[Path], dict[str, list[Path]]]:
    """Write one inbox folder per night; returns the folders and kind → files."""
    start, days = frames.start, frames.days
    nights = night_dirs(out_dir, start, days)
    out = Written()
    snap, changes = tag_rows(frames)
    changes = changes.with_columns(night_of_instant("valid_from", start, days).alias("_n"))
    keys = lane_keys(frames)
    order = settlement_order(frames).with_columns(
        night_of_instant("settled_at", start, days).alias("_n"))
    bank = frames.bank.with_columns(night_of_date("booking_date", start, days).alias("_n"))
    for d, folder in enumerate(nights):
        folder.mkdir(parents=True, exist_ok=True)
        stamp = "_" + (start + timedelta(days=d)).strftime("%Y%m%d")
        if d == 0:
            write_reference(frames, folder, out, stamp)
            if snap.height:
                write_tag_snapshot(snap, folder, out, stamp)
        mine = changes.filter(pl.col("_n") == d).drop("_n")
        if mine.height:
            write_tag_changes(mine, folder, out, stamp)
        write_lanes_day(frames, keys, d, folder, out)
        write_settlements(frames, order.filter(pl.col("_n") == d), folder, out, stamp,
                          skip_empty=True)
        write_bank(bank.filter(pl.col("_n") == d).drop("_n"), folder, out, stamp,
                   skip_empty=True)
        if d == 0:  # the providers list with the reference data
            for kind, paths in counts.write_providers(frames, folder, stamp).items():
                out.files[kind] += paths
        out.files[Kind.COUNTS.value] += counts.write_day(frames, d, folder)
    return nights, out.files
