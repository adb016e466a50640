"""The everyday irregularities of normal traffic, kept below every rule's threshold.

- Staff overrides: CLASS (raised one class on a cash passage: charged > avc, priced
  at the tariff), VOID (a cash passage cancelled, 0 VND) and FREE_PASS (an exempt
  vehicle let through by staff, its plate on the list). At most
  `NORMAL_OVERRIDE_CAP` per staff member and day, far below the outlier bound of 10.
- MANUAL_ENTRY: the tag was not read (read_count 0) and staff keyed it in. At most
  one per tag over the whole period (1 unread in ≥ 3 passages is < 50 %, and fewer
  than 3 passages never qualify for TAG_POOR_READ) and at most 4 % of a lane's ETC
  passages that day (< 5 %, so never LANE_READ_DEGRADED).
- Tag status changes between passages: ACTIVE → LOW_BALANCE → ACTIVE inside a gap
  between two passages, and → BLOCKED after a tag's last passage. The tag is
  ACTIVE at every passage, so no TAG_LOW_BALANCE / TAG_NOT_ACTIVE.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from etc.generate.world import World, staff_no

NORMAL_OVERRIDE_CAP = 3
UNREAD_LANE_SHARE_PERCENT = 4
_CLASS, _VOID, _FREE = 1, 2, 3


def overrides(w: World, df: pl.DataFrame) -> pl.DataFrame:
    rng = w.rng
    n = df.height
    u = rng.random(n)
    method = df["payment_method"]
    avc = df["avc_class"].to_numpy().astype(np.int64)
    cand = np.where((method == "CASH").to_numpy() & (avc < 5) & (u < 0.004), _CLASS,
                    np.where((method == "CASH").to_numpy() & (u >= 0.004) & (u < 0.006), _VOID,
                             np.where((method == "EXEMPT").to_numpy() & (u < 0.2), _FREE, 0)))
    keep = (
        df.select("_pid", "_day", "_st", "_staff")
        .with_columns(pl.Series("_cand", cand.astype(np.int8)), pl.Series("_key", rng.random(n)))
        .filter(pl.col("_cand") > 0)
        .with_columns(pl.col("_key").rank("ordinal").over("_day", "_st", "_staff").alias("_rank"))
        .filter(pl.col("_rank") <= NORMAL_OVERRIDE_CAP)
        .select("_pid", "_cand")
    )
    day = df["_day"].to_numpy()
    st = df["_st"].to_numpy()
    up = np.minimum(avc + 1, 5)
    raised = w.net.tariff_table[day, st, up - 1]
    kind = pl.col("_cand")
    return (
        df.with_columns(pl.Series("_up", up.astype(np.int8)), pl.Series("_raised", raised))
        .join(keep, on="_pid", how="left", maintain_order="left")
        .with_columns(
            pl.when(kind == _CLASS).then(pl.col("_up")).otherwise(pl.col("charged_class"))
            .alias("charged_class"),
            pl.when(kind == _CLASS).then(pl.col("_raised"))
            .when(kind.is_in([_VOID, _FREE])).then(pl.lit(0, pl.Int64))
            .otherwise(pl.col("amount_vnd")).alias("amount_vnd"),
            pl.when(kind == _FREE).then(pl.lit("CASH")).otherwise(pl.col("payment_method"))
            .alias("payment_method"),
            pl.when(kind == _CLASS).then(pl.lit("CLASS"))
            .when(kind == _VOID).then(pl.lit("VOID"))
            .when(kind == _FREE).then(pl.lit("FREE_PASS"))
            .otherwise(pl.col("override")).alias("override"),
        )
        .drop("_up", "_raised", "_cand")
    )


def manual_entries(w: World, df: pl.DataFrame) -> tuple[pl.DataFrame, np.ndarray]:
    """Unread ETC passages keyed in by staff; returns the frame and the tags touched."""
    rng = w.rng
    etc = df.filter(pl.col("payment_method") == "ETC").select("_pid", "_day", "_st", "lane", "_tag")
    lane_size = etc.group_by("_day", "_st", "lane").agg(pl.len().alias("_n"))
    picked = (
        etc.with_columns(pl.Series("_key", rng.random(etc.height)))
        .filter(pl.col("_key") < 0.004)
        .sort("_key")
        .unique("_tag", keep="first", maintain_order=True)
        .join(lane_size, on=["_day", "_st", "lane"], how="left", maintain_order="left")
        .with_columns(pl.col("_key").rank("ordinal").over("_day", "_st", "lane").alias("_rank"))
        .filter(pl.col("_rank") <= pl.col("_n") * UNREAD_LANE_SHARE_PERCENT // 100)
        .select("_pid", "_tag")
        .sort("_pid")
    )
    hit = df["_pid"].is_in(picked["_pid"].implode())
    lane = df["lane"].to_numpy()
    t = df["_t"].to_numpy()
    out = df.with_columns(
        pl.when(hit).then(0).otherwise(pl.col("read_count")).alias("read_count"),
        pl.when(hit).then(None).otherwise(pl.col("rssi_dbm")).alias("rssi_dbm"),
        pl.when(hit).then(pl.lit("MANUAL_ENTRY")).otherwise(pl.col("override")).alias("override"),
        pl.when(hit).then(pl.Series(staff_no(lane, t))).otherwise(pl.col("_staff"))
        .alias("_staff"),
    )
    return out, picked["_tag"].to_numpy()


def status_changes(w: World, df: pl.DataFrame, pool_size: int) -> None:
    """LOW_BALANCE spells between two passages and blocks after the last one."""
    rng = w.rng
    chosen = rng.random(pool_size)
    trail = (df.filter((pl.col("payment_method") == "ETC") & (pl.col("_tag") < pool_size))
             .select("_tag", "_t"))
    trail = trail.with_columns(pl.Series("_key", chosen[trail["_tag"].to_numpy()]))
    trail = (
        trail.filter(pl.col("_key") < 0.03)
        .sort("_tag", "_t")
        .with_columns(pl.when(pl.col("_tag").shift(-1) == pl.col("_tag"))
                      .then(pl.col("_t").shift(-1)).alias("_next"))
    )
    spells = (trail.filter(pl.col("_next").is_not_null() & (pl.col("_key") < 0.02))
              .unique("_tag", keep="first", maintain_order=True))
    tag = spells["_tag"].to_numpy()
    w.set_status(tag, "LOW_BALANCE", spells["_t"].to_numpy() + 120)
    w.set_status(tag, "ACTIVE", spells["_next"].to_numpy() - 120)
    last = trail.filter(pl.col("_next").is_null() & (pl.col("_key") >= 0.025))
    w.set_status(last["_tag"].to_numpy(), "BLOCKED", last["_t"].to_numpy() + 900)
