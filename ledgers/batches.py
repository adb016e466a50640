"""Settlement batches and the bank credits that pay them.

A provider pays each batch to the station's collection account in one credit of
Σ amount_vnd − Σ fee_vnd (formats.md). `batches` sums the settlement items per
batch; `match_credits` names the batch each bank credit pays (findings.md): by
its reference, or failing that its remittance text, or failing both by an amount
that singles out one unpaid batch of its account within the matching window.
`credit_matches` lists the matched pairs for the run's `matches` table.
"""

from __future__ import annotations

import polars as pl

from etc.localtime import local_date
from etc.outputs import MATCH_SCHEMA
from etc.settings import MoneySettings

REFERENCE = "REFERENCE"
REMITTANCE = "REMITTANCE"
AMOUNT = "AMOUNT"

_ROW = "_credit_row"
_PUNCTUATION = ".,;:()[]{}<>\"'"
"""Stripped from both ends of a remittance word before it is compared to batch ids."""


def _most_frequent(parts: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """Per batch, the value of `column` on most of its items (ties: the smallest)."""
    per_value = parts.group_by("batch_id", column).agg(pl.col("items").sum())
    top = per_value.filter(pl.col("items") == pl.col("items").max().over("batch_id"))
    return top.group_by("batch_id").agg(pl.col(column).min())


def parts_of(settlements: pl.LazyFrame) -> pl.LazyFrame:
    """Settlement items summed per batch, provider and station
    (etc.context.BATCH_PART_SCHEMA): what `batches` is computed from. The store
    keeps the same sums per load (`batch_parts`), so a run need not read every item."""
    return settlements.group_by("batch_id", "provider_id", "station_id").agg(
        pl.len().cast(pl.Int64).alias("items"),
        pl.col("amount_vnd").sum().cast(pl.Int64).alias("gross_vnd"),
        pl.col("fee_vnd").fill_null(0).sum().cast(pl.Int64).alias("fee_vnd"),
        pl.col("settled_at").max().alias("last_settled_at"),
    )


def batches(parts: pl.LazyFrame, stations: pl.LazyFrame) -> pl.LazyFrame:
    """One row per batch_id (etc.context.Context.batches) from its parts
    (`parts_of`, or the store's `batch_parts`, which may hold several rows per
    batch, provider and station): its provider and station, the station's
    collection account, the item count, Σ amount (gross), Σ fee, the net the bank
    should credit, its last item's settled_at and that instant's local date
    (`business_date`).

    A batch should hold the items of one provider at one station; when its items
    name several, the batch takes the provider (and, separately, the station) that
    most of its items name, ties going to the smallest id. The account is that
    station's; it is null when the station is not in the station list.
    """
    sums = parts.group_by("batch_id").agg(
        pl.col("items").sum().cast(pl.UInt32),
        pl.col("gross_vnd").sum().cast(pl.Int64),
        pl.col("fee_vnd").sum().cast(pl.Int64),
        pl.col("last_settled_at").max(),
    )
    accounts = stations.select("station_id", "account").unique("station_id", keep="first")
    return (
        sums.join(_most_frequent(parts, "provider_id"), on="batch_id", how="left")
        .join(_most_frequent(parts, "station_id"), on="batch_id", how="left")
        .join(accounts, on="station_id", how="left")
        .select(
            "batch_id", "provider_id", "station_id", "account", "items", "gross_vnd", "fee_vnd",
            (pl.col("gross_vnd") - pl.col("fee_vnd")).alias("net_vnd"),
            "last_settled_at",
            local_date(pl.col("last_settled_at")).alias("business_date"),
        )
    )


def _named_in_text(credits: pl.LazyFrame, known: pl.LazyFrame) -> pl.LazyFrame:
    """(_credit_row, batch_id) for remittance texts that name exactly one known batch.

    The text is cut into words; a word (as is, or with punctuation stripped from its
    ends) that equals a batch id names it. Only when no word does, two adjacent
    words joined are tried: an MT940 `:86:` line wrap puts a space inside an id
    ("B-VETC-ST01-2026 1101"). A text naming two different batches names none.
    """
    words = credits.select(
        _ROW, pl.col("remittance").str.extract_all(r"\S+").alias("w")
    ).filter(pl.col("w").list.len() > 0)
    single = words.explode("w").select(_ROW, pl.col("w").alias("token"))
    pairs = (
        words.filter(pl.col("w").list.len() > 1)
        .select(_ROW, pl.col("w").list.slice(0, pl.col("w").list.len() - 1).alias("a"),
                pl.col("w").list.slice(1).alias("b"))
        .explode("a", "b")
        .select(_ROW, (pl.col("a") + pl.col("b")).alias("token"))
    )
    tokens = pl.concat([single.with_columns(pl.lit(0).alias("joined")),
                        pairs.with_columns(pl.lit(1).alias("joined"))])
    tokens = pl.concat([tokens, tokens.with_columns(pl.col("token").str.strip_chars(_PUNCTUATION))])
    hits = tokens.join(known, left_on="token", right_on="batch_id", how="inner").select(
        _ROW, "joined", pl.col("token").alias("batch_id"))
    # whole words win over joined pairs; then exactly one distinct batch
    best = hits.filter(pl.col("joined") == pl.col("joined").min().over(_ROW))
    return (best.group_by(_ROW).agg(pl.col("batch_id").unique())
            .filter(pl.col("batch_id").list.len() == 1)
            .select(_ROW, pl.col("batch_id").list.first()))


def match_credits(bank: pl.LazyFrame, batches: pl.LazyFrame, cfg: MoneySettings) -> pl.LazyFrame:
    """Every bank entry with direction CRDT (all its columns) plus `batch_id` (the
    batch it pays, null if none) and `match_method` (REFERENCE, REMITTANCE, AMOUNT).

    In order, a credit pays:
    1. REFERENCE: the batch whose id equals its trimmed reference (case as stored);
    2. REMITTANCE: else the one known batch its remittance text names (see
       `_named_in_text`; a text naming two different batches names none);
    3. AMOUNT: else, among the batches no credit named in 1–2 ("unpaid"), the one
       of the same account whose net_vnd equals its amount and whose business_date
       is within `cfg.bank_match_days` days of the booking_date (either side). The
       match is made only when it is unique both ways: a credit with two such
       batches, or a batch that two such credits could pay, matches nothing — the
       engine never guesses.
    A reference or text naming an unknown batch does not stop 2 or 3. Two credits
    naming the same batch (1–2) both pay it; BATCH_AMOUNT_MISMATCH then compares
    the sum of its credits with its net.
    """
    crdt = bank.filter(pl.col("direction") == "CRDT").with_row_index(_ROW)
    known = batches.select("batch_id")

    by_reference = crdt.select(_ROW, pl.col("reference").str.strip_chars().alias("batch_id")).join(
        known, on="batch_id", how="semi")
    rest = crdt.join(by_reference, on=_ROW, how="anti")
    by_text = _named_in_text(rest, known)
    named = pl.concat([by_reference.with_columns(pl.lit(REFERENCE).alias("match_method")),
                       by_text.with_columns(pl.lit(REMITTANCE).alias("match_method"))])

    unpaid = batches.join(named, on="batch_id", how="anti").select(
        "batch_id", "account", "net_vnd", "business_date")
    days = (pl.col("booking_date") - pl.col("business_date")).dt.total_days().abs()
    candidates = (
        crdt.join(named, on=_ROW, how="anti")
        .select(_ROW, "account", "amount_vnd", "booking_date")
        .join(unpaid, left_on=["account", "amount_vnd"], right_on=["account", "net_vnd"])
        .filter(days <= cfg.bank_match_days)
    )
    by_amount = candidates.filter(
        (pl.len().over(_ROW) == 1) & (pl.len().over("batch_id") == 1)
    ).select(_ROW, "batch_id", pl.lit(AMOUNT).alias("match_method"))

    matched = pl.concat([named, by_amount])
    return crdt.join(matched, on=_ROW, how="left").sort(_ROW).drop(_ROW)


def credit_matches(credits: pl.LazyFrame) -> pl.LazyFrame:
    """The matched credits as `matches` rows (etc.outputs.MATCH_SCHEMA), stage
    BATCH_CREDIT: booking date, batch, account, entry, method and credited amount."""
    paid = credits.filter(pl.col("batch_id").is_not_null())
    cols = {
        "stage": pl.lit("BATCH_CREDIT"),
        "business_date": pl.col("booking_date"),
        "batch_id": pl.col("batch_id"),
        "account": pl.col("account"),
        "entry_id": pl.col("entry_id"),
        "method": pl.col("match_method"),
        "amount_vnd": pl.col("amount_vnd"),
    }
    return paid.select(
        (cols[name] if name in cols else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in MATCH_SCHEMA.items()
    )
