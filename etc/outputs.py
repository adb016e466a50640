"""The per-run tables besides findings: matches, dispositions and tie-outs.

Their Polars schemas are declared here once; the store derives its DDL from them
and the ledgers build frames of exactly these columns (the engine adds run_id).
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from etc.findings import FINDING_SCHEMA


class Disposition(StrEnum):
    """What became of a passage. Exactly one per passage of the run's dates, so
    the counts add up to the day's passages. For a charged ETC passage the first
    that applies wins, in this order: UNSETTLED, AMOUNT_DIFFERS, SETTLED_TWICE,
    SETTLED_LATE, SETTLED (the flags in the dispositions table keep the rest)."""

    VOID = "VOID"
    """Cancelled by staff (override VOID): owes nothing."""
    FREE_PASS = "FREE_PASS"
    """Barrier opened without charge by staff."""
    EXEMPT = "EXEMPT"
    """payment_method EXEMPT: passes free."""
    CASH = "CASH"
    """Paid at the lane: no settlement expected."""
    UNSETTLED = "UNSETTLED"
    """Charged ETC passage with no settlement item."""
    AMOUNT_DIFFERS = "AMOUNT_DIFFERS"
    """Its first item pays another amount than was charged."""
    SETTLED_TWICE = "SETTLED_TWICE"
    """More than one item pays it."""
    SETTLED_LATE = "SETTLED_LATE"
    """Its first item came after the end of the business date + the allowed days."""
    SETTLED = "SETTLED"
    """One item, on time, of the amount charged."""


MATCH_SCHEMA: dict[str, pl.DataType] = {
    "stage": pl.String(),          # PASSAGE_ITEM or BATCH_CREDIT
    "business_date": pl.Date(),
    "txn_id": pl.String(),         # PASSAGE_ITEM
    "settlement_id": pl.String(),  # PASSAGE_ITEM
    "batch_id": pl.String(),       # both: the item's batch; the credited batch
    "account": pl.String(),        # BATCH_CREDIT
    "entry_id": pl.String(),       # BATCH_CREDIT
    "method": pl.String(),         # TXN_ID | REFERENCE | REMITTANCE | AMOUNT
    "rank": pl.UInt32(),           # PASSAGE_ITEM: 0 first item, 1.. further items
    "provider_matches": pl.Boolean(),  # PASSAGE_ITEM: item provider = tag's provider
    "amount_vnd": pl.Int64(),      # item amount; credit amount
}
"""One row per matched pair: a settlement item to its passage (by txn_id, with its
rank and the provider check; the item names its batch), a bank credit to a batch
(by reference, remittance text or unique amount)."""

DISPOSITION_SCHEMA: dict[str, pl.DataType] = {
    "business_date": pl.Date(),
    "station_id": pl.String(),
    "lane_id": pl.String(),
    "txn_id": pl.String(),
    "payment_method": pl.String(),
    "disposition": pl.String(),
    "charged_vnd": pl.Int64(),        # amount owed (0 unless charged)
    "items": pl.UInt32(),             # settlement items paying it
    "settled_vnd": pl.Int64(),        # Σ amount of those items (0 if none)
    "first_settlement_id": pl.String(),
    "first_settled_at": pl.Datetime("us", "UTC"),
    "late": pl.Boolean(),
    "amount_diff_vnd": pl.Int64(),    # first item amount − charged (null if no item)
}

TIEOUT_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "business_date": pl.Date(),
    "passages": pl.UInt32(),
    "etc_passages": pl.UInt32(),       # charged ETC passages
    "charged_vnd": pl.Int64(),         # Σ amount of charged ETC passages
    "cash_vnd": pl.Int64(),            # Σ amount of charged CASH passages (not settled)
    "settled_gross_vnd": pl.Int64(),   # Σ amount of items of this station and date
    "fee_vnd": pl.Int64(),
    "settled_net_vnd": pl.Int64(),     # gross − fee
    "banked_vnd": pl.Int64(),          # bank credits allocated to those items
    "settle_gap_vnd": pl.Int64(),      # charged − settled gross
    "bank_gap_vnd": pl.Int64(),        # settled net − banked
}
"""Money flow per station and business date: charged → settled → banked. Items
count on their `business_date` (the passage's, or the settlement day of an
orphan). A matched credit is allocated to its batch's items: each item's net when
the credit equals the batch's net, else pro rata with the remainder on the
batch's first item (by settlement_id), so Σ banked_vnd = Σ matched credits."""

TRAFFIC_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "lane_id": pl.String(),
    "business_date": pl.Date(),
    "payment_method": pl.String(),
    "charged_class": pl.Int8(),
    "provider_id": pl.String(),        # an ETC passage's tag's provider (null: none known)
    "passages": pl.UInt32(),           # every passage, VOID and FREE_PASS included
    "charged": pl.UInt32(),            # passages that owe money
    "gross_vnd": pl.Int64(),           # Σ amount_vnd of the charged ones
    "unread": pl.UInt32(),             # passages with read_count 0
    "unread_or_weak": pl.UInt32(),     # … or rssi_dbm below the run's weak_rssi_dbm
}
"""Passages per station, lane, business date, payment method, charged class and
(ETC) tag provider: what the statements' traffic columns, the report's lane read
shares and the providers' scorecard and trend rest on."""

LIFECYCLE_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "identity": pl.String(),           # the key without the date: "txn_id=T1", "plate=51H12345"
    "state": pl.String(),              # NEW, OPEN or RESOLVED (etc.reports.State)
    "business_date": pl.Date(),        # the finding's; RESOLVED: the date last found
    "first_seen_date": pl.Date(),
    "first_seen_run": pl.String(),
    "last_seen_run": pl.String(),      # this run, or for RESOLVED the run that last found it
    "days_open": pl.Int32(),           # business_date − first_seen_date
    "amount_at_risk_vnd": pl.Int64(),
    "detail": pl.String(),
}
"""One row per finding of a run (NEW or OPEN) and one per identity the run
resolved (reconcile.lifecycle)."""

PENDING_SCHEMA: dict[str, pl.DataType] = {
    **{c: t for c, t in FINDING_SCHEMA.items() if c != "run_id"},
    "due_at": pl.Datetime("us", "UTC"),  # when it becomes a finding if nothing arrives
}
"""What a run would have found but is not due yet as of the run's as-of time (a
settlement still within its deadline, a batch within its bank window): the
findings' columns and the instant it falls due."""
