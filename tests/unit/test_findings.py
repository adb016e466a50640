"""The findings helpers every rule ends with: shape, money text, detail text."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from etc.codes import CATEGORY, IDENTITY, Category, Code, Severity
from etc.findings import KEY_COLUMNS, RULE_SCHEMA, finding, say, vnd


def test_finding_takes_keys_from_the_frame_and_leaves_the_rest_empty() -> None:
    frame = pl.LazyFrame({"business_date": [date(2026, 11, 1)], "txn_id": ["T1"],
                          "station_id": ["ST01"], "amount_vnd": [35_000], "other": [1]})
    out = finding(frame, Code.SETTLEMENT_MISSING, amount=pl.col("amount_vnd"),
                  detail=say("no settlement for {} VND", vnd(pl.col("amount_vnd"))),
                  keys={"provider_id": pl.lit("VETC")}).collect()
    assert dict(out.schema) == RULE_SCHEMA
    row = out.row(0, named=True)
    assert row["code"] == "SETTLEMENT_MISSING"
    assert (row["txn_id"], row["station_id"], row["provider_id"]) == ("T1", "ST01", "VETC")
    assert [row[k] for k in KEY_COLUMNS if k not in ("txn_id", "station_id", "provider_id")] == [
        None] * 7
    assert (row["amount_at_risk_vnd"], row["detail"]) == (35_000, "no settlement for 35,000 VND")


def test_missing_amount_is_zero_not_null() -> None:
    frame = pl.LazyFrame({"business_date": [date(2026, 11, 1)], "x": [None]},
                         schema={"business_date": pl.Date, "x": pl.Int64})
    out = finding(frame, Code.TAG_POOR_READ, amount=pl.col("x"), detail=pl.lit("d")).collect()
    assert out["amount_at_risk_vnd"].to_list() == [0]


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (7, "7"), (999, "999"), (1_000, "1,000"), (1_250_000, "1,250,000"),
    (-35_000, "-35,000"), (9_223_372_036_854_775_807, "9,223,372,036,854,775,807"),
])
def test_vnd_groups_thousands(value: int, text: str) -> None:
    assert pl.select(vnd(pl.lit(value, pl.Int64))).item() == text


def test_say_fills_placeholders_and_is_null_with_a_null_value() -> None:
    out = pl.select(say("a {} b {}", pl.lit(1), pl.lit("x")).alias("t"),
                    say("{}!", pl.lit(None, pl.String)).alias("n"))
    assert out.row(0) == ("a 1 b x", None)
    with pytest.raises(ValueError, match="2 placeholders for 1 values"):
        say("{} {}", pl.lit(1))


def test_say_on_a_frame_of_several_chunks_after_a_filter() -> None:
    """The case where polars 2.1's pl.format panics."""
    parts = [pl.DataFrame({"a": list(range(i, i + 3))}) for i in range(0, 12, 3)]
    df = pl.concat(parts, rechunk=False)
    assert df.n_chunks() == 4
    out = df.lazy().filter(pl.col("a") % 2 == 0).select(say("n={}", pl.col("a"))).collect()
    assert out.to_series().to_list() == [f"n={i}" for i in range(0, 12, 2)]


def test_every_code_has_a_category_an_identity_and_a_default_level() -> None:
    assert set(CATEGORY) == set(Code) == set(IDENTITY)
    assert [c for c in Code if CATEGORY[c] is Category.TAG][-1] is Code.LANE_READ_DEGRADED
    assert Severity.LOW.raised() is Severity.MEDIUM
    assert Severity.CRITICAL.raised() is Severity.CRITICAL
    assert all(k in (*KEY_COLUMNS, "business_date") for ks in IDENTITY.values() for k in ks)


def test_no_rule_package_uses_pl_format() -> None:
    """pl.format panics in polars 2.1 on chunked, filtered frames (see say())."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    users = sorted(str(p.relative_to(root)) for pkg in ("cards", "ledgers", "reconcile")
                   for p in (root / pkg).rglob("*.py") if "pl.format(" in p.read_text())
    assert users == []
