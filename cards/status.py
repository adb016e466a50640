"""Tag status at passage time: every passage with the tag row in force when it passed.

The tags table is a history: a row holds from its `valid_from` until the tag's
next row. The status that applies to a passage is the row of its tag with the
latest `valid_from` at or before `passed_at` (formats.md) — a change exactly at
`passed_at` applies. Computed once per run by the engine (`reconcile.prepare`)
and read by every rule.

Tags are matched by their exact integer key (`etc.tagkey.tag_key`); the few
malformed ids, which have no key, by their text.
"""

from __future__ import annotations

import polars as pl

from etc.tagkey import TAG_PATTERN, tag_key, tag_ok

__all__ = ["TAG_COLUMNS", "TAG_PATTERN", "passages_with_tags", "tag_ok", "tag_spans"]

TAG_COLUMNS: dict[str, str] = {
    "status": "tag_status",
    "provider_id": "tag_provider_id",
    "account_id": "tag_account_id",
    "plate": "tag_plate",
    "vehicle_class": "tag_vehicle_class",
    "lot": "tag_lot",
}
"""tags column → the name it takes on a passage."""


def tag_spans(tags: pl.LazyFrame) -> pl.LazyFrame:
    """Every tags row once, as the span of time it holds:

        _tag        UInt32    its position in `tags`
        _key        Int128    tag_key(tag_id); null for a malformed id
        tag_id      String    the id, for malformed ids only (null otherwise)
        valid_from  the row's own
        until       valid_from of the same tag's next row; null for its latest
        first       True for the tag's earliest row

    The row in force at instant t is then the one with valid_from <= t < until
    (until null: open), and a tag's latest row before t the one with
    valid_from < t <= until — one pass over the tag list serves every instant.
    Should a tag have two rows at the same valid_from (the store's key forbids
    it), the later one in `tags` holds and the other spans nothing; a row
    without valid_from (the store requires one) sorts last and holds nowhere.

    Rows in no particular order. Only the slim columns are sorted, by the
    integer key (the text ids are not carried: sorting them took seconds at
    millions of rows); malformed ids, few, are sorted by their text."""
    rows = _tag_rows(tags)
    return pl.concat([_keyed_spans(rows), _text_spans(rows)], how="diagonal")


def _tag_rows(tags: pl.LazyFrame) -> pl.LazyFrame:
    """`_tag`, `_key`, tag_id and valid_from of every tags row (computed once)."""
    return (tags.select(tag_key(pl.col("tag_id")).alias("_key"), "tag_id", "valid_from")
            .with_row_index("_tag").cache())


def _keyed_spans(rows: pl.LazyFrame) -> pl.LazyFrame:
    """`tag_spans` of the well-formed ids, without their text."""
    return (rows.filter(pl.col("_key").is_not_null()).select("_tag", "_key", "valid_from")
            .sort("_key", "valid_from", maintain_order=True, nulls_last=True)
            .with_columns(_bounds(pl.col("_key"))))


def _text_spans(rows: pl.LazyFrame) -> pl.LazyFrame:
    """`tag_spans` of the malformed ids, grouped by their text."""
    return (rows.filter(pl.col("_key").is_null()).select("_tag", "tag_id", "valid_from")
            .sort("tag_id", "valid_from", maintain_order=True, nulls_last=True)
            .with_columns(_bounds(pl.col("tag_id"))))


def _bounds(tag: pl.Expr) -> list[pl.Expr]:
    """`until` and `first` over rows sorted by (tag, valid_from)."""
    same_next = tag.shift(-1).eq_missing(tag).fill_null(False)
    same_prev = tag.shift(1).eq_missing(tag).fill_null(False)
    return [pl.when(same_next).then(pl.col("valid_from").shift(-1)).alias("until"),
            same_prev.not_().alias("first")]


def _in_force(passages: pl.LazyFrame, spans: pl.LazyFrame, on: str) -> pl.LazyFrame:
    """`_row` and `_tag` of the row in force at `passed_at` (null if none), once
    per passage: a left join on the tag, keeping of a passage's rows the one
    whose span holds passed_at, else (its tag starts later) its tag's first row
    with `_tag` blanked, else (unknown tag) the unmatched row."""
    started = (pl.col("valid_from") <= pl.col("passed_at")).fill_null(False)
    holds = started & (pl.col("until").is_null() | (pl.col("passed_at") < pl.col("until")))
    return (passages.join(spans, on=on, how="left")
            .filter(pl.col("_tag").is_null() | holds | (~started & pl.col("first")))
            .select("_row", pl.when(holds).then(pl.col("_tag")).alias("_tag")))


def passages_with_tags(lanes: pl.LazyFrame, tags: pl.LazyFrame) -> pl.LazyFrame:
    """Every lanes row, once and in lanes order, with `tag_ok` and the `tag_*`
    columns of the tag row in force at `passed_at` (null when the tag has no row
    at or before it, or the passage has no tag id).

    Well-formed ids are matched by `tag_key`: a hash join on the Int128 against
    `tag_spans`, keeping the row whose span holds passed_at. Measured at 10 M
    passages × 4.7 M tag rows on 2 cores: the join 1 s and the spans' sort
    0.65 s, where an as-of join by the key took 2–2.6 s plus 0.5 s for its two
    sorts by time, and the as-of join by the text id (before) ~23 s in all.
    Malformed ids keep matching tag rows with the very same text. The join
    yields each passage's position in `tags` (`_tag`), put back in lanes order
    by a sort of the slim (row, position) pairs; the tag columns are then
    gathered by position from the tag list imploded into one list: gathering
    text by random positions from a frame of many chunks (DuckDB hands Arrow
    batches) took ~2 s per column, from one contiguous array ~1.2 s for all
    six. The lanes columns are never moved."""
    rows = (lanes.select(tag_key(pl.col("tag_id")).alias("_key"), "tag_id", "passed_at")
            .with_row_index("_row").cache())
    history = _tag_rows(tags)
    well = _in_force(
        rows.filter(pl.col("_key").is_not_null()).select("_row", "_key", "passed_at"),
        _keyed_spans(history), on="_key")
    odd = _in_force(
        rows.filter(pl.col("_key").is_null() & pl.col("tag_id").is_not_null())
        .select("_row", "tag_id", "passed_at"),
        _text_spans(history), on="tag_id")
    none = (rows.filter(pl.col("tag_id").is_null())
            .select("_row", pl.lit(None, pl.get_index_type()).alias("_tag")))
    index = pl.concat([well.with_columns(pl.lit(True).alias("tag_ok")),
                       odd.with_columns(pl.lit(False).alias("tag_ok")),
                       none.with_columns(pl.lit(False).alias("tag_ok"))]).sort("_row")
    matched = (
        pl.concat([index.select(pl.col("_tag").implode()),
                   tags.select(pl.struct(*TAG_COLUMNS).implode().alias("_tags"))],
                  how="horizontal")
        .select(pl.col("_tags").list.gather(pl.col("_tag")).explode())
        .unnest("_tags")
        .rename(TAG_COLUMNS)
    )
    return pl.concat([lanes, index.select("tag_ok"), matched], how="horizontal")
