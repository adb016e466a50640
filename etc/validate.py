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
from etc.parse import business_date, clean_text, parse_column, present
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

QUARANTINE_COLUMNS = ("row", "raw", "reason", "message")


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
            close = difflib.get_close_matches(col.name, sorted(have), n=1)
            hint = (f"did you mean {close[0]!r}?" if close
                    else f"a {schema.kind} file needs the columns "
                         + ", ".join(schema.required))
            raise ReadError(f"required column {col.name!r} is missing", path=raw.path,
                            hint=hint)


def validate(raw: RawFrame, schema: Schema) -> Validated:
    check_columns(raw, schema)
    df = raw.data
    dtypes = df.schema
    values: list[pl.Expr] = []
    reasons: list[pl.Expr] = [pl.col(REASON)]
    messages: list[pl.Expr] = [pl.col(MESSAGE)]

    if schema.kind == Kind.BANK and CURRENCY_COLUMN in dtypes:
        ccy = clean_text(pl.col(CURRENCY_COLUMN)).str.to_uppercase()
        not_vnd = ccy.is_not_null() & (ccy != "VND")
        reasons.append(pl.when(not_vnd).then(pl.lit(Reason.CURRENCY_NOT_VND.value)))
        messages.append(pl.when(not_vnd).then(
            pl.format("currency '{}' is not VND (amount {})", ccy,
                      pl.col("amount_vnd").cast(pl.String))))

    for col in schema.columns:
        if col.name not in dtypes:
            v = pl.lit(col.default).cast(pl.Int64) if col.default is not None else pl.lit(None)
            values.append(v.alias(col.name))
            if col.type == "plate":
                values.append(pl.lit(None, pl.String).alias(f"{col.name}_raw"))
            continue
        raw_col = pl.col(col.name)
        dtype = dtypes[col.name]
        parsed = parse_column(raw_col, dtype, col)
        value = parsed.value
        reason = parsed.reason
        message = _message(col, reason, raw_col)
        if col.required and col.default is None:
            missing = ~present(raw_col, dtype)
            reason = pl.when(missing).then(pl.lit(Reason.MISSING_VALUE.value)).otherwise(reason)
            message = pl.when(missing).then(
                pl.lit(f"required column {col.name!r} is empty")).otherwise(message)
        if col.default is not None:
            value = value.fill_null(col.default)
        reasons.append(reason)
        messages.append(message)
        values.append(value.alias(col.name))
        if col.type == "plate":
            values.append(clean_text(raw_col).alias(f"{col.name}_raw"))

    extras = [c for c in raw.source_columns
              if c not in schema.names and not (schema.kind == Kind.BANK and c == CURRENCY_COLUMN)]
    extra = (pl.struct([pl.col(c).cast(pl.String) for c in extras]).struct.json_encode()
             if extras else pl.lit(None, pl.String))

    # Parse once into typed columns next to the raw ones, then decide row by row.
    parsed_df = df.select(
        pl.col(ROW), pl.col(RAW),
        *[pl.col(c).alias(f"__src_{c}") for c in raw.source_columns],
        *[v.name.prefix("__v_") for v in values],
        pl.coalesce(*reasons).alias("__reason") if len(reasons) > 1 else reasons[0],
        pl.coalesce(*messages).alias("__message"),
        extra.alias(EXTRA),
    )
    # Range checks that compare two parsed columns see the parsed values.
    parsed_df = _recheck_date_range(parsed_df, schema)
    ok = pl.col("__reason").is_null()
    good = parsed_df.filter(ok)
    bad = parsed_df.filter(~ok)

    out = [pl.col(f"__v_{n}").alias(n) for n, _ in table_columns(schema)
           if f"__v_{n}" in good.columns]
    good = good.select(*out, pl.col(EXTRA), pl.col(ROW).alias(SOURCE_ROW))
    if schema.kind == Kind.LANES:
        good = good.with_columns(business_date(pl.col("passed_at")).alias("business_date"))
    good = good.select([n for n, _ in table_columns(schema) if n in good.columns])

    src = [pl.col(f"__src_{c}").cast(pl.String).alias(c) for c in raw.source_columns]
    bad = bad.select(
        pl.col(ROW).alias("row"),
        pl.coalesce(pl.col(RAW), pl.struct(src).struct.json_encode()).alias("raw"),
        pl.col("__reason").alias("reason"),
        pl.col("__message").alias("message"),
    )
    return Validated(good=good, bad=bad)


def _recheck_date_range(df: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    if "valid_to" not in schema.names:
        return df
    inverted = (pl.col("__v_valid_to") < pl.col("__v_valid_from")) & pl.col("__reason").is_null()
    return df.with_columns(
        pl.when(inverted).then(pl.lit(Reason.BAD_DATE_RANGE.value))
        .otherwise(pl.col("__reason")).alias("__reason"),
        pl.when(inverted).then(pl.format("valid_to {} is before valid_from {}",
                                         pl.col("__v_valid_to"), pl.col("__v_valid_from")))
        .otherwise(pl.col("__message")).alias("__message"),
    )
