"""The vehicles: the tag pool of normal traffic, tags that never pass, and the
exemption list.

Normal pool tags are ACTIVE from before the period and each has its own plate.
Tags outside the pool never pass: some are LOW_BALANCE, BLOCKED, LOST or EXPIRED,
and some *replaced* tags (LOST or BLOCKED) share the plate of a pool tag — the
vehicle got a new tag — which must not count as PLATE_MULTI_TAG because only one
of the two is ACTIVE or LOW_BALANCE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

from etc.generate import ids
from etc.generate.network import BASE_VALID_FROM
from etc.generate.world import World

MEAN_TRIPS = 2.2
"""Mean passages of a tag on a day it travels (see traffic.TRIP_SHARE)."""
CASH_PLATE_RANGE = 4_000_000
"""Cash vehicles draw plates from the top of the plate space, never a tag's."""
EXEMPT_REASONS = ("MILITARY", "POLICE", "AMBULANCE", "FIRE_RESCUE")


@dataclass(frozen=True)
class Pool:
    size: int
    cls: np.ndarray
    corr: np.ndarray
    plate: pl.Series
    """Registered plate of each pool tag, '51H-123.45'."""


@dataclass(frozen=True)
class Exemptions:
    frame: pl.DataFrame
    """Canonical exemption columns."""
    valid: np.ndarray
    """(days, plates) True where the plate is exempt on that day."""
    plate: pl.Series
    lapsed: np.ndarray
    """Indices of plates on the list but not valid on any day of the period."""


def build_pool(w: World, etc_per_day: int) -> Pool:
    """Pool tags first (so `_tag` == plate index == pool position), then tags that never pass."""
    size = int(np.ceil(etc_per_day / MEAN_TRIPS * 1.12 + 6 * np.sqrt(etc_per_day))) + 64
    idx = w.new_tags(size)
    book = w.tags[-1]
    assert int(idx[0]) == 0 and w.next_plate == size
    pool = Pool(size, book["vehicle_class"].to_numpy().astype(np.int64),
                book["_corr"].to_numpy(), book["plate"])
    rng = w.rng
    n_idle = max(10, size // 40)
    statuses = ("ACTIVE", "LOW_BALANCE", "BLOCKED", "LOST", "EXPIRED")
    for j, status in enumerate(statuses):
        w.new_tags(n_idle // len(statuses) + (j < n_idle % len(statuses)), status=status)
    n_replaced = max(4, size // 150)
    owners = rng.choice(size, size=n_replaced, replace=False)
    old = w.new_tags(n_replaced, plate_index=owners, cls=pool.cls[owners],
                     issued=w.day_start(0) - rng.integers(1000, 1500, n_replaced) * 86_400)
    lost_at = w.day_start(0) - rng.integers(3, 900, n_replaced) * 86_400
    half = n_replaced // 2
    w.set_status(old[:half], "LOST", lost_at[:half])
    w.set_status(old[half:], "BLOCKED", lost_at[half:])
    return pool


def build_exemptions(w: World, passages_per_day: int) -> Exemptions:
    """Emergency and military vehicles. Most are exempt throughout; a few lapsed
    before the period or start after it (used for EXEMPT_UNLISTED), and with more
    than one day one ends inside the period."""
    rng = w.rng
    n = int(np.clip(passages_per_day // 400, 16, 400))
    reason = rng.choice(len(EXEMPT_REASONS), size=n, p=(0.5, 0.15, 0.25, 0.10))
    reason[:4] = (0, 1, 2, 3)
    military = reason == 0
    civil_plates = ids.plates(w.plates(n))
    mil_plates = ids.military_plates(np.arange(n))
    plate = pl.select(pl.when(pl.Series(military)).then(mil_plates)
                      .otherwise(civil_plates)).to_series().alias("plate")
    first = (w.start - BASE_VALID_FROM).days
    start_off = -rng.integers(30, max(31, first), size=n)
    end_off = np.where(rng.random(n) < 0.3, w.days + rng.integers(100, 700, n), 10**6)
    n_lapsed = max(3, n // 12)
    lapsed = np.arange(n - 2 * n_lapsed, n)
    end_off[lapsed[:n_lapsed]] = -rng.integers(1, 60, n_lapsed)
    # a lapsed exemption still began before it ended (valid_from ≤ valid_to)
    start_off[lapsed[:n_lapsed]] = np.minimum(start_off[lapsed[:n_lapsed]],
                                              end_off[lapsed[:n_lapsed]] - 30)
    start_off[lapsed[n_lapsed:]] = w.days + rng.integers(1, 30, n_lapsed)
    if w.days > 1:
        end_off[n - 2 * n_lapsed - 1] = (w.days - 1) // 2
    day = np.arange(w.days)[:, None]
    valid = (day >= start_off[None, :]) & (day <= end_off[None, :])
    base = w.start

    def as_date(off: int) -> date | None:
        return None if off >= 10**6 else base + timedelta(days=int(off))

    frame = pl.DataFrame({
        "plate": plate,
        "reason": [EXEMPT_REASONS[r] for r in reason],
        "valid_from": [as_date(o) for o in start_off],
        "valid_to": [as_date(o) for o in end_off],
    }, schema={"plate": pl.String, "reason": pl.String, "valid_from": pl.Date,
               "valid_to": pl.Date})
    return Exemptions(frame, valid, plate, lapsed)
