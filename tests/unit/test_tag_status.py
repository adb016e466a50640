"""cards.status.passages_with_tags: the tag row in force at each passage.

Each test spells out the tag history and the passages; the expected columns
follow from formats.md: the row of the tag with the latest valid_from at or
before passed_at applies, and every passage comes out exactly once.
"""

from __future__ import annotations

import random
from typing import Any

import polars as pl
from literal import TAG_A, TAG_B, inputs, lane, tag

from cards.status import TAG_COLUMNS, passages_with_tags, tag_ok
from etc.schemas import TAG_STATUSES as STATUSES


def joined(lanes: list[dict[str, Any]], tags: list[dict[str, Any]]) -> pl.DataFrame:
    i = inputs(lanes=lanes, tags=tags)
    return passages_with_tags(i.lanes, i.tags).collect()


def status_of(df: pl.DataFrame) -> dict[str, str | None]:
    return dict(zip(df["txn_id"], df["tag_status"], strict=True))


def test_change_exactly_at_passage_time_applies() -> None:
    df = joined([lane("T1", passed_at="2026-11-01 08:00:00")],
                [tag(status="ACTIVE", valid_from="2026-10-01 00:00"),
                 tag(status="BLOCKED", valid_from="2026-11-01 08:00:00")])
    assert status_of(df) == {"T1": "BLOCKED"}


def test_change_one_microsecond_after_does_not_apply() -> None:
    df = joined([lane("T1", passed_at="2026-11-01 08:00:00")],
                [tag(status="ACTIVE", valid_from="2026-10-01 00:00"),
                 tag(status="BLOCKED", valid_from="2026-11-01 08:00:00.000001")])
    assert status_of(df) == {"T1": "ACTIVE"}


def test_only_row_after_the_passage_leaves_the_tag_unknown() -> None:
    df = joined([lane("T1", passed_at="2026-11-01 08:00")],
                [tag(status="ACTIVE", valid_from="2026-11-01 09:00")])
    row = df.row(0, named=True)
    assert row["tag_ok"] is True
    assert [row[c] for c in TAG_COLUMNS.values()] == [None] * len(TAG_COLUMNS)


def test_every_tag_column_comes_from_the_row_in_force() -> None:
    df = joined([lane("T1", passed_at="2026-11-01 08:00")],
                [tag(provider_id="VETC", account_id="A-1", plate="51H-111.11", vehicle_class=1,
                     status="ACTIVE", valid_from="2026-10-01 00:00", lot="L1"),
                 tag(provider_id="EPASS", account_id="A-2", plate="30A22222", vehicle_class=2,
                     status="LOW_BALANCE", valid_from="2026-10-15 00:00", lot="L2"),
                 tag(provider_id="X", account_id="A-3", plate="99Z99999", vehicle_class=3,
                     status="LOST", valid_from="2026-11-02 00:00", lot="L3")])
    row = df.row(0, named=True)
    assert {c: row[c] for c in TAG_COLUMNS.values()} == {
        "tag_status": "LOW_BALANCE", "tag_provider_id": "EPASS", "tag_account_id": "A-2",
        "tag_plate": "30A22222", "tag_vehicle_class": 2, "tag_lot": "L2"}
    assert df.schema["tag_vehicle_class"] == pl.Int8()


def test_lower_case_tag_is_stored_upper_case_and_well_formed() -> None:
    df = joined([lane("T1", tag_id=TAG_A.lower())], [tag(TAG_A)])
    row = df.row(0, named=True)
    assert row["tag_id"] == TAG_A
    assert row["tag_ok"] is True
    assert row["tag_status"] == "ACTIVE"


def test_null_and_malformed_tags_keep_their_passage() -> None:
    df = joined([lane("T1", tag_id=None), lane("T2", tag_id="E2801160600002000000000"),
                 lane("T3", tag_id="E28011606000020000000G01"), lane("T4", tag_id=TAG_A)],
                [tag(TAG_A)])
    assert df.height == 4
    assert dict(zip(df["txn_id"], df["tag_ok"], strict=True)) == {
        "T1": False, "T2": False, "T3": False, "T4": True}
    assert status_of(df) == {"T1": None, "T2": None, "T3": None, "T4": "ACTIVE"}


def test_one_row_per_passage_in_lanes_order_with_every_lanes_column() -> None:
    lanes = [lane(f"T{i}", tag_id=[TAG_A, TAG_B, None][i % 3],
                  passed_at=f"2026-11-01 {23 - i:02d}:00") for i in range(12)]
    tags = [tag(TAG_A, status="ACTIVE", valid_from="2026-11-01 05:30"),
            tag(TAG_B, status="LOST", valid_from="2026-10-01 00:00"),
            tag(TAG_B, status="ACTIVE", valid_from="2026-11-01 17:30")]
    i = inputs(lanes=lanes, tags=tags)
    df = passages_with_tags(i.lanes, i.tags).collect()
    lanes_df = i.lanes.collect()
    assert df.columns == [*lanes_df.columns, "tag_ok", *TAG_COLUMNS.values()]
    assert df.select(lanes_df.columns).equals(lanes_df)
    expected = {}
    for i_, r in enumerate(lanes):
        hour = 23 - i_
        if r["tag_id"] == TAG_A:
            expected[r["txn_id"]] = "ACTIVE" if hour >= 6 else None
        elif r["tag_id"] == TAG_B:
            expected[r["txn_id"]] = "ACTIVE" if hour >= 18 else "LOST"
        else:
            expected[r["txn_id"]] = None
    assert status_of(df) == expected


def test_tag_ok_pattern() -> None:
    s = pl.Series(["E28011606000020000000001", "e28011606000020000000001",
                   "E2801160600002000000000", "E280116060000200000000011",
                   " E2801160600002000000001", None])
    assert pl.select(tag_ok(pl.lit(s))).to_series().to_list() == [
        True, False, False, False, False, False]


def test_matches_a_brute_force_reading_on_random_histories() -> None:
    """Against join-then-filter-then-latest on 2,000 passages over 50 tags whose
    rows change every few hours (times drawn on a coarse grid, so exact ties
    between passed_at and valid_from occur)."""
    rng = random.Random(3)
    ids = [f"E2801160600002000000{i:04X}" for i in range(50)] + ["NOT-A-TAG", None]
    grid = [f"2026-11-01 {h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
    tags = [tag(t, status=rng.choice(STATUSES), valid_from=v, lot=f"{t}@{v}")
            for t in ids[:50] for v in sorted(rng.sample(grid, 4))]
    lanes = [lane(f"T{i}", tag_id=rng.choice(ids), passed_at=rng.choice(grid))
             for i in range(2000)]
    i = inputs(lanes=lanes, tags=tags)
    got = passages_with_tags(i.lanes, i.tags).collect()
    pairs = (i.lanes.join(i.tags, on="tag_id").filter(pl.col("valid_from") <= pl.col("passed_at"))
             .group_by("txn_id").agg(pl.col("lot").sort_by("valid_from").last()).collect())
    want = dict(zip(pairs["txn_id"], pairs["lot"], strict=True))
    assert got.height == 2000
    assert dict(zip(got["txn_id"], got["tag_lot"], strict=True)) == {
        t: want.get(t) for t in got["txn_id"]}
    assert got["tag_lot"].null_count() > 100  # some passages before their tag's first row
