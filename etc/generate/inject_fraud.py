"""Injections of the FRAUD codes. Fresh passages (fresh.py) unless said otherwise."""

from __future__ import annotations

import numpy as np
import polars as pl

from etc.generate import fresh
from etc.generate.vehicles import Exemptions
from etc.generate.world import DAY_CLOSE_S, DAY_OPEN_S, SHIFT_S, World, staff_no

OUTLIER_MIN = 10
MIN_PEERS = 3


def double_charge(w: World, k: int) -> None:
    """DOUBLE_CHARGE: one tag charged twice at one station 20 s – 4 min 40 s apart
    (any lanes of it). Both passages are settled; the finding is the later one.
    Same station, so distance 0: no TAG_CLONE."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    t = fresh.times(w, day, hi=DAY_CLOSE_S - 300)
    first = fresh.etc(w, day, st, t)
    tag = first["_tag"].to_numpy()
    cls = first["charged_class"].to_numpy().astype(np.int64)
    second = fresh.etc(w, day, st, t + rng.integers(20, 280, k), tag=tag, cls=cls)
    w.passages += [first, second]
    w.add_truth("DOUBLE_CHARGE", _day=day, _pid=second["_pid"])


def tag_clone(w: World, k: int) -> None:
    """TAG_CLONE: one tag at two stations ≥ 200 km apart (other corridors) within
    10 min … distance/300 km/h, so ≥ 300 km/h. Both settled; ANPR reads the
    registered plate both times (the clone copies the plate). Finding: the later."""
    rng = w.rng
    dist = w.net.distance_km
    day = fresh.days(w, k)
    a = fresh.stations(w, k)
    far = dist[a] >= 200.0
    b = np.array([int(rng.choice(np.flatnonzero(row))) for row in far])
    span = np.maximum(dist[a, b] / 300.0 * 3600, 601).astype(np.int64)
    dt = rng.integers(600, span + 1)
    t = fresh.times(w, day, hi=DAY_CLOSE_S - int(dt.max()))
    first = fresh.etc(w, day, a, t)
    tag = first["_tag"].to_numpy()
    cls = first["charged_class"].to_numpy().astype(np.int64)
    second = fresh.etc(w, day, b, t + dt, tag=tag, cls=cls)
    w.passages += [first, second]
    w.add_truth("TAG_CLONE", _day=day, _pid=second["_pid"])


def class_undercharge(w: World, k: int) -> None:
    """CLASS_UNDERCHARGE: staff override CLASS to one class below the measured one,
    priced at that lower class's tariff (no TARIFF_MISMATCH). Cash passages, and ETC
    passages whose tag class equals the measured class (no TAG_CLASS_MISMATCH; the
    provider settles the amount charged)."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    t = fresh.times(w, day)
    avc = rng.integers(2, 6, k)
    is_cash = np.arange(k) % 2 == 0
    frames = []
    if is_cash.any():
        frames.append(fresh.cash(w, day[is_cash], st[is_cash], t[is_cash], cls=avc[is_cash]))
    if (~is_cash).any():
        frames.append(fresh.etc(w, day[~is_cash], st[~is_cash], t[~is_cash], cls=avc[~is_cash]))
    df = pl.concat(frames)
    low = df["avc_class"].to_numpy().astype(np.int64) - 1
    d, s = df["_day"].to_numpy(), df["_st"].to_numpy()
    df = df.with_columns(
        pl.Series("charged_class", low, pl.Int8),
        pl.Series("amount_vnd", w.net.tariff_table[d, s, low - 1]),
        pl.lit("CLASS").alias("override"),
        pl.Series("_staff", staff_no(df["lane"].to_numpy(), df["_t"].to_numpy()), pl.Int32),
    )
    w.passages.append(df)
    w.add_truth("CLASS_UNDERCHARGE", _day=df["_day"], _pid=df["_pid"])


def exempt_unlisted(w: World, k: int, ex: Exemptions) -> None:
    """EXEMPT_UNLISTED: an EXEMPT passage of a plate never listed, or listed but not
    valid that day (lapsed before / starting after the period); or a FREE_PASS
    given by staff to a plate never listed. 0 VND, no tag."""
    rng = w.rng
    day = fresh.days(w, k)
    st = fresh.stations(w, k)
    t = fresh.times(w, day)
    df = fresh.cash(w, day, st, t, method="EXEMPT").with_columns(pl.lit(0, pl.Int64)
                                                                   .alias("amount_vnd"))
    variant = np.arange(k) % 3
    lapsed = ex.plate.gather(ex.lapsed[rng.integers(0, len(ex.lapsed), k)])
    free = pl.Series(variant == 2)
    df = df.with_columns(
        pl.when(pl.Series(variant == 1)).then(lapsed).otherwise(pl.col("plate")).alias("plate"),
        pl.when(free).then(pl.lit("CASH")).otherwise(pl.col("payment_method"))
        .alias("payment_method"),
        pl.when(free).then(pl.lit("FREE_PASS")).otherwise(None).alias("override"),
    )
    w.passages.append(df)
    w.add_truth("EXEMPT_UNLISTED", _day=day, _pid=df["_pid"])


def staff_outlier(w: World, k: int) -> None:
    """STAFF_OVERRIDE_OUTLIER: one staff member per chosen station-day makes
    max(10, 5 × the largest count of any colleague there that day + 1) overrides as
    CLASS raised one class (priced right, charged > avc) or VOID on fresh cash
    passages in their shift. At least MIN_PEERS colleagues have overrides that day
    (see _peers), so the count is ≥ 10 and ≥ 5× the median however it is taken.
    Must run after every other injection that adds overrides. Also checks that no
    other staff member reaches 10 on any day."""
    rng = w.rng
    counts = _override_counts(pl.concat(w.passages))
    if counts["_n"].max() is not None and int(counts["_n"].max()) >= OUTLIER_MIN:  # type: ignore[arg-type]
        raise AssertionError("a staff member reached the outlier bound by accident")
    if k > w.net.n_stations:  # pragma: no cover - k is small
        raise ValueError("more staff outliers than stations")
    day = fresh.days(w, k)
    st = w.rng.permutation(w.net.n_stations)[np.arange(k) % w.net.n_stations]
    lanes = w.net.stations["_lanes"].to_numpy()
    lane = 1 + (rng.random(k) * lanes[st]).astype(np.int64)
    shift = rng.integers(0, 3, k)
    frames = []
    outliers: list[int] = []
    for i in range(k):  # k staff members
        mine = int(staff_no(np.array([lane[i]]), np.array([w.day_start(day[i]) + shift[i]
                                                            * SHIFT_S]))[0])
        peers = counts.filter((pl.col("_day") == day[i]) & (pl.col("_st") == st[i])
                              & (pl.col("_staff") != mine))
        top = int(peers["_n"].max() or 0)  # type: ignore[arg-type]
        if peers.height < MIN_PEERS:
            frames.append(_peers(w, int(day[i]), int(st[i]), mine, peers["_staff"].to_numpy()))
            top = max(top, 1)
        n = max(OUTLIER_MIN, 5 * top + 1) + int(rng.integers(0, 4))
        lo = max(DAY_OPEN_S, int(shift[i]) * SHIFT_S)
        hi = min(DAY_CLOSE_S, (int(shift[i]) + 1) * SHIFT_S)
        d = np.full(n, day[i])
        s = np.full(n, st[i])
        t = fresh.times(w, d, lo=lo, hi=hi)
        avc = rng.integers(1, 5, n)
        df = fresh.cash(w, d, s, t, cls=avc, lane=np.full(n, lane[i]))
        void = rng.random(n) < 0.3
        up = avc + 1
        df = df.with_columns(
            pl.when(pl.Series(void)).then(pl.lit("VOID")).otherwise(pl.lit("CLASS"))
            .alias("override"),
            pl.Series("charged_class", np.where(void, avc, up), pl.Int8),
            pl.Series("amount_vnd", np.where(void, 0, w.net.tariff_table[d, s, up - 1])),
        )
        assert (df["_staff"] == mine).all()
        frames.append(df)
        outliers.append(mine)
    w.passages += frames
    w.add_truth("STAFF_OVERRIDE_OUTLIER", _day=day.astype(np.int32), _st=st.astype(np.int32),
                _staff=np.array(outliers, dtype=np.int32))


def _peers(w: World, day: int, st: int, mine: int, busy: np.ndarray) -> pl.DataFrame:
    """One raised-class override each for colleagues of an outlier, so that the
    station has ≥ MIN_PEERS other staff with overrides that day: then the median of
    the station's staff counts (with or without the outlier, with or without staff
    who made none) is at most the largest colleague count."""
    n_lanes = int(w.net.stations["_lanes"][st])
    free = [s for s in range(1, 3 * n_lanes + 1) if s != mine and s not in set(busy.tolist())]
    need = MIN_PEERS - len(busy)
    staff = np.array(free[:need], dtype=np.int64)
    lane = (staff - 1) // 3 + 1
    shift = (staff - 1) % 3
    lo = np.maximum(DAY_OPEN_S, shift * SHIFT_S)
    hi = np.minimum(DAY_CLOSE_S, (shift + 1) * SHIFT_S)
    d = np.full(len(staff), day)
    t = w.day_start(d) + lo + (w.rng.random(len(staff)) * (hi - lo)).astype(np.int64)
    avc = w.rng.integers(1, 5, len(staff))
    s = np.full(len(staff), st)
    df = fresh.cash(w, d, s, t, cls=avc, lane=lane)
    assert (df["_staff"].to_numpy() == staff).all()
    return df.with_columns(pl.lit("CLASS").alias("override"),
                           pl.Series("charged_class", avc + 1, pl.Int8),
                           pl.Series("amount_vnd", w.net.tariff_table[d, s, avc]))


def _override_counts(df: pl.DataFrame) -> pl.DataFrame:
    return (df.filter(pl.col("override").is_in(["CLASS", "VOID", "FREE_PASS"]))
            .group_by("_day", "_st", "_staff").agg(pl.len().alias("_n")))

