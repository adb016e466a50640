"""BATCH and BANK rules: settlement batches against the collection-account credits.

They read the engine's `batches` and `credits` (ledgers.batches: which credit pays
which batch, by reference, remittance text or unique amount) and only compare.
Debit entries are never findings: `credits` holds CRDT entries only.
"""

from __future__ import annotations

import polars as pl

from etc.codes import Code
from etc.context import Context
from etc.findings import finding, say, vnd
from etc.settings import MoneySettings
from ledgers.deadlines import bank_deadline


def _window(cfg: MoneySettings) -> pl.Expr:
    return pl.lit(f"{cfg.bank_match_days} days")


def batch_unpaid(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """BATCH_UNPAID: a settlement batch that no bank credit pays — none names it by
    reference or remittance text, and none singles it out by amount on its account
    within the matching window. At risk: the batch's net. Keys: batch, provider,
    station. Due when the bank window closes (ledgers.deadlines): before, the
    credit may still come and the batch is pending."""
    paid = ctx.credits.filter(pl.col("batch_id").is_not_null()).select("batch_id")
    unpaid = ctx.batches.join(paid, on="batch_id", how="anti")
    detail = say(
        "batch {} ({} items, net {} VND, last item {}) has no credit on account {} "
        "by reference, remittance text or amount within {} of its last item",
        pl.col("batch_id"), pl.col("items"), vnd(pl.col("net_vnd")), pl.col("business_date"),
        pl.col("account").fill_null("(station unknown)"), _window(cfg),
    )
    return finding(unpaid, Code.BATCH_UNPAID, amount=pl.col("net_vnd"), detail=detail,
                   due=bank_deadline(cfg))


def batch_amount_mismatch(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """BATCH_AMOUNT_MISMATCH: the credited amount of a paid batch differs from its
    net (Σ amount − Σ fee of its items), e.g. the provider did not keep its fee
    back. When several credits name one batch, their SUM is compared (and the
    entry key is left empty; with one credit it is that credit's entry_id). At
    risk: the absolute difference. Unpaid batches are BATCH_UNPAID, not this. Due
    when the bank window closes: a further credit may still make up the sum."""
    paid = ctx.credits.filter(pl.col("batch_id").is_not_null()).group_by("batch_id").agg(
        pl.col("amount_vnd").sum().alias("credited_vnd"),
        pl.len().alias("credits"),
        pl.col("entry_id").min().alias("entry_id"),
        pl.col("match_method").min().alias("match_method"),
    )
    wrong = ctx.batches.join(paid, on="batch_id").filter(
        pl.col("credited_vnd") != pl.col("net_vnd"))
    diff = pl.col("credited_vnd") - pl.col("net_vnd")
    detail = say(
        "batch {} was credited {} VND in {} credit(s) matched by {} but its net is {} VND "
        "(gross {} − fee {} VND), a difference of {} VND",
        pl.col("batch_id"), vnd(pl.col("credited_vnd")), pl.col("credits"),
        pl.col("match_method"), vnd(pl.col("net_vnd")), vnd(pl.col("gross_vnd")),
        vnd(pl.col("fee_vnd")), vnd(diff),
    )
    entry = pl.when(pl.col("credits") == 1).then(pl.col("entry_id"))
    return finding(wrong, Code.BATCH_AMOUNT_MISMATCH, amount=diff.abs(), detail=detail,
                   keys={"entry_id": entry}, due=bank_deadline(cfg))


def bank_unmatched_credit(ctx: Context, cfg: MoneySettings) -> pl.LazyFrame:
    """BANK_UNMATCHED_CREDIT: a credit on a collection account that pays no batch —
    its reference and remittance text name no known batch, and its amount singles
    out no unpaid batch of the account within the window (an amount equal to two
    batches' nets, or a batch two credits could pay, is not matched). At risk: its
    amount; business date: its booking date; the account is in the detail since
    an entry id is unique per account only (an id unmatched on two accounts is
    reported as "account/entry_id"). Debits are never findings. Due when the bank
    window of its booking date closes: the batch it pays may still arrive."""
    lone = ctx.credits.filter(pl.col("batch_id").is_null()).with_columns(
        pl.col("booking_date").alias("business_date"))
    detail = say(
        "credit {} of {} VND on account {} booked {} (reference {}) names no known batch "
        "and its amount equals the net of no single unpaid batch of that account within {}",
        pl.col("entry_id"), vnd(pl.col("amount_vnd")), pl.col("account"), pl.col("booking_date"),
        pl.col("reference").fill_null("empty"), _window(cfg),
    )
    # An entry id is unique per account only: where the same id is unmatched on two
    # accounts, each finding's entry_id is qualified as "account/entry_id", so the
    # finding stays one per identity.
    shared = pl.col("account").n_unique().over("entry_id") > 1
    entry = pl.when(shared).then(pl.concat_str(pl.col("account"), pl.lit("/"), pl.col("entry_id"))
                                 ).otherwise(pl.col("entry_id"))
    return finding(lone, Code.BANK_UNMATCHED_CREDIT, amount=pl.col("amount_vnd"), detail=detail,
                   keys={"entry_id": entry}, due=bank_deadline(cfg))
