"""The ETC service providers' scorecard ("chất lượng thẻ") of the report: per
provider over the run's period, and a daily trend over the 30 days up to its
last date where the store holds them.

    card = build_scorecard(store, run, findings, traffic, provider_names)

A provider's passages are the ETC passages of its tags (the tag's provider at
the passage), from the run's `traffic` rows, and the 30-day trend from those of
the latest run of each earlier date; its finding counts come from the
run's findings naming it (provider_id), except TAG_UNKNOWN, whose tag no list
holds: it counts for the provider that settled the passage. PLATE_MULTI_TAG
counts a plate for every provider with a live tag on it, as its detail lists
them. The settlement latency reads the run's passages and first items, scoped
to its dates and loads.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from etc.codes import Code
from etc.reports import RunInfo
from etc.reports_counted import PROVIDER_DAY_SCHEMA, PROVIDER_SCHEMA, Scorecard
from etc.store import Store

TREND_DAYS = 30
PER = 10_000
LIVE_TAG = r"\([^,()]+, (?:ACTIVE|LOW_BALANCE)\)"
"""A "(provider, status)" entry of PLATE_MULTI_TAG's detail (cards.plates)."""
COUNTED_CODES = {
    "tag_not_active": Code.TAG_NOT_ACTIVE, "tag_low_balance": Code.TAG_LOW_BALANCE,
    "late": Code.SETTLEMENT_LATE, "duplicate": Code.SETTLEMENT_DUPLICATE,
    "wrong_provider": Code.SETTLEMENT_WRONG_PROVIDER,
}
"""Scorecard column → the code whose findings naming the provider it counts."""


def build_scorecard(store: Store, run: RunInfo, found: pl.DataFrame, traffic: pl.DataFrame,
                    names: dict[str, str]) -> Scorecard:
    """The scorecard of run `run` (`found`: its findings; `traffic`: its traffic rows;
    `names`: provider names)."""
    loads = run.inputs["load_id"].to_list()
    trend = store.provider_trend(run.last_date - timedelta(days=TREND_DAYS - 1), run.last_date,
                                 run.started_at)
    latency = store.provider_latency(run.run_id, run.first_date, run.last_date, loads)
    unknown = store.unknown_settlers(run.run_id, run.first_date, loads)
    return scorecard(traffic, latency, unknown, found, names, trend, run.last_date)


def _share(part: str, whole: str) -> pl.Expr:
    return pl.when(pl.col(whole) > 0).then(pl.col(part) / pl.col(whole))


def multi_tag_plates(found: pl.DataFrame) -> pl.DataFrame:
    """provider_id, plates_multi_tag: distinct plates of PLATE_MULTI_TAG findings on
    which the provider has a live tag (from the detail's "(provider, status)")."""
    rows = found.filter(pl.col("code") == Code.PLATE_MULTI_TAG.value).select(
        "plate", pl.col("detail").str.extract_all(LIVE_TAG).alias("entry")).explode("entry")
    return (rows.with_columns(pl.col("entry").str.extract(r"^\(([^,]+),", 1)
                              .alias("provider_id"))
            .drop_nulls("provider_id").group_by("provider_id")
            .agg(pl.col("plate").n_unique().cast(pl.Int64).alias("plates_multi_tag")))


def scorecard(traffic: pl.DataFrame, latency: pl.DataFrame, unknown: pl.DataFrame,
              found: pl.DataFrame, names: dict[str, str], trend: pl.DataFrame,
              last: date) -> Scorecard:
    """The scorecard from its parts: the run's `traffic` rows (provider_id,
    passages, unread_or_weak), `latency` (provider_id, settled, latency_median_h,
    latency_p95_h), `unknown` (txn_id, provider_id of each settled TAG_UNKNOWN),
    the run's findings and the `trend` rows (provider_id, business_date, passages,
    unread_or_weak) of the days up to `last`; a provider appears when named, with
    passages, items or findings."""
    period = (traffic.filter(pl.col("provider_id").is_not_null()).group_by("provider_id")
              .agg(pl.col("passages", "unread_or_weak").sum().cast(pl.Int64)))
    named = found.filter(pl.col("provider_id").is_not_null())
    codes = named.group_by("provider_id").agg(
        *[(pl.col("code") == code.value).sum().cast(pl.Int64).alias(col)
          for col, code in COUNTED_CODES.items()],
        pl.len().cast(pl.Int64).alias("findings"), pl.col("amount_at_risk_vnd").sum())
    settlers = unknown.group_by("provider_id").agg(pl.len().cast(pl.Int64).alias("tag_unknown"))
    listed = pl.DataFrame({"provider_id": list(names)}, schema={"provider_id": pl.String})
    ids = pl.concat([f.select(pl.col("provider_id").cast(pl.String))
                     for f in (period, codes, latency, settlers)] + [listed])
    rows = ids.drop_nulls().unique()
    for part in (period, codes, latency, settlers, multi_tag_plates(found)):
        rows = rows.join(part, on="provider_id", how="left")
    counts = ["passages", "unread_or_weak", "settled", "tag_unknown", "plates_multi_tag",
              "findings", "amount_at_risk_vnd", *COUNTED_CODES]
    rate = {f"{c}_per_10k": (pl.col(c) * PER / pl.col("passages")) for c in
            ("tag_not_active", "tag_unknown", "tag_low_balance")}
    providers = (
        rows.with_columns(pl.col(counts).fill_null(0),
                          pl.col("provider_id").replace_strict(names, default=None,
                                                               return_dtype=pl.String)
                          .alias("provider_name"))
        .with_columns(_share("unread_or_weak", "passages").alias("unread_or_weak_share"),
                      *[pl.when(pl.col("passages") > 0).then(e).alias(k) for k, e in rate.items()])
        .sort("provider_id").select(list(PROVIDER_SCHEMA)).cast(PROVIDER_SCHEMA)  # type: ignore[arg-type]
    )
    days = (trend.filter(pl.col("business_date") > last - timedelta(days=TREND_DAYS))
            .with_columns(_share("unread_or_weak", "passages").alias("unread_or_weak_share"))
            .sort("provider_id", "business_date")
            .select(list(PROVIDER_DAY_SCHEMA)).cast(PROVIDER_DAY_SCHEMA))  # type: ignore[arg-type]
    return Scorecard(providers=providers, days=days, trend_days=TREND_DAYS)
