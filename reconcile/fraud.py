"""FRAUD rules of findings.md: possible fraud and revenue leakage.

The two rules on a tag's sequence of passages (DOUBLE_CHARGE, TAG_CLONE) live
in `reconcile.velocity`, which sorts bare integer keys of all passages once per
rule and the passages themselves only for the few tags that may fire; the three
here read one passage (CLASS_UNDERCHARGE, EXEMPT_UNLISTED) or counts per staff
member and day (STAFF_OVERRIDE_OUTLIER). Each is a pure function of the Context
and the fraud settings, returning findings for every loaded date (the engine
keeps the period's).
"""

from __future__ import annotations

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.settings import FraudSettings
from reconcile.velocity import double_charge, tag_clone

__all__ = ["OVERRIDES", "class_undercharge", "double_charge", "exempt_unlisted",
           "staff_override_outlier", "tag_clone"]

OVERRIDES = ("CLASS", "VOID", "FREE_PASS")
"""Overrides counted by STAFF_OVERRIDE_OUTLIER (MANUAL_ENTRY is not one)."""


def _money(e: pl.Expr) -> pl.Expr:
    """'35,000 VND', or 'no tariff' when null (detail text)."""
    return say("{} VND", vnd(e)).fill_null("no tariff")


def class_undercharge(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """CLASS_UNDERCHARGE: a passage (any payment method, any override) whose
    charged_class is lower than the class the lane measured (avc_class). Money at
    risk: the tariff of avc_class minus the tariff of charged_class for the station
    and date, never below 0; 0 when either tariff is unknown (the detail says so).
    It does not judge the amount charged (TARIFF_MISMATCH does)."""
    low = ctx.passages.filter(pl.col("charged_class") < pl.col("avc_class"))
    known = pl.col("avc_tariff_vnd").is_not_null() & pl.col("tariff_vnd").is_not_null()
    short = (pl.col("avc_tariff_vnd") - pl.col("tariff_vnd")).clip(lower_bound=0)
    tail = pl.when(known).then(say("{} short", _money(short))).otherwise(
        pl.lit("difference unknown without both tariffs, 0 VND counted"))
    detail = say(
        "charged class {} ({}) but the lane measured class {} ({}) at {} on {}: {}",
        pl.col("charged_class"), _money(pl.col("tariff_vnd")), pl.col("avc_class"),
        _money(pl.col("avc_tariff_vnd")), pl.col("station_id"), pl.col("business_date"), tail)
    return finding(low, Code.CLASS_UNDERCHARGE, amount=pl.when(known).then(short).otherwise(0),
                   detail=detail)


def exempt_unlisted(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """EXEMPT_UNLISTED: a passage paid EXEMPT or overridden FREE_PASS whose plate
    has no exemption row holding on its business date (valid_from <= date <=
    valid_to, a null valid_to open-ended); a passage without a plate is unlisted.
    Plates are compared as stored, both normalised by the loader (`51H-123.45` and
    `51h 12345` are one plate). Money at risk: the money not collected, the tariff
    of its station, charged_class and date (0 when no tariff holds). It does not
    look at the exemption's reason, nor at a listed plate passing without one."""
    exempt = pl.col("payment_method") == "EXEMPT"
    free = ctx.passages.filter(exempt | (pl.col("override") == "FREE_PASS").fill_null(False))
    listed = (
        free.select("txn_id", "plate", "business_date")
        .join(ctx.inputs.exemptions.select("plate", "valid_from", "valid_to"), on="plate")
        .filter((pl.col("valid_from") <= pl.col("business_date"))
                & (pl.col("valid_to").is_null() | (pl.col("business_date") <= pl.col("valid_to"))))
        .select("txn_id")
    )
    unlisted = free.join(listed, on="txn_id", how="anti")
    how = pl.when(pl.col("override") == "FREE_PASS").then(
        say("FREE_PASS by {}", pl.col("staff_id").fill_null("unknown staff"))
    ).otherwise(pl.lit("EXEMPT"))
    plate = say("plate {}", pl.col("plate")).fill_null("no plate read")
    detail = say(
        "{} passage at {} with {}, which is not on the exemption list on {}: {} "
        "(class {}) not collected",
        how, pl.col("station_id"), plate, pl.col("business_date"),
        _money(pl.col("tariff_vnd")), pl.col("charged_class"))
    return finding(unlisted, Code.EXEMPT_UNLISTED, amount=pl.col("tariff_vnd"), detail=detail)


def staff_override_outlier(ctx: Context, cfg: FraudSettings) -> pl.LazyFrame:
    """STAFF_OVERRIDE_OUTLIER: per business date and station, a staff member's
    passages overridden CLASS, VOID or FREE_PASS number at least
    `staff_min_overrides` and at least `staff_ratio` × the median count of the
    station's staff that day — the median over the staff with at least one such
    override, the member included. Key: staff_id + business date (should one
    member fire at two stations on a date, the larger count is reported). Money at
    risk: 0 (an override is not a loss by itself; the passages concerned have
    their own rules). Passages without a staff_id are not counted."""
    counts = (
        ctx.passages.filter(pl.col("override").is_in(OVERRIDES) & pl.col("staff_id").is_not_null())
        .group_by("business_date", "station_id", "staff_id")
        .agg(pl.len().alias("n"),
             *[(pl.col("override") == o).sum().alias(o) for o in OVERRIDES])
    )
    medians = counts.group_by("business_date", "station_id").agg(
        pl.col("n").median().alias("median"), pl.len().alias("staff"))
    outliers = (
        counts.join(medians, on=["business_date", "station_id"])
        .filter((pl.col("n") >= cfg.staff_min_overrides)
                & (pl.col("n") >= cfg.staff_ratio * pl.col("median")))
        .sort("n", "station_id", descending=[True, False])
        .unique(["staff_id", "business_date"], keep="first", maintain_order=True)
    )
    detail = say(
        "{} made {} overrides at {} on {} (CLASS {}, VOID {}, FREE_PASS {}), "
        f"at least {cfg.staff_min_overrides} and {{}}× the median {{}} of the {{}} staff "
        f"with overrides there (limit {cfg.staff_ratio:g}×)",
        pl.col("staff_id"), pl.col("n"), pl.col("station_id"), pl.col("business_date"),
        *[pl.col(o) for o in OVERRIDES], (pl.col("n") / pl.col("median")).round(1),
        pl.col("median"), pl.col("staff"))
    return finding(outliers, Code.STAFF_OVERRIDE_OUTLIER, detail=detail)
