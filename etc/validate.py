"""Raw records → typed canonical rows, or quarantined rows with their reason.

`validate(raw, schema)` is one vectorised pass: every column is parsed by its
semantic type (etc.parse), every failure becomes a reason code and a sentence,
and each row is either good (typed, normalised, ready for the store) or refused
with the *first* reason in column order. Rows are never dropped: the two
outputs together hold every input row exactly once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import polars as pl

from etc.errors import ReadError
from etc.parse import POLARS_TYPES, business_date, clean_text, parse_frame
from etc.readers.base import MESSAGE, RAW, REASON, ROW, RawFrame
from etc.reasons import Reason
from etc.schemas import (
    CURRENCY_COLUMN,
    EXTRA,
    SOURCE_ROW,
    Column,
    Kind,
    Schema,
    table_columns,
)

DATED_BY = {Kind.LANES: "passed_at", Kind.COUNTS: "interval_start"}
"""Kinds with a derived business_date: the column whose local date it is."""


@dataclass(frozen=True)
class Validated:
    good: pl.DataFrame
    """Typed rows in the stored column order (without load_id)."""
    bad: pl.DataFrame
    """Refused rows: row, raw, reason, message."""


def _phrase(col: Column, reason: Reason) -> str:
    if reason in (Reason.UNKNOWN_PAYMENT_METHOD, Reason.UNKNOWN_STATUS,
                  Reason.UNKNOWN_DIRECTION, Reason.UNKNOWN_OVERRIDE):
        return "is not one of " + ", ".join(col.values)
    if reason == Reason.OUT_OF_RANGE:
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        return f"is outside the range {lo}…{hi}"
    return {
        Reason.BAD_TIMESTAMP: "is not an ISO 8601 timestamp (YYYY-MM-DDTHH:MM:SS[±HH:MM])",
        Reason.BAD_DATE: "is not a date (YYYY-MM-DD)",
        Reason.BAD_NUMBER: "is not a number",
        Reason.BAD_MONEY: "is not an amount of whole VND",
        Reason.NEGATIVE_MONEY: "is negative",
        Reason.FRACTIONAL_MONEY: "has a fraction of a đồng (VND amounts are whole)",
        Reason.CLASS_OUT_OF_RANGE: "is not a vehicle class 1–5",
    }[reason]


def _message(col: Column, reason_expr: pl.Expr, raw: pl.Expr) -> pl.Expr:
    """A sentence for whichever reason `reason_expr` holds for this column."""
    text = raw.cast(pl.String)
    msg = pl.lit(None, pl.String)
    for reason in Reason:
        try:
            phrase = _phrase(col, reason)
        except KeyError:
            continue
        msg = pl.when(reason_expr == reason.value).then(
            pl.format("{} '{}' " + phrase.replace("{", "{{").replace("}", "}}"),
                      pl.lit(col.name), text)
        ).otherwise(msg)
    return msg


def check_columns(raw: RawFrame, schema: Schema) -> None:
    """Refuse the whole file when a required column is missing."""
    have = set(raw.source_columns)
    for col in schema.columns:
        if col.required and col.default is None and col.name not in have:
            spare = sorted(have - set(schema.names))
            close = difflib.get_close_matches(col.name, spare, n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"a {schema.kind} file needs the columns "
                         + ", ".join(schema.required))
            raise ReadError(f"required column {col.name!r} is missing", path=raw.path,
                            hint=hint)


def validate(raw: RawFrame, schema: Schema) -> Validated:
    """Parse every cell; split the rows into good (typed) and bad (with reasons).

    Two phases keep it fast: reasons are computed for every row (column by
    column, fast path first), the sentences that explain them only for the (few)
    refused rows."""
    check_columns(raw, schema)
    df = raw.data
    dtypes = df.schema
    n = df.height
    cols: dict[str, pl.Series] = {
        ROW: df[ROW], RAW: df[RAW], MESSAGE: df[MESSAGE], "__r__reader": df[REASON]}
    explain: list[tuple[str, Column | None]] = [("__r__reader", None)]
    for c in raw.source_columns:
        cols[f"__src_{c}"] = df[c]

    has_currency = CURRENCY_COLUMN in dtypes and "amount_vnd" in schema.names
    if has_currency:  # bank statements carry one; any file with money may
        ccy = clean_text(pl.col(CURRENCY_COLUMN)).str.to_uppercase()
        cols["__r__currency"] = df.select(
            pl.when(ccy.is_not_null() & (ccy != "VND"))
            .then(pl.lit(Reason.CURRENCY_NOT_VND.value))).to_series()
        explain.append(("__r__currency", None))

    present_cols = [c for c in schema.columns if c.name in dtypes]
    parsed = parse_frame(df, present_cols)
    for col in schema.columns:
        if col.name not in dtypes:
            cols[f"__v_{col.name}"] = pl.repeat(col.default, n, dtype=POLARS_TYPES[col.type],
                                                eager=True)
            if col.type == "plate":
                cols[f"__v_{col.name}_raw"] = pl.repeat(None, n, dtype=pl.String, eager=True)
            continue
        value, reason = parsed[f"__v_{col.name}"], parsed[f"__r_{col.name}"]
        if col.required and col.default is None:
            # Nothing there: no value and no reason it was refused. (A plate of only
            # separators, '-' or ' . ', normalises to nothing: missing too.)
            missing = value.is_null() & reason.is_null()
            if missing.any():
                reason = pl.select(pl.when(missing).then(pl.lit(Reason.MISSING_VALUE.value))
                                   .otherwise(reason)).to_series()
        if col.default is not None:
            value = value.fill_null(col.default)
        cols[f"__v_{col.name}"] = value
        cols[f"__r_{col.name}"] = reason
        explain.append((f"__r_{col.name}", col))
        if col.type == "plate":
            cols[f"__v_{col.name}_raw"] = df.select(clean_text(pl.col(col.name))).to_series()

    extras = [c for c in raw.source_columns
              if c not in schema.names and not (has_currency and c == CURRENCY_COLUMN)]
    cols[EXTRA] = (
        df.select(pl.struct(extras).struct.json_encode()).to_series() if extras
        else pl.repeat(None, n, dtype=pl.String, eager=True))

    # Phase 1, every row: typed values and a reason column per check.
    parsed_df = pl.DataFrame([s.alias(name) for name, s in cols.items()])
    if "valid_to" in schema.names:
        inverted = pl.col("__v_valid_to") < pl.col("__v_valid_from")
        parsed_df = parsed_df.with_columns(
            pl.when(inverted).then(pl.lit(Reason.BAD_DATE_RANGE.value)).alias("__r__range"))
        explain.append(("__r__range", None))
    parsed_df = parsed_df.with_columns(
        pl.coalesce(*[pl.col(name) for name, _ in explain]).alias("__reason"))
    ok = pl.col("__reason").is_null()
    bad = parsed_df.filter(~ok)

    out = [pl.col(f"__v_{n}").alias(n) for n, _ in table_columns(schema)
           if f"__v_{n}" in parsed_df.columns]
    good = parsed_df.select(*out, pl.col(EXTRA), pl.col(ROW).alias(SOURCE_ROW), ok.alias("__ok"))
    good = (good.filter(pl.col("__ok")) if bad.height else good).drop("__ok")
    if schema.kind in DATED_BY:  # a passage's or a count interval's local date
        good = good.with_columns(
            business_date(pl.col(DATED_BY[schema.kind])).alias("business_date"))
    good = good.select([n for n, _ in table_columns(schema) if n in good.columns])

    # Phase 2, refused rows only: the sentence for the first reason, the raw record.
    src = [pl.col(f"__src_{c}").cast(pl.String).alias(c) for c in raw.source_columns]
    messages = [_explain(name, col) for name, col in explain]
    bad = bad.select(
        pl.col(ROW).alias("row"),
        pl.coalesce(pl.col(RAW), pl.struct(src).struct.json_encode()).alias("raw"),
        pl.col("__reason").alias("reason"),
        pl.coalesce(*messages).alias("message"),
    )
    return Validated(good=good, bad=bad)


def _explain(reason_col: str, col: Column | None) -> pl.Expr:
    """The sentence for the reason in `reason_col` (null where that check passed)."""
    reason = pl.col(reason_col)
    if reason_col == "__r__reader":
        return pl.when(reason.is_not_null()).then(
            pl.coalesce(pl.col(MESSAGE), reason))
    if reason_col == "__r__currency":
        return pl.when(reason.is_not_null()).then(pl.format(
            "currency '{}' is not VND (amount {})",
            pl.col(f"__src_{CURRENCY_COLUMN}").cast(pl.String),
            pl.col("__src_amount_vnd").cast(pl.String)))
    if reason_col == "__r__range":
        return pl.when(reason.is_not_null()).then(pl.format(
            "valid_to {} is before valid_from {}", pl.col("__v_valid_to"),
            pl.col("__v_valid_from")))
    assert col is not None
    missing = pl.when(reason == Reason.MISSING_VALUE.value).then(
        pl.lit(f"required column {col.name!r} is empty"))
    return pl.coalesce(missing, _message(col, reason, pl.col(f"__src_{col.name}")))
