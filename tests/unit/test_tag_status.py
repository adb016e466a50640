"""cards.status: the tag row in force at each passage (passages_with_tags) and
the span each tag row holds (tag_spans, also behind cards.plates.state_at_end).

Each test spells out the tag history and the passages; the expected columns
follow from formats.md: the row of the tag with the latest valid_from at or
before passed_at applies, and every passage comes out exactly once. Well-formed
ids are matched by their integer key, malformed ones by their text: both paths
are exercised, and the random histories are checked against a brute force.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import polars as pl
from literal import TAG_A, TAG_B, at, inputs, lane, tag

from cards.plates import state_at_end
from cards.status import TAG_COLUMNS, passages_with_tags, tag_ok, tag_spans
from etc.schemas import TAG_STATUSES as STATUSES

ODD = "E28011606000020000000G01"
"""A malformed id (a G): no integer key, matched by its text."""


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


def chunked(frame: pl.LazyFrame, parts: int) -> pl.LazyFrame:
    """The same rows in `parts` chunks, as DuckDB hands them out."""
    df = frame.collect()
    size = -(-df.height // parts)
    return pl.concat([df.slice(i * size, size) for i in range(parts)], rechunk=False).lazy()


def test_matches_a_brute_force_reading_on_random_histories() -> None:
    """Against join-then-filter-then-latest on 2,000 passages over 50 tags whose
    rows change every few hours (times drawn on a coarse grid, so exact ties
    between passed_at and valid_from occur), three malformed ids with histories
    of their own (matched by text), one malformed id and one well-formed id with
    no tag row, null ids; inputs in several chunks."""
    rng = random.Random(3)
    odd = ["NOT-A-TAG", ODD, "E2801160600002000000001"]
    ids = [f"E2801160600002000000{i:04X}" for i in range(50)] + odd
    grid = [f"2026-11-01 {h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
    tags = [tag(t, status=rng.choice(STATUSES), valid_from=v, lot=f"{t}@{v}")
            for t in ids for v in sorted(rng.sample(grid, 4))]
    rng.shuffle(tags)
    seen = [*ids, "NO-ROW", "E2801160600002000000FFFF", None]
    lanes = [lane(f"T{i}", tag_id=rng.choice(seen), passed_at=rng.choice(grid))
             for i in range(2000)]
    i = inputs(lanes=lanes, tags=tags)
    got = passages_with_tags(chunked(i.lanes, 7), chunked(i.tags, 5)).collect()
    pairs = (i.lanes.join(i.tags, on="tag_id").filter(pl.col("valid_from") <= pl.col("passed_at"))
             .group_by("txn_id").agg(pl.col("lot").sort_by("valid_from").last()).collect())
    want = dict(zip(pairs["txn_id"], pairs["lot"], strict=True))
    assert got.height == 2000
    assert got["txn_id"].to_list() == [r["txn_id"] for r in lanes]
    assert dict(zip(got["txn_id"], got["tag_lot"], strict=True)) == {
        t: want.get(t) for t in got["txn_id"]}
    assert got["tag_lot"].null_count() > 100  # some passages before their tag's first row
    by_odd = got.filter(pl.col("tag_id").is_in(odd))
    assert by_odd["tag_lot"].null_count() < by_odd.height  # malformed ids did match
    assert not by_odd["tag_ok"].any()


def test_malformed_id_matches_the_rows_of_the_same_text() -> None:
    df = joined([lane("T1", tag_id=ODD, passed_at="2026-11-01 08:00"),
                 lane("T2", tag_id=ODD, passed_at="2026-11-01 12:00"),
                 lane("T3", tag_id=ODD, passed_at="2026-10-01 12:00"),
                 lane("T4", tag_id="E28011606000020000000H01", passed_at="2026-11-01 12:00")],
                [tag(ODD, status="ACTIVE", valid_from="2026-10-15 00:00"),
                 tag(ODD, status="LOST", valid_from="2026-11-01 12:00"),
                 tag("E28011606000020000000001", status="BLOCKED")])
    assert status_of(df) == {"T1": "ACTIVE", "T2": "LOST", "T3": None, "T4": None}
    assert not df["tag_ok"].any()


def test_no_passages_gives_an_empty_frame_with_every_column() -> None:
    i = inputs(lanes=[], tags=[tag(TAG_A)])
    df = passages_with_tags(i.lanes, i.tags).collect()
    assert df.height == 0
    assert df.columns == [*i.lanes.collect_schema().names(), "tag_ok", *TAG_COLUMNS.values()]


def test_a_tag_row_without_valid_from_holds_nowhere() -> None:
    df = joined([lane("T1", passed_at="2026-11-01 08:00"),
                 lane("T2", passed_at="2026-09-01 08:00")],
                [tag(status="ACTIVE", valid_from="2026-10-01 00:00"),
                 tag(status="LOST", valid_from=None)])
    assert status_of(df) == {"T1": "ACTIVE", "T2": None}


def spans_of(tags: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(_tag, until, first) per tags row, in tags order."""
    df = tag_spans(inputs(tags=tags).tags).sort("_tag").collect()
    return list(zip(df["_tag"], df["until"], df["first"], strict=True))


def test_spans_until_is_the_next_row_of_the_same_tag() -> None:
    tags = [tag(TAG_A, valid_from="2026-11-01 12:00"),
            tag(TAG_B, valid_from="2026-10-01 00:00"),
            tag(ODD, valid_from="2026-11-02 00:00"),
            tag(TAG_A, valid_from="2026-10-01 00:00"),
            tag(ODD, valid_from="2026-10-01 00:00"),
            tag(TAG_A, valid_from="2026-11-01 08:00")]
    assert spans_of(tags) == [
        (0, None, False),
        (1, None, True),
        (2, None, False),
        (3, at("2026-11-01 08:00"), True),
        (4, at("2026-11-02 00:00"), True),
        (5, at("2026-11-01 12:00"), False)]


def test_state_at_end_of_day_keeps_live_rows_in_force_at_midnight() -> None:
    tags = [tag(TAG_A, status="ACTIVE", valid_from="2026-10-01 00:00"),
            tag(TAG_A, status="BLOCKED", valid_from="2026-11-01 23:59"),
            tag(TAG_B, status="LOST", valid_from="2026-10-01 00:00"),
            tag(TAG_B, status="LOW_BALANCE", valid_from="2026-11-02 00:00"),
            tag(ODD, status="ACTIVE", valid_from="2026-10-01 00:00"),
            tag(ODD, status="EXPIRED", valid_from="2026-11-02 00:00")]
    days = [date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
    df = state_at_end(inputs(tags=tags).tags, days).collect()
    got = sorted(df.select("business_date", "tag_id", "status").rows())
    assert got == [(days[0], TAG_A, "ACTIVE"), (days[0], ODD, "ACTIVE"),
                   (days[1], ODD, "ACTIVE"), (days[2], TAG_B, "LOW_BALANCE")]
