"""The engine's own work on rule output: the period, category and severity (raised
at the money threshold), one finding per identity, a total order, findings not
yet due kept apart as pending; a run id that depends on content only; and a
period without passages refused."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest import write_csv
from generated import inputs_of, period_of
from rows import lanes_row

from etc.codes import Code, Severity
from etc.context import Inputs, Period
from etc.errors import EtcError
from etc.findings import FINDING_COLUMNS, RULE_SCHEMA
from etc.generate import build
from etc.ingest import ingest_file
from etc.localtime import start_of
from etc.outputs import PENDING_SCHEMA
from etc.settings import Settings, SeveritySettings
from etc.store import RUN_TABLES, LoadRef, Store
from reconcile.engine import NothingToCheck, compute, reconcile
from reconcile.manifest import counts_by_code, inputs_sha256, run_id
from reconcile.shape import check_identities, common_severity, finish

DAY = date(2026, 11, 1)
NEXT = DAY + timedelta(days=1)
ONE_DAY = Period(DAY, DAY)
AS_OF = start_of(NEXT, 1)
"""After every date of these rule rows: a row without due_at is due."""
LOCAL = timezone(timedelta(hours=7))


def found(*rows: dict[str, Any]) -> pl.DataFrame:
    """Rule output: each row a code plus what matters, the rest empty."""
    full = [{c: None for c in RULE_SCHEMA} | {"business_date": DAY, "amount_at_risk_vnd": 0,
                                              "detail": "d"} | r for r in rows]
    return pl.DataFrame(full, schema=RULE_SCHEMA)


def levels(out: pl.DataFrame) -> list[tuple[str, str, int]]:
    return out.select("txn_id", "severity", "amount_at_risk_vnd").rows()


def due(split: tuple[pl.DataFrame, pl.DataFrame]) -> pl.DataFrame:
    """The findings of finish(), which must have left nothing pending."""
    out, pending = split
    assert pending.is_empty() and pending.columns == list(PENDING_SCHEMA)
    return out


def test_severity_is_raised_from_the_threshold_on() -> None:
    rows = found(*[dict(code="TAG_LOW_BALANCE", txn_id=f"T{i}", amount_at_risk_vnd=a)
                   for i, a in enumerate((9_999_999, 10_000_000, 10_000_001))])
    out = due(finish(rows, ONE_DAY, SeveritySettings(), "R", AS_OF))
    assert levels(out) == [("T0", "LOW", 9_999_999), ("T1", "MEDIUM", 10_000_000),
                           ("T2", "MEDIUM", 10_000_001)]


def test_critical_stays_critical_and_zero_never_raises() -> None:
    rows = found(dict(code="SETTLEMENT_ORPHAN", settlement_id="S1", txn_id="T1",
                      amount_at_risk_vnd=50_000_000),
                 dict(code="TAG_POOR_READ", tag_id="A", txn_id="T2", amount_at_risk_vnd=0))
    out = due(finish(rows, ONE_DAY, SeveritySettings(raise_at_vnd=0), "R", AS_OF))
    assert levels(out) == [("T1", "CRITICAL", 50_000_000), ("T2", "LOW", 0)]
    out = due(finish(rows, ONE_DAY, SeveritySettings(), "R", AS_OF))
    assert out["severity"].to_list() == ["CRITICAL", "LOW"]


def test_a_configured_level_is_the_one_raised() -> None:
    cfg = SeveritySettings(codes={Code.TAG_LOW_BALANCE: Severity.HIGH}, raise_at_vnd=100)
    rows = found(dict(code="TAG_LOW_BALANCE", txn_id="T1", amount_at_risk_vnd=99),
                 dict(code="TAG_LOW_BALANCE", txn_id="T2", amount_at_risk_vnd=100))
    assert levels(due(finish(rows, ONE_DAY, cfg, "R", AS_OF))) == [
        ("T1", "HIGH", 99), ("T2", "CRITICAL", 100)]


def test_only_the_period_is_kept_with_run_id_and_category() -> None:
    rows = found(dict(code="DOUBLE_CHARGE", txn_id="T1"),
                 dict(code="BATCH_UNPAID", batch_id="B1", business_date=NEXT),
                 dict(code="BATCH_UNPAID", batch_id="B0", business_date=DAY - timedelta(days=1)))
    out = due(finish(rows, Period(DAY, NEXT), SeveritySettings(), "R20261101-20261102-x", AS_OF))
    assert out.columns == list(FINDING_COLUMNS)
    assert out.select("run_id", "code", "category", "business_date").rows() == [
        ("R20261101-20261102-x", "DOUBLE_CHARGE", "FRAUD", DAY),
        ("R20261101-20261102-x", "BATCH_UNPAID", "MONEY", NEXT)]


def test_a_duplicate_identity_is_a_bug_named_by_its_code() -> None:
    twice = found(dict(code="TAG_UNKNOWN", txn_id="T1", detail="a"),
                  dict(code="TAG_UNKNOWN", txn_id="T1", detail="b"))
    with pytest.raises(AssertionError, match=re.escape("TAG_UNKNOWN: identity (txn_id=T1)")):
        finish(twice, ONE_DAY, SeveritySettings(), "R", AS_OF)
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
    outs = {tuple(due(finish(found(*perm), Period(DAY, NEXT), SeveritySettings(), "R",
                             AS_OF)).rows())
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


def test_a_row_due_after_as_of_is_pending_and_one_due_at_it_a_finding() -> None:
    micro = timedelta(microseconds=1)
    rows = found(dict(code="SETTLEMENT_MISSING", txn_id="T1", due_at=AS_OF),
                 dict(code="SETTLEMENT_MISSING", txn_id="T2", due_at=AS_OF + micro,
                      amount_at_risk_vnd=10_000_000),
                 dict(code="SETTLEMENT_MISSING", txn_id="T3"),  # due_at null: due at once
                 dict(code="SETTLEMENT_MISSING", txn_id="T4", due_at=AS_OF - micro),
                 dict(code="BATCH_UNPAID", batch_id="B9", due_at=AS_OF + timedelta(days=3)),
                 dict(code="BATCH_UNPAID", batch_id="B1", due_at=AS_OF + micro),
                 dict(code="BATCH_UNPAID", batch_id="B0", business_date=NEXT,  # not the period
                      due_at=AS_OF + micro))
    out, pending = finish(rows, ONE_DAY, SeveritySettings(), "R", AS_OF)
    assert out.columns == list(FINDING_COLUMNS)
    assert out.select("code", "txn_id").rows() == [
        ("SETTLEMENT_MISSING", "T1"), ("SETTLEMENT_MISSING", "T3"), ("SETTLEMENT_MISSING", "T4")]
    assert set(out["run_id"]) == {"R"} and set(out["severity"]) == {"HIGH"}
    assert pending.schema == pl.Schema(PENDING_SCHEMA)
    # shaped like findings (category, raised severity), in the run's order, with due_at
    assert pending.select("code", "category", "severity", "txn_id", "batch_id", "due_at"
                          ).rows() == [
        ("BATCH_UNPAID", "MONEY", "CRITICAL", None, "B1", AS_OF + micro),
        ("BATCH_UNPAID", "MONEY", "CRITICAL", None, "B9", AS_OF + timedelta(days=3)),
        ("SETTLEMENT_MISSING", "MONEY", "CRITICAL", "T2", None, AS_OF + micro)]  # raised
    # the same instant in another zone splits the same way
    local = finish(rows, ONE_DAY, SeveritySettings(), "R", AS_OF.astimezone(LOCAL))
    assert local[0].equals(out) and local[1].equals(pending)
    # one microsecond later, T2 and B1 are due
    later, rest = finish(rows, ONE_DAY, SeveritySettings(), "R", AS_OF + micro)
    assert later.height == 5 and rest["batch_id"].to_list() == ["B9"]


def test_an_identity_both_due_and_pending_is_still_a_duplicate() -> None:
    twice = found(dict(code="SETTLEMENT_MISSING", txn_id="T1"),
                  dict(code="SETTLEMENT_MISSING", txn_id="T1", due_at=AS_OF + timedelta(days=1)))
    with pytest.raises(AssertionError, match=re.escape("SETTLEMENT_MISSING: identity (txn_id=T1)")):
        finish(twice, ONE_DAY, SeveritySettings(), "R", AS_OF)


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
    one = run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb")), AS_OF)
    assert re.fullmatch(r"R20261101-20261101-[0-9a-f]{10}", one)
    # load order, file names, a file loaded twice and the zone of the as-of do not matter
    assert one == run_id(ONE_DAY, digest, inputs_sha256(refs("bb", "aa", "bb")), AS_OF)
    assert one == run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb")),
                         AS_OF.astimezone(LOCAL))
    others = {
        run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb", "cc")), AS_OF),
        run_id(ONE_DAY, Settings(money={"late_after_days": 2}).digest(),  # type: ignore[arg-type]
               inputs_sha256(refs("aa", "bb")), AS_OF),
        run_id(Period(DAY, NEXT), digest, inputs_sha256(refs("aa", "bb")), AS_OF),
        run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb")), AS_OF, version="9.9.9"),
        run_id(ONE_DAY, digest, inputs_sha256(refs("aa", "bb")),
               AS_OF + timedelta(microseconds=1)),
    }
    assert one not in others and len(others) == 5


def run_counts(store: Store) -> dict[str, int]:
    return {t: int(store.query(f"SELECT count(*) AS n FROM {t}")["n"][0])
            for t in ("runs", *RUN_TABLES)}


def test_an_empty_store_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    with Store(tmp_path / "etc.duckdb") as store:
        steps: list[tuple[str, float]] = []
        with pytest.raises(NothingToCheck, match=re.escape(
                "no passages are loaded for 2026-11-01..2026-11-01")):
            reconcile(store, ONE_DAY, Settings(), progress=lambda s, f: steps.append((s, f)))
        assert set(run_counts(store).values()) == {0}
        assert store.latest_run_id() is None
    assert steps == []
    assert issubclass(NothingToCheck, EtcError)  # the CLI's refusal, not a crash


PASSAGE_DAY = date(2024, 5, 1)  # tests/rows.py: lanes_row(i) passes on 2024-05-01


def test_a_run_is_timed_and_latest_and_a_period_without_passages_writes_nothing(
        tmp_path: Path) -> None:
    """Progress runs from reading to done in order and every step is timed; the
    run is the latest; a later period with no passages writes nothing at all."""
    lanes = [lanes_row(i) for i in range(3)] + [
        lanes_row(3, passed_at="2024-05-02T09:00:00")]
    with Store(tmp_path / "etc.duckdb") as store:
        ingest_file(store, write_csv(tmp_path / "lanes.csv", lanes))
        steps: list[tuple[str, float]] = []
        period = Period(PASSAGE_DAY, PASSAGE_DAY + timedelta(days=1))
        result = reconcile(store, period, Settings(),
                           progress=lambda s, f: steps.append((s, f)))
        assert result.passages == 4 and result.as_of == store.data_until()
        assert result.as_of == datetime(2024, 5, 2, 2, tzinfo=UTC)  # the last passage
        assert store.latest_run_id() == result.run_id
        assert store.run_row(result.run_id).as_of == result.as_of
        assert store.run_findings(result.run_id).height == result.total_findings
        assert store.run_table("pending", result.run_id).height == result.pending
        assert set(result.findings) == set(Code)
        assert steps[0] == ("reading", 0.0) and steps[-1] == ("done", 1.0)
        assert [f for _, f in steps] == sorted(f for _, f in steps)
        assert {"read", "prepare", "findings", "outputs", "write",
                *(c.value for c in Code)} <= set(result.timings)
        before = run_counts(store)
        assert before["runs"] == 1 and before["traffic"] > 0
        quiet = Period(PASSAGE_DAY + timedelta(days=2), PASSAGE_DAY + timedelta(days=9))
        with pytest.raises(NothingToCheck, match=re.escape(
                "no passages are loaded for 2024-05-03..2024-05-10")):
            reconcile(store, quiet, Settings())
        assert run_counts(store) == before
        assert store.latest_run_id() == result.run_id
        # another as-of is another run, kept beside the first
        other = reconcile(store, period, Settings(), as_of=result.as_of + timedelta(days=30))
        assert other.run_id != result.run_id and store.latest_run_id() == other.run_id
        assert store.runs()["run_id"].to_list() == [result.run_id, other.run_id]


def test_the_input_row_order_changes_nothing() -> None:
    """The store hands rows in load order: findings, pending items, dispositions,
    tie-outs and matches must not depend on it (every rule, the shared frames,
    the sorts)."""
    frames = build(seed=29, days=2, passages=1500)
    inputs, period, settings = inputs_of(frames), period_of(frames), Settings()
    as_of = start_of(period.last, 1)  # midnight after the period: some items not due yet

    def run(given: Inputs) -> list[pl.DataFrame]:
        t = compute(given, period, settings, "R", as_of)
        # findings, pending and tie-outs come in the run's order; the big per-row tables as sets
        return [t.findings, t.pending, t.matches.sort("stage", "settlement_id", "account",
                                                      "entry_id"),
                t.dispositions.sort("txn_id"), t.tieouts]

    def shuffled(seed: int) -> Inputs:
        return Inputs(**{name: None if frame is None else
                         frame.collect().sample(fraction=1.0, shuffle=True, seed=seed).lazy()
                         for name, frame in vars(inputs).items()})

    expected = run(inputs)
    assert expected[0].height > 24 and all(f.height for f in expected)
    for seed in (1, 2):
        for got, want in zip(run(shuffled(seed)), expected, strict=True):
            assert got.equals(want)
    # a later as-of turns pending items into findings: none is lost, none added
    late = compute(inputs, period, settings, "R", as_of + timedelta(days=60))
    assert late.pending.is_empty()
    key = [c for c in FINDING_COLUMNS if c not in ("run_id", "severity")]
    assert sorted(late.findings.select(key).rows(), key=repr) == sorted(
        pl.concat([expected[0].select(key), expected[1].select(key)]).rows(), key=repr)
