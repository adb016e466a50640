"""The findings lifecycle: NEW, OPEN or RESOLVED across runs.

A finding's identity is its code and its key (etc.codes.IDENTITY) without the
business date: `txn_id=T1`, `plate=51H12345`, `station_id=S01|lane_id=L3`. So a
plate with two live tags, or a degraded lane, found night after night is one
identity, OPEN since the first night, with its days open.

Against the identities still open before it (`Store.open_identities` over the
earlier runs, ordered by period then start time), a run marks:
- each of its findings NEW (no open identity; within the run, its first date)
  or OPEN (open before, or found on an earlier date of the same run), with the
  date first seen and the days since;
- each open identity it no longer finds RESOLVED — but only one it checked
  again: an identity of a passage, item, batch or bank entry belongs to one
  business date, and only a run whose period holds that date checks it; an
  identity of a plate, tag, lane or staff member (codes with per-date keys) is
  checked by every run that reaches the date it was last found, or later.
An identity neither found nor checked stays open, carried to the next run.
"""

from __future__ import annotations

import polars as pl

from etc.codes import IDENTITY
from etc.context import Period
from etc.findings import identity
from etc.outputs import LIFECYCLE_SCHEMA
from etc.reports import State

PER_DATE: frozenset[str] = frozenset(
    c.value for c, cols in IDENTITY.items() if "business_date" in cols)
"""Codes whose subject recurs every day (plate, tag, lane, staff): their
identity spans dates."""


def states(found: pl.DataFrame, still_open: pl.DataFrame, period: Period,
           run: str) -> pl.DataFrame:
    """The lifecycle rows of run `run` over `period`: one per finding of `found`
    (the run's findings, FINDING_SCHEMA) in its order, NEW or OPEN, then one per
    identity of `still_open` (LIFECYCLE_SCHEMA, open before the run) that the run
    checked and did not find, RESOLVED, by code and identity."""
    current = found.select(
        "code", identity(), "business_date", "amount_at_risk_vnd", "detail",
    ).with_columns(pl.col("business_date").min().over("code", "identity").alias("first_in_run"))
    before = still_open.select(
        "code", "identity", pl.col("first_seen_date").alias("prior_first"),
        pl.col("first_seen_run").alias("prior_run"))
    joined = current.join(before, on=["code", "identity"], how="left", maintain_order="left")
    carried = pl.col("prior_first").is_not_null()
    # a run of earlier dates can find an open identity before it was first seen
    first = pl.min_horizontal("prior_first", "first_in_run")
    new = ~carried & (pl.col("business_date") == pl.col("first_in_run"))
    rows = joined.with_columns(
        pl.when(new).then(pl.lit(State.NEW.value)).otherwise(pl.lit(State.OPEN.value))
        .alias("state"),
        first.alias("first_seen_date"),
        pl.when(carried).then(pl.col("prior_run")).otherwise(pl.lit(run))
        .alias("first_seen_run"),
        pl.lit(run).alias("last_seen_run"),
    ).with_columns(
        (pl.col("business_date") - pl.col("first_seen_date")).dt.total_days()
        .cast(pl.Int32).alias("days_open"))
    resolved = resolved_by(found, still_open, period)
    return pl.concat([rows.select(list(LIFECYCLE_SCHEMA)).cast(LIFECYCLE_SCHEMA),  # type: ignore[arg-type]
                      resolved])


def resolved_by(found: pl.DataFrame, still_open: pl.DataFrame, period: Period) -> pl.DataFrame:
    """The identities of `still_open` that a run over `period` checked and whose
    findings `found` does not hold, as RESOLVED rows keeping their last finding's
    date, amount and detail."""
    day = pl.col("business_date")
    checked = pl.when(pl.col("code").is_in(list(PER_DATE))).then(day <= period.last).otherwise(
        period.holds(day))
    seen = found.select("code", identity()).unique()
    gone = still_open.filter(checked).join(seen, on=["code", "identity"], how="anti")
    return gone.with_columns(
        pl.lit(State.RESOLVED.value).alias("state"),
        (day - pl.col("first_seen_date")).dt.total_days().cast(pl.Int32).alias("days_open"),
    ).sort("code", "identity").select(list(LIFECYCLE_SCHEMA)).cast(LIFECYCLE_SCHEMA)  # type: ignore[arg-type]

