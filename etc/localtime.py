"""Local station time (Asia/Ho_Chi_Minh, UTC+07:00) as Polars expressions.

Instants are stored as UTC (`Datetime("us", "UTC")`); business dates are local
calendar dates. Vietnam has kept UTC+07:00 without daylight saving since 1975,
so the conversions below are a fixed offset, which is much cheaper than a
time-zone lookup per row (the loader refuses the few earlier local times that
were ambiguous).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import polars as pl

from etc.schemas import LOCAL_TZ

OFFSET = timedelta(hours=7)
LOCAL = timezone(OFFSET, LOCAL_TZ)


def local_date(instant: pl.Expr) -> pl.Expr:
    """The local calendar date of a UTC instant."""
    return (instant.dt.replace_time_zone(None) + OFFSET).dt.date()


def local_text(instant: pl.Expr) -> pl.Expr:
    """A UTC instant as local 'YYYY-MM-DD HH:MM:SS' text (for detail sentences)."""
    return (instant.dt.replace_time_zone(None) + OFFSET).dt.strftime("%Y-%m-%d %H:%M:%S")


def day_start(day: pl.Expr, days_after: int = 0) -> pl.Expr:
    """The UTC instant of local midnight starting `day` (+ `days_after` days)."""
    shifted = day.cast(pl.Datetime("us")) + timedelta(days=days_after) - OFFSET
    return shifted.dt.replace_time_zone("UTC")


def clock(instant: datetime) -> str:
    """An aware instant as local 'YYYY-MM-DD HH:MM:SS' (for people, beside "UTC+07:00")."""
    return instant.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M:%S")


def start_of(day: date, days_after: int = 0) -> datetime:
    """Python twin of `day_start`: aware UTC instant of local midnight of `day`."""
    local = datetime.combine(day + timedelta(days=days_after), time(), tzinfo=LOCAL)
    return local.astimezone(UTC)
