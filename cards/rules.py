"""TAG rules on single passages (findings.md): the tag read at an ETC lane
against the tag list in force when the vehicle passed.

They read the engine's `ctx.passages`, which already carries the tag row in
force at `passed_at` (cards.status: `tag_ok`, `tag_status`, `tag_plate`, …), so
none of them joins the tag list again. All are keyed by txn_id and scoped to
ETC passages: a CASH or EXEMPT passage whose lane happened to read a bad tag
fires nothing here.

Money at risk (findings.md): the passage's amount_vnd for a not-active,
low-balance or unknown tag; 0 for the quality findings (malformed tag id,
class and plate mismatch).
"""

from __future__ import annotations

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.localtime import local_text
from etc.settings import TagSettings

NOT_ACTIVE = ("BLOCKED", "LOST", "EXPIRED")
"""Statuses that must not pass (formats.md)."""

PASSAGE_KEYS = ("business_date", "station_id", "lane_id", "txn_id", "tag_id", "plate",
                "staff_id")
"""Columns of a passage that a passage-keyed finding carries."""


def _etc(ctx: Context) -> pl.LazyFrame:
    return ctx.passages.filter(pl.col("payment_method") == "ETC")


def _keys() -> dict[str, pl.Expr]:
    """The tag's provider (null when the tag is unknown) as the finding's provider."""
    return {"provider_id": pl.col("tag_provider_id")}


def tag_malformed(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_MALFORMED: an ETC passage whose tag_id is missing or not 24 hexadecimal
    characters (tag ids are stored upper-case, so lower-case hex is well-formed).
    Money at risk 0 (a quality finding). Not: CASH or EXEMPT passages."""
    bad = _etc(ctx).filter(~pl.col("tag_ok")).select(*PASSAGE_KEYS)
    detail = pl.when(pl.col("tag_id").is_null()).then(
        pl.lit("ETC passage has no tag_id")
    ).otherwise(say("ETC passage's tag_id '{}' ({} characters) is not 24 hexadecimal characters",
                    pl.col("tag_id"), pl.col("tag_id").str.len_chars()))
    return finding(bad, Code.TAG_MALFORMED, detail=detail)


def tag_unknown(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_UNKNOWN: an ETC passage whose tag_id is well-formed but has no row in
    the tag list at or before passed_at (a tag whose first row starts later is
    unknown at that passage). Money at risk: the passage's amount_vnd.
    Not: malformed tag ids (TAG_MALFORMED)."""
    unknown = _etc(ctx).filter(pl.col("tag_ok") & pl.col("tag_status").is_null())
    detail = say("tag {} has no row in the tag list at or before {} (local); {} VND at risk",
                 pl.col("tag_id"), local_text(pl.col("passed_at")), vnd(pl.col("amount_vnd")))
    return finding(unknown, Code.TAG_UNKNOWN, amount=pl.col("amount_vnd"), detail=detail)


def tag_not_active(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_NOT_ACTIVE: an ETC passage whose tag's status at passed_at is BLOCKED,
    LOST or EXPIRED and which was charged or let through (override not VOID; a
    FREE_PASS opened the barrier, so it counts). Money at risk: the passage's
    amount_vnd. Not: VOID passages (cancelled; the vehicle was stopped)."""
    hit = _etc(ctx).filter(pl.col("tag_status").is_in(NOT_ACTIVE)
                           & (pl.col("override").fill_null("") != "VOID"))
    detail = say("tag {} was {} at {} (local) yet the passage was let through with {} VND "
                 "charged", pl.col("tag_id"), pl.col("tag_status"),
                 local_text(pl.col("passed_at")), vnd(pl.col("amount_vnd")))
    return finding(hit, Code.TAG_NOT_ACTIVE, amount=pl.col("amount_vnd"), detail=detail,
                   keys=_keys())


def tag_low_balance(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_LOW_BALANCE: an ETC passage whose tag's status at passed_at is
    LOW_BALANCE (debited on credit: owed, not yet held). Money at risk: the
    passage's amount_vnd. Not: other statuses (TAG_NOT_ACTIVE covers blocked)."""
    hit = _etc(ctx).filter(pl.col("tag_status") == "LOW_BALANCE")
    detail = say("tag {} was LOW_BALANCE at {} (local): {} VND debited on credit",
                 pl.col("tag_id"), local_text(pl.col("passed_at")), vnd(pl.col("amount_vnd")))
    return finding(hit, Code.TAG_LOW_BALANCE, amount=pl.col("amount_vnd"), detail=detail,
                   keys=_keys())


def tag_class_mismatch(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_CLASS_MISMATCH: an ETC passage of a known tag (a row in force at
    passed_at) where the lane's measured avc_class differs from the tag's
    registered vehicle_class. Money at risk 0 (a quality finding; an undercharge
    is CLASS_UNDERCHARGE). Not: unknown tags."""
    hit = _etc(ctx).filter(pl.col("tag_status").is_not_null()
                           & (pl.col("avc_class") != pl.col("tag_vehicle_class")))
    detail = say("the lane measured class {} but tag {} is registered for class {}",
                 pl.col("avc_class"), pl.col("tag_id"), pl.col("tag_vehicle_class"))
    return finding(hit, Code.TAG_CLASS_MISMATCH, detail=detail, keys=_keys())


def tag_plate_mismatch(ctx: Context, cfg: TagSettings) -> pl.LazyFrame:
    """TAG_PLATE_MISMATCH: an ETC passage of a known tag where ANPR read a plate
    with plate_confidence >= cfg.plate_confidence that differs from the tag's
    registered plate (both stored normalised). Money at risk 0 (a quality
    finding). Not: a null ANPR plate or confidence; unknown tags."""
    hit = _etc(ctx).filter(pl.col("tag_status").is_not_null()
                           & (pl.col("plate_confidence") >= cfg.plate_confidence)
                           & (pl.col("plate") != pl.col("tag_plate")))
    detail = say("ANPR read plate {} with confidence {} (threshold {}) but tag {} is "
                 "registered to plate {}", pl.col("plate"), pl.col("plate_confidence").round(3),
                 pl.lit(cfg.plate_confidence), pl.col("tag_id"), pl.col("tag_plate"))
    return finding(hit, Code.TAG_PLATE_MISMATCH, detail=detail, keys=_keys())
