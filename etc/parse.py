"""Vectorised parsers: one function per semantic column type (see etc.schemas).

Each parser takes the column as read (a String column from CSV or a bank
statement, or a typed column from Parquet) and returns a `Parsed`: the value
expression, plus a failure expression that is a reason code where the row is
refused and null where it is fine. Nothing here loops over rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from etc.reasons import Reason
from etc.schemas import LOCAL_TZ, Column

UTC = "UTC"
TS_DTYPE = pl.Datetime("us", UTC)

_TS_RE = (
    r"^(\d{4}-\d{2}-\d{2})"
    r"(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?))?"
    r"(Z|z|[+-]\d{2}(?::?\d{2})?)?$"
)
_MONEY_RE = r"^([+-]?)(\d+)(?:\.(\d+))?$"
_INT_RE = r"^[+-]?\d+$"


@dataclass(frozen=True)
class Parsed:
    value: pl.Expr
    """The parsed value (null where the input is empty or refused)."""
    reason: pl.Expr
    """A `Reason` string where the row is refused for this column, else null."""


def is_text(dtype: pl.DataType) -> bool:
    return dtype == pl.String or dtype == pl.Categorical


def clean_text(e: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty strings as null."""
    s = e.cast(pl.String).str.strip_chars()
    return pl.when(s.str.len_bytes() == 0).then(None).otherwise(s)


def present(raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """True where the cell holds something (not null, not blank text)."""
    if is_text(dtype):
        return clean_text(raw).is_not_null()
    if dtype.is_float():
        return raw.is_not_null() & raw.is_not_nan()
    return raw.is_not_null()


def _refuse(bad: pl.Expr, reason: Reason) -> pl.Expr:
    return pl.when(bad).then(pl.lit(reason.value)).otherwise(None)


def _first(*reasons: pl.Expr) -> pl.Expr:
    return pl.coalesce(*reasons) if len(reasons) > 1 else reasons[0]


def parse_text(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    return Parsed(clean_text(raw), pl.lit(None, pl.String))


def parse_tag(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    return Parsed(clean_text(raw).str.to_uppercase(), pl.lit(None, pl.String))


def normalise_plate(e: pl.Expr) -> pl.Expr:
    """`51H-123.45` → `51H12345`: upper-case, spaces, '-' and '.' removed."""
    return e.str.to_uppercase().str.replace_all(r"[\s\-.]", "")


def parse_plate(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    norm = normalise_plate(clean_text(raw))
    return Parsed(pl.when(norm.str.len_bytes() == 0).then(None).otherwise(norm),
                  pl.lit(None, pl.String))


def parse_enum(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    s = clean_text(raw).str.to_uppercase()
    ok = s.is_in(list(col.values))
    reason = col.enum_reason or Reason.OUT_OF_RANGE
    return Parsed(pl.when(ok).then(s).otherwise(None), _refuse(s.is_not_null() & ~ok, reason))


def _range_reason(v: pl.Expr, col: Column, reason: Reason) -> pl.Expr:
    bad = pl.lit(False)
    if col.min is not None:
        bad = bad | (v < col.min)
    if col.max is not None:
        bad = bad | (v > col.max)
    return _refuse(v.is_not_null() & bad, reason)


def _as_int(raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """Int64 from text or a number; null where it is not a whole number."""
    if is_text(dtype):
        s = clean_text(raw)
        return pl.when(s.str.contains(_INT_RE)).then(s.cast(pl.Int64, strict=False))
    if dtype.is_integer():
        return raw.cast(pl.Int64, strict=False)
    if dtype.is_float():
        whole = raw.is_finite() & (raw == raw.round(0)) & (raw.abs() < 2.0**53)
        return pl.when(whole).then(raw.cast(pl.Int64, strict=False))
    if dtype == pl.Boolean:
        return pl.lit(None, pl.Int64)
    return raw.cast(pl.String).cast(pl.Int64, strict=False)


def parse_int(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    v = _as_int(raw, dtype)
    bad = present(raw, dtype) & v.is_null()
    return Parsed(v, _first(_refuse(bad, Reason.BAD_NUMBER),
                            _range_reason(v, col, Reason.OUT_OF_RANGE)))


def parse_class(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    v = _as_int(raw, dtype)
    ok = v.is_between(1, 5)
    return Parsed(pl.when(ok).then(v.cast(pl.Int8)),
                  _refuse(present(raw, dtype) & ~ok.fill_null(False), Reason.CLASS_OUT_OF_RANGE))


def parse_float(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    if is_text(dtype):
        v = clean_text(raw).cast(pl.Float64, strict=False)
    else:
        v = raw.cast(pl.Float64, strict=False)
    v = pl.when(v.is_finite()).then(v)
    bad = present(raw, dtype) & v.is_null()
    return Parsed(v, _first(_refuse(bad, Reason.BAD_NUMBER),
                            _range_reason(v, col, Reason.OUT_OF_RANGE)))


def parse_money(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    """Whole VND. `1250000.00` is 1,250,000; `1250000.50` is refused (FRACTIONAL_MONEY)."""
    if is_text(dtype) or isinstance(dtype, pl.Decimal):
        s = clean_text(raw.cast(pl.String))
        parts = s.str.extract_groups(_MONEY_RE)
        sign, whole, frac = (parts.struct.field(n) for n in ("1", "2", "3"))
        magnitude = whole.cast(pl.Int64, strict=False)
        v = pl.when(sign == "-").then(-magnitude).otherwise(magnitude)
        fractional = frac.is_not_null() & frac.str.contains(r"[1-9]")
        unparsed = s.is_not_null() & (whole.is_null() | magnitude.is_null())
        value: pl.Expr = pl.when(~fractional & ~unparsed).then(v)
    elif dtype.is_float():
        finite = raw.is_finite() & (raw.abs() < 2.0**63)
        fractional = finite & (raw != raw.round(0))
        unparsed = raw.is_not_null() & ~raw.is_nan() & ~finite
        value = pl.when(finite & ~fractional).then(raw.cast(pl.Int64, strict=False))
    else:
        value = raw.cast(pl.Int64, strict=False)
        fractional = pl.lit(False)
        unparsed = raw.is_not_null() & value.is_null()
    reasons = [
        _refuse(unparsed, Reason.BAD_MONEY),
        _refuse(fractional.fill_null(False), Reason.FRACTIONAL_MONEY),
        _refuse(value < 0, Reason.NEGATIVE_MONEY),
    ]
    if col.min is not None and col.min > 0:
        reasons.append(_refuse(value < col.min, Reason.OUT_OF_RANGE))
    return Parsed(value, _first(*reasons))


def parse_timestamp(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    """ISO 8601 to a UTC instant; a time without an offset is local station time."""
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:
            v = raw.dt.replace_time_zone(LOCAL_TZ, non_existent="null").dt.convert_time_zone(UTC)
        else:
            v = raw.dt.convert_time_zone(UTC)
        return Parsed(v.dt.cast_time_unit("us"), pl.lit(None, pl.String))
    if dtype == pl.Date:
        v = raw.cast(pl.Datetime("us")).dt.replace_time_zone(LOCAL_TZ).dt.convert_time_zone(UTC)
        return Parsed(v, pl.lit(None, pl.String))
    s = clean_text(raw.cast(pl.String))
    g = s.str.extract_groups(_TS_RE)
    day, clock, offset = (g.struct.field(n) for n in ("1", "2", "3"))
    clock = (
        pl.when(clock.is_null()).then(pl.lit("00:00:00"))
        .when(clock.str.len_bytes() == 5).then(clock + ":00")
        .otherwise(clock)
    )
    naive = (day + "T" + clock).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S%.f",
                                             strict=False)
    off = offset.str.replace_all(":", "")
    sign = pl.when(off.str.slice(0, 1) == "-").then(-1).otherwise(1)
    hh = off.str.slice(1, 2).cast(pl.Int64, strict=False)
    mm = pl.when(off.str.len_bytes() > 3).then(off.str.slice(3, 2).cast(pl.Int64, strict=False))
    minutes = (
        pl.when(off.str.to_uppercase() == "Z").then(0)
        .otherwise(sign * (hh * 60 + mm.fill_null(0)))
    )
    offset_ok = offset.is_null() | (off.str.to_uppercase() == "Z") | (
        (hh <= 14) & (mm.fill_null(0) < 60)
    )
    with_offset = (naive - pl.duration(minutes=minutes)).dt.replace_time_zone(UTC)
    local = naive.dt.replace_time_zone(LOCAL_TZ, non_existent="null").dt.convert_time_zone(UTC)
    value = pl.when(~offset_ok).then(None).when(offset.is_null()).then(local).otherwise(with_offset)
    return Parsed(value, _refuse(s.is_not_null() & value.is_null(), Reason.BAD_TIMESTAMP))


def parse_date(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    if dtype == pl.Date:
        return Parsed(raw, pl.lit(None, pl.String))
    if isinstance(dtype, pl.Datetime):
        return Parsed(raw.dt.date(), pl.lit(None, pl.String))
    s = clean_text(raw.cast(pl.String))
    v = pl.when(s.str.contains(r"^\d{4}-\d{2}-\d{2}$")).then(
        s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    )
    return Parsed(v, _refuse(s.is_not_null() & v.is_null(), Reason.BAD_DATE))


PARSERS = {
    "text": parse_text,
    "tag": parse_tag,
    "plate": parse_plate,
    "enum": parse_enum,
    "int": parse_int,
    "class": parse_class,
    "float": parse_float,
    "money": parse_money,
    "timestamp": parse_timestamp,
    "date": parse_date,
}


def parse_column(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    return PARSERS[col.type](raw, dtype, col)


def business_date(instant: pl.Expr) -> pl.Expr:
    """The local calendar date of a UTC instant."""
    return instant.dt.convert_time_zone(LOCAL_TZ).dt.date()
