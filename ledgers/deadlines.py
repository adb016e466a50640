"""The deadlines of the money flow, as Polars expressions on a frame's
`business_date`: defined once, read by the rules that flag what missed them and
by those that wait for them before flagging (their findings' `due_at`).

- settlement: an item for a passage of date d is on time until local midnight
  ending d + `late_after_days` (SETTLEMENT_LATE after it); a passage without an
  item, or an item without a passage, waits until then for the other to arrive;
- bank: a batch of date d (its last item's) is credited within
  `bank_match_days` days (the amount-matching window); until local midnight
  ending d + that many days, a batch without its credit, or a credit without its
  batch, waits for the other.
"""

from __future__ import annotations

import polars as pl

from etc.localtime import day_start
from etc.settings import MoneySettings


def settle_deadline(cfg: MoneySettings) -> pl.Expr:
    """Local midnight ending business_date + late_after_days (as a UTC instant)."""
    return day_start(pl.col("business_date"), cfg.late_after_days + 1)


def bank_deadline(cfg: MoneySettings) -> pl.Expr:
    """Local midnight ending business_date + bank_match_days (as a UTC instant)."""
    return day_start(pl.col("business_date"), cfg.bank_match_days + 1)
