"""The findings lifecycle: NEW, OPEN with first seen and days open, RESOLVED.

Findings are written as (code, date, key) and runs as periods; each test folds
runs in order the way the store does (the latest row per identity among the
earlier runs, dropped when RESOLVED) and checks the states of the last run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import polars as pl

from etc.context import Period
from etc.findings import FINDING_SCHEMA, identity
from etc.outputs import LIFECYCLE_SCHEMA
from etc.store import RunManifest, Store
from reconcile.lifecycle import PER_DATE, states

D1 = date(2026, 11, 1)
D2, D3 = D1 + timedelta(days=1), D1 + timedelta(days=2)


def found(*rows: tuple[str, date, dict[str, str]]) -> pl.DataFrame:
    """Findings of (code, business_date, keys), amount 1000, detail naming them."""
    data = [{c: None for c in FINDING_SCHEMA} | {
        "code": code, "business_date": day, "amount_at_risk_vnd": 1000,
        "detail": f"{code} {keys}", **keys} for code, day, keys in rows]
    return pl.DataFrame(data, schema=FINDING_SCHEMA)


def fold(*runs: tuple[str, Period, pl.DataFrame]) -> pl.DataFrame:
    """The lifecycle rows of the last of `runs`, each run folded over those before."""
    history: list[pl.DataFrame] = []
    rows = pl.DataFrame(schema=LIFECYCLE_SCHEMA)
    for run, period, frame in runs:
        if history:
            latest = pl.concat(history[::-1]).unique(["code", "identity"], keep="first",
                                                     maintain_order=True)
            still_open = latest.filter(pl.col("state") != "RESOLVED")
        else:
            still_open = pl.DataFrame(schema=LIFECYCLE_SCHEMA)
        rows = states(frame, still_open, period, run)
        history.append(rows)
    return rows


def by_identity(rows: pl.DataFrame) -> dict[tuple[str, str, date], tuple[str, date, int]]:
    return {(r["code"], r["identity"], r["business_date"]):
            (r["state"], r["first_seen_date"], r["days_open"]) for r in rows.to_dicts()}


TXN = {"txn_id": "T1", "station_id": "ST01"}
LANE = {"station_id": "ST01", "lane_id": "L02"}


def test_identity_is_code_and_key_without_the_date() -> None:
    frame = found(("SETTLEMENT_MISSING", D1, TXN), ("LANE_READ_DEGRADED", D1, LANE),
                  ("PLATE_MULTI_TAG", D1, {"plate": "51H12345", "tag_id": "X"}),
                  ("BANK_UNMATCHED_CREDIT", D1, {"entry_id": "ACC/E1"}))
    assert frame.select(identity())["identity"].to_list() == [
        "txn_id=T1", "station_id=ST01|lane_id=L02", "plate=51H12345", "entry_id=ACC/E1"]
    assert {"PLATE_MULTI_TAG", "TAG_POOR_READ", "LANE_READ_DEGRADED",
            "STAFF_OVERRIDE_OUTLIER", "PASSAGES_HIDDEN", "CASH_SHARE_SPIKE"} == PER_DATE


def test_a_first_finding_is_new_and_found_again_is_open_with_days_open() -> None:
    rows = fold(("R1", Period(D1, D1), found(("LANE_READ_DEGRADED", D1, LANE))),
                ("R2", Period(D2, D2), found(("LANE_READ_DEGRADED", D2, LANE))),
                ("R3", Period(D3, D3), found(("LANE_READ_DEGRADED", D3, LANE),
                                             ("SETTLEMENT_MISSING", D3, TXN))))
    assert by_identity(rows) == {
        ("LANE_READ_DEGRADED", "station_id=ST01|lane_id=L02", D3): ("OPEN", D1, 2),
        ("SETTLEMENT_MISSING", "txn_id=T1", D3): ("NEW", D3, 0),
    }
    assert rows.filter(pl.col("state") == "OPEN")["first_seen_run"].to_list() == ["R1"]
    assert set(rows["last_seen_run"]) == {"R3"}


def test_within_one_run_the_first_date_is_new_and_later_dates_open() -> None:
    rows = states(found(("LANE_READ_DEGRADED", D1, LANE), ("LANE_READ_DEGRADED", D3, LANE)),
                  pl.DataFrame(schema=LIFECYCLE_SCHEMA), Period(D1, D3), "R1")
    assert rows["state"].to_list() == ["NEW", "OPEN"]
    assert rows["days_open"].to_list() == [0, 2]


def test_a_subject_no_longer_found_by_a_later_run_is_resolved() -> None:
    rows = fold(("R1", Period(D1, D1), found(("LANE_READ_DEGRADED", D1, LANE))),
                ("R2", Period(D2, D2), found()))
    [gone] = rows.to_dicts()
    assert (gone["state"], gone["identity"], gone["business_date"]) == (
        "RESOLVED", "station_id=ST01|lane_id=L02", D1)
    assert (gone["last_seen_run"], gone["detail"]) == ("R1", f"LANE_READ_DEGRADED {LANE}")


def test_a_passage_finding_is_resolved_only_by_a_run_of_its_date() -> None:
    first = ("R1", Period(D1, D1), found(("SETTLEMENT_MISSING", D1, TXN)))
    # the next night looks at D2 only: T1 was not checked again, it stays open
    assert fold(first, ("R2", Period(D2, D2), found())).is_empty()
    # a re-run of D1 no longer finds it: resolved
    rows = fold(first, ("R2", Period(D2, D2), found()), ("R3", Period(D1, D1), found()))
    assert rows.select("state", "identity", "first_seen_run").rows() == [
        ("RESOLVED", "txn_id=T1", "R1")]
    # and a run of D1 that still finds it keeps it open since D1
    again = fold(first, ("R3", Period(D1, D2), found(("SETTLEMENT_MISSING", D1, TXN))))
    assert by_identity(again) == {("SETTLEMENT_MISSING", "txn_id=T1", D1): ("OPEN", D1, 0)}


def test_a_run_before_the_last_sighting_resolves_nothing_of_a_subject() -> None:
    rows = fold(("R1", Period(D3, D3), found(("LANE_READ_DEGRADED", D3, LANE))),
                ("R2", Period(D1, D1), found()))
    assert rows.is_empty()


def test_a_resolved_identity_found_again_is_new_again() -> None:
    rows = fold(("R1", Period(D1, D1), found(("LANE_READ_DEGRADED", D1, LANE))),
                ("R2", Period(D2, D2), found()),
                ("R3", Period(D3, D3), found(("LANE_READ_DEGRADED", D3, LANE))))
    assert by_identity(rows) == {
        ("LANE_READ_DEGRADED", "station_id=ST01|lane_id=L02", D3): ("NEW", D3, 0)}


def test_a_run_of_earlier_dates_moves_first_seen_back() -> None:
    rows = fold(("Ra", Period(D2, D2), found(("LANE_READ_DEGRADED", D2, LANE))),
                ("Rb", Period(D1, D3), found(("LANE_READ_DEGRADED", D1, LANE),
                                             ("LANE_READ_DEGRADED", D2, LANE),
                                             ("LANE_READ_DEGRADED", D3, LANE))))
    assert rows.select("state", "first_seen_date", "days_open").rows() == [
        ("OPEN", D1, 0), ("OPEN", D1, 1), ("OPEN", D1, 2)]


def store_run(store: Store, run: str, period: Period, frame: pl.DataFrame,
              started: datetime) -> pl.DataFrame:
    """Write a run of `frame` the way the engine does: its lifecycle from the
    identities the store holds open before it. Returns its lifecycle rows."""
    earlier = store.earlier_runs(run, period.first, period.last, started)
    life = states(frame, store.open_identities(earlier), period, run)
    record = RunManifest(
        run_id=run, first_date=period.first, last_date=period.last, settings_json="{}",
        settings_sha256="0" * 64, code_version="test", loads=(), inputs_sha256="f" * 64,
        as_of=started, passages=1, pending=0, started_at=started, ended_at=started,
        findings=frame.height, counts={}, timings={})
    store.write_run(record, {"findings": frame.with_columns(pl.lit(run).alias("run_id")),
                             "lifecycle": life})
    return life


def test_the_store_carries_the_latest_sighting_of_each_identity(tmp_path: Path) -> None:
    """Through the store's own queries: a two-day run leaves the lane open as of
    its later date, so the next run resolves it with that date and detail; the
    runs are ordered by period, not by when they were written."""
    t = datetime(2026, 11, 5, tzinfo=UTC)
    with Store(tmp_path / "etc.duckdb") as store:
        store_run(store, "R12", Period(D1, D2), found(("LANE_READ_DEGRADED", D1, LANE),
                                                       ("LANE_READ_DEGRADED", D2, LANE)), t)
        later = store_run(store, "R3", Period(D3, D3), found(), t + timedelta(hours=1))
        assert later.select("state", "business_date", "first_seen_date", "days_open").rows() == [
            ("RESOLVED", D2, D1, 1)]
        # a run of D1 written afterwards comes before both: nothing is open before it
        first = store_run(store, "R1", Period(D1, D1), found(("LANE_READ_DEGRADED", D1, LANE)),
                          t + timedelta(hours=2))
        assert first["state"].to_list() == ["NEW"]
        assert store.earlier_runs("R3", D3, D3, t + timedelta(hours=1)) == ["R12", "R1"]
