"""Injections of the TAG codes. Each function adds k instances and their truth.

Unless said otherwise an injection is a fresh passage (fresh.py: its own new tag,
clean in every other respect, settled normally), so it yields its own code only.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from etc.generate import fresh, ids
from etc.generate.world import Settle, World

_UNREGISTERED_BASE = 10**12
_MALFORMED_BASE = 2 * 10**12
LOW_CONFIDENCE = pl.Series([0.41, 0.55, 0.62, 0.77, 0.84])


def _low_conf(n: int) -> pl.Series:
    return LOW_CONFIDENCE.gather(np.arange(n) % len(LOW_CONFIDENCE))


def degrade_lanes(w: World, normal: pl.DataFrame, k: int, unread_tags: np.ndarray) -> pl.DataFrame:
    """LANE_READ_DEGRADED on k lane-days (one lane per station-day, one on the last
    day if possible): about 30 % of the lane's ETC passages that day become unread
    (read_count 0, no rssi; the tag was found from the plate and charged as usual).
    Other lanes stay ≤ 4 % unread (incidents.py); a lane-day is kept only if it
    reaches ≥ 12 %, so it is ≥ 5 % and ≥ 3× the others' median, and only at a
    station with ≥ 2 other lanes in ETC use that day (so that median exists). Each
    unread passage is on a tag with no other unread or weak passage in the period:
    no TAG_POOR_READ. Fresh passages never land on these lane-days (fresh.lanes)."""
    rng = w.rng
    etc = normal.filter(pl.col("payment_method") == "ETC")
    sizes = (etc.group_by("_day", "_st", "lane").agg(pl.len().alias("_n"))
             .filter((pl.col("_n") >= 3) & (pl.len().over("_day", "_st") >= 3))
             .sort("_day", "_st", "lane"))
    sizes = sizes.with_columns(pl.Series("_key", rng.random(sizes.height))).sort("_key")
    sizes = sizes.with_columns((pl.col("_day") == w.days - 1).alias("_last"))
    first = sizes.filter(pl.col("_last")).head(1)
    rest = sizes.join(first.select("_day", "_st"), on=["_day", "_st"], how="anti",
                      maintain_order="left")
    chosen = (pl.concat([first, rest]).unique(["_day", "_st"], keep="first", maintain_order=True)
              .head(k).select("_day", "_st", "lane", "_n"))
    cands = (etc.join(chosen, on=["_day", "_st", "lane"], how="inner", maintain_order="left")
             .filter((pl.col("read_count") > 0)
                     & ~pl.col("_tag").is_in(pl.Series(unread_tags, dtype=pl.Int64).implode()))
             .unique("_tag", keep="first", maintain_order=True))
    cands = cands.with_columns(pl.Series("_key", rng.random(cands.height)))
    picked = (cands.with_columns(pl.col("_key").rank("ordinal").over("_day", "_st", "lane")
                                 .alias("_r"))
              .filter(pl.col("_r") <= (pl.col("_n") * 3 + 9) // 10))
    # Keep the lane-days that reach ≥ 12 % unread (3 × the 4 % other lanes may have).
    unread = (etc.filter(pl.col("read_count") == 0).group_by("_day", "_st", "lane")
              .agg(pl.len().alias("_u")))
    done = (picked.group_by("_day", "_st", "lane").agg(pl.len().alias("_p"), pl.col("_n").first())
            .join(unread, on=["_day", "_st", "lane"], how="left")
            .filter((pl.col("_p") + pl.col("_u").fill_null(0)) * 100 >= 12 * pl.col("_n"))
            .select("_day", "_st", "lane").sort("_day", "_st"))
    if done.height < 2:
        raise ValueError("too little traffic to inject LANE_READ_DEGRADED; raise `passages`")
    w.degraded = done
    keep = picked.join(done, on=["_day", "_st", "lane"], how="semi")["_pid"]
    hit = normal["_pid"].is_in(keep.implode())
    w.add_truth("LANE_READ_DEGRADED", _day=done["_day"], _st=done["_st"], lane=done["lane"])
    return normal.with_columns(
        pl.when(hit).then(0).otherwise(pl.col("read_count")).alias("read_count"),
        pl.when(hit).then(None).otherwise(pl.col("rssi_dbm")).alias("rssi_dbm"),
    )


def tag_unknown(w: World, k: int) -> None:
    """TAG_UNKNOWN: a well-formed tag with no tag row at or before the passage — never
    registered (even i) or registered 2–30 h later (odd i). No provider settles it,
    so each also yields SETTLEMENT_MISSING. ANPR confidence stays < 0.90 for the
    unregistered ones (no registered plate to compare)."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    t = fresh.times(w, day)
    later = np.arange(k) % 2 == 1
    cls = rng.integers(1, 6, k)
    tag = w.new_tags(k, cls=cls, issued=t + rng.integers(2 * 3600, 30 * 3600, k))
    df = fresh.etc(w, day, st, t, tag=tag, cls=cls)
    ghost_ids = ids.tag_ids(_UNREGISTERED_BASE + w.n_tags + np.arange(k),
                            np.full(k, 0xE280), np.full(k, 0x2417))
    df = df.with_columns(
        pl.when(pl.Series(later)).then(pl.col("_tag")).otherwise(None).alias("_tag"),
        pl.when(pl.Series(later)).then(None).otherwise(ghost_ids).alias("_tag_text"),
        pl.when(pl.Series(later)).then(pl.col("plate_confidence")).otherwise(_low_conf(k))
        .alias("plate_confidence"),
        pl.lit(int(Settle.NONE), pl.Int8).alias("_settle"),
    )
    w.passages.append(df)
    for code in ("TAG_UNKNOWN", "SETTLEMENT_MISSING"):
        w.add_truth(code, _day=day, _pid=df["_pid"])


def tag_malformed(w: World, k: int) -> None:
    """TAG_MALFORMED: no tag (unread, on a degraded lane-day, which fires anyway), 20
    hex characters, a non-hex letter, or 26 characters. Unusable, so unsettled: also
    SETTLEMENT_MISSING. A single passage each, low ANPR confidence."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    variant = np.arange(k) % 4
    deg = w.degraded
    assert deg is not None
    slot = rng.integers(0, deg.height, k)
    day = np.where(variant == 0, deg["_day"].to_numpy()[slot], day)
    st = np.where(variant == 0, deg["_st"].to_numpy()[slot], st)
    t = fresh.times(w, day)
    lane = fresh.lanes(w, day, st)
    lane = np.where(variant == 0, deg["lane"].to_numpy()[slot], lane)
    df = fresh.etc(w, day, st, t, lane=lane)
    good = ids.tag_ids(_MALFORMED_BASE + np.arange(k), np.full(k, 0x3034), np.full(k, 0x2409))
    bad = (pl.select(pl.when(pl.Series(variant == 1)).then(good.str.slice(0, 20))
                     .when(pl.Series(variant == 2)).then(good.str.slice(0, 11) + "G"
                                                          + good.str.slice(12, 12))
                     .when(pl.Series(variant == 3)).then(good + "0F")
                     .otherwise(None)).to_series())
    unread = pl.Series(variant == 0)
    df = df.with_columns(
        pl.lit(None, pl.Int64).alias("_tag"), bad.alias("_tag_text"),
        pl.when(unread).then(0).otherwise(pl.col("read_count")).alias("read_count"),
        pl.when(unread).then(None).otherwise(pl.col("rssi_dbm")).alias("rssi_dbm"),
        _low_conf(k).alias("plate_confidence"),
        pl.lit(int(Settle.NONE), pl.Int8).alias("_settle"),
    )
    w.passages.append(df)
    for code in ("TAG_MALFORMED", "SETTLEMENT_MISSING"):
        w.add_truth(code, _day=day, _pid=df["_pid"])


def tag_status(w: World, k: int, code: str) -> None:
    """TAG_NOT_ACTIVE (BLOCKED from 1–20 h before the passage, or LOST / EXPIRED in
    the snapshot) or TAG_LOW_BALANCE (LOW_BALANCE since 1–30 h before, or in the
    snapshot). The provider still settles the passage, so nothing else fires."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    t = fresh.times(w, day)
    cls = rng.integers(1, 6, k)
    variant = np.arange(k) % 3
    if code == "TAG_NOT_ACTIVE":
        kinds = ("BLOCKED", "LOST", "EXPIRED")
    else:
        kinds = ("LOW_BALANCE", "LOW_BALANCE", "LOW_BALANCE")
    tags = np.empty(k, dtype=np.int64)
    for v in range(3):
        sel = np.flatnonzero(variant == v)
        snapshot = v > 0
        tags[sel] = w.new_tags(len(sel), cls=cls[sel], status=kinds[v] if snapshot else "ACTIVE")
        if not snapshot:
            w.set_status(tags[sel], kinds[v], t[sel] - rng.integers(3600, 20 * 3600, len(sel)))
    df = fresh.etc(w, day, st, t, tag=tags, cls=cls)
    w.passages.append(df)
    w.add_truth(code, _day=day, _pid=df["_pid"])


def plate_multi_tag(w: World, k: int) -> None:
    """PLATE_MULTI_TAG: a second tag of the other provider on the plate of an ACTIVE
    tag, written the same, compact or with a space. Registered before the period
    (fires every day) or during day j (fires j … last day). No passages."""
    rng = w.rng
    plate_idx = w.plates(k)
    w.new_tags(k, plate_index=plate_idx)
    prov = (w.tags[-1]["provider_id"] == "VETC").cast(pl.Int64).to_numpy()
    cls = w.tags[-1]["vehicle_class"].to_numpy()
    from_day = np.where(np.arange(k) % 2 == 0, -1, rng.integers(0, w.days, k))
    issued = np.where(from_day < 0, w.day_start(0) - rng.integers(86_400, 90 * 86_400, k),
                      w.day_start(np.maximum(from_day, 0)) + rng.integers(3600, 82_800, k))
    w.new_tags(k, plate_index=plate_idx, provider=prov, cls=cls, issued=issued)
    style = pl.Series(np.arange(k) % 3)
    plate = pl.col("plate")
    w.tags[-1] = w.tags[-1].with_columns(
        pl.when(style == 1).then(plate.str.replace_all(r"[-.]", ""))
        .when(style == 2).then(plate.str.replace("-", " "))
        .otherwise(plate).alias("plate"))
    norm = ids.plates(plate_idx, compact=True)
    days = np.maximum(from_day, 0)
    rep = w.days - days
    w.add_truth("PLATE_MULTI_TAG", plate=norm.gather(np.repeat(np.arange(k), rep)),
                _day=np.concatenate([np.arange(d, w.days) for d in days]).astype(np.int32))


def class_mismatch(w: World, k: int) -> None:
    """TAG_CLASS_MISMATCH: the classifier measured one class below the tag's (charged
    at the tag class, so charged > avc: no CLASS_UNDERCHARGE) or one above (charged at
    the measured class, still charged = avc). Amount is the tariff of charged_class."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    t = fresh.times(w, day)
    cls = rng.integers(2, 5, k)
    df = fresh.etc(w, day, st, t, cls=cls)
    up = np.arange(k) % 2 == 1
    avc = np.where(up, cls + 1, cls - 1)
    charged = np.where(up, avc, cls)
    df = df.with_columns(pl.Series("avc_class", avc, pl.Int8),
                         pl.Series("charged_class", charged, pl.Int8),
                         pl.Series("amount_vnd", w.net.tariff_table[day, st, charged - 1]))
    w.passages.append(df)
    w.add_truth("TAG_CLASS_MISMATCH", _day=day, _pid=df["_pid"])


def plate_mismatch(w: World, k: int) -> None:
    """TAG_PLATE_MISMATCH: ANPR read another vehicle's plate with confidence 0.90
    (the boundary, first instance) to 0.99."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    df = fresh.etc(w, day, st, fresh.times(w, day))
    conf = rng.integers(91, 100, k) / 100
    conf[0] = 0.90
    df = df.with_columns(ids.plates(w.plates(k)).alias("plate"),
                         pl.Series("plate_confidence", conf))
    w.passages.append(df)
    w.add_truth("TAG_PLATE_MISMATCH", _day=day, _pid=df["_pid"])


def poor_read(w: World, k: int) -> None:
    """TAG_POOR_READ: a tag passing 3–5 times on the last day (30–60 min apart at one
    station: no DOUBLE_CHARGE, no TAG_CLONE), half or more of them unread (at a
    degraded lane of that day, which fires anyway) or weak (rssi −71 … −80, read).
    One good read sits at exactly −70.0 dBm, which is not weak. Settled normally."""
    rng = w.rng
    last = w.days - 1
    assert w.degraded is not None
    deg = w.degraded.filter(pl.col("_day") == last)
    count = 3 + np.arange(k) % 3
    tags = w.new_tags(k)
    cls = w.tags[-1]["vehicle_class"].to_numpy().astype(np.int64)
    tag_ids = w.tags[-1]["tag_id"]
    frames = []
    for i in range(k):  # k tags, a handful of passages each
        c = int(count[i])
        unread_mode = i % 2 == 0 and deg.height > 0
        st = int(deg["_st"][i % deg.height]) if unread_mode else int(rng.integers(w.net.n_stations))
        gaps = rng.integers(30 * 60, 60 * 60, c)
        begin = int(rng.integers(1800, 86_400 - 1800 - int(gaps.sum())))
        t = w.day_start(last) + begin + np.cumsum(gaps)
        day = np.full(c, last)
        sts = np.full(c, st)
        bad = np.arange(c) < (c + 1) // 2
        lane = fresh.lanes(w, day, sts, unread=True) if unread_mode else fresh.lanes(w, day, sts)
        good_lane = fresh.lanes(w, day, sts)
        lane = np.where(bad, lane, good_lane) if unread_mode else lane
        df = fresh.etc(w, day, sts, t, tag=np.full(c, tags[i]), cls=np.full(c, cls[i]), lane=lane)
        rssi = np.where(bad, rng.uniform(-80, -71, c).round(1), df["rssi_dbm"].to_numpy())
        if c >= 4:
            rssi[-1] = -70.0
        df = df.with_columns(
            pl.Series("read_count", np.where(bad, 0 if unread_mode else 1,
                                             df["read_count"].to_numpy())),
            pl.Series("rssi_dbm", rssi).fill_nan(None),
        )
        if unread_mode:
            df = df.with_columns(pl.when(pl.Series(bad)).then(None).otherwise(pl.col("rssi_dbm"))
                                 .alias("rssi_dbm"))
        frames.append(df)
    w.passages.append(pl.concat(frames))
    w.add_truth("TAG_POOR_READ", _day=np.full(k, last, dtype=np.int32), tag_id=tag_ids)
