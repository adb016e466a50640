"""The ground truth, resolved from what was injected to the keys of findings.md.

Injections record truth in internal terms (`_pid` of a passage, `_pid` + `_ikind`
of a settlement item, `_st` / `lane` / `_staff` numbers, day indices); here they
become txn_id, settlement_id, station_id, lane_id, staff_id and business_date. No
rule is re-implemented: every row comes from an injection.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from etc.generate.network import lane_ids
from etc.generate.world import TRUTH_SCHEMA, World

TRUTH_COLUMNS = ("code", "business_date", "txn_id", "tag_id", "plate", "station_id", "lane_id",
                 "settlement_id", "batch_id", "entry_id", "staff_id")
"""Columns of truth.csv: the rule code, the business date and the key columns."""


def resolve(
    w: World, txn: pl.DataFrame, items: pl.DataFrame, station_ids: pl.Series
) -> pl.DataFrame:
    """`txn`: `_pid`, `txn_id`; `items`: `_pid`, `_ikind`, `settlement_id`."""
    raw = pl.concat(w.truth) if w.truth else pl.DataFrame(schema=TRUTH_SCHEMA)
    epoch = (w.start - date(1970, 1, 1)).days
    station = pl.col("_st").replace_strict(list(range(len(station_ids))), station_ids.to_list(),
                                           return_dtype=pl.String, default=None)
    wanted = raw["_pid"].drop_nulls().implode()
    txn = txn.filter(pl.col("_pid").is_in(wanted))
    items = items.filter(pl.col("_pid").is_in(wanted))
    by_txn = raw.filter(pl.col("_ikind").is_null()).join(
        txn.select("_pid", "txn_id"), on="_pid", how="left", maintain_order="left")
    by_item = raw.filter(pl.col("_ikind").is_not_null()).join(
        items.select("_pid", "_ikind", "settlement_id"), on=["_pid", "_ikind"], how="left",
        maintain_order="left")
    both = pl.concat([by_txn.with_columns(pl.lit(None, pl.String).alias("settlement_id")),
                      by_item.with_columns(pl.lit(None, pl.String).alias("txn_id"))],
                     how="diagonal")
    out = both.with_columns(
        (pl.col("_day") + epoch).cast(pl.Date).alias("business_date"),
        station.alias("station_id"),
        pl.when(pl.col("lane").is_not_null()).then(lane_ids(pl.col("lane"))).alias("lane_id"),
        pl.when(pl.col("_staff").is_not_null())
        .then(pl.format("{}-S{}", station, pl.col("_staff").cast(pl.String).str.zfill(2)))
        .alias("staff_id"),
    ).select(TRUTH_COLUMNS)
    lost = (by_txn.filter(pl.col("_pid").is_not_null() & pl.col("txn_id").is_null()).height
            + by_item.filter(pl.col("settlement_id").is_null()).height)
    if lost:  # pragma: no cover - an injection recorded a key it did not create
        raise AssertionError(f"{lost} truth rows name no passage or settlement item")
    return out.sort(TRUTH_COLUMNS, nulls_last=True)
