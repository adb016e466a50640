"""Tag status at passage time: every passage with the tag row in force when it passed.

The tags table is a history: a row holds from its `valid_from` until the tag's
next row. The status that applies to a passage is the row of its tag with the
latest `valid_from` at or before `passed_at` (formats.md) — a change exactly at
`passed_at` applies. This is one backward as-of join by tag id, computed once
per run by the engine (`reconcile.prepare`) and read by every rule.
"""

from __future__ import annotations

import polars as pl

TAG_PATTERN = r"^[0-9A-F]{24}$"
"""An EPC-96 tag id as stored (upper-case): 24 hexadecimal characters."""

TAG_COLUMNS: dict[str, str] = {
    "status": "tag_status",
    "provider_id": "tag_provider_id",
    "account_id": "tag_account_id",
    "plate": "tag_plate",
    "vehicle_class": "tag_vehicle_class",
    "lot": "tag_lot",
}
"""tags column → the name it takes on a passage."""


def tag_ok(tag_id: pl.Expr) -> pl.Expr:
    """True where a (stored, upper-case) tag id is 24 hex characters; False when null."""
    return tag_id.str.contains(TAG_PATTERN).fill_null(False)


def passages_with_tags(lanes: pl.LazyFrame, tags: pl.LazyFrame) -> pl.LazyFrame:
    """Every lanes row, once, with `tag_ok` and the `tag_*` columns of the tag row
    in force at `passed_at` (null when the tag has no row at or before it, or the
    passage has no tag id).

    Only the join's own columns are sorted by time (a row index, the tag id and
    `passed_at`; the tags by `valid_from` — sorted by time overall is sorted
    within each tag, as the as-of join needs); the matched tag columns are then
    put back in lanes order and set beside the untouched lanes columns, so the
    output keeps the lanes' row order and the wide lanes rows are never gathered.

    Measured on 5 M passages × 2 M tag rows (2 busy cores): this ≈ 5–7 s; sorting the
    whole lanes frame instead ≈ 13–16 s; joining on an integer surrogate of the
    tag id (dense rank over the tags' ids, or a categorical) ≈ 14–17 s — its own
    hash join over 5 M strings costs more than grouping the as-of join by the
    string, so the join groups by the tag id itself."""
    history = tags.select(
        "tag_id",
        "valid_from",
        *(pl.col(src).alias(dst) for src, dst in TAG_COLUMNS.items()),
    ).sort("valid_from")
    matched = (
        lanes.select("tag_id", "passed_at")
        .with_row_index("_row")
        .sort("passed_at")
        .join_asof(
            history,
            left_on="passed_at",
            right_on="valid_from",
            by="tag_id",
            strategy="backward",
            check_sortedness=False,
        )
        .sort("_row")
        .select(*TAG_COLUMNS.values())
    )
    return pl.concat(
        [lanes.with_columns(tag_ok(pl.col("tag_id")).alias("tag_ok")), matched],
        how="horizontal",
    )
