"""Write the frames as the parties would send them, in every supported format.

Layout under `out_dir/inputs/`:
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
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


def write(frames: Frames, out_dir: Path) -> dict[str, list[Path]]:
    inputs = out_dir / "inputs"
    inputs.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[Path]] = {k.value: [] for k in Kind}

    def put(kind: Kind, name: str, df: pl.DataFrame, **csv: Any) -> None:
        path = inputs / name
        if name.endswith(".parquet"):
            df.write_parquet(path)
        else:
            df.write_csv(path, **csv)
        files[kind.value].append(path)

    put(Kind.STATIONS, "stations.csv", frames.stations)
    put(Kind.TARIFFS, "tariffs.csv", frames.tariffs)
    ex = frames.exemptions
    put(Kind.EXEMPTIONS, "exemptions.csv", ex.rename({c: c.upper() for c in ex.columns}))
    _tags(frames, put)
    def add(kind: Kind, path: Path) -> None:
        files[kind.value].append(path)

    _lanes(frames, put, add, inputs)
    _settlements(frames, put, add, inputs)
    files[Kind.BANK.value] += _bank(frames, inputs)
    for kind, paths in counts.write(frames, inputs).items():  # the authority's counts
        files[kind] += paths
    return files


Put = Callable[..., None]


def _row_style(n: int) -> pl.Expr:
    """Per row: 1 in 10 with +07:00, 1 in 10 in UTC, the rest naive."""
    i = pl.int_range(0, n) % 10
    return pl.when(i == 3).then(_OFFSET).when(i == 7).then(_UTC).otherwise(_NAIVE)


def _tags(frames: Frames, put: Put) -> None:
    tags = frames.tags
    before = pl.col("valid_from") < pl.lit(frames.changes_from).cast(tags.schema["valid_from"])
    snap = tags.filter(before).sort("tag_id", "valid_from")
    put(Kind.TAGS, "tags_snapshot.csv", snap.with_columns(ts_text("valid_from",
                                                                  _row_style(snap.height))))
    changes = tags.filter(~before).sort("valid_from", "tag_id").with_columns(
        pl.col("valid_from").dt.convert_time_zone(LOCAL_TZ))
    put(Kind.TAGS, "tag_changes.parquet", changes)


CHUNK_ROWS = 1_000_000
"""Rows formatted and written at a time, to keep memory flat on large samples."""


def _csv_in_order(path: Path, df: pl.DataFrame, order: pl.Series, *exprs: pl.Expr) -> None:
    """Write df's rows `order` (row indices) as CSV, a chunk at a time, with `exprs`
    applied to each chunk."""
    with path.open("wb") as fh:
        for lo in range(0, max(len(order), 1), CHUNK_ROWS):
            chunk = df.select(pl.all().gather(order.slice(lo, CHUNK_ROWS))).with_columns(*exprs)
            chunk.write_csv(fh, include_header=lo == 0)


def _lanes(frames: Frames, put: Put, add: Callable[[Kind, Path], None], inputs: Path) -> None:
    number = pl.col("station_id").str.slice(2).cast(pl.Int32)
    style = pl.when(number % 6 == 4).then(_OFFSET).when(number % 6 == 5).then(_UTC) \
        .otherwise(_NAIVE)
    lanes = frames.lanes
    tail = frames.stations["station_id"].tail(2).implode()
    first = (frames.start - date(1970, 1, 1)).days
    keys = lanes.select(
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"),
        ((pl.col("passed_at").dt.epoch("s") + 7 * 3600) // 86_400 - first).alias("_d"),
        (pl.col("station_id").is_in(tail) & (frames.days == 1)).alias("_b"),
        "passed_at", "txn_id",
    ).sort("passed_at", "txn_id")
    for d in range(frames.days):
        stamp = (frames.start + timedelta(days=d)).strftime("%Y%m%d")
        mine = keys.filter(pl.col("_d") == d)
        if frames.days > 1 and d == 1:
            put(Kind.LANES, f"lanes_{stamp}.parquet",
                lanes.select(pl.all().gather(mine["_i"])))
            continue
        if frames.days == 1:
            put(Kind.LANES, f"lanes_{stamp}_b.parquet",
                lanes.select(pl.all().gather(mine.filter(pl.col("_b"))["_i"])))
        path = inputs / f"lanes_{stamp}.csv"
        _csv_in_order(path, lanes, mine.filter(~pl.col("_b"))["_i"], ts_text("passed_at", style))
        add(Kind.LANES, path)


def _settlements(frames: Frames, put: Put, add: Callable[[Kind, Path], None],
                 inputs: Path) -> None:
    s = frames.settlements
    order = s.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i"), "settled_at",
                     "settlement_id", "provider_id").sort("settled_at", "settlement_id")
    vetc = order.filter(pl.col("provider_id") == "VETC")["_i"]
    path = inputs / "settlements_VETC.csv"
    style = pl.when(pl.col("settlement_id").str.slice(-1).is_in(["3"])).then(_OFFSET) \
        .when(pl.col("settlement_id").str.slice(-1).is_in(["7"])).then(_UTC).otherwise(_NAIVE)
    _csv_in_order(path, s, vetc, ts_text("settled_at", style))
    add(Kind.SETTLEMENTS, path)
    epass = order.filter(pl.col("provider_id") != "VETC")["_i"]
    put(Kind.SETTLEMENTS, "settlements_EPASS.parquet",
        s.select(pl.all().gather(epass)).with_columns(_naive_local("settled_at")))


def _writer(module: str, name: str) -> Callable[..., None] | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    fn = getattr(mod, name, None)
    return fn if callable(fn) else None


def _bank(frames: Frames, inputs: Path) -> list[Path]:
    out: list[Path] = []
    camt = _writer("etc.writers.camt053", "write_camt053")
    mt940 = _writer("etc.writers.mt940", "write_mt940")
    for i, (op, _name, account) in enumerate(OPERATORS):
        entries = frames.bank.filter(pl.col("account") == account)
        if i == 0 or (i == 2 and camt is None) or (i == 3 and mt940 is None):
            path = inputs / f"bank_{op}.csv"
            entries.with_columns(
                pl.format("{}.00", pl.col("amount_vnd")).alias("amount_vnd")
            ).write_csv(path, include_bom=True)
            out.append(path)
            continue
        if i == 1:
            path = inputs / f"bank_{op}.parquet"
            entries.write_parquet(path)
            out.append(path)
            continue
        for day in entries["booking_date"].unique().sort().to_list():
            stmt = entries.filter(pl.col("booking_date") == day)
            stamp = day.strftime("%Y%m%d")
            if i == 2 and camt is not None:
                path = inputs / f"bank_{op}_{stamp}.xml"
                created = datetime(day.year, day.month, day.day, 23, 30, tzinfo=LOCAL)
                camt(stmt, path, message_id=f"CAMT-{op}-{stamp}", created_at=created)
            elif mt940 is not None:
                path = inputs / f"bank_{op}_{stamp}.sta"
                mt940(stmt, path, envelope=False)
            out.append(path)
    return out
