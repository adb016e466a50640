"""Write the frames as the parties would send them, in every supported format.

Layout under `out_dir/inputs/` (one folder loaded at once; see nights.py for one
folder per night):
- stations.csv, tariffs.csv, exemptions.csv (upper-case header);
- tags_snapshot.csv (rows before the period) and tag_changes.parquet (the rest);
- lanes_YYYYMMDD.csv per day, in time order; with several days the second is
  Parquet instead; with one day the last two stations' passages go to
  lanes_YYYYMMDD_b.parquet;
- settlements_VETC.csv and settlements_EPASS.parquet;
- bank statements by operator: the 1st as CSV (with BOM, amounts written
  `1250000.00`), the 2nd as Parquet, the 3rd as camt.053 XML and the 4th as MT940,
  one statement per booking day (CSV instead while etc.writers is missing).
`out_dir/truth.csv` holds the truth, outside the inputs.

Timestamps in CSV are mostly naive local time; some stations' lanes, some
settlements and some tag rows carry `+07:00`, others are UTC with `Z`. In Parquet
they are typed: lanes UTC, settlements naive local, tag changes Asia/Ho_Chi_Minh.
The style of a row depends only on the row (its station, its settlement id) or,
for the tag snapshot, on its position in the snapshot, so a subset written
elsewhere keeps its rows' styles.

Each writer takes the rows (or row indices) to write, the folder, and `stamp`, a
suffix for the file names ("" here, "_YYYYMMDD" for a night's inbox).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl

from etc.generate import counts
from etc.generate.frames import Frames
from etc.generate.network import OPERATORS
from etc.schemas import LOCAL_TZ, Kind

LOCAL = timezone(timedelta(hours=7))
_NAIVE, _OFFSET, _UTC = 0, 1, 2


def ts_text(col: str, style: pl.Expr) -> pl.Expr:
    """ISO 8601 text of a UTC instant: naive local, local with +07:00, or UTC with Z."""
    secs = pl.col(col).dt.epoch("s")
    shown = pl.when(style == _UTC).then(secs).otherwise(secs + 7 * 3600)
    text = pl.from_epoch(shown, time_unit="s").dt.strftime("%Y-%m-%dT%H:%M:%S")
    return (pl.when(style == _OFFSET).then(text + "+07:00")
            .when(style == _UTC).then(text + "Z").otherwise(text)).alias(col)


def _naive_local(col: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone(LOCAL_TZ).dt.replace_time_zone(None).alias(col)


@dataclass
class Written:
    """The files written so far, by kind (etc.schemas.Kind value), in writing order."""

    files: dict[str, list[Path]] = field(default_factory=lambda: {k.value: [] for k in Kind})

    def put(self, kind: Kind, path: Path, df: pl.DataFrame, **csv: Any) -> None:
        """Write df to path (Parquet or CSV by its name) and record it."""
        if path.suffix == ".parquet":
            df.write_parquet(path)
        else:
            df.write_csv(path, **csv)
        self.add(kind, path)

    def add(self, kind: Kind, path: Path) -> None:
        self.files[kind.value].append(path)


def write(frames: Frames, out_dir: Path) -> dict[str, list[Path]]:
    """Write everything into out_dir/inputs/; returns kind → files."""
    inputs = out_dir / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    out = Written()
    write_reference(frames, inputs, out)
    snap, changes = tag_rows(frames)
    write_tag_snapshot(snap, inputs, out)
    write_tag_changes(changes, inputs, out)
    keys = lane_keys(frames)
    for d in range(frames.days):
        write_lanes_day(frames, keys, d, inputs, out)
    write_settlements(frames, settlement_order(frames), inputs, out)
    write_bank(frames.bank, inputs, out)
    for kind, paths in counts.write(frames, inputs).items():  # the authority's counts
        out.files[kind] += paths
    return out.files


def write_reference(frames: Frames, folder: Path, out: Written, stamp: str = "") -> None:
    """stations, tariffs and exemptions (the last with an upper-case header)."""
    out.put(Kind.STATIONS, folder / f"stations{stamp}.csv", frames.stations)
    out.put(Kind.TARIFFS, folder / f"tariffs{stamp}.csv", frames.tariffs)
    ex = frames.exemptions
    out.put(Kind.EXEMPTIONS, folder / f"exemptions{stamp}.csv",
            ex.rename({c: c.upper() for c in ex.columns}))


def _row_style(n: int) -> pl.Expr:
    """Per row: 1 in 10 with +07:00, 1 in 10 in UTC, the rest naive."""
    i = pl.int_range(0, n) % 10
    return pl.when(i == 3).then(_OFFSET).when(i == 7).then(_UTC).otherwise(_NAIVE)


def tag_rows(frames: Frames) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The snapshot (rows before the period) and the changes, each in writing order."""
    tags = frames.tags
    before = pl.col("valid_from") < pl.lit(frames.changes_from).cast(tags.schema["valid_from"])
    snap = tags.filter(before).sort("tag_id", "valid_from")
    changes = tags.filter(~before).sort("valid_from", "tag_id")
    return snap, changes


def write_tag_snapshot(snap: pl.DataFrame, folder: Path, out: Written, stamp: str = "") -> None:
    out.put(Kind.TAGS, folder / f"tags_snapshot{stamp}.csv",
            snap.with_columns(ts_text("valid_from", _row_style(snap.height))))


def write_tag_changes(changes: pl.DataFrame, folder: Path, out: Written, stamp: str = "") -> None:
    out.put(Kind.TAGS, folder / f"tag_changes{stamp}.parquet",
            changes.with_columns(pl.col("valid_from").dt.convert_time_zone(LOCAL_TZ)))


CHUNK_ROWS = 1_000_000
"""Rows formatted and written at a time, to keep memory flat on large samples."""


def _csv_in_order(path: Path, df: pl.DataFrame, order: pl.Series, *exprs: pl.Expr) -> None:
    """Write df's rows `order` (row indices) as CSV, a chunk at a time, with `exprs`
    applied to each chunk."""
    with path.open("wb") as fh:
        for lo in range(0, max(len(order), 1), CHUNK_ROWS):
            chunk = df.select(pl.all().gather(order.slice(lo, CHUNK_ROWS))).with_columns(*exprs)
            chunk.write_csv(fh, include_header=lo == 0)


def lane_keys(frames: Frames) -> pl.DataFrame:
    """Per passage in time order: row index `_i`, day of the period `_d` (0 = start)
    and `_b` (goes to the Parquet part of a one-day sample)."""
    tail = frames.stations["station_id"].tail(2).implode()
    first = (frames.start - date(1970, 1, 1)).days
    return frames.lanes.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"),
        ((pl.col("passed_at").dt.epoch("s") + 7 * 3600) // 86_400 - first).alias("_d"),
        (pl.col("station_id").is_in(tail) & (frames.days == 1)).alias("_b"),
        "passed_at", "txn_id",
    ).sort("passed_at", "txn_id")


def write_lanes_day(frames: Frames, keys: pl.DataFrame, d: int, folder: Path,
                    out: Written) -> None:
    """The lanes file(s) of day d of the period: lanes_YYYYMMDD.csv, or .parquet for
    the second day; a one-day sample also gets lanes_YYYYMMDD_b.parquet."""
    number = pl.col("station_id").str.slice(2).cast(pl.Int32)
    style = pl.when(number % 6 == 4).then(_OFFSET).when(number % 6 == 5).then(_UTC) \
        .otherwise(_NAIVE)
    lanes = frames.lanes
    stamp = (frames.start + timedelta(days=d)).strftime("%Y%m%d")
    mine = keys.filter(pl.col("_d") == d)
    if frames.days > 1 and d == 1:
        out.put(Kind.LANES, folder / f"lanes_{stamp}.parquet",
                lanes.select(pl.all().gather(mine["_i"])))
        return
    if frames.days == 1:
        out.put(Kind.LANES, folder / f"lanes_{stamp}_b.parquet",
                lanes.select(pl.all().gather(mine.filter(pl.col("_b"))["_i"])))
    path = folder / f"lanes_{stamp}.csv"
    _csv_in_order(path, lanes, mine.filter(~pl.col("_b"))["_i"], ts_text("passed_at", style))
    out.add(Kind.LANES, path)


def settlement_order(frames: Frames) -> pl.DataFrame:
    """Per item in writing order: row index `_i`, settled_at, settlement_id, provider_id."""
    return frames.settlements.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), "settled_at", "settlement_id",
        "provider_id").sort("settled_at", "settlement_id")


def write_settlements(frames: Frames, order: pl.DataFrame, folder: Path, out: Written,
                      stamp: str = "", skip_empty: bool = False) -> None:
    """The items `order` (rows of `settlement_order`): VETC's as CSV, the others'
    as settlements_EPASS.parquet."""
    s = frames.settlements
    vetc = order.filter(pl.col("provider_id") == "VETC")["_i"]
    if len(vetc) or not skip_empty:
        path = folder / f"settlements_VETC{stamp}.csv"
        last = pl.col("settlement_id").str.slice(-1)
        style = pl.when(last.is_in(["3"])).then(_OFFSET).when(last.is_in(["7"])).then(_UTC) \
            .otherwise(_NAIVE)
        _csv_in_order(path, s, vetc, ts_text("settled_at", style))
        out.add(Kind.SETTLEMENTS, path)
    epass = order.filter(pl.col("provider_id") != "VETC")["_i"]
    if len(epass) or not skip_empty:
        out.put(Kind.SETTLEMENTS, folder / f"settlements_EPASS{stamp}.parquet",
                s.select(pl.all().gather(epass)).with_columns(_naive_local("settled_at")))


def _writer(module: str, name: str) -> Callable[..., None] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def write_bank(bank: pl.DataFrame, folder: Path, out: Written, stamp: str = "",
               skip_empty: bool = False) -> None:
    """The entries `bank` by operator: bank_<op><stamp>.csv / .parquet, or one
    camt.053 / MT940 statement per booking day, bank_<op>_YYYYMMDD.xml / .sta."""
    camt = _writer("etc.writers.camt053", "write_camt053")
    mt940 = _writer("etc.writers.mt940", "write_mt940")
    for i, (op, _name, account) in enumerate(OPERATORS):
        entries = bank.filter(pl.col("account") == account)
        if skip_empty and entries.is_empty():
            continue
        if i == 0 or (i == 2 and camt is None) or (i == 3 and mt940 is None):
            out.put(Kind.BANK, folder / f"bank_{op}{stamp}.csv", entries.with_columns(
                pl.format("{}.00", pl.col("amount_vnd")).alias("amount_vnd")), include_bom=True)
            continue
        if i == 1:
            out.put(Kind.BANK, folder / f"bank_{op}{stamp}.parquet", entries)
            continue
        for day in entries["booking_date"].unique().sort().to_list():
            stmt = entries.filter(pl.col("booking_date") == day)
            day_stamp = day.strftime("%Y%m%d")
            if i == 2 and camt is not None:
                path = folder / f"bank_{op}_{day_stamp}.xml"
                created = datetime(day.year, day.month, day.day, 23, 30, tzinfo=LOCAL)
                camt(stmt, path, message_id=f"CAMT-{op}-{day_stamp}", created_at=created)
            elif mt940 is not None:
                path = folder / f"bank_{op}_{day_stamp}.sta"
                mt940(stmt, path, envelope=False)
            out.add(Kind.BANK, path)
