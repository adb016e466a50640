"""The nightly look-back: which earlier dates to reconcile again, and why.

Settlements and bank lines arrive days after the passages they concern, so a
date's findings change after its own night. Each night, every date of the
`[nightly] lookback_days` before it is reconciled again when its latest run
- has pending items (something was awaited: it may have come, or fallen due), or
- did not see loads that arrived since and whose rows reach it
  (etc.store.arrivals: a passage, an item, a credit, a tag row of that date or
  within its rules' look-back, or reference data).
A date no run holds but that has passages (loaded after its night) is
reconciled too. A date without passages never is: there is nothing to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from etc.context import Period
from etc.settings import Settings
from etc.store import Store
from reconcile.scope import lookback_days

PENDING = "pending items"
NEVER_RUN = "never reconciled"


@dataclass(frozen=True)
class Revisit:
    day: date
    reasons: tuple[str, ...]


def revisits(store: Store, night: date, settings: Settings) -> list[Revisit]:
    """The earlier dates to reconcile again on the night of `night`, oldest first."""
    back = settings.nightly.lookback_days
    if back == 0:
        return []
    first = night - timedelta(days=back)
    with_passages = store.passage_dates(first, night - timedelta(days=1))
    reach = lookback_days(settings, store.table("stations").select("lat", "lon").collect())
    found: list[Revisit] = []
    for day in Period(first, night - timedelta(days=1)).dates():
        if day not in with_passages:
            continue
        runs = store.runs_covering(day)
        if not runs:
            found.append(Revisit(day, (NEVER_RUN,)))
            continue
        latest = store.run_row(runs[0])
        reasons: list[str] = []
        if store.run_table("pending", latest.run_id).filter(
                pl.col("business_date") == day).height:
            reasons.append(PENDING)
        new = store.loads_since({ref.load_id for ref in latest.loads})
        if new:
            reasons += [f"new {kind}" for kind in store.reaches(
                new, day, lanes_reach=reach, bank_window=settings.money.bank_match_days)]
        if reasons:
            found.append(Revisit(day, tuple(reasons)))
    return found
