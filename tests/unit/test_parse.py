"""The vectorised parsers on literal inputs: value and reason, cell by cell."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from etc.parse import business_date, parse_column, parse_series
from etc.schemas import BANK, LANES, STATIONS, TARIFFS, Column


def run(col: Column, values: list[object], dtype: pl.DataType = pl.String) -> list[tuple]:
    """Parse through both paths (expressions; fast path + fallback) and insist they agree."""
    df = pl.DataFrame({"x": values}, schema={"x": dtype})
    p = parse_column(pl.col("x"), dtype, col)
    by_expr = list(df.select(p.value.alias("v"), p.reason.alias("r")).iter_rows())
    value, reason = parse_series(df["x"], col)
    assert list(zip(value.to_list(), reason.to_list(), strict=True)) == by_expr
    return by_expr


def utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def test_timestamps_naive_is_local_time_and_offsets_are_honoured() -> None:
    col = LANES.column("passed_at")
    got = run(col, [
        "2026-11-01T07:15:02",            # local, UTC+07:00
        "2026-11-01 07:15:02.5+07:00",
        "2026-11-01T00:15:02Z",
        "2026-11-01T07:15",               # no seconds
        "2026-11-01",                     # a date: local midnight
        "2026-11-01T09:45:02+0930",
        "2026-02-30T00:00:00",            # no such day
        "01/11/2026 07:15",
        "2026-11-01T07:15:02+25:00",      # no such offset
        "",
        None,
    ])
    assert got == [
        (utc(2026, 11, 1, 0, 15, 2), None),
        (utc(2026, 11, 1, 0, 15, 2, 500000), None),
        (utc(2026, 11, 1, 0, 15, 2), None),
        (utc(2026, 11, 1, 0, 15, 0), None),
        (utc(2026, 10, 31, 17, 0, 0), None),
        (utc(2026, 11, 1, 0, 15, 2), None),
        (None, "BAD_TIMESTAMP"),
        (None, "BAD_TIMESTAMP"),
        (None, "BAD_TIMESTAMP"),
        (None, None),
        (None, None),
    ]


def test_business_date_is_the_local_calendar_date() -> None:
    df = pl.DataFrame({"t": [utc(2026, 11, 1, 16, 59, 59), utc(2026, 11, 1, 17, 0, 0)]})
    assert df.select(business_date(pl.col("t")))["t"].to_list() == [
        date(2026, 11, 1), date(2026, 11, 2)]


def test_typed_parquet_timestamps() -> None:
    col = LANES.column("passed_at")
    naive = run(col, [datetime(2026, 11, 1, 7, 0)], pl.Datetime("ns"))
    aware = run(col, [utc(2026, 11, 1, 0, 0)], pl.Datetime("ms", "Europe/Paris"))
    assert naive == [(utc(2026, 11, 1, 0, 0), None)]
    assert aware == [(utc(2026, 11, 1, 0, 0), None)]


def test_money_is_whole_vnd() -> None:
    got = run(BANK.column("amount_vnd"), [
        "1250000.00", "1250000", "1250000.50", "-5", "0", "12e3", "1,250,000", " 35000 ",
        "99999999999999999999",
    ])
    assert got == [
        (1_250_000, None), (1_250_000, None), (None, "FRACTIONAL_MONEY"),
        (None, "NEGATIVE_MONEY"), (None, "OUT_OF_RANGE"), (None, "BAD_MONEY"),
        (None, "BAD_MONEY"), (35_000, None), (None, "BAD_MONEY"),
    ]  # a refused cell keeps no value: the row goes to the quarantine as read


def test_money_from_parquet_numbers() -> None:
    col = LANES.column("amount_vnd")
    assert run(col, [35000.0, 35000.5], pl.Float64) == [(35000, None), (None, "FRACTIONAL_MONEY")]
    assert run(col, [35000, -1], pl.Int32) == [(35000, None), (None, "NEGATIVE_MONEY")]


def test_classes_enums_and_ranges() -> None:
    assert run(LANES.column("avc_class"), ["1", "5", "0", "6", "x", "2.0"]) == [
        (1, None), (5, None), (None, "CLASS_OUT_OF_RANGE"), (None, "CLASS_OUT_OF_RANGE"),
        (None, "CLASS_OUT_OF_RANGE"), (None, "CLASS_OUT_OF_RANGE")]
    assert run(LANES.column("payment_method"), ["etc", " Cash ", "CARD"]) == [
        ("ETC", None), ("CASH", None), (None, "UNKNOWN_PAYMENT_METHOD")]
    assert run(LANES.column("plate_confidence"), ["0.97", "1.5", "abc"]) == [
        (0.97, None), (None, "OUT_OF_RANGE"), (None, "BAD_NUMBER")]
    assert run(LANES.column("read_count"), ["3", "-1", "2.5"]) == [
        (3, None), (None, "OUT_OF_RANGE"), (None, "BAD_NUMBER")]
    assert run(STATIONS.column("lat"), ["10.8", "91", "inf", "nan"]) == [
        (10.8, None), (None, "OUT_OF_RANGE"), (None, "BAD_NUMBER"), (None, "BAD_NUMBER")]


def test_plates_and_tags_are_normalised() -> None:
    assert run(LANES.column("plate"), ["51H-123.45", " 30a 567.89 ", "-"]) == [
        ("51H12345", None), ("30A56789", None), (None, None)]
    assert run(LANES.column("tag_id"), ["3034f8a1b2c3d4e5f6a7b8c9", " bad "]) == [
        ("3034F8A1B2C3D4E5F6A7B8C9", None), ("BAD", None)]


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-11-30", (date(2026, 11, 30), None)),
    ("2026-13-01", (None, "BAD_DATE")),
    ("30/11/2026", (None, "BAD_DATE")),
])
def test_dates(text: str, expected: tuple) -> None:
    assert run(TARIFFS.column("valid_from"), [text]) == [expected]
