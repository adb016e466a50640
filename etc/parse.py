"""Vectorised parsers: one per semantic column type (see etc.schemas).

A column is parsed in three steps, all Polars expressions, none looping in Python:

1. `fast`: for text input, the common spelling only (`2026-11-01T07:15:02`,
   `35000`); null where it does not apply. Cheap, run on every row.
2. `full`: every accepted spelling, and the reason a cell is refused. Run only on
   the rows the fast path left undecided (see `parse_series`), which in a normal
   file is none of them.
3. `bounds`: range checks on the parsed value (negative money, class 1–5, …).

A reason is a `Reason` string where the row is refused for that column, else null.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from etc.reasons import Reason
from etc.schemas import DUCKDB_TYPES, LOCAL_TZ, Column

UTC = "UTC"
TS_DTYPE = pl.Datetime("us", UTC)
POLARS_TYPES: dict[str, pl.DataType] = {
    "text": pl.String(), "tag": pl.String(), "plate": pl.String(), "enum": pl.String(),
    "timestamp": TS_DTYPE, "date": pl.Date(), "money": pl.Int64(), "int": pl.Int64(),
    "float": pl.Float64(), "class": pl.Int8(),
}
assert POLARS_TYPES.keys() == DUCKDB_TYPES.keys()

# ASCII digits only ([0-9], not \d, which matches any script's digits); years
# 1900–2999; seconds 00–59 (no leap second); a zone only after a time.
_DATE = r"(?:19|2[0-9])[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
_CLOCK = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]"
_TS_RE = (
    rf"^({_DATE})"
    rf"(?:[T ]({_CLOCK}(?::[0-5][0-9](?:\.[0-9]{{1,9}})?)?)"
    r"(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?$"
)
_TS_FAST_RE = rf"^{_DATE}T{_CLOCK}:[0-5][0-9](?:Z|[+-](?:0[0-9]|1[0-4]):[0-5][0-9])?$"
_DATE_RE = rf"^{_DATE}$"
_MONEY_RE = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"
_INT_RE = r"^[+-]?[0-9]+$"
NULL_REASON = pl.lit(None, pl.String)


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
    return e.cast(pl.String).str.strip_chars().replace("", None)


def present(raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """True where the cell holds something (not null, not blank text, not NaN)."""
    if is_text(dtype):
        return clean_text(raw).is_not_null()
    if dtype.is_float():
        return raw.is_not_null() & raw.is_not_nan()
    return raw.is_not_null()


def _refuse(bad: pl.Expr, reason: Reason) -> pl.Expr:
    return pl.when(bad).then(pl.lit(reason.value))


def normalise_plate(e: pl.Expr) -> pl.Expr:
    """`51H-123.45` → `51H12345`: upper-case, spaces, '-' and '.' removed."""
    return e.str.to_uppercase().str.replace_all(r"[\s\-.]", "").replace("", None)


# ---- full parsers: (raw, dtype, col) -> Parsed ---------------------------------

def _text(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    return Parsed(clean_text(raw), NULL_REASON)


def _tag(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    return Parsed(clean_text(raw).str.to_uppercase(), NULL_REASON)


def _plate(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    return Parsed(normalise_plate(clean_text(raw)), NULL_REASON)


def _enum(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    s = clean_text(raw).str.to_uppercase()
    ok = s.is_in(list(col.values))
    return Parsed(pl.when(ok).then(s),
                  _refuse(s.is_not_null() & ~ok, col.enum_reason or Reason.OUT_OF_RANGE))


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
    return raw.cast(pl.String).cast(pl.Int64, strict=False)


def _int(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    v = _as_int(raw, dtype)
    return Parsed(v, _refuse(present(raw, dtype) & v.is_null(), Reason.BAD_NUMBER))


def _class(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    v = _as_int(raw, dtype)
    return Parsed(v, _refuse(present(raw, dtype) & v.is_null(), Reason.CLASS_OUT_OF_RANGE))


def _float(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    v = (clean_text(raw) if is_text(dtype) else raw).cast(pl.Float64, strict=False)
    v = pl.when(v.is_finite()).then(v)
    return Parsed(v, _refuse(present(raw, dtype) & v.is_null(), Reason.BAD_NUMBER))


def _money(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    """Whole VND: `1250000.00` is 1,250,000; `1250000.50` is FRACTIONAL_MONEY."""
    if is_text(dtype) or isinstance(dtype, pl.Decimal):
        s = clean_text(raw.cast(pl.String))
        shaped = s.str.contains(_MONEY_RE)
        fractional = shaped & s.str.contains(r"\.[0-9]*[1-9]")
        whole = s.str.replace(r"\.[0-9]*$", "").str.replace(r"^\+", "")
        value: pl.Expr = pl.when(shaped & ~fractional).then(whole.cast(pl.Int64, strict=False))
        unparsed = s.is_not_null() & ~fractional & value.is_null()
    elif dtype.is_float():  # whole floats up to 2^53 only: beyond, floats skip integers
        finite = raw.is_finite() & (raw.abs() < 2.0**53)
        fractional = finite & (raw != raw.round(0))
        value = pl.when(finite & ~fractional).then(raw.cast(pl.Int64, strict=False))
        unparsed = raw.is_not_null() & ~raw.is_nan() & ~finite
    elif dtype.is_integer():
        value = raw.cast(pl.Int64, strict=False)
        fractional = pl.lit(False)
        unparsed = raw.is_not_null() & value.is_null()
    else:  # booleans, times, …: not an amount
        value = pl.lit(None, pl.Int64)
        fractional = pl.lit(False)
        unparsed = raw.is_not_null()
    reason = pl.coalesce(_refuse(unparsed, Reason.BAD_MONEY),
                         _refuse(fractional, Reason.FRACTIONAL_MONEY))
    return Parsed(value, reason)


def _timestamp(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    """ISO 8601 to a UTC instant; a time without an offset is local station time."""
    if isinstance(dtype, pl.Datetime):
        v = raw if dtype.time_zone else _local(raw)
        v = v.dt.convert_time_zone(UTC).dt.cast_time_unit("us")
        return Parsed(v, _refuse(raw.is_not_null() & v.is_null(), Reason.BAD_TIMESTAMP))
    if dtype == pl.Date:
        v = _local(raw.cast(pl.Datetime("us"))).dt.convert_time_zone(UTC)
        return Parsed(v, _refuse(raw.is_not_null() & v.is_null(), Reason.BAD_TIMESTAMP))
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
    off = offset.str.replace_all(":", "").str.to_uppercase()
    sign = pl.when(off.str.slice(0, 1) == "-").then(-1).otherwise(1)
    hh = off.str.slice(1, 2).cast(pl.Int64, strict=False)
    mm = pl.when(off.str.len_bytes() > 3).then(
        off.str.slice(3, 2).cast(pl.Int64, strict=False)).otherwise(0)
    minutes = pl.when(off == "Z").then(0).otherwise(sign * (hh * 60 + mm))
    offset_ok = offset.is_null() | (off == "Z") | ((hh <= 14) & (mm < 60))
    with_offset = (naive - pl.duration(minutes=minutes)).dt.replace_time_zone(UTC)
    local = _local(naive).dt.convert_time_zone(UTC)
    value = pl.when(offset_ok & offset.is_null()).then(local).when(offset_ok).then(with_offset)
    return Parsed(value, _refuse(s.is_not_null() & value.is_null(), Reason.BAD_TIMESTAMP))


def _date(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    if dtype == pl.Date:
        return Parsed(raw, NULL_REASON)
    if isinstance(dtype, pl.Datetime):
        return Parsed(raw.dt.date(), NULL_REASON)
    s = clean_text(raw.cast(pl.String))
    v = pl.when(s.str.contains(_DATE_RE)).then(
        s.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
    return Parsed(v, _refuse(s.is_not_null() & v.is_null(), Reason.BAD_DATE))


FULL: dict[str, Callable[[pl.Expr, pl.DataType, Column], Parsed]] = {
    "text": _text, "tag": _tag, "plate": _plate, "enum": _enum, "int": _int,
    "class": _class, "float": _float, "money": _money, "timestamp": _timestamp, "date": _date,
}


# ---- fast paths for text input: the common spelling, null elsewhere -------------

def _local(naive: pl.Expr) -> pl.Expr:
    """A naive time read as local station time; a time that did not exist, or
    happened twice, there (none since 1975) gives null, so the row is refused."""
    return naive.dt.replace_time_zone(LOCAL_TZ, non_existent="null", ambiguous="null")


LOCAL_SINCE = datetime(1976, 1, 1)
"""Asia/Ho_Chi_Minh has been UTC+07:00, with no daylight saving, since 1975: from
here on the fast path applies the offset itself; earlier local times take the full
parser and the time-zone database."""
LOCAL_OFFSET_MINUTES = 7 * 60


def _fast_timestamp(s: pl.Expr) -> pl.Expr:
    """`2026-11-01T07:15:02`, optionally followed by `Z` or `±HH:MM`."""
    naive = s.str.slice(0, 19).str.strptime(pl.Datetime("us"), "%Y-%m-%dT%H:%M:%S",
                                            strict=False)
    tail = s.str.slice(19)
    sign = pl.when(tail.str.starts_with("-")).then(-1).otherwise(1)
    minutes = (
        pl.when(tail == "").then(pl.when(naive >= LOCAL_SINCE).then(LOCAL_OFFSET_MINUTES))
        .when(tail == "Z").then(0)
        .otherwise(sign * (tail.str.slice(1, 2).cast(pl.Int64, strict=False) * 60
                           + tail.str.slice(4, 2).cast(pl.Int64, strict=False)))
    )
    utc = (naive - pl.duration(minutes=minutes)).dt.replace_time_zone(UTC)
    return pl.when(s.str.contains(_TS_FAST_RE)).then(utc)


def _fast_int(s: pl.Expr) -> pl.Expr:
    return s.cast(pl.Int64, strict=False)


def _fast_float(s: pl.Expr) -> pl.Expr:
    v = s.cast(pl.Float64, strict=False)
    return pl.when(v.is_finite()).then(v)


FAST: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "timestamp": _fast_timestamp,
    "money": _fast_int,
    "int": _fast_int,
    "class": _fast_int,
    "float": _fast_float,
    "date": lambda s: pl.when(s.str.contains(_DATE_RE)).then(
        s.str.strptime(pl.Date, "%Y-%m-%d", strict=False)),
}


# ---- bounds on parsed values ----------------------------------------------------

MONEY_MAX = 10**13
"""The largest amount (either sign) of a money column without a `max` of its own:
10 trillion VND. An amount beyond BIGINT does not parse (BAD_MONEY); one beyond
this is OUT_OF_RANGE, so that sums of stored amounts (a batch's items, a
statement, a report's totals) stay far inside BIGINT: it takes 922,337 amounts
at the ceiling to overflow, and a passage's amount is capped lower still
(etc.schemas.PASSAGE_MONEY_MAX)."""

BOUNDED = ("class", "money")
"""Types with bounds of their own; others are bounded only by a column's min/max."""


def bounds(v: pl.Expr, col: Column) -> pl.Expr:
    """The reason a parsed value is out of its range, else null."""
    if col.type == "class":
        return _refuse(v.is_not_null() & ~v.is_between(1, 5), Reason.CLASS_OUT_OF_RANGE)
    if col.type == "money":
        ceiling = int(col.max) if col.max is not None else MONEY_MAX
        too_large = _refuse((v > ceiling) | (v < -ceiling), Reason.OUT_OF_RANGE)
        if col.min is None:
            return too_large
        negative = _refuse(v < 0, Reason.NEGATIVE_MONEY) if col.min >= 0 else NULL_REASON
        return pl.coalesce(negative, _refuse(v < col.min, Reason.OUT_OF_RANGE), too_large)
    if col.min is None and col.max is None:
        return NULL_REASON
    out = pl.lit(False)
    if col.min is not None:
        out = out | (v < col.min)
    if col.max is not None:
        out = out | (v > col.max)
    return _refuse(out, Reason.OUT_OF_RANGE)


def parse_column(raw: pl.Expr, dtype: pl.DataType, col: Column) -> Parsed:
    """The full parser with bounds, as expressions (for small frames and tests)."""
    p = FULL[col.type](raw, dtype, col)
    reason = pl.coalesce(p.reason, bounds(p.value, col))
    value = pl.when(reason.is_null()).then(p.value)
    return Parsed(value.cast(POLARS_TYPES[col.type]), reason)


def parse_frame(df: pl.DataFrame, cols: list[Column]) -> pl.DataFrame:
    """Parse the columns `cols` of `df` (all present) into `__v_<name>` (typed value,
    null where refused) and `__r_<name>` (reason) columns, one row per input row.

    Each step is one `select` over all columns, so Polars spreads the columns over
    the cores: the fast paths, then the full parser on the undecided rows only,
    then the bounds."""
    dtypes = df.schema
    fast = [c for c in cols if c.type in FAST and is_text(dtypes[c.name])]
    full = [c for c in cols if c not in fast]
    exprs: list[pl.Expr] = []
    for c in fast:
        exprs.append(FAST[c.type](clean_text(pl.col(c.name))).alias(f"__v_{c.name}"))
        exprs.append(pl.lit(None, pl.String).alias(f"__r_{c.name}"))
    for c in full:
        p = FULL[c.type](pl.col(c.name), dtypes[c.name], c)
        exprs += [p.value.alias(f"__v_{c.name}"), p.reason.alias(f"__r_{c.name}")]
    out = df.select(exprs)

    if fast:  # rows a fast path left undecided go through the full parser
        filled = df.select(clean_text(pl.col(c.name)).is_not_null().alias(c.name) for c in fast)
        undecided = filled.select(
            pl.col(c.name) & out[f"__v_{c.name}"].is_null() for c in fast)
        for c in fast:
            rows = undecided[c.name].arg_true()
            if not len(rows):
                continue
            p = FULL[c.type](pl.col(c.name), dtypes[c.name], c)
            slow = df.select(pl.col(c.name).gather(rows)).select(p.value.alias("v"),
                                                                 p.reason.alias("r"))
            values, reasons = out[f"__v_{c.name}"], out[f"__r_{c.name}"]
            out = out.with_columns(values.scatter(rows, slow["v"].cast(values.dtype)),
                                   reasons.scatter(rows, slow["r"]))

    checks = []
    for c in cols:
        v, r = pl.col(f"__v_{c.name}"), pl.col(f"__r_{c.name}")
        if c.type in BOUNDED or c.min is not None or c.max is not None:
            r = pl.coalesce(r, bounds(v, c))
        checks.append(r.alias(f"__r_{c.name}"))
    out = out.with_columns(checks)
    return out.with_columns(
        pl.when(pl.col(f"__r_{c.name}").is_null()).then(pl.col(f"__v_{c.name}"))
        .cast(POLARS_TYPES[c.type]).alias(f"__v_{c.name}")
        for c in cols
    )


def parse_series(s: pl.Series, col: Column) -> tuple[pl.Series, pl.Series]:
    """Parse one column: (typed values, reasons), as `parse_frame` does."""
    out = parse_frame(s.to_frame(col.name), [col])
    return out[f"__v_{col.name}"], out[f"__r_{col.name}"]


def business_date(instant: pl.Expr) -> pl.Expr:
    """The local calendar date of a UTC instant."""
    return instant.dt.convert_time_zone(LOCAL_TZ).dt.date()
