"""Traffic per station, lane, business date, payment method, charged class and
the provider of an ETC passage's tag.

The statement's passages and gross toll by class and method, the report's
unread share per lane and the providers' scorecard and 30-day trend rest on this
small table (a few rows per lane and day), written with each run so that outputs
of a run never re-read the passages.
"""

from __future__ import annotations

import polars as pl

from etc.context import Context
from etc.outputs import TRAFFIC_SCHEMA

KEYS = ["station_id", "lane_id", "business_date", "payment_method", "charged_class",
        "provider_id"]


def traffic(ctx: Context, weak_below: float) -> pl.LazyFrame:
    """TRAFFIC_SCHEMA rows for every passage loaded (the engine keeps the
    period's): passages, those that owe money (`charged`: override not VOID or
    FREE_PASS, payment_method not EXEMPT), Σ their amount_vnd, unread ones
    (read_count 0) and unread or weak ones (rssi_dbm strictly below `weak_below`,
    as TAG_POOR_READ reads "weak"). provider_id is the tag's provider at the
    passage for ETC passages (null for others and for tags in no list). Sorted by
    KEYS."""
    charged = pl.col("charged").fill_null(False)
    unread = (pl.col("read_count") == 0).fill_null(False)
    weak = (pl.col("rssi_dbm") < weak_below).fill_null(False)
    provider = (pl.when(pl.col("payment_method") == "ETC").then(pl.col("tag_provider_id"))
                .alias("provider_id"))
    return (
        ctx.passages.with_columns(provider).group_by(KEYS)
        .agg(
            pl.len().alias("passages"),
            charged.sum().alias("charged"),
            pl.when(charged).then(pl.col("amount_vnd")).otherwise(0).sum().alias("gross_vnd"),
            unread.sum().alias("unread"),
            (unread | weak).sum().alias("unread_or_weak"),
        )
        .sort(KEYS, nulls_last=False)
        .select(list(TRAFFIC_SCHEMA))
        .cast(TRAFFIC_SCHEMA)  # type: ignore[arg-type]
    )
