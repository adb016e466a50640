"""Overlapping count intervals are refused (formats.md, kind `counts`).

Two intervals of one station, lane and source overlap when they share some time
and start at different instants. (Rows starting at the same instant are the same
interval: per class, or a re-send of one row, which the key decides: already
present, or DUPLICATE_CONFLICT.) Summing an overlapping pair would count its
vehicles twice, so the later one is quarantined as OUT_OF_RANGE:

- an incoming interval that overlaps a stored one is refused (what was loaded
  first stays);
- of two incoming intervals that overlap, the one starting later is refused
  (one that overlaps a refused interval of the same file is refused too: the file
  contradicts itself there).

Vectorised: intervals are collapsed to one per (station, lane, source, start) and
sorted; an interval overlaps an earlier-starting one when it starts before the
latest end so far, and a later-starting stored one when that starts before its
own end. No pairwise join.
"""

from __future__ import annotations

import polars as pl

from etc.reasons import Reason
from etc.schemas import COUNTS, SOURCE_ROW

GROUP = ("station_id", "lane_id", "source")
_SHOWN = [c.name for c in COUNTS.columns]


def _end(start: str = "interval_start") -> pl.Expr:
    return pl.col(start) + pl.duration(minutes=pl.col("interval_minutes"))


def _clock(e: pl.Expr) -> pl.Expr:
    return e.dt.convert_time_zone("Asia/Ho_Chi_Minh").dt.strftime("%Y-%m-%d %H:%M")


def refuse_overlaps(good: pl.DataFrame, stored: pl.DataFrame,
                    bad: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(good, bad) of a counts file once its overlapping intervals are refused.

    `good` holds the validated rows (etc.validate, with source_row), `stored` the
    stored counts rows that may touch them (at least station_id, lane_id, source,
    interval_start, interval_minutes), `bad` the rows refused so far (row, raw,
    reason, message); refused rows are appended to it."""
    if good.is_empty():
        return good, bad
    cols = [*GROUP, "interval_start", "interval_minutes"]
    incoming = good.with_row_index("__i")
    spans = pl.concat([
        incoming.select(*cols, pl.lit(False).alias("stored")),
        stored.select(*cols, pl.lit(True).alias("stored")),
    ]).group_by(*GROUP, "interval_start").agg(
        _end().max().alias("end"), pl.col("stored").any()
    ).sort(*GROUP, "interval_start", nulls_last=False)
    spans = spans.with_columns(
        pl.col("end").cum_max().shift(1).over(GROUP).alias("prev_end"),
        pl.when(pl.col("stored")).then(pl.col("interval_start"))
        .shift(-1).backward_fill().over(GROUP).alias("next_stored"),
    )
    hit = spans.filter(
        (pl.col("interval_start") < pl.col("prev_end")).fill_null(False)
        | (pl.col("next_stored") < pl.col("end")).fill_null(False)
    ).select(*GROUP, "interval_start", "prev_end", "next_stored")
    if hit.is_empty():
        return good, bad
    refused = incoming.join(hit, on=[*GROUP, "interval_start"], nulls_equal=True)
    other = pl.when(pl.col("prev_end") > pl.col("interval_start")).then(
        pl.concat_str(pl.lit("one ending at "), _clock(pl.col("prev_end")))
    ).otherwise(pl.concat_str(pl.lit("a loaded one starting at "),
                              _clock(pl.col("next_stored"))))
    message = pl.concat_str(
        pl.lit("interval_start '"), _clock(pl.col("interval_start")),
        pl.lit("' + "), pl.col("interval_minutes").cast(pl.String),
        pl.lit(" minutes overlaps another interval of station "), pl.col("station_id"),
        pl.lit(", lane "), pl.col("lane_id"), pl.lit(", source "),
        pl.col("source").fill_null("(empty)"), pl.lit(" ("), other,
        pl.lit("): its vehicles would be counted twice"))
    new_bad = refused.select(
        pl.col(SOURCE_ROW).alias("row"),
        pl.struct(pl.col(c).cast(pl.String) for c in _SHOWN).struct.json_encode().alias("raw"),
        pl.lit(Reason.OUT_OF_RANGE.value).alias("reason"),
        message.alias("message"),
    )
    kept = incoming.join(refused.select("__i"), on="__i", how="anti").drop("__i")
    return kept, pl.concat([bad, new_bad.cast(bad.schema)])
