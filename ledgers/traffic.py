"""Traffic per station, lane, business date, payment method and charged class.

The statement's passages and gross toll by class and method, and the report's
unread share per lane, rest on this small table (a few rows per lane and day),
written with each run so that outputs of a run never re-read the inputs.
"""

from __future__ import annotations

import polars as pl

from etc.context import Context
from etc.outputs import TRAFFIC_SCHEMA

KEYS = ["station_id", "lane_id", "business_date", "payment_method", "charged_class"]


def traffic(ctx: Context) -> pl.LazyFrame:
    """TRAFFIC_SCHEMA rows for every passage loaded (the engine keeps the
    period's): passages, those that owe money (`charged`: override not VOID or
    FREE_PASS, payment_method not EXEMPT), Σ their amount_vnd, and unread ones
    (read_count 0). Sorted by KEYS."""
    charged = pl.col("charged").fill_null(False)
    return (
        ctx.passages.group_by(KEYS)
        .agg(
            pl.len().alias("passages"),
            charged.sum().alias("charged"),
            pl.when(charged).then(pl.col("amount_vnd")).otherwise(0).sum().alias("gross_vnd"),
            (pl.col("read_count") == 0).fill_null(False).sum().alias("unread"),
        )
        .sort(KEYS, nulls_last=False)
        .select(list(TRAFFIC_SCHEMA))
        .cast(TRAFFIC_SCHEMA)  # type: ignore[arg-type]
    )
