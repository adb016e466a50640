"""What the store keeps and reads for runs beyond the input tables: `batch_parts`
(settlement items summed per load, batch, provider and station, written with
the load), the latest instant the data speaks of, passages per date, and the
rows a run over a period reads (etc.context.Scope)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from conftest import write_csv
from rows import bank_row, counts_row, lanes_row, settlements_row, tags_row

from etc.context import BATCH_PART_SCHEMA, Period, Scope
from etc.errors import StoreError
from etc.ingest import ingest_file
from etc.localtime import start_of
from etc.store import Store

D0, D1, D2, D3 = (date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2),
                  date(2026, 11, 3))
TAG_A = "E28011606000020000000001"
TAG_B = "E28011606000020000000002"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def item(i: int, batch: str, provider: str, station: str, amount: int, fee: str,
         settled: str, txn_id: str | None = None) -> dict[str, str]:
    """A settlement item (times local, as in the files)."""
    return settlements_row(i, settlement_id=f"S{i}", batch_id=batch, provider_id=provider,
                           station_id=station, amount_vnd=str(amount), fee_vnd=fee,
                           settled_at=settled, **({"txn_id": txn_id} if txn_id else {}))


def passage(txn_id: str, passed_at: str, tag: str = TAG_A) -> dict[str, str]:
    return lanes_row(int(txn_id[1:]), txn_id=txn_id, passed_at=passed_at, tag_id=tag,
                     payment_method="ETC", read_count="1", rssi_dbm="-50")


PARTS = ("SELECT load_id, batch_id, provider_id, station_id, items, gross_vnd, fee_vnd, "
         "last_settled_at FROM batch_parts ORDER BY load_id, batch_id, provider_id, station_id")
ITEM_SUMS = ("SELECT batch_id, provider_id, station_id, count(*) AS items, "
             "sum(amount_vnd) AS gross_vnd, sum(coalesce(fee_vnd, 0)) AS fee_vnd, "
             "max(settled_at) AS last_settled_at FROM settlements "
             "GROUP BY ALL ORDER BY ALL")


def test_batch_parts_sum_each_loads_new_items(tmp_path: Path, store: Store) -> None:
    first = [item(1, "B1", "VETC", "ST01", 10_000, "100", "2026-11-01T20:00:00"),
             item(2, "B1", "VETC", "ST01", 20_000, "", "2026-11-01T21:00:00"),
             item(3, "B1", "VETC", "ST02", 5_000, "50", "2026-11-01T22:00:00"),
             item(4, "B2", "EPASS", "ST01", -3_000, "0", "2026-11-02T01:00:00"),  # a reversal
             item(5, "B2", "EPASS", "ST01", 9_000, "-5", "2026-11-02T02:00:00")]  # refused
    loaded = ingest_file(store, write_csv(tmp_path / "items1.csv", first))
    assert (loaded.rows_loaded, loaded.rows_quarantined) == (4, 1)
    again = [first[0],                                                          # present
             item(2, "B1", "VETC", "ST01", 99_000, "", "2026-11-01T21:00:00"),  # conflict
             item(6, "B1", "VETC", "ST01", 7_000, "70", "2026-11-02T09:00:00")]
    loaded = ingest_file(store, write_csv(tmp_path / "items2.csv", again))
    assert (loaded.rows_loaded, loaded.rows_present, loaded.rows_quarantined) == (1, 1, 1)
    assert store.query(PARTS).rows() == [
        (1, "B1", "VETC", "ST01", 2, 30_000, 100, utc("2026-11-01T14:00:00")),
        (1, "B1", "VETC", "ST02", 1, 5_000, 50, utc("2026-11-01T15:00:00")),
        (1, "B2", "EPASS", "ST01", 1, -3_000, 0, utc("2026-11-01T18:00:00")),
        (2, "B1", "VETC", "ST01", 1, 7_000, 70, utc("2026-11-02T02:00:00")),
    ]
    # summed over loads, the parts are the stored items' sums, as a scoped run reads them
    sums = store.query(ITEM_SUMS).cast(BATCH_PART_SCHEMA)  # type: ignore[arg-type]
    parts = store.inputs(Scope(Period(D1, D1), D1)).batch_parts
    assert parts is not None
    assert parts.collect().sort(pl.all()).equals(sums)
    assert sums.select("items", "gross_vnd").rows()[0] == (3, 37_000)  # B1 VETC ST01
    assert store.inputs().batch_parts is None  # unscoped: batches from every item


def test_a_failed_settlements_load_leaves_no_batch_parts(
        tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    ingest_file(store, write_csv(tmp_path / "items1.csv", [
        item(1, "B1", "VETC", "ST01", 10_000, "100", "2026-11-01T20:00:00")]))
    before = store.query(PARTS).rows()

    def broken(self: Store, *a: object, **k: object) -> None:
        raise StoreError("disk full", path="x")

    monkeypatch.setattr(Store, "_quarantine_conflicts", broken)  # after the parts are summed
    with pytest.raises(StoreError, match="disk full"):
        ingest_file(store, write_csv(tmp_path / "items2.csv", [
            item(2, "B1", "VETC", "ST01", 20_000, "0", "2026-11-01T21:00:00")]))
    monkeypatch.undo()
    assert store.query(PARTS).rows() == before
    assert store.query("SELECT settlement_id FROM settlements")["settlement_id"].to_list() == [
        "S1"]


def test_data_until_is_the_latest_instant_the_data_speaks_of(tmp_path: Path,
                                                            store: Store) -> None:
    assert store.data_until() is None
    ingest_file(store, write_csv(tmp_path / "lanes.csv", [
        passage("T1", "2026-11-01T08:00:00"), passage("T2", "2026-11-02T09:30:00")]))
    assert store.data_until() == utc("2026-11-02T02:30:00")
    # a booking of 1 Nov speaks until local midnight after it: before the last passage
    ingest_file(store, write_csv(tmp_path / "bank1.csv", [bank_row(1, booking_date="2026-11-01")]))
    assert store.data_until() == utc("2026-11-02T02:30:00")
    ingest_file(store, write_csv(tmp_path / "items.csv", [
        item(1, "B1", "VETC", "ST01", 10_000, "0", "2026-11-02T23:00:00")]))
    assert store.data_until() == utc("2026-11-02T16:00:00")
    ingest_file(store, write_csv(tmp_path / "bank2.csv", [bank_row(2, booking_date="2026-11-04")]))
    assert store.data_until() == start_of(date(2026, 11, 5)) == utc("2026-11-04T17:00:00")


def test_passage_dates_count_passages_per_local_business_date(tmp_path: Path,
                                                              store: Store) -> None:
    ingest_file(store, write_csv(tmp_path / "lanes.csv", [
        passage("T1", "2026-11-01T08:00:00"), passage("T2", "2026-11-01T23:30:00"),
        passage("T3", "2026-11-02T00:30:00"),  # 1 Nov 17:30 UTC: a passage of 2 Nov
        passage("T4", "2026-11-02T09:00:00")]))
    assert store.passage_dates(D0, D3) == {D1: 2, D2: 2}
    assert store.passage_dates(D2, D2) == {D2: 2}
    assert store.passage_dates(D3, date(2026, 11, 9)) == {}


def test_a_scoped_read_takes_only_what_the_period_needs(tmp_path: Path, store: Store) -> None:
    ingest_file(store, write_csv(tmp_path / "lanes.csv", [
        passage("T0", "2026-10-31T10:00:00"), passage("T1", "2026-11-01T10:00:00"),
        passage("T2", "2026-11-02T10:00:00"), passage("T3", "2026-11-03T10:00:00"),
        passage("T4", "2026-11-01T11:00:00", TAG_B)]))  # the day before, of a tag not seen on D2
    ingest_file(store, write_csv(tmp_path / "items.csv", [
        item(1, "B1", "VETC", "ST01", 1, "0", "2026-11-02T20:00:00", "T1"),  # a passage of D1
        item(2, "B1", "VETC", "ST01", 1, "0", "2026-11-05T20:00:00", "T2"),  # of D2, late
        item(3, "B1", "VETC", "ST01", 1, "0", "2026-11-02T20:00:00", "T3"),  # a passage of D3
        item(8, "B1", "VETC", "ST01", 1, "0", "2026-11-02T20:00:00", "NOPASS8"),  # settled D2
        item(9, "B1", "VETC", "ST01", 1, "0", "2026-11-03T20:00:00", "NOPASS9")]))  # D3
    ingest_file(store, write_csv(tmp_path / "tags.csv", [
        tags_row(1, tag_id=TAG_A, valid_from="2026-10-01T00:00:00"),  # replaced before D1
        tags_row(2, tag_id=TAG_A, valid_from="2026-10-31T00:00:00"),  # in force at D1's start
        tags_row(3, tag_id=TAG_A, valid_from="2026-11-02T12:00:00"),
        tags_row(4, tag_id=TAG_A, valid_from="2026-11-03T08:00:00"),  # after the period
        tags_row(5, tag_id=TAG_B, valid_from="2026-01-01T00:00:00")]))
    ingest_file(store, write_csv(tmp_path / "bank.csv", [bank_row(1), bank_row(2)]))
    scoped = store.inputs(Scope(Period(D2, D2), lanes_from=D1))
    assert sorted(scoped.lanes.collect()["txn_id"]) == ["T1", "T2"]  # not T0, T3, T4
    assert sorted(scoped.settlements.collect()["settlement_id"]) == ["S2", "S8"]
    assert sorted(map(str, scoped.tags.collect()["valid_from"])) == [
        "2025-12-31 17:00:00+00:00", "2026-10-30 17:00:00+00:00",
        "2026-11-02 05:00:00+00:00"]
    assert scoped.bank.collect().height == 2  # small tables whole
    everything = store.inputs()
    assert (everything.lanes.collect().height, everything.settlements.collect().height,
            everything.tags.collect().height) == (5, 5, 5)


def test_items_know_their_passage_whichever_loads_first(tmp_path: Path, store: Store) -> None:
    """`passage_date` links an item to the business date of its passage: at the
    item's load when the passage is in, else when the passage loads; an item of
    no loaded passage has none."""
    ingest_file(store, write_csv(tmp_path / "lanes1.csv", [passage("T1", "2026-11-01T10:00:00")]))
    ingest_file(store, write_csv(tmp_path / "items.csv", [
        item(1, "B1", "P1", "S01", 100, "", "2026-11-02T09:00:00", "T1"),
        item(2, "B1", "P1", "S01", 100, "", "2026-11-02T09:00:00", "T2"),
        item(3, "B1", "P1", "S01", 100, "", "2026-11-02T09:00:00", "T3")]))
    ingest_file(store, write_csv(tmp_path / "lanes2.csv", [
        passage("T2", "2026-10-31T23:30:00", TAG_B)]))
    links = store.query("SELECT settlement_id, passage_date FROM settlements ORDER BY 1")
    assert links.rows() == [("S1", D1), ("S2", D0), ("S3", None)]


def test_new_loads_reach_the_dates_their_rows_concern(tmp_path: Path, store: Store) -> None:
    """A late lanes file reaches the date its passages' items were settled on (they
    had no passage there until then); items reach their passage's date; counts
    their own date."""
    ingest_file(store, write_csv(tmp_path / "items.csv", [
        item(1, "B1", "P1", "S01", 100, "", "2026-11-03T09:00:00", "T1")]))
    before = {int(i) for i in store.loads()["load_id"]}
    ingest_file(store, write_csv(tmp_path / "lanes.csv", [passage("T1", "2026-11-01T10:00:00")]))
    lanes = store.loads_since(before)
    assert store.reaches(lanes, D3, lanes_reach=0, bank_window=0) == ["lanes"]
    assert store.reaches(lanes, D2, lanes_reach=0, bank_window=0) == []
    seen = {int(i) for i in store.loads()["load_id"]}
    ingest_file(store, write_csv(tmp_path / "items2.csv", [
        item(2, "B2", "P1", "S01", 100, "", "2026-11-03T09:00:00", "T1")]))
    items = store.loads_since(seen)
    assert store.reaches(items, D1, lanes_reach=0, bank_window=0) == ["settlements"]
    assert store.reaches(items, D2, lanes_reach=0, bank_window=0) == []
    seen = {int(i) for i in store.loads()["load_id"]}
    ingest_file(store, write_csv(tmp_path / "counts.csv", [counts_row(
        0, station_id="S01", lane_id="L1", interval_start="2026-11-02T08:00:00",
        interval_minutes="60", vehicles="10")]))
    counted = store.loads_since(seen)
    assert store.reaches(counted, D2, lanes_reach=0, bank_window=0) == ["counts"]
    assert store.reaches(counted, D1, lanes_reach=0, bank_window=0) == []
