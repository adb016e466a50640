"""ledgers.items: settlement items ranked per passage and joined to it; the
PASSAGE_ITEM matches."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl
from literal import TAG_A, frame, item, lane

from etc.outputs import MATCH_SCHEMA
from etc.schemas import SETTLEMENTS
from etc.txnkey import with_txn_keys
from ledgers.items import ITEM_COLUMNS, item_matches, rank_items


def passages(rows: list[dict[str, Any]], provider: str | None = "VETC") -> pl.LazyFrame:
    """Lanes rows with the one passages column items read beyond lanes'."""
    return frame("lanes", rows).with_columns(pl.lit(provider, pl.String).alias("tag_provider_id"))


def keyed_rank(settlements: pl.LazyFrame, passages: pl.LazyFrame) -> pl.LazyFrame:
    """rank_items after the txn_key surrogate is given, as the engine does."""
    lanes, items = with_txn_keys(passages, settlements)
    return rank_items(items, lanes)


def items(settlements: list[dict[str, Any]], lanes: list[dict[str, Any]],
          provider: str | None = "VETC") -> pl.DataFrame:
    out = keyed_rank(frame("settlements", settlements), passages(lanes, provider)).collect()
    assert out.height == len(settlements)
    return out.sort("settlement_id")


def test_columns_and_types() -> None:
    df = items([item("S1", "T1")], [lane("T1")])
    assert df.columns[: len(SETTLEMENTS.names)] == list(SETTLEMENTS.names)
    assert tuple(df.columns[-len(ITEM_COLUMNS):]) == ITEM_COLUMNS
    assert df.schema["rank"] == pl.UInt32 and df.schema["business_date"] == pl.Date
    row = df.row(0, named=True)
    assert (row["rank"], row["has_passage"], row["passage_date"], row["passage_override"],
            row["passage_payment_method"], row["passage_amount_vnd"], row["passage_station_id"],
            row["passage_lane_id"], row["passage_tag_id"], row["passage_plate"],
            row["tag_provider_id"], row["business_date"]) == (
        0, True, date(2026, 11, 1), None, "ETC", 35_000, "ST01", "L01", TAG_A, "51H12345",
        "VETC", date(2026, 11, 1))


def test_rank_by_settled_at_then_settlement_id_per_txn() -> None:
    df = items([item("S3", "T1", settled_at="2026-11-01 20:00"),
                item("S2", "T1", settled_at="2026-11-01 20:00"),   # tie: S2 before S3
                item("S1", "T1", settled_at="2026-11-01 21:00"),   # later: last
                item("S9", "T2", settled_at="2026-11-01 09:00"),
                item("S4", "T3", settled_at="2026-11-02 09:00"),
                item("S0", "T3", settled_at="2026-11-02 10:00")],
               [lane("T1"), lane("T2"), lane("T3")])
    assert dict(df.select("settlement_id", "rank").rows()) == {
        "S2": 0, "S3": 1, "S1": 2, "S9": 0, "S4": 0, "S0": 1}


def test_orphan_business_date_is_the_local_date_of_settled_at() -> None:
    df = items([item("S1", "NOPE", settled_at="2026-11-01 23:30"),
                item("S2", "NOPE2", settled_at="2026-11-01T17:30:00+00:00"),
                item("S3", "T1", settled_at="2026-11-03 10:00")],
               [lane("T1", passed_at="2026-10-31 23:00")])
    got = {r[0]: r[1:] for r in
           df.select("settlement_id", "has_passage", "passage_date", "business_date").rows()}
    assert got == {"S1": (False, None, date(2026, 11, 1)),
                   "S2": (False, None, date(2026, 11, 2)),
                   "S3": (True, date(2026, 10, 31), date(2026, 10, 31))}


def test_items_of_one_txn_are_ranked_even_without_a_passage() -> None:
    df = items([item("S1", "NOPE"), item("S2", "NOPE", settled_at="2026-11-01 19:00")], [])
    assert dict(df.select("settlement_id", "rank").rows()) == {"S1": 1, "S2": 0}
    assert df["has_passage"].to_list() == [False, False]


def test_matches_one_row_per_item_with_a_passage() -> None:
    its = keyed_rank(
        frame("settlements", [
            item("S1", "T1", batch_id="B-V"),
            item("S2", "T1", provider_id="EPASS", settled_at="2026-11-02 08:00",
                 batch_id="B-E", amount_vnd=-35_000),
            item("S3", "NOPE"),
            item("S4", "T2")]),
        passages([lane("T1"), lane("T2", tag_id=None)]).with_columns(
            pl.when(pl.col("txn_id") == "T1").then(pl.lit("VETC")).alias("tag_provider_id")))
    m = item_matches(its).collect()
    assert m.schema == pl.Schema(MATCH_SCHEMA)
    assert sorted(m.rows()) == [
        ("PASSAGE_ITEM", date(2026, 11, 1), "T1", "S1", "B-V", None, None, "TXN_ID", 0, True,
         35_000),
        ("PASSAGE_ITEM", date(2026, 11, 1), "T1", "S2", "B-E", None, None, "TXN_ID", 1, False,
         -35_000),
        ("PASSAGE_ITEM", date(2026, 11, 1), "T2", "S4", "B-1", None, None, "TXN_ID", 0, None,
         35_000)]


def test_settled_at_kept_as_instant() -> None:
    df = items([item("S1", "T1", settled_at="2026-11-01 20:00")], [lane("T1")])
    assert df["settled_at"][0] == datetime(2026, 11, 1, 13, 0, tzinfo=UTC)
