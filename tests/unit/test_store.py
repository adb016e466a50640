"""The store: keys decide new / already present / conflict; a file is all or nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import write_csv
from rows import lanes_row, settlements_row

from etc.errors import StoreError
from etc.ingest import ingest_file
from etc.store import Store

HEADER = "station_id,name,operator_id,account,lat,lon\n"


def csv(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def stations(store: Store) -> list[tuple]:
    return list(store.table("stations").select("station_id", "name", "lat")
                .sort("station_id").collect().iter_rows())


def test_same_row_again_is_present_and_other_content_is_a_conflict(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        first = ingest_file(store, csv(tmp_path, "a.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n"))
        second = ingest_file(store, csv(tmp_path, "b.csv",
                                        "S1,Name 1,OP1,ACC1,10.5,106.7\n"
                                        "S1,Renamed,OP1,ACC1,10.6,106.7\n"
                                        "S2,Name 2,OP2,ACC2,11.0,107.0\n"))
        assert (first.rows_loaded, first.rows_present, first.rows_quarantined) == (1, 0, 0)
        assert (second.rows_read, second.rows_loaded, second.rows_present,
                second.rows_quarantined) == (3, 1, 1, 1)
        assert stations(store) == [("S1", "Name 1", 10.5), ("S2", "Name 2", 11.0)]
        q = store.quarantine()
        assert q.select("row", "reason").rows() == [(3, "DUPLICATE_CONFLICT")]
        assert q["message"][0] == (
            "key station_id=S1 was loaded before (load 1, row 2) with other values: "
            "name Renamed here, Name 1 before; lat 10.6 here, 10.5 before")


def test_duplicates_inside_one_file(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        r = ingest_file(store, csv(tmp_path, "a.csv",
                                   "S1,Name 1,OP1,ACC1,10.5,106.7\n"
                                   "S1,Name 1,OP1,ACC1,10.5,106.7\n"
                                   "S1,Other,OP1,ACC1,10.5,106.7\n"))
        assert (r.rows_loaded, r.rows_present, r.rows_quarantined) == (1, 1, 1)
        msg = store.quarantine()["message"][0]
        assert msg.startswith("key station_id=S1 came earlier in this file (row 2)")
        assert "name Other here, Name 1 before" in msg


def test_same_content_twice_is_a_no_op(tmp_path: Path) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        a = csv(tmp_path, "a.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n")
        b = tmp_path / "copy.csv"
        b.write_bytes(a.read_bytes())
        ingest_file(store, a)
        again = ingest_file(store, b)
        assert again.status == "already_loaded"
        assert again.error == f"same content as {a} (load 1)"
        assert store.loads().height == 1


def test_a_failed_load_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    with Store(tmp_path / "db.duckdb") as store:
        ingest_file(store, csv(tmp_path, "a.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n"))
        before = (stations(store), store.loads().height, store.quarantine().height)

        def broken(self: Store, *a: object, **k: object) -> None:
            self.con.execute("INSERT INTO stations (station_id) VALUES ('HALF')")
            raise StoreError("disk full", path="x")

        monkeypatch.setattr(Store, "_classify", broken)
        with pytest.raises(StoreError):
            ingest_file(store, csv(tmp_path, "b.csv", "S9,Bad,OP1,ACC1,1,1\nS8,x,y,z,,\n"))
        monkeypatch.undo()
        assert (stations(store), store.loads().height, store.quarantine().height) == before
        # and the store still works afterwards
        ingest_file(store, csv(tmp_path, "c.csv", "S3,Name 3,OP1,ACC1,10.5,106.7\n"))
        assert [s[0] for s in stations(store)] == ["S1", "S3"]


def test_tables_come_back_as_polars_with_utc_times(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("tag_id,provider_id,account_id,plate,vehicle_class,status,valid_from\n"
                 "3034f8a1b2c3d4e5f6a7b8c9,VETC,A1,51H-123.45,1,active,2026-11-01T08:00:00\n",
                 encoding="utf-8")
    with Store(tmp_path / "db.duckdb") as store:
        ingest_file(store, p)
        tags = store.table("tags").collect()
    assert tags.schema["valid_from"] == pl.Datetime("us", "UTC")
    assert tags.select("tag_id", "plate", "plate_raw", "status", "vehicle_class").row(0) == (
        "3034F8A1B2C3D4E5F6A7B8C9", "51H12345", "51H-123.45", "ACTIVE", 1)
    assert str(tags["valid_from"][0]) == "2026-11-01 01:00:00+00:00"


def camt(entries: str) -> str:
    return ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
            'camt.053.001.02"><BkToCstmrStmt><Stmt><Id>ST1</Id><Acct><Id><IBAN>ACC1</IBAN>'
            f"</Id></Acct>{entries}</Stmt></BkToCstmrStmt></Document>")


def batch_entry(txs: list[tuple[str, int]]) -> str:
    """One booked credit N1 split into transactions (reference, amount)."""
    details = "".join(f'<TxDtls><Refs><EndToEndId>{r}</EndToEndId></Refs>'
                      f'<Amt Ccy="VND">{a}</Amt></TxDtls>' for r, a in txs)
    total = sum(a for _, a in txs)
    return (f'<Ntry><AcctSvcrRef>N1</AcctSvcrRef><Amt Ccy="VND">{total}</Amt>'
            "<CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-01-01</Dt></BookgDt>"
            f"<NtryDtls>{details}</NtryDtls></Ntry>")


def test_rows_sharing_a_source_position_are_matched_one_by_one(tmp_path: Path) -> None:
    """A camt.053 batch entry gives several rows from one position in the file: a
    re-sent statement with one more transaction must load that one (regression)."""
    first, resent = tmp_path / "day1.xml", tmp_path / "day1_resent.xml"
    first.write_text(camt(batch_entry([("B1", 1000), ("B2", 2000)])), encoding="utf-8")
    resent.write_text(camt(batch_entry([("B1", 1000), ("B2", 2000), ("B3", 500)])),
                      encoding="utf-8")
    with Store(tmp_path / "db.duckdb") as store:
        ingest_file(store, first)
        r = ingest_file(store, resent)
        rows = store.table("bank").select("entry_id", "amount_vnd", "reference").sort(
            "entry_id").collect().rows()
    assert (r.rows_read, r.rows_loaded, r.rows_present, r.rows_quarantined) == (3, 1, 2, 0)
    assert rows == [("N1/1", 1000, "B1"), ("N1/2", 2000, "B2"), ("N1/3", 500, "B3")]


def test_a_plate_respelled_is_the_same_row(tmp_path: Path) -> None:
    """Plates are compared normalised: a re-sent tag row is present, not a conflict."""
    header = "tag_id,provider_id,account_id,plate,vehicle_class,status,valid_from\n"
    row = "3034F8A1B2C3D4E5F6A7B8C9,VETC,A1,{},1,ACTIVE,2026-11-01T08:00:00\n"
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text(header + row.format("51H-123.45"), encoding="utf-8")
    b.write_text(header + row.format("51h 123.45"), encoding="utf-8")
    with Store(tmp_path / "db.duckdb") as store:
        ingest_file(store, a)
        r = ingest_file(store, b)
        raw = store.table("tags").select("plate_raw").collect()["plate_raw"].to_list()
    assert (r.rows_loaded, r.rows_present, r.rows_quarantined) == (0, 1, 0)
    assert raw == ["51H-123.45"]  # the first spelling stays


def test_an_input_file_given_as_the_database_is_refused(tmp_path: Path) -> None:
    """DuckDB 2 would open a CSV as an in-memory database and lose every load."""
    lanes = csv(tmp_path, "lanes.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n")
    before = lanes.read_bytes()
    with pytest.raises(StoreError, match="not a DuckDB database file"):
        Store(lanes)
    assert lanes.read_bytes() == before


def test_a_store_of_an_earlier_version_gets_the_columns_added_since(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    with Store(db) as store:  # as 0.2.0 left it: no operator_name, no as_of/passages/pending
        store.con.execute("ALTER TABLE stations DROP COLUMN operator_name")
        for column in ("as_of", "passages", "pending"):
            store.con.execute(f"ALTER TABLE runs DROP COLUMN {column}")
    with Store(db) as store:
        have = set(store.query("SELECT table_name, column_name FROM duckdb_columns()")
                   .iter_rows())
    assert {("stations", "operator_name"), ("runs", "as_of"), ("runs", "passages"),
            ("runs", "pending")} <= have


def test_a_store_of_0_3_gets_its_item_links_and_lane_day_counts(tmp_path: Path) -> None:
    """0.4.0 keeps each item's passage_date and the passages per lane and day; a
    store of 0.3.0 has neither and gets both, filled from its rows, on opening."""
    db = tmp_path / "old.duckdb"
    lanes = [lanes_row(i, txn_id=f"T{i}", passed_at=f"2026-11-01T1{i}:00:00+07:00",
                       station_id="S01", lane_id="L1",
                       payment_method="CASH" if i else "ETC", amount_vnd="1000")
             for i in range(3)]
    items = [settlements_row(i, settlement_id=f"S{i}", txn_id=f"T{i}",
                             settled_at="2026-11-02T09:00:00+07:00") for i in (0, 7)]
    with Store(db) as store:
        ingest_file(store, write_csv(tmp_path / "lanes.csv", lanes))
        ingest_file(store, write_csv(tmp_path / "items.csv", items))
        store.con.execute("ALTER TABLE settlements DROP COLUMN passage_date")
        store.con.execute("DROP TABLE lane_day_parts")
    with Store(db) as store:
        links = store.query("SELECT settlement_id, passage_date FROM settlements ORDER BY 1")
        counted = store.query("SELECT station_id, lane_id, business_date, passages, cash, "
                              "cash_vnd FROM lane_day_parts")
    assert links.rows() == [("S0", date(2026, 11, 1)), ("S7", None)]
    assert counted.rows() == [("S01", "L1", date(2026, 11, 1), 3, 2, 2000)]
