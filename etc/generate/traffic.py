"""Normal passages of one day: ETC trips of pool tags, cash and exempt vehicles.

Every normal passage is clean by construction:
- a tag travels on its own corridor (≤ 130 km across) with ≥ 65 min between its
  passages of a day, inside [00:30, 23:30) local (so ≥ 60 min across midnight):
  at most 130 km/h and never twice in 5 min, so no DOUBLE_CHARGE or TAG_CLONE;
- reads are good (read_count ≥ 1, rssi ≥ −65 dBm), so no TAG_POOR_READ or
  LANE_READ_DEGRADED (incidents.py adds rare unread manual entries within bounds);
- the lane classifier agrees with the tag (avc = charged = tag class) and
  amount = the tariff of (station, class, day): no TAG_CLASS_MISMATCH,
  CLASS_UNDERCHARGE or TARIFF_MISMATCH;
- ANPR reads the registered plate (dashed or compact) with confidence ≥ 0.90, or
  misreads / misses it with confidence < 0.90: no TAG_PLATE_MISMATCH;
- exempt vehicles are on the exemption list that day, read exactly.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from etc.generate import ids
from etc.generate.network import MIN_GAP_S
from etc.generate.vehicles import CASH_PLATE_RANGE, Exemptions, Pool
from etc.generate.world import (
    CLASS_SHARE,
    DAY_CLOSE_S,
    DAY_OPEN_S,
    PASSAGE_SCHEMA,
    Settle,
    World,
    staff_no,
)

ETC_SHARE = 0.87
EXEMPT_SHARE = 0.004
TRIP_SHARE = (0.36, 0.30, 0.18, 0.10, 0.06)
"""Share of travelling tags passing 1 … 5 times that day (mean 2.2)."""
MAX_GAP_S = 200 * 60
CLASSES = np.arange(1, 6)


def split(n: int) -> tuple[int, int, int]:
    """(etc, cash, exempt) passages of a day of n."""
    n_exempt = max(2, round(n * EXEMPT_SHARE))
    n_etc = round(n * ETC_SHARE)
    return n_etc, n - n_etc - n_exempt, n_exempt


def normal_day(w: World, day: int, n: int, pool: Pool, ex: Exemptions) -> pl.DataFrame:
    n_etc, n_cash, n_exempt = split(n)
    frames = [_etc(w, day, n_etc, pool), _cash(w, day, n_cash), _exempt(w, day, n_exempt, ex)]
    return pl.concat(frames)


def _etc(w: World, day: int, n: int, pool: Pool) -> pl.DataFrame:
    rng, net = w.rng, w.net
    trips = rng.choice(np.arange(1, 6), size=pool.size, p=TRIP_SHARE)
    cum = np.cumsum(trips)
    m = int(np.searchsorted(cum, n))
    if m >= pool.size:  # pragma: no cover - the pool is sized with a margin
        raise AssertionError("tag pool too small for the day's ETC passages")
    trips = trips[: m + 1].copy()
    trips[-1] -= int(cum[m]) - n
    tags = rng.permutation(pool.size)[: m + 1]
    starts = np.cumsum(trips) - trips
    rep = np.repeat(np.arange(m + 1), trips)
    first = np.zeros(n, dtype=bool)
    first[starts] = True
    gap = rng.integers(MIN_GAP_S, MAX_GAP_S, size=n)
    gap[first] = 0
    offset = np.cumsum(gap)
    offset -= offset[starts][rep]
    total = offset[starts + trips - 1]
    begin = DAY_OPEN_S + (rng.random(m + 1) * (DAY_CLOSE_S - DAY_OPEN_S - total)).astype(np.int64)
    t = w.day_start(day) + begin[rep] + offset
    tag = tags[rep]
    corr = pool.corr[tag]
    st = net.corridor_stations[corr, (rng.random(n) * net.corridor_sizes[corr]).astype(np.int64)]
    lanes = net.stations["_lanes"].to_numpy()
    lane = (rng.random(n) * lanes[st]).astype(np.int64) + 1
    cls = pool.cls[tag]
    plate, conf = _anpr(rng, pool.plate.gather(tag))
    return pl.DataFrame({
        "_pid": w.pids(n),
        "_day": np.full(n, day, dtype=np.int32),
        "_st": st.astype(np.int32),
        "lane": lane.astype(np.int32),
        "_t": t,
        "_tag": tag.astype(np.int64),
        "read_count": np.minimum(1 + rng.poisson(2.0, n), 8),
        "rssi_dbm": np.round(rng.uniform(-65.0, -38.0, n), 1),
        "plate": plate,
        "plate_confidence": conf,
        "avc_class": cls.astype(np.int8),
        "amount_vnd": net.tariff_table[day, st, cls - 1],
    }).with_columns(
        pl.lit("ETC").alias("payment_method"),
        pl.col("avc_class").alias("charged_class"),
        pl.lit(int(Settle.NORMAL), pl.Int8).alias("_settle"),
    ).pipe(_complete)


def _anpr(rng: np.random.Generator, registered: pl.Series) -> tuple[pl.Series, np.ndarray]:
    """Camera reads of registered plates: 3 % missed, 5 % misread (last digit, confidence
    0.30–0.89), the rest exact (30 % written compact) with confidence 0.90–0.99."""
    n = len(registered)
    u = rng.random(n)
    missed, misread, compact = u < 0.03, (u >= 0.03) & (u < 0.08), u >= 0.79
    conf = np.where(missed | misread, rng.integers(30, 90, n), rng.integers(90, 100, n)) / 100
    flat = registered.str.replace_all(r"[-.]", "")
    last = (flat.str.slice(7, 1).cast(pl.Int32) + 1) % 10
    wrong = flat.str.slice(0, 7) + last.cast(pl.String)
    read = (pl.select(pl.when(pl.Series(missed)).then(None)
                      .when(pl.Series(misread)).then(wrong)
                      .when(pl.Series(compact)).then(flat)
                      .otherwise(registered))
            .to_series())
    return read, np.where(missed, np.nan, conf)


def _cash(w: World, day: int, n: int) -> pl.DataFrame:
    rng, net = w.rng, w.net
    st = _stations(w, n)
    cls = rng.choice(CLASSES, size=n, p=CLASS_SHARE)
    plate_idx = ids.PLATE_SPACE - CASH_PLATE_RANGE + rng.integers(0, CASH_PLATE_RANGE, n)
    u = rng.random(n)
    plate = pl.select(pl.when(pl.Series(u < 0.04)).then(None)
                      .when(pl.Series(u < 0.3)).then(ids.plates(plate_idx, compact=True))
                      .otherwise(ids.plates(plate_idx))).to_series()
    conf = np.where(u < 0.04, np.nan, rng.integers(55, 100, n) / 100)
    return _walk_up(w, day, st, cls, plate, conf, "CASH",
                    net.tariff_table[day, st, cls - 1])


def _exempt(w: World, day: int, n: int, ex: Exemptions) -> pl.DataFrame:
    rng = w.rng
    valid = np.flatnonzero(ex.valid[day])
    pick = valid[rng.integers(0, len(valid), n)]
    listed = ex.plate.gather(pick)
    plate = pl.select(pl.when(pl.Series(rng.random(n) < 0.3))
                      .then(listed.str.replace_all(r"[-.]", ""))
                      .otherwise(listed)).to_series()
    st = _stations(w, n)
    cls = rng.choice(CLASSES, size=n, p=CLASS_SHARE)
    conf = rng.integers(92, 100, n) / 100
    return _walk_up(w, day, st, cls, plate, conf, "EXEMPT", np.zeros(n, dtype=np.int64))


def _stations(w: World, n: int) -> np.ndarray:
    weight = w.net.stations["_weight"].to_numpy()
    return w.rng.choice(len(weight), size=n, p=weight / weight.sum())


def _walk_up(w: World, day: int, st: np.ndarray, cls: np.ndarray, plate: pl.Series,
             conf: np.ndarray, method: str, amount: np.ndarray) -> pl.DataFrame:
    """Passages without a tag, handled by the staff member on duty."""
    rng = w.rng
    n = len(st)
    lanes = w.net.stations["_lanes"].to_numpy()
    lane = (rng.random(n) * lanes[st]).astype(np.int64) + 1
    t = w.day_start(day) + rng.integers(DAY_OPEN_S, DAY_CLOSE_S, n)
    return pl.DataFrame({
        "_pid": w.pids(n),
        "_day": np.full(n, day, dtype=np.int32),
        "_st": st.astype(np.int32),
        "lane": lane.astype(np.int32),
        "_t": t,
        "read_count": np.zeros(n, dtype=np.int64),
        "plate": plate,
        "plate_confidence": conf,
        "avc_class": cls.astype(np.int8),
        "amount_vnd": amount,
        "_staff": staff_no(lane, t),
    }).with_columns(
        pl.lit(method).alias("payment_method"),
        pl.col("avc_class").alias("charged_class"),
        pl.lit(int(Settle.NORMAL), pl.Int8).alias("_settle"),
    ).pipe(_complete)


def _complete(df: pl.DataFrame) -> pl.DataFrame:
    """Add the missing passage columns as nulls, NaN confidences as nulls, in schema order."""
    missing = [pl.lit(None, dtype).alias(k) for k, dtype in PASSAGE_SCHEMA.items()
               if k not in df.columns]
    return (df.with_columns(*missing)
            .with_columns(pl.col("plate_confidence").fill_nan(None),
                          pl.col("rssi_dbm").fill_nan(None))
            .select([pl.col(k).cast(v) for k, v in PASSAGE_SCHEMA.items()]))
