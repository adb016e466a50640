"""What rules read: the period of a run, the input tables, and the shared frames
the engine prepares once (tag status at passage time, tariffs, settlement items
ranked per passage, batches, bank credits matched to batches).

Rules are pure functions of a `Context` and their settings. `cards` and `ledgers`
cannot import each other, so the engine (`reconcile.prepare`) builds the shared
frames by calling both and hands every rule the same `Context`. The columns of
each frame are listed below: they are the contract between the packages.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from etc.parse import POLARS_TYPES
from etc.schemas import SCHEMAS, Kind


@dataclass(frozen=True)
class Period:
    """The business dates of a run, both inclusive."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"period ends ({self.last}) before it starts ({self.first})")

    def dates(self) -> Iterator[date]:
        d = self.first
        while d <= self.last:
            yield d
            d += timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def holds(self, day: pl.Expr) -> pl.Expr:
        """True where a Date expression falls in the period."""
        return day.is_between(pl.lit(self.first), pl.lit(self.last))


def empty_of(kind: str) -> pl.LazyFrame:
    """No rows of an optional kind, in the columns the store hands out (its
    canonical columns, then business_date where the kind has one)."""
    schema = SCHEMAS[Kind(kind)]
    cols = {c.name: POLARS_TYPES[c.type] for c in schema.columns}
    cols |= {name: pl.Date() for name, sql in schema.derived if sql == "DATE"}
    return pl.LazyFrame(schema=cols)


@dataclass(frozen=True)
class Inputs:
    """The input tables as loaded (etc.schemas), one LazyFrame each. Timestamps
    are `Datetime("us", "UTC")`, dates `Date`, money `Int64`, classes `Int8`,
    plates normalised, tag ids upper-case; `lanes` has `business_date` (local
    date of passed_at). `lanes` and `settlements` may carry `txn_key`, the
    integer surrogate of txn_id (etc.txnkey; the store adds it, `prepare` adds
    it when absent): passages and items join on it."""

    lanes: pl.LazyFrame
    tags: pl.LazyFrame
    settlements: pl.LazyFrame
    bank: pl.LazyFrame
    stations: pl.LazyFrame
    tariffs: pl.LazyFrame
    exemptions: pl.LazyFrame
    counts: pl.LazyFrame = field(default_factory=lambda: empty_of("counts"))
    """Optional (formats.md): independent vehicle counts, with business_date
    (local date of interval_start); empty when none are loaded."""
    providers: pl.LazyFrame = field(default_factory=lambda: empty_of("providers"))
    """Optional: provider_id, name."""
    batch_parts: pl.LazyFrame | None = None
    """Settlement items summed per batch, provider and station (BATCH_PART_SCHEMA;
    the store keeps them per load): when given, batches are summed from these
    rather than from `settlements`, which then need not hold every item."""
    lane_days: pl.LazyFrame | None = None
    """Passages per lane and date before the period (LANE_DAY_SCHEMA), when
    `lanes` holds only the period and its look-back: CASH_SHARE_SPIKE's history."""


LANE_DAY_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(), "lane_id": pl.String(), "business_date": pl.Date(),
    "passages": pl.Int64(), "cash": pl.Int64(), "cash_vnd": pl.Int64(),
}
"""Per lane and business date: passages, CASH passages and their Σ amount_vnd."""

BATCH_PART_SCHEMA: dict[str, pl.DataType] = {
    "batch_id": pl.String(), "provider_id": pl.String(), "station_id": pl.String(),
    "items": pl.Int64(), "gross_vnd": pl.Int64(), "fee_vnd": pl.Int64(),
    "last_settled_at": pl.Datetime("us", "UTC"),
}


@dataclass(frozen=True)
class Scope:
    """What a run over `period` reads of the store: every passage of its dates;
    before them, the ETC passages from `lanes_from`, in the `prior_hours` before
    the period, of the tags that pass in the period (a tag's previous passage),
    and from `reads_from` those of the tags
    that had a poor read somewhere from `reads_from` to the period's end —
    read_count 0 or rssi_dbm below `weak_below`; every tag when `weak_below` is
    None (what a tag-quality window needs); the lanes' daily counts from
    `lane_days_from`; the tag rows in force at some instant of those dates; the
    settlement items of the period's passages and those of the period's days
    that name no passage; the small tables whole."""

    period: Period
    lanes_from: date
    reads_from: date | None = None
    weak_below: float | None = 0.0
    prior_hours: float = 24.0
    """Of a tag's previous passages, those of the hours before the period only."""
    lane_days_from: date | None = None
    """Passages per lane and day (etc.context.Inputs.lane_days) from this date to
    the day before the period; None: none."""

    def __post_init__(self) -> None:
        if self.lanes_from > self.period.first:
            raise ValueError(f"look-back starts ({self.lanes_from}) after the period")
        if self.reads_from is not None and self.reads_from > self.period.first:
            raise ValueError(f"poor-read look-back ({self.reads_from}) after the period")

    @property
    def first_read(self) -> date:
        """The first business date any passage is read of."""
        return self.lanes_from if self.reads_from is None else min(self.lanes_from,
                                                                   self.reads_from)


@dataclass(frozen=True)
class Context:
    """Everything a rule may read.

    passages — one row per passage read of the period's dates (and, read whole, of
      those after it; `earlier` holds those before): every lanes column (txn_key
      included), plus
        tag_ok            Boolean  tag_id is 24 hex characters
        tag_status        String   status of the tag row in force at passed_at
                                   (latest valid_from <= passed_at), null if none
        tag_provider_id, tag_account_id, tag_plate (normalised), tag_vehicle_class
                          (Int8), tag_lot — of that same row, null if none
        charged           Boolean  owes money: override not VOID/FREE_PASS and
                                   payment_method not EXEMPT
        tariff_vnd        Int64    tariff of station_id, charged_class, business_date
                                   (null when no tariff holds)
        avc_tariff_vnd    Int64    tariff of station_id, avc_class, business_date
    items — one row per settlement item: every settlements column (txn_key: the
      passage's, null when none), plus
        rank              UInt32   0 for the passage's first item (by settled_at,
                                   then settlement_id), 1, 2, … for further ones
        has_passage       Boolean  a loaded passage has this txn_id
        passage_date      Date     that passage's business_date (null if none)
        passage_override, passage_payment_method, passage_amount_vnd,
        passage_station_id, passage_lane_id, passage_tag_id, passage_plate
                                   of that passage (null if none)
        tag_provider_id   String   provider of the passage's tag at passed_at
        business_date     Date     passage_date, else the local date of settled_at
    batches — one row per batch_id:
        batch_id, provider_id, station_id, account (the station's collection
        account, null if the station is unknown), items (UInt32), gross_vnd,
        fee_vnd, net_vnd (Int64: Σ amount − Σ fee), last_settled_at (instant),
        business_date (local date of last_settled_at)
    credits — one row per bank entry with direction CRDT: every bank column, plus
        batch_id          String   the batch it pays, null if none
        match_method      String   REFERENCE, REMITTANCE or AMOUNT (null if none)
    """

    period: Period
    inputs: Inputs
    passages: pl.LazyFrame
    items: pl.LazyFrame
    batches: pl.LazyFrame
    credits: pl.LazyFrame
    earlier: pl.LazyFrame | None = None
    """The passages before the period that were read, in `passages`' columns: all
    of them when the inputs were read whole, only the look-back when scoped
    (etc.context.Scope). Only the rules that look back read them (`history`)."""
    batch_items: pl.LazyFrame | None = None
    """Every item (settlement_id, batch_id, amount_vnd, fee_vnd) of the batches
    paid another sum than their net, when `items` may not hold all of them (a
    scoped run): a credit is spread over all the items of its batch."""

    def history(self) -> pl.LazyFrame:
        """`earlier` and `passages` together: what a rule that looks back before the
        period reads (TAG_POOR_READ's window, a tag's previous passage)."""
        return self.passages if self.earlier is None else pl.concat([self.earlier,
                                                                     self.passages])
