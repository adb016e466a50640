"""Loading `counts` (and `providers`): formats.md's keys, empty key columns,
overlapping intervals refused as OUT_OF_RANGE, re-sends present, CSV and
Parquet alike. Inputs on the same screen as what the store must hold."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from conftest import write_parquet

from etc.ingest import FileResult, ingest_file
from etc.schemas import Kind
from etc.store import Store

H = "station_id,lane_id,interval_start,interval_minutes,vehicle_class,vehicles,source"


def load(store: Store, tmp_path: Path, text: str, name: str = "counts.csv") -> FileResult:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ingest_file(store, path)


def accounting(r: FileResult) -> tuple[int, int, int, int]:
    return r.rows_read, r.rows_loaded, r.rows_present, r.rows_quarantined


def quarantined(store: Store) -> list[tuple[int, str, str]]:
    return [(r["row"], r["reason"], r["message"]) for r in store.quarantine().to_dicts()]


def test_a_counts_file_is_recognised_and_stored_typed(store: Store, tmp_path: Path) -> None:
    r = load(store, tmp_path, f"""{H}
ST01,L01,2026-11-01T00:00:00,15,,42,CAM-1
ST01,L01,2026-11-01T00:15:00,15,1,30,CAM-1
ST01,L01,2026-11-01T00:15:00,15,2,5,CAM-1
""")
    assert r.kind == "counts" and accounting(r) == (3, 3, 0, 0)
    df = store.table(Kind.COUNTS).sort("source_row").collect()
    assert df["vehicle_class"].to_list() == [None, 1, 2]
    assert df["vehicles"].to_list() == [42, 30, 5]
    # local 00:00 on 1 November is 17:00 UTC on 31 October; the business date is local
    assert str(df["interval_start"][0]) == "2026-10-31 17:00:00+00:00"
    assert df["business_date"].to_list() == [date(2026, 11, 1)] * 3


@pytest.mark.parametrize(("cell", "column", "reason"), [
    ("0", "interval_minutes", "OUT_OF_RANGE"),
    ("1441", "interval_minutes", "OUT_OF_RANGE"),
    ("-1", "vehicles", "OUT_OF_RANGE"),
])
def test_numbers_outside_their_range_are_refused(store: Store, tmp_path: Path, cell: str,
                                                 column: str, reason: str) -> None:
    row = {"interval_minutes": "15", "vehicles": "10"} | {column: cell}
    r = load(store, tmp_path, f"""{H}
ST01,L01,2026-11-01T08:00:00,15,,10,CAM-1
ST01,L02,2026-11-01T08:00:00,{row['interval_minutes']},,{row['vehicles']},CAM-1
""")
    assert accounting(r) == (2, 1, 0, 1)
    [(line, got, message)] = quarantined(store)
    assert (line, got) == (3, reason) and f"{column} '{cell}'" in message


def test_a_class_outside_1_to_5_is_refused(store: Store, tmp_path: Path) -> None:
    r = load(store, tmp_path, f"{H}\nST01,L01,2026-11-01T08:00:00,15,6,10,CAM-1\n")
    assert accounting(r) == (1, 0, 0, 1)
    assert quarantined(store)[0][1] == "CLASS_OUT_OF_RANGE"


def test_overlapping_intervals_of_one_source_are_refused(store: Store, tmp_path: Path) -> None:
    """08:00+60 and 08:30+15 overlap for CAM-1; the later one goes. Another
    source, another lane, or the same start (per class) is no overlap."""
    r = load(store, tmp_path, f"""{H}
ST01,L01,2026-11-01T08:30:00,15,,9,CAM-1
ST01,L01,2026-11-01T08:00:00,60,,40,CAM-1
ST01,L01,2026-11-01T08:30:00,15,,9,LOOP-1
ST01,L02,2026-11-01T08:30:00,15,,9,CAM-1
ST01,L01,2026-11-01T09:00:00,15,1,7,CAM-1
ST01,L01,2026-11-01T09:00:00,15,2,1,CAM-1
""")
    assert accounting(r) == (6, 5, 0, 1)
    [(line, reason, message)] = quarantined(store)
    assert (line, reason) == (2, "OUT_OF_RANGE")
    assert message == ("interval_start '2026-11-01 08:30' + 15 minutes overlaps another "
                       "interval of station ST01, lane L01, source CAM-1 (one ending at "
                       "2026-11-01 09:00): its vehicles would be counted twice")


def test_an_interval_overlapping_a_loaded_one_is_refused_even_if_it_starts_earlier(
        store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, f"{H}\nST01,L01,2026-11-01T08:15:00,15,,9,\n", "a.csv")
    r = load(store, tmp_path, f"""{H}
ST01,L01,2026-11-01T08:00:00,30,,20,
ST01,L01,2026-11-01T07:45:00,15,,8,
ST01,L01,2026-11-01T08:30:00,15,,8,
""", "b.csv")
    assert accounting(r) == (3, 2, 0, 1)
    [(line, reason, message)] = quarantined(store)
    assert (line, reason) == (2, "OUT_OF_RANGE")
    assert "source (empty) (a loaded one starting at 2026-11-01 08:15)" in message


def test_an_interval_overlapping_a_loaded_one_across_midnight(store: Store,
                                                              tmp_path: Path) -> None:
    load(store, tmp_path, f"{H}\nST01,L01,2026-11-01T23:00:00,120,,9,CAM\n", "a.csv")
    r = load(store, tmp_path, f"{H}\nST01,L01,2026-11-02T00:30:00,15,,9,CAM\n", "b.csv")
    assert accounting(r) == (1, 0, 0, 1)


def test_a_resend_is_present_even_with_empty_class_and_source(store: Store,
                                                              tmp_path: Path) -> None:
    text = f"""{H}
ST01,L01,2026-11-01T08:00:00,15,,20,
ST01,L01,2026-11-01T08:15:00,15,,21,
"""
    load(store, tmp_path, text, "a.csv")
    again = load(store, tmp_path, text + "ST01,L01,2026-11-01T08:30:00,15,,22,\n", "b.csv")
    assert accounting(again) == (3, 1, 2, 0)
    changed = load(store, tmp_path, f"{H}\nST01,L01,2026-11-01T08:00:00,15,,25,\n", "c.csv")
    assert accounting(changed) == (1, 0, 0, 1)
    [(_, reason, message)] = quarantined(store)
    assert reason == "DUPLICATE_CONFLICT" and "vehicles 25 here, 20 before" in message
    assert store.table(Kind.COUNTS).collect().height == 3


def test_parquet_loads_the_same_rows(store: Store, tmp_path: Path) -> None:
    rows = [dict(station_id="ST01", lane_id="L01", interval_start="2026-11-01T08:00:00",
                 interval_minutes="15", vehicle_class="", vehicles="20", source="CAM-1"),
            dict(station_id="ST01", lane_id="L01", interval_start="2026-11-01T08:10:00",
                 interval_minutes="15", vehicle_class="", vehicles="20", source="CAM-1")]
    r = ingest_file(store, write_parquet(tmp_path / "c.parquet", rows, Kind.COUNTS, typed=True))
    assert r.kind == "counts" and r.format == "parquet" and accounting(r) == (2, 1, 0, 1)


def test_providers_and_operator_names_load(store: Store, tmp_path: Path) -> None:
    p = load(store, tmp_path, "provider_id,name\nVETC,VETC Automatic Toll Collection\n"
             "EPASS,ePass\n", "providers.csv")
    assert p.kind == "providers" and accounting(p) == (2, 2, 0, 0)
    s = load(store, tmp_path, "station_id,name,operator_id,account,lat,lon,operator_name\n"
             "ST01,Trạm An Sương,OP1,ACC1,10.8,106.6,Công ty BOT Một\n", "stations.csv")
    assert s.kind == "stations"
    assert store.inputs().stations.collect()["operator_name"].to_list() == ["Công ty BOT Một"]
    assert sorted(store.inputs().providers.collect()["provider_id"]) == ["EPASS", "VETC"]


def test_no_counts_loaded_means_an_empty_frame(store: Store) -> None:
    counts = store.inputs().counts.collect()
    assert counts.is_empty() and "business_date" in counts.columns
    assert counts.schema["vehicles"] == pl.Int64
