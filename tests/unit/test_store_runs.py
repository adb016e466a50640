"""The store's run tables: a run is written whole or not at all (also piece by
piece, with `writing_run`), writing a run id again replaces it, the latest run
is the last one written that saw passages, and anyone can read the tables with
plain SQL. Also the inputs as the engine reads them: the same whatever order
files were loaded in."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest

from etc.errors import StoreError
from etc.findings import FINDING_SCHEMA
from etc.ingest import ingest_file
from etc.outputs import DISPOSITION_SCHEMA, MATCH_SCHEMA, PENDING_SCHEMA, TIEOUT_SCHEMA
from etc.reports import RunInfo
from etc.store import RUN_TABLES, LoadRef, RunManifest, RunRow, Store

DAY = date(2026, 11, 1)
T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
AS_OF = datetime(2026, 11, 1, 17, 0, tzinfo=UTC)  # local midnight after DAY


def finding(run_id: str, code: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {c: None for c in FINDING_SCHEMA}
    row.update(run_id=run_id, code=code, category="MONEY", severity="HIGH", business_date=DAY,
               amount_at_risk_vnd=35_000, detail=f"{code} detail")
    row.update(kw)
    return row


def findings(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=FINDING_SCHEMA)


def waiting(*txn_ids: str) -> pl.DataFrame:
    """Pending items (PENDING_SCHEMA): settlements still due after AS_OF."""
    rows = [{c: None for c in PENDING_SCHEMA} | dict(
        code="SETTLEMENT_MISSING", category="MONEY", severity="HIGH", business_date=DAY,
        txn_id=t, amount_at_risk_vnd=35_000, detail="not settled yet",
        due_at=AS_OF + timedelta(days=2)) for t in txn_ids]
    return pl.DataFrame(rows, schema=PENDING_SCHEMA)


def match(txn_id: str) -> dict[str, Any]:
    return dict(stage="PASSAGE_ITEM", business_date=DAY, txn_id=txn_id, settlement_id="S" + txn_id,
                batch_id="B1", account=None, entry_id=None, method="TXN_ID", rank=0,
                provider_matches=True, amount_vnd=35_000)


def disposition(txn_id: str) -> dict[str, Any]:
    return dict(business_date=DAY, station_id="ST01", lane_id="L01", txn_id=txn_id,
                payment_method="ETC", disposition="SETTLED", charged_vnd=35_000, items=1,
                settled_vnd=35_000, first_settlement_id="S" + txn_id,
                first_settled_at=datetime(2026, 11, 1, 13, tzinfo=UTC), late=False,
                amount_diff_vnd=0)


def tieout(station_id: str) -> dict[str, Any]:
    return dict(station_id=station_id, business_date=DAY, passages=2, etc_passages=2,
                charged_vnd=70_000, cash_vnd=0, settled_gross_vnd=70_000, fee_vnd=700,
                settled_net_vnd=69_300, banked_vnd=69_300, settle_gap_vnd=0, bank_gap_vnd=0)


def outputs() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return (pl.DataFrame([match("T1"), match("T2")], schema=MATCH_SCHEMA),
            pl.DataFrame([disposition("T1"), disposition("T2")], schema=DISPOSITION_SCHEMA),
            pl.DataFrame([tieout("ST01")], schema=TIEOUT_SCHEMA))


def manifest(run_id: str, found: pl.DataFrame, ended: datetime = T0, *, pending: int = 0,
             passages: int = 2) -> RunManifest:
    return RunManifest(
        run_id=run_id, first_date=DAY, last_date=DAY, settings_json="{}",
        settings_sha256="0" * 64, code_version="0.1.0",
        loads=(LoadRef(1, "lanes.csv", "a" * 64, "lanes"),), inputs_sha256="f" * 64,
        as_of=AS_OF, passages=passages, pending=pending,
        started_at=T0, ended_at=ended, findings=found.height,
        counts={"TARIFF_MISMATCH": {"findings": found.height, "amount_at_risk_vnd": 0}},
        timings={"read": 0.5})


def tables(found: pl.DataFrame, pending: pl.DataFrame | None = None) -> dict[str, pl.DataFrame]:
    """A run's tables: its findings, two matches, two dispositions, one tie-out
    (written in that order) and its pending items when given."""
    pairs, disp, ties = outputs()
    given = {"findings": found, "matches": pairs, "dispositions": disp, "tieouts": ties}
    return given | ({"pending": pending} if pending is not None else {})


def write(store: Store, run_id: str, found: pl.DataFrame, ended: datetime = T0, *,
          pending: pl.DataFrame | None = None, passages: int = 2) -> None:
    held = 0 if pending is None else pending.height
    store.write_run(manifest(run_id, found, ended, pending=held, passages=passages),
                    tables(found, pending))


def counts(store: Store) -> dict[str, int]:
    return {t: int(store.query(f"SELECT count(*) AS n FROM {t}")["n"][0])
            for t in ("runs", *RUN_TABLES)}


def test_a_run_reads_back_as_written(store: Store) -> None:
    found = findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1", station_id="ST01"))
    write(store, "R1", found, pending=waiting("T7", "T8"))
    assert store.run_findings("R1").equals(found)
    assert store.run_findings("R1").schema == pl.Schema(FINDING_SCHEMA)
    for table, frame in zip(("matches", "dispositions", "tieouts"), outputs(), strict=True):
        assert store.run_table(table, "R1").equals(frame)
    assert store.run_table("pending", "R1").equals(waiting("T7", "T8"))
    assert store.run_table("traffic", "R1").is_empty()  # a table not given gets no rows
    [run] = store.runs().to_dicts()
    assert (run["run_id"], run["first_date"], run["findings"]) == ("R1", DAY, 1)
    assert (run["as_of"], run["passages"], run["pending"]) == (AS_OF, 2, 2)
    assert json.loads(run["loads_json"]) == [
        {"load_id": 1, "file": "lanes.csv", "sha256": "a" * 64, "kind": "lanes"}]
    assert json.loads(run["counts_json"]) == {
        "TARIFF_MISMATCH": {"findings": 1, "amount_at_risk_vnd": 0}}
    assert run["started_at"] == T0
    assert store.latest_run_id() == "R1"
    row = store.run_row("R1")
    assert row == RunRow(run_id="R1", first_date=DAY, last_date=DAY, as_of=AS_OF, started_at=T0,
                         code_version="0.1.0", settings_sha256="0" * 64,
                         inputs_sha256="f" * 64,
                         loads=(LoadRef(1, "lanes.csv", "a" * 64, "lanes"),))
    assert row.as_of.utcoffset() == timedelta(0) and row.started_at.utcoffset() == timedelta(0)
    info = RunInfo.of(row)
    assert (info.run_id, info.first_date, info.started_at, info.as_of) == ("R1", DAY, T0, AS_OF)
    assert info.inputs.rows() == [(1, "lanes.csv", "lanes", "a" * 64)]
    with pytest.raises(StoreError, match="no run 'R9' in the database"):
        store.run_row("R9")


def test_a_failure_midway_leaves_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run is written piece by piece: one that fails leaves none of its rows, and
    a failed re-run of an id takes the earlier run of that id with it (the same id
    is the same inputs, settings, as-of and code: it is computed again). Other
    runs are untouched."""
    write(store, "R0", findings(finding("R0", "TARIFF_MISMATCH", txn_id="T0")))
    before = counts(store)
    write(store, "R1", findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1")),
          pending=waiting("T7"))
    real = Store._insert_run_rows

    def fail_at_tieouts(self: Store, table: str, run_id: str, frame: pl.DataFrame) -> None:
        if table == "tieouts":
            raise StoreError("disk full")
        real(self, table, run_id, frame)

    monkeypatch.setattr(Store, "_insert_run_rows", fail_at_tieouts)
    again = findings(finding("R1", "TARIFF_MISMATCH", txn_id="T9"))
    other = findings(finding("R2", "TARIFF_MISMATCH", txn_id="T8"))
    with pytest.raises(StoreError, match="disk full"):
        write(store, "R1", again)  # a re-run that fails: no R1 left
    with pytest.raises(StoreError, match="disk full"):
        write(store, "R2", other)  # a new run: its findings, matches … are removed
    monkeypatch.undo()
    assert counts(store) == before
    assert store.run_findings("R0")["txn_id"].to_list() == ["T0"]
    assert store.runs()["run_id"].to_list() == ["R0"]
    assert store.query("SELECT count(*) AS n FROM runs_writing")["n"].item() == 0


def test_a_frame_without_a_column_is_refused_whole(store: Store) -> None:
    found = findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1"))
    given = tables(found)
    with pytest.raises(StoreError, match="the tieouts frame lacks banked_vnd"):
        store.write_run(manifest("R1", found),
                        given | {"tieouts": given["tieouts"].drop("banked_vnd")})
    with pytest.raises(StoreError, match="counts 2 findings but 1 were given"):
        store.write_run(
            manifest("R1", findings(*[finding("R1", "X", txn_id=t) for t in ("A", "B")])),
            given)
    with pytest.raises(StoreError, match="counts 1 pending but 0 were given"):
        store.write_run(manifest("R1", found, pending=1), given)
    with pytest.raises(StoreError, match="no run table 'finding'"):
        store.write_run(manifest("R1", found), {"finding": found, **given})
    assert set(counts(store).values()) == {0}


def test_writing_a_run_id_again_replaces_that_run_only(store: Store) -> None:
    write(store, "R1", findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1"),
                                finding("R1", "TARIFF_MISMATCH", txn_id="T2")))
    write(store, "R2", findings(finding("R2", "TARIFF_MISMATCH", txn_id="T3")),
          ended=datetime(2026, 11, 3, tzinfo=UTC))
    write(store, "R1", findings(finding("R1", "SETTLEMENT_MISSING", txn_id="T4")),
          ended=datetime(2026, 11, 4, tzinfo=UTC))
    assert store.run_findings("R1").select("code", "txn_id").rows() == [
        ("SETTLEMENT_MISSING", "T4")]
    assert store.run_findings("R2")["txn_id"].to_list() == ["T3"]
    assert counts(store) == {"runs": 2, "findings": 2, "matches": 4, "dispositions": 4,
                             "tieouts": 2, "pending": 0, "traffic": 0, "lifecycle": 0}
    assert store.latest_run_id() == "R1"  # written last


def test_a_run_written_piece_by_piece_is_kept_once_its_runs_row_is_written(
        store: Store) -> None:
    write(store, "R1", findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1")),
          pending=waiting("T7"))
    pairs = outputs()[0]
    found = findings(finding("R1", "SETTLEMENT_MISSING", txn_id="T4"),
                     finding("R1", "SETTLEMENT_MISSING", txn_id="T5"))
    with store.writing_run("R1") as add:
        add("findings", found.head(1))  # one chunk's rows, then the next's: appended
        add("findings", found.tail(1))
        add("matches", pairs)
        store.finish_run(manifest("R1", found, datetime(2026, 11, 4, tzinfo=UTC)))
    assert store.run_findings("R1")["txn_id"].to_list() == ["T4", "T5"]
    assert counts(store) == {"runs": 1, "findings": 2, "matches": 2, "dispositions": 0,
                             "tieouts": 0, "pending": 0, "traffic": 0, "lifecycle": 0}


def test_writing_run_without_its_runs_row_keeps_nothing(store: Store) -> None:
    """Nothing of the run remains (an earlier run of the same id included); other
    runs are untouched."""
    write(store, "R0", findings(finding("R0", "TARIFF_MISMATCH", txn_id="T0")),
          pending=waiting("T6"))
    before = counts(store)
    write(store, "R1", findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1")),
          pending=waiting("T7"))
    pairs = outputs()[0]
    for run in ("R1", "R2"):
        with pytest.raises(StoreError, match=f"run {run}: its runs row was not written"):
            with store.writing_run(run) as add:
                add("findings", findings(finding(run, "SETTLEMENT_MISSING", txn_id="T9")))
                add("matches", pairs)
                add("pending", waiting("T8"))
        assert counts(store) == before
    assert store.run_findings("R0")["txn_id"].to_list() == ["T0"]
    assert store.run_table("pending", "R0")["txn_id"].to_list() == ["T6"]
    assert store.runs()["run_id"].to_list() == ["R0"] and not store.has_run("R2")


def test_writing_run_keeps_nothing_when_an_add_or_the_caller_fails(store: Store) -> None:
    write(store, "R0", findings(finding("R0", "TARIFF_MISMATCH", txn_id="T0")),
          pending=waiting("T6"))
    before = counts(store)
    pairs, disp, ties = outputs()
    again = findings(finding("R1", "SETTLEMENT_MISSING", txn_id="T9"))
    with pytest.raises(StoreError, match="the tieouts frame lacks banked_vnd"):
        with store.writing_run("R1") as add:
            add("findings", again)
            add("matches", pairs)
            add("tieouts", ties.drop("banked_vnd"))
            store.finish_run(manifest("R1", again))  # never reached
    assert counts(store) == before
    with pytest.raises(StoreError, match="no run table 'finding'"):
        with store.writing_run("R2") as add:
            add("dispositions", disp)
            add("finding", again)
    assert counts(store) == before

    class Crash(Exception):
        pass

    with pytest.raises(Crash):  # a compute error between adds: the caller's, unchanged
        with store.writing_run("R1") as add:
            add("findings", again)
            raise Crash
    assert counts(store) == before
    assert store.run_findings("R0")["txn_id"].to_list() == ["T0"]
    assert store.run_table("matches", "R0").equals(pairs)
    # and the store still writes afterwards
    write(store, "R2", findings(finding("R2", "TARIFF_MISMATCH", txn_id="T2")))
    assert store.runs()["run_id"].to_list() == ["R0", "R2"]


def test_opening_the_store_clears_a_run_whose_writer_was_killed(tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"
    with Store(db) as store:
        write(store, "R0", findings(finding("R0", "TARIFF_MISMATCH", txn_id="T0")))
        before = counts(store)
        # what a writer killed after two pieces leaves: its mark and its rows
        store.con.execute("INSERT INTO runs_writing VALUES ('R1', now())")
        store._insert_run_rows("findings", "R1",
                               findings(finding("R1", "SETTLEMENT_MISSING", txn_id="T9")))
        store._insert_run_rows("matches", "R1", outputs()[0])
        assert counts(store) != before
    with Store(db) as store:
        assert counts(store) == before
        assert store.query("SELECT count(*) AS n FROM runs_writing")["n"].item() == 0
        assert store.run_findings("R0")["txn_id"].to_list() == ["T0"]


def test_the_latest_run_is_the_last_written_that_saw_passages(tmp_path: Path) -> None:
    with Store(tmp_path / "etc.duckdb") as store:
        write(store, "R0", findings(), passages=0)
        assert store.latest_run_id() is None  # kept, but never taken by default
        assert store.has_run("R0")
        write(store, "R1", findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1")),
              ended=datetime(2026, 11, 3, tzinfo=UTC), passages=1)
        write(store, "R2", findings(), ended=datetime(2026, 11, 4, tzinfo=UTC), passages=0)
        assert store.latest_run_id() == "R1"
        write(store, "R3", findings(), ended=datetime(2026, 11, 5, tzinfo=UTC), passages=5)
        assert store.latest_run_id() == "R3"
        assert store.runs()["run_id"].to_list() == ["R0", "R1", "R2", "R3"]


def test_run_findings_are_in_the_run_order_with_nulls_first(store: Store) -> None:
    later = date(2026, 11, 2)
    rows = [finding("R1", "TARIFF_MISMATCH", txn_id="T2"),
            finding("R1", "BATCH_UNPAID", batch_id="B1"),
            finding("R1", "TARIFF_MISMATCH", txn_id="T1", station_id="ST02"),
            finding("R1", "TARIFF_MISMATCH", txn_id="T3", station_id="ST01"),
            finding("R1", "BATCH_UNPAID", batch_id="B0", business_date=later)]
    write(store, "R1", findings(*rows))
    got = store.run_findings("R1").select("business_date", "code", "station_id", "txn_id",
                                          "batch_id").rows()
    assert got == [(DAY, "BATCH_UNPAID", None, None, "B1"),
                   (DAY, "TARIFF_MISMATCH", None, "T2", None),
                   (DAY, "TARIFF_MISMATCH", "ST01", "T3", None),
                   (DAY, "TARIFF_MISMATCH", "ST02", "T1", None),
                   (later, "BATCH_UNPAID", None, None, "B0")]
    assert store.run_findings("R1", "BATCH_UNPAID")["batch_id"].to_list() == ["B1", "B0"]
    assert store.run_findings("R9").is_empty()


def test_run_tables_are_plain_sql(tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"
    with Store(db) as store:
        write(store, "R1", findings(finding("R1", "TARIFF_MISMATCH", txn_id="T1")))
    con = duckdb.connect(str(db), read_only=True)
    try:
        joined = con.execute(
            "SELECT r.run_id, r.first_date, f.code, f.txn_id, f.amount_at_risk_vnd, d.disposition "
            "FROM runs r JOIN findings f USING (run_id) "
            "JOIN dispositions d ON d.run_id = r.run_id AND d.txn_id = f.txn_id").fetchall()
        types = dict(con.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'dispositions'").fetchall())
    finally:
        con.close()
    assert joined == [("R1", DAY, "TARIFF_MISMATCH", "T1", 35_000, "SETTLED")]
    assert (types["run_id"], types["items"], types["first_settled_at"], types["late"]) == (
        "VARCHAR", "UINTEGER", "TIMESTAMP WITH TIME ZONE", "BOOLEAN")


STATIONS = "station_id,name,operator_id,account,lat,lon\n"


def test_inputs_are_the_stored_rows_whatever_the_load_order(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text(STATIONS + "S2,Two,OP1,ACC2,10.5,106.7\nS9,Nine,OP1,ACC9,10.5,106.7\n")
    b = tmp_path / "b.csv"
    b.write_text(STATIONS + "S1,One,OP1,ACC1,10.5,106.7\nS5,Five,OP2,ACC5,11,107\n")
    frames = []
    for name, order in (("ab", (a, b)), ("ba", (b, a))):
        with Store(tmp_path / f"{name}.duckdb") as store:
            for path in order:
                ingest_file(store, path)
            frames.append(store.inputs().stations.collect())
            refs = store.load_manifest()
            assert [(r.load_id, Path(r.file).name, r.kind) for r in refs] == [
                (1, order[0].name, "stations"), (2, order[1].name, "stations")]
    assert frames[0].sort("station_id").equals(frames[1].sort("station_id"))
    assert sorted(frames[0]["station_id"]) == ["S1", "S2", "S5", "S9"]
    assert frames[0].columns == ["station_id", "name", "operator_id", "account", "lat", "lon",
                                 "operator_name"]
    assert frames[0]["operator_name"].to_list() == [None] * 4  # optional, absent here


def test_inputs_carry_canonical_and_derived_columns_only(store: Store) -> None:
    inputs = store.inputs()
    lanes = inputs.lanes.collect_schema()
    assert lanes.names() == [
        "txn_id", "station_id", "lane_id", "passed_at", "payment_method", "tag_id",
        "read_count", "rssi_dbm", "plate", "plate_confidence", "avc_class", "charged_class",
        "amount_vnd", "staff_id", "override", "business_date", "txn_key"]
    assert inputs.settlements.collect_schema().names()[-1] == "txn_key"  # etc.txnkey
    assert (lanes["passed_at"], lanes["business_date"], lanes["avc_class"]) == (
        pl.Datetime("us", "UTC"), pl.Date(), pl.Int8())
    assert "plate_raw" not in inputs.tags.collect_schema()


def test_a_store_whose_traffic_lacks_the_provider_columns_gets_them(tmp_path: Path) -> None:
    """traffic rows written before provider_id and unread_or_weak existed keep their
    values, with the new columns null."""
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE traffic (run_id VARCHAR NOT NULL, station_id VARCHAR, "
                "lane_id VARCHAR, business_date DATE, payment_method VARCHAR, "
                "charged_class TINYINT, passages UINTEGER, charged UINTEGER, gross_vnd BIGINT, "
                "unread UINTEGER)")
    con.execute("INSERT INTO traffic VALUES ('R0', 'S1', 'L1', DATE '2026-11-01', 'ETC', 1, "
                "5, 5, 175000, 1)")
    con.close()
    with Store(path) as store:
        rows = store.run_table("traffic", "R0")
    assert rows.select("passages", "unread", "provider_id", "unread_or_weak").rows() == [
        (5, 1, None, None)]
