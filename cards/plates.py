"""PLATE_MULTI_TAG (findings.md): one plate, several tags that can be debited.

A vehicle with two live tags — often one from each service provider — can be
debited twice for one passage. The check looks at the tag list as it stands at
the end of each business date of the run, not at passages: the plate need not
have passed anywhere that day.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cards.status import tag_spans
from etc.codes import Code
from etc.context import Context
from etc.findings import empty_findings, finding, say
from etc.localtime import start_of
from etc.settings import TagSettings

LIVE = ("ACTIVE", "LOW_BALANCE")
"""Statuses under which a tag passes and is debited (formats.md)."""


def state_at_end(tags: pl.LazyFrame, dates: list[date]) -> pl.LazyFrame:
    """For each date d, every tag's row in force at the end of d — its latest row
    with valid_from before local midnight starting d + 1 — that is live (ACTIVE
    or LOW_BALANCE) with a plate: tag_id, plate, provider_id, status and
    business_date = d.

    `cards.status.tag_spans` gives each tag row the valid_from of the tag's next
    row (`until`), from one sort of the slim (integer key, valid_from) pairs;
    put back in tags order beside the untouched tags columns, one pass over the
    tag list then serves every date: the latest row before t is the one with
    valid_from < t <= until. (Sorting the tag list by its text ids instead took
    16–27 s for one date at 4.7 M tag rows.)"""
    until = tag_spans(tags).select("_tag", "until").sort("_tag").select("until")
    rows = pl.concat([tags.select("tag_id", "plate", "provider_id", "status", "valid_from"),
                      until], how="horizontal")
    per_day: list[pl.LazyFrame] = []
    for d in dates:
        end = pl.lit(start_of(d, 1))
        per_day.append(rows.filter(
            (pl.col("valid_from") < end) & (pl.col("until").is_null() | (pl.col("until") >= end))
            & pl.col("status").is_in(LIVE) & pl.col("plate").is_not_null())
            .select("tag_id", "plate", "provider_id", "status", pl.lit(d).alias("business_date")))
    return pl.concat(per_day)


def plate_multi_tag(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """PLATE_MULTI_TAG: for each date d of the run's period, the state of every
    tag at the end of d — its latest row with valid_from before local midnight
    starting d + 1, so a change at 23:59 of d counts and one at 00:00 of d + 1
    does not — and each (normalised) plate with two or more distinct tags in
    state ACTIVE or LOW_BALANCE: one finding per (plate, d). Money at risk 0.

    Keys: plate, business_date = d; tag_id holds the smallest of the plate's
    live tag ids and provider_id that tag's provider; detail lists every live
    tag with its provider and status. Not: a tag blocked, lost or expired by the
    end of the day (even when it was live earlier that day); passages.

    Millions of live tags, nearly all alone on their plate: a 64-bit hash of the
    plate first keeps the rows whose hash recurs that date (every plate with two
    live tags among them, and the rare plate sharing a hash with another), then
    the exact grouping by plate text runs on those few."""
    dates = list(ctx.period.dates())
    if not dates:
        return empty_findings()
    state = state_at_end(ctx.inputs.tags, dates)
    shared = state.filter(pl.col("plate").hash().is_duplicated().over("business_date"))
    entry = say("{} ({}, {})", pl.col("tag_id"), pl.col("provider_id"), pl.col("status"))
    multi = (
        shared.group_by("business_date", "plate")
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
