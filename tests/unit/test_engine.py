"""The engine's own work on rule output: the period, category and severity (raised
at the money threshold), one finding per identity, a total order; and a run id
that depends on content only."""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from generated import inputs_of, period_of

from etc.codes import Code, Severity
from etc.context import Inputs, Period
from etc.findings import FINDING_COLUMNS, RULE_SCHEMA
from etc.generate import build
from etc.settings import Settings, SeveritySettings
from etc.store import LoadRef, Store
from reconcile.engine import check_identities, common_severity, compute, finish, reconcile
from reconcile.manifest import counts_by_code, inputs_sha256, run_id

DAY = date(2026, 11, 1)
NEXT = DAY + timedelta(days=1)
ONE_DAY = Period(DAY, DAY)


def found(*rows: dict[str, Any]) -> pl.DataFrame:
    """Rule output: each row a code plus what matters, the rest empty."""
    full = [{c: None for c in RULE_SCHEMA} | {"business_date": DAY, "amount_at_risk_vnd": 0,
                                              "detail": "d"} | r for r in rows]
    return pl.DataFrame(full, schema=RULE_SCHEMA)


def levels(out: pl.DataFrame) -> list[tuple[str, str, int]]:
    return out.select("txn_id", "severity", "amount_at_risk_vnd").rows()


def test_severity_is_raised_from_the_threshold_on() -> None:
    rows = found(*[dict(code="TAG_LOW_BALANCE", txn_id=f"T{i}", amount_at_risk_vnd=a)
                   for i, a in enumerate((9_999_999, 10_000_000, 10_000_001))])
    out = finish(rows, ONE_DAY, SeveritySettings(), "R")
    assert levels(out) == [("T0", "LOW", 9_999_999), ("T1", "MEDIUM", 10_000_000),
                           ("T2", "MEDIUM", 10_000_001)]


def test_critical_stays_critical_and_zero_never_raises() -> None:
    rows = found(dict(code="SETTLEMENT_ORPHAN", settlement_id="S1", txn_id="T1",
                      amount_at_risk_vnd=50_000_000),
                 dict(code="TAG_POOR_READ", tag_id="A", txn_id="T2", amount_at_risk_vnd=0))
    out = finish(rows, ONE_DAY, SeveritySettings(raise_at_vnd=0), "R")
    assert levels(out) == [("T1", "CRITICAL", 50_000_000), ("T2", "LOW", 0)]
    out = finish(rows, ONE_DAY, SeveritySettings(), "R")
    assert out["severity"].to_list() == ["CRITICAL", "LOW"]


def test_a_configured_level_is_the_one_raised() -> None:
    cfg = SeveritySettings(codes={Code.TAG_LOW_BALANCE: Severity.HIGH}, raise_at_vnd=100)
    rows = found(dict(code="TAG_LOW_BALANCE", txn_id="T1", amount_at_risk_vnd=99),
                 dict(code="TAG_LOW_BALANCE", txn_id="T2", amount_at_risk_vnd=100))
    assert levels(finish(rows, ONE_DAY, cfg, "R")) == [("T1", "HIGH", 99), ("T2", "CRITICAL", 100)]


def test_only_the_period_is_kept_with_run_id_and_category() -> None:
    rows = found(dict(code="DOUBLE_CHARGE", txn_id="T1"),
                 dict(code="BATCH_UNPAID", batch_id="B1", business_date=NEXT),
                 dict(code="BATCH_UNPAID", batch_id="B0", business_date=DAY - timedelta(days=1)))
    out = finish(rows, Period(DAY, NEXT), SeveritySettings(), "R20261101-20261102-x")
    assert out.columns == list(FINDING_COLUMNS)
    assert out.select("run_id", "code", "category", "business_date").rows() == [
        ("R20261101-20261102-x", "DOUBLE_CHARGE", "FRAUD", DAY),
        ("R20261101-20261102-x", "BATCH_UNPAID", "MONEY", NEXT)]


def test_a_duplicate_identity_is_a_bug_named_by_its_code() -> None:
    twice = found(dict(code="TAG_UNKNOWN", txn_id="T1", detail="a"),
                  dict(code="TAG_UNKNOWN", txn_id="T1", detail="b"))
    with pytest.raises(AssertionError, match=re.escape("TAG_UNKNOWN: identity (txn_id=T1)")):
        finish(twice, ONE_DAY, SeveritySettings(), "R")
    lane_twice = found(*[dict(code="LANE_READ_DEGRADED", station_id="ST01", lane_id="L1")] * 2)
    with pytest.raises(AssertionError, match="LANE_READ_DEGRADED: identity "
                       r"\(station_id=ST01, lane_id=L1, business_date=2026-11-01\) reported 2"):
        check_identities(lane_twice)


def test_the_same_key_under_two_codes_or_two_dates_is_not_a_duplicate() -> None:
    check_identities(found(
        dict(code="TAG_UNKNOWN", txn_id="T1"), dict(code="TARIFF_MISMATCH", txn_id="T1"),
        dict(code="LANE_READ_DEGRADED", station_id="ST01", lane_id="L1"),
        dict(code="LANE_READ_DEGRADED", station_id="ST01", lane_id="L1", business_date=NEXT),
        dict(code="SETTLEMENT_DUPLICATE", settlement_id="S1", txn_id="T1"),
        dict(code="SETTLEMENT_DUPLICATE", settlement_id="S2", txn_id="T1")))


ROWS = (
    dict(code="TARIFF_MISMATCH", txn_id="T2", station_id="ST02"),
    dict(code="TARIFF_MISMATCH", txn_id="T1", station_id="ST02"),
    dict(code="TARIFF_MISMATCH", txn_id="T9", station_id="ST01"),
    dict(code="BATCH_UNPAID", batch_id="B1", business_date=NEXT),
    dict(code="BATCH_UNPAID", batch_id="B2"),
    dict(code="PLATE_MULTI_TAG", plate="51H12345"),
    dict(code="DOUBLE_CHARGE", txn_id="T3", station_id="ST01", tag_id="A"),
)


def test_the_order_is_total_and_independent_of_the_rules_order() -> None:
    outs = {tuple(finish(found(*perm), Period(DAY, NEXT), SeveritySettings(), "R").rows())
            for perm in itertools.islice(itertools.permutations(ROWS), 0, 5040, 97)}
    assert len(outs) == 1
    [out] = outs
    assert [(r[1], r[4].day, r[5] or r[9] or r[11]) for r in out] == [
        ("BATCH_UNPAID", 1, "B2"),
        ("DOUBLE_CHARGE", 1, "ST01"),
        ("PLATE_MULTI_TAG", 1, "51H12345"),  # no station: nulls first
        ("TARIFF_MISMATCH", 1, "ST01"),
        ("TARIFF_MISMATCH", 1, "ST02"),      # T1 before T2
        ("TARIFF_MISMATCH", 1, "ST02"),
        ("BATCH_UNPAID", 2, "B1"),
    ]
    assert [r[7] for r in out][3:6] == ["T9", "T1", "T2"]


def test_the_most_common_severity_wins_and_a_tie_goes_up() -> None:
    frame = pl.DataFrame({"code": ["TAG_UNKNOWN"] * 3 + ["BATCH_UNPAID"] * 2,
                          "severity": ["HIGH", "HIGH", "CRITICAL", "HIGH", "CRITICAL"]})
    assert common_severity(frame) == {Code.TAG_UNKNOWN: Severity.HIGH,
                                      Code.BATCH_UNPAID: Severity.CRITICAL}


def test_counts_cover_every_code_in_catalogue_order() -> None:
    counts = counts_by_code(found(dict(code="BATCH_UNPAID", batch_id="B1", amount_at_risk_vnd=7),
                                  dict(code="BATCH_UNPAID", batch_id="B2", amount_at_risk_vnd=5)))
    assert list(counts) == [c.value for c in Code]
    assert counts["BATCH_UNPAID"] == {"findings": 2, "amount_at_risk_vnd": 12}
    assert counts["TAG_UNKNOWN"] == {"findings": 0, "amount_at_risk_vnd": 0}


def refs(*hashes: str) -> list[LoadRef]:
    return [LoadRef(i, f"f{i}.csv", h, "lanes") for i, h in enumerate(hashes, 1)]


def test_the_run_id_depends_on_content_only() -> None:
    digest = Settings().digest()
    one = run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb")))
    assert re.fullmatch(r"R20261101-20261101-[0-9a-f]{10}", one)
    # load order, file names and a file loaded twice do not matter
    assert one == run_id(ONE_DAY, digest, inputs_sha256(refs("bb", "aa", "bb")))
    others = {
        run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb", "cc"))),
        run_id(ONE_DAY, Settings(money={"late_after_days": 2}).digest(),  # type: ignore[arg-type]
               inputs_sha256(refs("aa", "bb"))),
        run_id(Period(DAY, NEXT), digest, inputs_sha256(refs("aa", "bb"))),
        run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb")), version="9.9.9"),
    }
    assert one not in others and len(others) == 4


def test_an_empty_store_gives_an_empty_run(tmp_path: Path) -> None:
    with Store(tmp_path / "etc.duckdb") as store:
        steps: list[tuple[str, float]] = []
        result = reconcile(store, ONE_DAY, Settings(), progress=lambda s, f: steps.append((s, f)))
        assert (result.passages, result.total_findings, result.total_at_risk_vnd) == (0, 0, 0)
        assert result.dispositions == {} and set(result.findings) == set(Code)
        assert store.latest_run_id() == result.run_id
        assert store.run_findings(result.run_id).is_empty()
    assert steps[0] == ("reading", 0.0) and steps[-1] == ("done", 1.0)
    assert [f for _, f in steps] == sorted(f for _, f in steps)
    assert {"read", "prepare", "write", *(c.value for c in Code)} <= set(result.timings)


def test_the_input_row_order_changes_nothing() -> None:
    """The store hands rows in load order: findings, dispositions, tie-outs and
    matches must not depend on it (every rule, the shared frames, the sorts)."""
    frames = build(seed=29, days=2, passages=1500)
    inputs, period, settings = inputs_of(frames), period_of(frames), Settings()

    def run(given: Inputs) -> list[pl.DataFrame]:
        t = compute(given, period, settings, "R")
        # findings and tie-outs come in the run's order; the big per-row tables as sets
        return [t.findings, t.matches.sort("stage", "settlement_id", "account", "entry_id"),
                t.dispositions.sort("txn_id"), t.tieouts]

    def shuffled(seed: int) -> Inputs:
        return Inputs(**{name: frame.collect().sample(fraction=1.0, shuffle=True, seed=seed)
                         .lazy() for name, frame in vars(inputs).items()})

    expected = run(inputs)
    assert expected[0].height > 24 and all(f.height for f in expected)
    for seed in (1, 2):
        for got, want in zip(run(shuffled(seed)), expected, strict=True):
            assert got.equals(want)
