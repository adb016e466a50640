"""The generated data in memory: one canonical frame per kind, plus the truth.

Columns and their order follow `etc.schemas.SCHEMAS`. Timestamps are instants,
`Datetime("us", "UTC")`; dates are `Date`; classes `Int8`; money `Int64`. Plates
are as written in the files (not normalised).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import polars as pl

from etc.generate.network import lane_ids
from etc.generate.truth import resolve
from etc.generate.vehicles import Exemptions
from etc.generate.world import World
from etc.parse import POLARS_TYPES
from etc.schemas import SCHEMAS, Kind

TIMESTAMP = pl.Datetime("us", "UTC")


@dataclass(frozen=True)
class Frames:
    """Canonical frames of every kind, the truth, and the period."""

    stations: pl.DataFrame
    tariffs: pl.DataFrame
    exemptions: pl.DataFrame
    tags: pl.DataFrame
    """Every tag row: the snapshot (valid_from before `changes_from`) and the changes."""
    lanes: pl.DataFrame
    settlements: pl.DataFrame
    bank: pl.DataFrame
    truth: pl.DataFrame
    start: date
    days: int
    changes_from: datetime
    """Start of the period (UTC): tag rows from here on are the changes file."""
    counts: pl.DataFrame = field(default_factory=lambda: empty(Kind.COUNTS))
    """The road authority's vehicle counts (etc.generate.counts)."""
    providers: pl.DataFrame = field(default_factory=lambda: empty(Kind.PROVIDERS))

    def of(self, kind: Kind) -> pl.DataFrame:
        return {Kind.LANES: self.lanes, Kind.TAGS: self.tags, Kind.SETTLEMENTS: self.settlements,
                Kind.BANK: self.bank, Kind.STATIONS: self.stations, Kind.TARIFFS: self.tariffs,
                Kind.EXEMPTIONS: self.exemptions, Kind.COUNTS: self.counts,
                Kind.PROVIDERS: self.providers}[kind]


def empty(kind: Kind) -> pl.DataFrame:
    """No rows of a kind, in its canonical columns and types."""
    return pl.DataFrame(schema={c.name: POLARS_TYPES[c.type] for c in SCHEMAS[kind].columns})


def _columns(kind: Kind) -> list[str]:
    return list(SCHEMAS[kind].names)


def _instant(col: str) -> pl.Expr:
    return pl.from_epoch(pl.col(col), time_unit="s").dt.replace_time_zone("UTC").cast(TIMESTAMP)


def _day_text(w: World, lo: int, hi: int) -> tuple[list[int], list[str]]:
    days = list(range(lo, hi + 1))
    return days, [(w.start + timedelta(days=d)).strftime("%Y%m%d") for d in days]


def assemble(w: World, parts: dict[str, pl.DataFrame], ex: Exemptions) -> Frames:
    """Canonical frames from `parts` ("lanes": internal passages, "items": settlement
    items, "bank": entries), which it empties, and the tags of `w`, which it clears:
    each internal frame is freed as soon as its canonical one is made."""
    stations = w.net.stations
    sid = stations["station_id"]
    raw = parts.pop("lanes")
    txn_id = _txn_ids(w, raw)
    txn = raw.select("_pid").with_columns(txn_id.alias("txn_id"))
    items = parts.pop("items")
    settlements = _settlements(w, items, txn)
    truth = resolve(w, txn, items, sid)
    del items, txn
    book = w.tag_book()
    w.tags.clear()
    lanes = _lanes(raw, txn_id, book["tag_id"], sid)
    del raw, txn_id
    status = pl.concat(w.status)
    w.status.clear()
    tags = (
        book.select(pl.all().gather(status["_tag"])).drop("_tag").hstack(status)
        .with_columns(_instant("_vf").alias("valid_from"))
        .select(_columns(Kind.TAGS))
    )
    return Frames(
        stations=stations.select(_columns(Kind.STATIONS)),
        tariffs=w.net.tariffs.select(_columns(Kind.TARIFFS)),
        exemptions=ex.frame.select(_columns(Kind.EXEMPTIONS)),
        tags=tags, lanes=lanes, settlements=settlements,
        bank=parts.pop("bank").select(_columns(Kind.BANK)), truth=truth, start=w.start,
        days=w.days, changes_from=w.instant(0, 0),
    )


def _txn_ids(w: World, raw: pl.DataFrame) -> pl.Series:
    """`{station}-{yyyymmdd}-{sequence}`, the sequence counting the station's
    passages of the day in time order (rows stay in generation order)."""
    sid = w.net.stations["station_id"]
    days, stamps = _day_text(w, 0, w.days - 1)
    day = raw["_day"].to_numpy().astype(np.int64)
    group = raw["_st"].to_numpy().astype(np.int64) * w.days + day
    tod = raw["_t"].to_numpy() - w.day_start(day)
    pid = raw["_pid"].to_numpy()
    if len(tod) and (tod.min() < 0 or tod.max() >= 1 << 17 or pid.max() >= 1 << 27):
        raise AssertionError("passage outside its day or too many passages")  # pragma: no cover
    order = np.argsort((group << 44) | (tod << 27) | pid)
    sizes = np.bincount(group, minlength=w.net.n_stations * w.days)
    seq = np.empty(len(group), dtype=np.int64)
    seq[order] = np.arange(1, len(group) + 1) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    del order, group, tod, day
    if len(seq) and seq.max() > 8_999_999:  # pragma: no cover - 9xxxxxx is for orphans
        raise ValueError("too many passages at one station on one day")
    return raw.select(pl.format(
        "{}-{}-{}",
        pl.col("_st").replace_strict(list(range(len(sid))), sid.to_list(), return_dtype=pl.String),
        pl.col("_day").replace_strict(days, stamps, return_dtype=pl.String),
        pl.Series(seq).cast(pl.String).str.zfill(7)).alias("txn_id")).to_series()


def _lanes(raw: pl.DataFrame, txn_id: pl.Series, tag_ids: pl.Series,
           sid: pl.Series) -> pl.DataFrame:
    """Canonical lanes, in generation order."""
    station = pl.col("_st").replace_strict(list(range(len(sid))), sid.to_list(),
                                           return_dtype=pl.String)
    return (
        raw.with_columns(station.alias("station_id"))
        .with_columns(
            txn_id.alias("txn_id"),
            lane_ids(pl.col("lane")).alias("lane_id"),
            _instant("_t").alias("passed_at"),
            _tag_ids(raw, tag_ids).alias("tag_id"),
            pl.when(pl.col("_staff").is_not_null())
            .then(pl.format("{}-S{}", pl.col("station_id"),
                            pl.col("_staff").cast(pl.String).str.zfill(2))).alias("staff_id"),
        )
        .select(_columns(Kind.LANES))
    )


def _tag_ids(raw: pl.DataFrame, tag_ids: pl.Series) -> pl.Series:
    """The registered tag id of each passage, or the text it carries instead."""
    out = tag_ids.gather(raw["_tag"])
    odd = raw.select(pl.arg_where(pl.col("_tag_text").is_not_null())).to_series()
    if len(odd):
        out = out.scatter(odd, raw["_tag_text"].gather(odd))
    return out


def _settlements(w: World, items: pl.DataFrame, txn: pl.DataFrame) -> pl.DataFrame:
    """Canonical settlement items; items of no passage get a txn_id of the station's
    format whose sequence (9xxxxxx) no passage reaches."""
    epoch = (w.start - date(1970, 1, 1)).days
    ghosts = items.with_row_index("_i").filter(pl.col("_pid") < 0).select(
        "_i", "station_id", "_pid", ((pl.col("_s") + 7 * 3600) // 86_400 - epoch).alias("_d"))
    ghost_txn = pl.Series([  # a handful of injected items
        f"{st}-{(w.start + timedelta(days=int(d))).strftime('%Y%m%d')}-9{-int(p):06d}"
        for st, p, d in ghosts.select("station_id", "_pid", "_d").iter_rows()], dtype=pl.String)
    pid = txn["_pid"].to_numpy()
    where = np.full(int(pid.max()) + 1 if len(pid) else 1, -1, dtype=np.int64)
    where[pid] = np.arange(len(pid))
    item_pid = items["_pid"].to_numpy()
    at = np.where(item_pid >= 0, where[np.maximum(item_pid, 0)], 0)
    txn_id = txn["txn_id"].gather(at)
    if ghosts.height:
        txn_id = txn_id.scatter(ghosts["_i"], ghost_txn)
    return (
        items.with_columns(txn_id.alias("txn_id"), _instant("_s").alias("settled_at"))
        .select(_columns(Kind.SETTLEMENTS))
    )
