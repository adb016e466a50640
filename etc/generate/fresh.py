"""Clean passages made for injections, each on its own new tag unless told otherwise.

A fresh ETC passage is as clean as normal traffic: its tag is ACTIVE from before
the period with a plate of its own, it is read well, ANPR reads its plate at
confidence ≥ 0.90, avc = charged = tag class, amount = tariff, and it is settled
normally. It never lands on a LANE_READ_DEGRADED lane-day (where it would dilute
the unread share). An injection then changes exactly what it is about.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from etc.generate.world import DAY_CLOSE_S, DAY_OPEN_S, Settle, World, passages, staff_no


def days(w: World, n: int) -> np.ndarray:
    """Days of n injections, spread over the period."""
    return (np.arange(n) + w.rng.integers(0, w.days)) % w.days


def stations(w: World, n: int) -> np.ndarray:
    return w.rng.integers(0, w.net.n_stations, n)


def times(w: World, day: np.ndarray, *, lo: int = DAY_OPEN_S, hi: int = DAY_CLOSE_S) -> np.ndarray:
    return w.day_start(day) + w.rng.integers(lo, hi, len(day))


def lanes(w: World, day: np.ndarray, st: np.ndarray, *, unread: bool = False) -> np.ndarray:
    """A lane of the station; off the degraded lane-days unless `unread`, then on one
    (the caller must pick a station-day that has a degraded lane)."""
    n_lanes = w.net.stations["_lanes"].to_numpy()[st]
    lane = (w.rng.random(len(st)) * n_lanes).astype(np.int64) + 1
    if w.degraded is None or w.degraded.height == 0:
        return lane
    probe = pl.DataFrame({"_day": day.astype(np.int32), "_st": st.astype(np.int32),
                          "_pick": lane.astype(np.int32)})
    hit = probe.join(w.degraded, on=["_day", "_st"], how="left", maintain_order="left")
    bad = hit["lane"].fill_null(-1).to_numpy()
    if unread:
        if (bad < 0).any():  # pragma: no cover - caller error
            raise AssertionError("no degraded lane at that station and day")
        return bad.astype(np.int64)
    return np.where(lane == bad, lane % n_lanes + 1, lane)


def etc(
    w: World,
    day: np.ndarray,
    st: np.ndarray,
    t: np.ndarray,
    *,
    tag: np.ndarray | None = None,
    cls: np.ndarray | None = None,
    provider: np.ndarray | None = None,
    lane: np.ndarray | None = None,
) -> pl.DataFrame:
    """Clean charged ETC passages; new tags unless `tag` (then `cls` is required)."""
    n = len(day)
    rng = w.rng
    if tag is None:
        tag = w.new_tags(n, cls=cls, provider=provider)
        book = w.tags[-1]
        cls = book["vehicle_class"].to_numpy().astype(np.int64)
        plate = book["plate"]
    else:
        assert cls is not None
        plate = tag_plates(w, tag)
    if lane is None:
        lane = lanes(w, day, st)
    return passages(
        _pid=w.pids(n), _day=day.astype(np.int32), _st=st.astype(np.int32),
        lane=lane.astype(np.int32), _t=t, payment_method="ETC", _tag=tag,
        read_count=1 + rng.integers(0, 4, n), rssi_dbm=np.round(rng.uniform(-60, -40, n), 1),
        plate=plate, plate_confidence=rng.integers(90, 100, n) / 100,
        avc_class=cls, charged_class=cls, amount_vnd=w.net.tariff_table[day, st, cls - 1],
        _settle=int(Settle.NORMAL), _delta=0,
    )


def tag_plates(w: World, tag: np.ndarray) -> pl.Series:
    """Registered plates of tags, by `_tag`."""
    book = pl.concat(w.tags).filter(pl.col("_tag").is_in(pl.Series(tag).implode()))
    return (pl.DataFrame({"_tag": np.asarray(tag, dtype=np.int64)})
            .join(book, on="_tag", how="left", maintain_order="left")["plate"])


def cash(
    w: World, day: np.ndarray, st: np.ndarray, t: np.ndarray, *, cls: np.ndarray | None = None,
    lane: np.ndarray | None = None, method: str = "CASH",
) -> pl.DataFrame:
    """Clean cash passages (or EXEMPT with `method`) with a fresh plate, staffed."""
    from etc.generate import ids

    n = len(day)
    rng = w.rng
    if cls is None:
        cls = rng.integers(1, 6, n)
    if lane is None:
        lane = lanes(w, day, st)
    amount = w.net.tariff_table[day, st, cls - 1] if method == "CASH" else np.zeros(n, np.int64)
    return passages(
        _pid=w.pids(n), _day=day.astype(np.int32), _st=st.astype(np.int32),
        lane=lane.astype(np.int32), _t=t, payment_method=method, read_count=0,
        plate=ids.plates(w.plates(n)), plate_confidence=rng.integers(90, 100, n) / 100,
        avc_class=cls, charged_class=cls, amount_vnd=amount, _staff=staff_no(lane, t),
        _settle=int(Settle.NORMAL), _delta=0,
    )
