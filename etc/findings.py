"""The one findings schema (findings.md) and the helper every rule ends with.

A rule returns a LazyFrame of `RULE_COLUMNS`: the code, the business date, the
keys that apply (empty otherwise), the money at risk and a one-sentence detail.
The engine adds `run_id`, `category` and `severity` (`FINDING_COLUMNS`).
"""

from __future__ import annotations

import hashlib
from datetime import date

import polars as pl

from etc.codes import IDENTITY, Code

KEY_COLUMNS = ("station_id", "lane_id", "txn_id", "tag_id", "plate", "settlement_id",
               "batch_id", "entry_id", "staff_id", "provider_id")
"""The key columns of findings.md, in its order; all text."""

RULE_SCHEMA: dict[str, pl.DataType] = {
    "code": pl.String(),
    "business_date": pl.Date(),
    **{k: pl.String() for k in KEY_COLUMNS},
    "amount_at_risk_vnd": pl.Int64(),
    "detail": pl.String(),
    "due_at": pl.Datetime("us", "UTC"),
}
"""What a rule returns. `due_at`: when a finding that awaits data still expected
(a settlement within its deadline, a credit within its bank window) becomes one
if that data has not come; null for a finding due at once. The engine keeps one
due after the run's as-of time apart, as pending."""

FINDING_SCHEMA: dict[str, pl.DataType] = {
    "run_id": pl.String(),
    "code": pl.String(),
    "category": pl.String(),
    "severity": pl.String(),
    "business_date": pl.Date(),
    **{k: pl.String() for k in KEY_COLUMNS},
    "amount_at_risk_vnd": pl.Int64(),
    "detail": pl.String(),
}
"""The stored and exported findings, in findings.md's column order."""

RULE_COLUMNS = tuple(RULE_SCHEMA)
FINDING_COLUMNS = tuple(FINDING_SCHEMA)


def finding(
    frame: pl.LazyFrame,
    code: Code,
    *,
    detail: pl.Expr,
    amount: pl.Expr | int = 0,
    keys: dict[str, pl.Expr] | None = None,
    due: pl.Expr | None = None,
) -> pl.LazyFrame:
    """Shape `frame` (one row per finding, with a `business_date` column) into
    `RULE_SCHEMA`. Key columns come from `keys` when given there, else from the
    frame's column of the same name when it has one, else are empty. `due`: the
    instant the finding falls due (a rule awaiting data), else due at once."""
    names = set(frame.collect_schema().names())
    keys = keys or {}
    cols: list[pl.Expr] = []
    for k in KEY_COLUMNS:
        if k in keys:
            cols.append(keys[k].cast(pl.String).alias(k))
        elif k in names:
            cols.append(pl.col(k).cast(pl.String))
        else:
            cols.append(pl.lit(None, pl.String).alias(k))
    money = amount if isinstance(amount, pl.Expr) else pl.lit(amount)
    return frame.select(
        pl.lit(code.value, pl.String).alias("code"),
        pl.col("business_date").cast(pl.Date),
        *cols,
        money.cast(pl.Int64).fill_null(0).alias("amount_at_risk_vnd"),
        detail.cast(pl.String).alias("detail"),
        (pl.lit(None) if due is None else due).cast(RULE_SCHEMA["due_at"]).alias("due_at"),
    )


def empty_findings() -> pl.LazyFrame:
    return pl.LazyFrame(schema=RULE_SCHEMA)


def vnd(e: pl.Expr) -> pl.Expr:
    """An Int64 VND amount as text with thousands separators (1,250,000)."""
    digits = e.abs().cast(pl.String)
    grouped = digits.str.reverse().str.replace_all(r"(\d{3})", "$1,").str.reverse()
    grouped = grouped.str.strip_prefix(",")
    return pl.when(e < 0).then(pl.lit("-") + grouped).otherwise(grouped)


def say(template: str, *values: pl.Expr) -> pl.Expr:
    """`template` with each `{}` replaced by the next value as text; null when a
    value is null (as `pl.format`). Every rule's detail is built with this.

    Not `pl.format` itself: in polars 2.1 it panics ("assertion failed: i <
    self.len()") on a frame of several chunks after a filter, where
    `pl.concat_str` does not (tests/unit/test_findings.py keeps the case)."""
    texts = template.split("{}")
    if len(texts) != len(values) + 1:
        raise ValueError(f"{len(texts) - 1} placeholders for {len(values)} values")
    parts: list[pl.Expr] = [pl.lit(texts[0])]
    for value, text in zip(values, texts[1:], strict=True):
        parts += [value.cast(pl.String), pl.lit(text)]
    return pl.concat_str(parts)


def identity() -> pl.Expr:
    """A finding's identity text from its code and key columns: "col=value" for
    each key column but business_date, joined with "|" (null values empty)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for code, cols in IDENTITY.items():
        groups.setdefault(tuple(c for c in cols if c != "business_date"), []).append(code.value)
    expr: pl.Expr | None = None
    for cols, codes in groups.items():
        parts: list[pl.Expr] = []
        for i, col in enumerate(cols):
            parts += [pl.lit(("|" if i else "") + f"{col}="),
                      pl.col(col).cast(pl.String).fill_null("")]
        text = pl.concat_str(parts)
        when = pl.col("code").is_in(codes)
        expr = (pl.when(when).then(text) if expr is None
                else expr.when(when).then(text))  # type: ignore[attr-defined]
    assert expr is not None
    return expr.otherwise(pl.lit(None, pl.String)).alias("identity")  # type: ignore[attr-defined]


def finding_id(code: str, identity: str, business_date: date) -> str:
    """A finding's stable id, as the report shows it: "F" and the first 10 hex digits
    of md5("CODE|identity|YYYY-MM-DD"). It rests only on what identifies the
    finding (its code, its key without the date, its business date), never on a
    run, so the same finding has the same id in every run and every export; the
    store finds it again with DuckDB's md5 of the same text."""
    text = f"{code}|{identity}|{business_date.isoformat()}"
    return "F" + hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:10]


def finding_ids(frame: pl.DataFrame) -> pl.Series:
    """The finding id of each row of `frame` (code, identity, business_date columns)."""
    if frame.height == 0:
        return pl.Series("finding_id", [], pl.String)
    return pl.Series("finding_id", [
        finding_id(c, i or "", d) for c, i, d in
        frame.select("code", "identity", "business_date").iter_rows()], pl.String)
