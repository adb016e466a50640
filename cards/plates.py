"""PLATE_MULTI_TAG (findings.md): one plate, several tags that can be debited.

A vehicle with two live tags — often one from each service provider — can be
debited twice for one passage. The check looks at the tag list as it stands at
the end of each business date of the run, not at passages: the plate need not
have passed anywhere that day.
"""

from __future__ import annotations

import polars as pl

from cards.rules import say
from etc.codes import Code
from etc.context import Context
from etc.findings import empty_findings, finding
from etc.localtime import start_of
from etc.settings import TagSettings

LIVE = ("ACTIVE", "LOW_BALANCE")
"""Statuses under which a tag passes and is debited (formats.md)."""


def tag_intervals(tags: pl.LazyFrame) -> pl.LazyFrame:
    """Each tag row with `until`: the `valid_from` of the tag's next row (null for
    its latest row). The tag's latest row with valid_from before an instant t is
    then the one row with valid_from < t and (until null or until >= t), so one
    pass over the tag list serves every date of the run."""
    return tags.select(
        "tag_id", "plate", "provider_id", "status", "valid_from",
        pl.col("valid_from").shift(-1).over("tag_id", order_by="valid_from").alias("until"),
    )


def plate_multi_tag(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """PLATE_MULTI_TAG: for each date d of the run's period, the state of every
    tag at the end of d — its latest row with valid_from before local midnight
    starting d + 1, so a change at 23:59 of d counts and one at 00:00 of d + 1
    does not — and each (normalised) plate with two or more distinct tags in
    state ACTIVE or LOW_BALANCE: one finding per (plate, d). Money at risk 0.

    Keys: plate, business_date = d; tag_id holds the smallest of the plate's
    live tag ids and provider_id that tag's provider; detail lists every live
    tag with its provider and status. Not: a tag blocked, lost or expired by the
    end of the day (even when it was live earlier that day); passages."""
    rows = tag_intervals(ctx.inputs.tags)
    per_day: list[pl.LazyFrame] = []
    for d in ctx.period.dates():
        end = pl.lit(start_of(d, 1))
        state = rows.filter(
            (pl.col("valid_from") < end)
            & (pl.col("until").is_null() | (pl.col("until") >= end))
        )
        per_day.append(state.filter(pl.col("status").is_in(LIVE) & pl.col("plate").is_not_null())
                       .with_columns(pl.lit(d).alias("business_date")))
    if not per_day:
        return empty_findings()
    entry = say("{} ({}, {})", pl.col("tag_id"), pl.col("provider_id"), pl.col("status"))
    multi = (
        pl.concat(per_day)
        .group_by("business_date", "plate")
        .agg(
            pl.len().alias("n"),
            pl.col("tag_id").min().alias("tag_id"),
            pl.col("provider_id").sort_by("tag_id").first().alias("provider_id"),
            entry.sort().str.join(", ").alias("tags"),
        )
        .filter(pl.col("n") >= 2)
    )
    detail = say("at the end of {}, {} tags registered to plate {} are ACTIVE or LOW_BALANCE "
                 "(2 or more is a finding): {}", pl.col("business_date"), pl.col("n"),
                 pl.col("plate"), pl.col("tags"))
    return finding(multi, Code.PLATE_MULTI_TAG, detail=detail)
