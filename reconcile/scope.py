"""What a run reads and in which pieces: the look-back its rules need before a
period, and the chunks of days a long period is run in.

A rule reports only findings of the period's dates, but some look at passages
before them: TAG_POOR_READ over its `poor_read_days` (only at tags with a poor
read in the window); DOUBLE_CHARGE and TAG_CLONE at a tag's previous passage,
which matters only when it is closer in time than `double_charge_minutes`, or
than the farthest two listed stations are apart at `clone_speed_kmh` (farther
back, neither can fire); CASH_SHARE_SPIKE at each lane's cash share on the
`cash_lookback_days` before, which the store counts per lane and day. So a
period read with that look-back finds exactly what a run over every loaded row
finds (tests/property/test_scoped.py).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import polars as pl

from etc.context import Period, Scope
from etc.settings import Settings
from reconcile.velocity import haversine_km


def lookback_days(settings: Settings, stations: pl.DataFrame) -> int:
    """Days of passages before a period that its rules read (at least 1: a tag's
    previous passage may be just before midnight), whole or counted."""
    return max(settings.tags.poor_read_days - 1, previous_passage_days(settings, stations),
               settings.fraud.cash_lookback_days)


def previous_passage_days(settings: Settings, stations: pl.DataFrame) -> int:
    """Days before a period in which a tag's previous passage can still make a
    DOUBLE_CHARGE or a TAG_CLONE (at least 1)."""
    return max(math.ceil(previous_passage_hours(settings, stations) / 24), 1)


def previous_passage_hours(settings: Settings, stations: pl.DataFrame) -> float:
    """Hours within which a tag's previous passage can make a DOUBLE_CHARGE (its
    minutes) or a TAG_CLONE (the farthest two listed stations at clone speed),
    with a second of room for rounding."""
    geo = stations.select("lat", "lon").drop_nulls()
    km = geo.join(geo, how="cross", suffix="_b").select(
        haversine_km(pl.col("lat"), pl.col("lon"), pl.col("lat_b"), pl.col("lon_b")).max()
    ).item() if geo.height else 0.0
    return max(float(km or 0.0) * (1 + 1e-6) / settings.fraud.clone_speed_kmh,
               settings.fraud.double_charge_minutes / 60) + 1 / 3600


def scope(period: Period, settings: Settings, stations: pl.DataFrame) -> Scope:
    """What a run over `period` reads: its passages; before them, the ETC passages
    of its tags over the days a previous passage can matter, and over
    TAG_POOR_READ's window those of the tags with an unread or weak read in it — a
    tag without one cannot fire when the share is above 0 (cards.quality), so the
    rest is never read (with a share of 0, every tag's)."""
    whole = period.first - timedelta(days=previous_passage_days(settings, stations))
    counted = period.first - timedelta(days=settings.fraud.cash_lookback_days)
    hours = previous_passage_hours(settings, stations)
    if settings.tags.poor_read_days <= 1:
        return Scope(period, whole, lane_days_from=counted, prior_hours=hours)
    window = period.first - timedelta(days=settings.tags.poor_read_days - 1)
    weak = None if settings.tags.poor_read_share <= 0 else settings.tags.weak_rssi_dbm
    return Scope(period, whole, reads_from=window, weak_below=weak, lane_days_from=counted,
                 prior_hours=hours)


def chunks(period: Period, days: int) -> Iterator[Period]:
    """The period in consecutive pieces of at most `days` days."""
    if days < 1:
        raise ValueError("a chunk holds at least one day")
    first = period.first
    while first <= period.last:
        last = min(first + timedelta(days=days - 1), period.last)
        yield Period(first, last)
        first = last + timedelta(days=1)
