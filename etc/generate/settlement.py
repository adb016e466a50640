"""Settlement items and their batches.

One item per charged ETC passage (ETC, not VOID or FREE_PASS), from the provider
that issued its tag, for the amount charged, settled 20 min – 26 h after the
passage and no later than 22:00 local on the next day: never SETTLEMENT_LATE.
The `_settle` mode of a passage (world.Settle) changes this for injections. A
batch is every item of one provider × station × local settlement day, with id
`B-{provider}-{station}-{yyyymmdd}`.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from etc.generate.network import PROVIDER_CODES, PROVIDERS, fee
from etc.generate.world import DAY_S, LOCAL_OFFSET_S, Settle, World

ITEM_SCHEMA: dict[str, pl.DataType] = {
    "_pid": pl.Int64(), "_ikind": pl.Int8(), "_st": pl.Int32(), "_prov": pl.Int64(),
    "amount_vnd": pl.Int64(), "_s": pl.Int64(),
}


def items(w: World, lanes: pl.DataFrame, book: pl.DataFrame) -> pl.DataFrame:
    """Internal items: `_pid`, `_ikind` (0 first, 1 duplicate), `_st`, `_prov`,
    `amount_vnd`, `_s` (settled, UTC epoch seconds)."""
    rng = w.rng
    mode = pl.col("_settle")
    charged = ((pl.col("payment_method") == "ETC")
               & ~pl.col("override").fill_null("").is_in(["VOID", "FREE_PASS"])
               & (mode != int(Settle.NONE)))
    base = (lanes.filter(charged | (mode == int(Settle.VOID_PAID)))
            .select("_pid", "_day", "_st", "_t", "_tag", "amount_vnd", "_settle", "_delta"))
    tag_order = book["_tag"].to_numpy()
    assert (tag_order == np.arange(len(tag_order))).all()
    prov_by_tag = (book["provider_id"] == PROVIDERS[1]).cast(pl.Int64).to_numpy()
    n = base.height
    m = base["_settle"].to_numpy()
    prov = prov_by_tag[base["_tag"].to_numpy()]
    prov = np.where(m == Settle.WRONG_PROVIDER, 1 - prov, prov)
    amount = base["amount_vnd"].to_numpy() + base["_delta"].fill_null(0).to_numpy()
    day = base["_day"].to_numpy()
    t = base["_t"].to_numpy()
    s = t + rng.integers(20 * 60, 26 * 3600, n)
    cap = w.day_start(day + 1) + 22 * 3600
    s = np.where(s > cap, cap - rng.integers(0, 7200, n), s)
    s = np.where(m == Settle.LATE, w.day_start(day + 2) + rng.integers(3600, 30 * 3600, n), s)
    first = pl.DataFrame({"_pid": base["_pid"], "_ikind": np.zeros(n, np.int8), "_st": base["_st"],
                          "_prov": prov, "amount_vnd": amount, "_s": s}, schema=ITEM_SCHEMA)
    dup = m == Settle.DUPLICATE
    again = first.filter(pl.Series(dup)).with_columns(
        pl.lit(1, pl.Int8).alias("_ikind"),
        pl.col("_s") + pl.Series(rng.integers(3600, 20 * 3600, int(dup.sum()))))
    ghosts = [g.select(pl.col("_pid"), pl.lit(0, pl.Int8).alias("_ikind"), "_st", "_prov",
                       "amount_vnd", "_s").cast(ITEM_SCHEMA) for g in w.ghosts]  # type: ignore[arg-type]
    return pl.concat([first, again, *ghosts])


def finish(w: World, raw: pl.DataFrame, station_ids: pl.Series) -> pl.DataFrame:
    """Items with provider, fee, batch and settlement ids (still keyed by `_pid`).
    Settlement ids are the provider's two letters and a 10-digit sequence in
    settlement order (12 characters); `_batch` numbers the batch ids."""
    epoch = (w.start - date(1970, 1, 1)).days
    bday = (raw["_s"].to_numpy() + LOCAL_OFFSET_S) // DAY_S - epoch
    lo, hi = (int(bday.min()), int(bday.max())) if len(bday) else (0, 0)
    n_st, n_d = len(station_ids), hi - lo + 1
    prov = raw["_prov"].to_numpy()
    code = (prov * n_st + raw["_st"].to_numpy()) * n_d + (bday - lo)
    names = pl.DataFrame({
        "p": np.repeat(np.asarray(PROVIDERS), n_st * n_d),
        "s": np.tile(np.repeat(station_ids.to_numpy(), n_d), len(PROVIDERS)),
        "d": np.tile([(w.start + timedelta(days=d)).strftime("%Y%m%d") for d in range(lo, hi + 1)],
                     len(PROVIDERS) * n_st),
    }).select(pl.format("B-{}-{}-{}", "p", "s", "d")).to_series()
    order = np.lexsort((raw["_ikind"].to_numpy(), raw["_pid"].to_numpy(), raw["_s"].to_numpy(),
                        prov))
    sizes = np.bincount(prov, minlength=len(PROVIDERS))
    seq = np.empty(len(prov), dtype=np.int64)
    seq[order] = np.arange(1, len(prov) + 1) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    del order
    provider = pl.col("_prov").replace_strict([0, 1], list(PROVIDERS), return_dtype=pl.String)
    short = pl.col("_prov").replace_strict([0, 1], list(PROVIDER_CODES), return_dtype=pl.String)
    station = pl.col("_st").replace_strict(list(range(n_st)), station_ids.to_list(),
                                           return_dtype=pl.String)
    return (
        raw.with_columns(pl.Series("_bday", bday), pl.Series("_batch", code),
                         provider.alias("provider_id"), station.alias("station_id"),
                         names.gather(code).alias("batch_id"))
        .with_columns(
            pl.format("{}{}", short, pl.Series(seq).cast(pl.String).str.zfill(10))
            .alias("settlement_id"),
            fee(pl.col("provider_id"), pl.col("amount_vnd")).alias("fee_vnd"),
        )
    )


def batches(items: pl.DataFrame) -> pl.DataFrame:
    """One row per batch: `batch_id`, `_prov`, `_st`, `_bday`, `_n`, `amount_vnd`,
    `fee_vnd`, `net_vnd`, `_last` (UTC epoch seconds of its last item)."""
    return (
        items.group_by("_batch")
        .agg(pl.col("batch_id").first(), pl.col("_prov").first(), pl.col("_st").first(),
             pl.col("_bday").first(), pl.len().alias("_n"), pl.col("amount_vnd").sum(),
             pl.col("fee_vnd").sum(), pl.col("_s").max().alias("_last"))
        .with_columns((pl.col("amount_vnd") - pl.col("fee_vnd")).alias("net_vnd"))
        .sort("batch_id")
        .drop("_batch")
    )
