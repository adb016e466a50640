"""Every way a row or a file is refused, one case each, input on the same screen.

A refused row is quarantined with its reason, its row number (CSV: line number,
header = 1) and a message naming the column and the offending value; the
file's other rows still load. A refused file raises an `EtcError` whose one
line names the file, the problem and a hint, and stores nothing at all.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from conftest import snapshot, write_parquet
from rows import lanes_row

from etc.errors import EtcError, ReadError, UnknownKindError
from etc.ingest import FileResult, ingest_file, ingest_paths
from etc.reasons import Reason
from etc.schemas import SCHEMAS, Kind
from etc.store import Store

LANES_H = "txn_id,station_id,lane_id,passed_at,payment_method,avc_class,charged_class,amount_vnd"
LANE_OK = "T1,S1,L1,2024-05-01T08:00:00,ETC,1,1,35000"


def load(store: Store, tmp_path: Path, text: str | bytes, name: str = "in.csv",
         kind: Kind | None = None) -> FileResult:
    path = tmp_path / name
    if isinstance(text, str):
        path.write_text(text, encoding="utf-8")
    else:
        path.write_bytes(text)
    return ingest_file(store, path, kind)


def keys(store: Store, kind: Kind) -> list[str]:
    """The stored rows' identifying column (entry_id for bank, else the first key)."""
    key = "entry_id" if kind == Kind.BANK else SCHEMAS[kind].key[0]
    return sorted(store.table(kind).select(pl.col(key).cast(pl.String)).collect().to_series())


# ---- one refused row per reason ----------------------------------------------
# (reason, kind, CSV text, line of the bad row, column, offending value, key of the good row)
ROW_CASES = [
    (Reason.MISSING_VALUE, Kind.LANES, f"""{LANES_H}
{LANE_OK}
T2,S1,,2024-05-01T08:01:00,ETC,1,1,35000
""", 3, "lane_id", None, "T1"),
    (Reason.BAD_TIMESTAMP, Kind.LANES, f"""{LANES_H}
{LANE_OK}
T2,S1,L1,01/05/2024 08:01,ETC,1,1,35000
""", 3, "passed_at", "01/05/2024 08:01", "T1"),
    (Reason.BAD_DATE, Kind.BANK, """entry_id,account,booking_date,amount_vnd,direction
E1,ACC1,2024-05-01,1000000,CRDT
E2,ACC1,2024-02-30,1000000,CRDT
""", 3, "booking_date", "2024-02-30", "E1"),
    (Reason.BAD_NUMBER, Kind.LANES, f"""{LANES_H},read_count
{LANE_OK},2
T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35000,three
""", 3, "read_count", "three", "T1"),
    (Reason.BAD_MONEY, Kind.LANES, f"""{LANES_H}
{LANE_OK}
T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35k
""", 3, "amount_vnd", "35k", "T1"),
    (Reason.NEGATIVE_MONEY, Kind.SETTLEMENTS,
     """settlement_id,provider_id,txn_id,station_id,amount_vnd,fee_vnd,settled_at,batch_id
X1,VETC,T1,S1,35000,350,2024-05-02T01:00:00+07:00,B1
X2,VETC,T2,S1,35000,-350,2024-05-02T01:00:00+07:00,B1
""", 3, "fee_vnd", "-350", "X1"),
    (Reason.FRACTIONAL_MONEY, Kind.BANK, """entry_id,account,booking_date,amount_vnd,direction
E1,ACC1,2024-05-01,1250000.00,CRDT
E2,ACC1,2024-05-01,1250000.50,CRDT
""", 3, "amount_vnd", "1250000.50", "E1"),
    (Reason.CLASS_OUT_OF_RANGE, Kind.LANES, f"""{LANES_H}
{LANE_OK}
T2,S1,L1,2024-05-01T08:01:00,ETC,7,1,35000
""", 3, "avc_class", "7", "T1"),
    (Reason.OUT_OF_RANGE, Kind.LANES, f"""{LANES_H},plate_confidence
{LANE_OK},0.9
T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35000,1.2
""", 3, "plate_confidence", "1.2", "T1"),
    (Reason.UNKNOWN_PAYMENT_METHOD, Kind.LANES, f"""{LANES_H}
{LANE_OK}
T2,S1,L1,2024-05-01T08:01:00,CARD,1,1,35000
""", 3, "payment_method", "CARD", "T1"),
    (Reason.UNKNOWN_STATUS, Kind.TAGS,
     """tag_id,provider_id,account_id,plate,vehicle_class,status,valid_from
E28011606000020000000001,VETC,A1,51H-123.45,1,ACTIVE,2024-05-01T00:00:00
E28011606000020000000002,VETC,A2,51H-123.46,1,STOLEN,2024-05-01T00:00:00
""", 3, "status", "STOLEN", "E28011606000020000000001"),
    (Reason.UNKNOWN_DIRECTION, Kind.BANK, """entry_id,account,booking_date,amount_vnd,direction
E1,ACC1,2024-05-01,1000000,CRDT
E2,ACC1,2024-05-01,1000000,CREDIT
""", 3, "direction", "CREDIT", "E1"),
    (Reason.UNKNOWN_OVERRIDE, Kind.LANES, f"""{LANES_H},override
{LANE_OK},
T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35000,REFUND
""", 3, "override", "REFUND", "T1"),
    (Reason.BAD_DATE_RANGE, Kind.TARIFFS,
     """station_id,vehicle_class,amount_vnd,valid_from,valid_to
S1,1,35000,2024-01-01,
S2,1,35000,2024-06-01,2024-01-01
""", 3, "valid_to", "2024-01-01", "S1"),
]


@pytest.mark.parametrize(("reason", "kind", "text", "line", "column", "value", "good"),
                         ROW_CASES, ids=[c[0].value for c in ROW_CASES])
def test_a_bad_cell_quarantines_its_row(store: Store, tmp_path: Path, reason: Reason,
                                        kind: Kind, text: str, line: int, column: str,
                                        value: str | None, good: str) -> None:
    res = load(store, tmp_path, text)

    assert (res.status, res.kind) == ("loaded", kind.value)
    assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (2, 1, 1)
    [q] = store.quarantine().to_dicts()
    assert (q["row"], q["reason"], q["kind"]) == (line, reason.value, kind.value)
    assert column in q["message"]
    if value is not None:
        assert value in q["message"]
        assert value in q["raw"]
    assert keys(store, kind) == [good]


def test_missing_value_message_says_the_column_is_empty(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, f"{LANES_H}\n{LANE_OK}\nT2,S1,  ,2024-05-01T08:01:00,ETC,1,1,35000\n")
    [q] = store.quarantine().to_dicts()
    assert (q["reason"], q["message"]) == ("MISSING_VALUE", "required column 'lane_id' is empty")


def test_currency_other_than_vnd(store: Store, tmp_path: Path) -> None:
    res = load(store, tmp_path, """entry_id,account,booking_date,amount_vnd,direction,currency
E1,ACC1,2024-05-01,1000000,CRDT,VND
E2,ACC1,2024-05-01,100,CRDT,USD
E3,ACC1,2024-05-01,2000000,CRDT,
""")
    assert (res.rows_loaded, res.rows_quarantined) == (2, 1)
    [q] = store.quarantine().to_dicts()
    assert (q["row"], q["reason"]) == (3, "CURRENCY_NOT_VND")
    assert "currency" in q["message"] and "USD" in q["message"]
    assert keys(store, Kind.BANK) == ["E1", "E3"]
    assert store.table(Kind.BANK).collect()["extra"].to_list() == [None, None]


def test_a_line_with_a_wrong_field_count_is_malformed(store: Store, tmp_path: Path) -> None:
    res = load(store, tmp_path, f"""{LANES_H}
{LANE_OK}
T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35000,surplus
T3,S1,L1,2024-05-01T08:02:00,ETC,1
T4,S1,L1,2024-05-01T08:03:00,ETC,1,1,35000
""")
    assert (res.rows_read, res.rows_loaded, res.rows_quarantined) == (4, 2, 2)
    q = store.quarantine().to_dicts()
    assert [(r["row"], r["reason"]) for r in q] == [(3, "MALFORMED_LINE"), (4, "MALFORMED_LINE")]
    assert q[0]["raw"] == "T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35000,surplus"
    assert q[0]["message"] == "the line has 9 fields, the header has 8"
    assert q[1]["message"] == "the line has 6 fields, the header has 8"
    assert keys(store, Kind.LANES) == ["T1", "T4"]
    assert store.table(Kind.LANES).collect()["source_row"].to_list() == [2, 5]


def test_same_key_other_content_in_one_file_is_a_conflict(store: Store, tmp_path: Path) -> None:
    res = load(store, tmp_path, f"""{LANES_H}
{LANE_OK}
{LANE_OK}
T1,S1,L1,2024-05-01T08:00:00,ETC,1,1,40000
""")
    assert (res.rows_read, res.rows_loaded, res.rows_present, res.rows_quarantined) == (3, 1, 1, 1)
    [q] = store.quarantine().to_dicts()
    assert (q["row"], q["reason"]) == (4, "DUPLICATE_CONFLICT")
    assert "txn_id=T1" in q["message"] and "row 2" in q["message"]
    assert "amount_vnd 40000 here, 35000 before" in q["message"]
    assert store.table(Kind.LANES).select("amount_vnd").collect().item() == 35000


def test_same_key_other_content_across_files_is_a_conflict(store: Store,
                                                            tmp_path: Path) -> None:
    first = load(store, tmp_path, f"{LANES_H}\n{LANE_OK}\n", name="a.csv")
    res = load(store, tmp_path, f"""{LANES_H}
T1,S1,L2,2024-05-01T08:00:00,ETC,1,1,35000
T2,S1,L1,2024-05-01T08:05:00,ETC,1,1,35000
""", name="b.csv")
    assert (res.rows_loaded, res.rows_present, res.rows_quarantined) == (1, 0, 1)
    [q] = store.quarantine().to_dicts()
    assert (q["file"], q["row"], q["reason"]) == (str(tmp_path / "b.csv"), 2, "DUPLICATE_CONFLICT")
    assert f"load {first.load_id}, row 2" in q["message"]
    assert "lane_id L2 here, L1 before" in q["message"]
    assert keys(store, Kind.LANES) == ["T1", "T2"]


def test_every_reason_of_the_csv_path_has_a_case() -> None:
    covered = {c[0] for c in ROW_CASES} | {Reason.CURRENCY_NOT_VND, Reason.MALFORMED_LINE,
                                            Reason.DUPLICATE_CONFLICT}
    assert set(Reason) - covered == {Reason.NOT_BOOKED}  # bank statement formats only


# ---- refusals that are bugs today ------------------------------------------
def test_a_plate_of_only_separators_is_missing(store: Store, tmp_path: Path) -> None:
    head = "plate,reason,valid_from,valid_to\n"
    load(store, tmp_path, head + "-,army,2024-01-01,\n", name="a.csv")
    load(store, tmp_path, head + "-,army,2024-01-01,\n51A-000.01,police,2024-01-01,\n",
         name="b.csv")
    assert store.table(Kind.EXEMPTIONS).collect().height == 1
    assert store.quarantine()["reason"].to_list() == ["MISSING_VALUE", "MISSING_VALUE"]


def test_an_ambiguous_local_time_does_not_stop_the_file(store: Store, tmp_path: Path) -> None:
    try:
        res = load(store, tmp_path, f"{LANES_H}\n{LANE_OK}\n"
                   "T2,S1,L1,1975-06-12T23:30:00,ETC,1,1,35000\n")
    except pl.exceptions.PolarsError as exc:
        raise AssertionError(f"the file crashed: {exc}") from None
    assert (res.rows_read, res.rows_loaded + res.rows_quarantined) == (2, 2)


def test_a_fraction_in_other_digits_is_refused(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, f"{LANES_H}\nT1,S1,L1,2024-05-01T08:00:00,ETC,1,1,12.٥\n")
    assert store.quarantine()["reason"].to_list() in (["BAD_MONEY"], ["FRACTIONAL_MONEY"])


@pytest.mark.parametrize(("column", "cell"), [("passed_at", "2024-5-1T8:00:00"),
                                              ("passed_at", "+2024-05-01T08:00:00")])
def test_a_timestamp_that_is_not_iso_8601_is_refused(store: Store, tmp_path: Path,
                                                     column: str, cell: str) -> None:
    load(store, tmp_path, f"{LANES_H}\n{LANE_OK.replace('2024-05-01T08:00:00', cell)}\n")
    assert store.quarantine()["reason"].to_list() == ["BAD_TIMESTAMP"]


def test_a_leap_second_is_refused(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, f"{LANES_H}\n{LANE_OK.replace('08:00:00', '23:59:60')}\n")
    assert store.quarantine()["reason"].to_list() == ["BAD_TIMESTAMP"]


def test_a_date_that_is_not_yyyy_mm_dd_is_refused(store: Store, tmp_path: Path) -> None:
    load(store, tmp_path, "entry_id,account,booking_date,amount_vnd,direction\n"
                          "E1,ACC1,2024-5-1,1000000,CRDT\n")
    assert store.quarantine()["reason"].to_list() == ["BAD_DATE"]


# ---- whole files refused -----------------------------------------------------
def refuse(store: Store, tmp_path: Path, content: str | bytes, name: str,
           kind: Kind | None = None, error: type[EtcError] = ReadError) -> str:
    """Load a good file, then the refused one: return its one-line message after
    checking that nothing of it was stored."""
    load(store, tmp_path, f"{LANES_H}\n{LANE_OK}\n", name="good-before.csv")
    before = snapshot(store)
    with pytest.raises(error) as info:
        load(store, tmp_path, content, name=name, kind=kind)
    assert snapshot(store) == before
    line = str(info.value)
    assert "\n" not in line and line == info.value.one_line()
    assert line.startswith(str(tmp_path / name) + ":")
    assert " — hint: " in line or name == "nope.csv"
    return line


def test_a_missing_required_column_is_named_with_a_near_miss(store: Store,
                                                             tmp_path: Path) -> None:
    text = LANES_H.replace("amount_vnd", "amount") + "\nT1,S1,L1,2024-05-01T08:00:00,ETC,1,1,5\n"
    line = refuse(store, tmp_path, text, "lanes.csv", kind=Kind.LANES)
    assert line.endswith("required column 'amount_vnd' is missing — hint: did you mean 'amount'?")


def test_a_missing_required_column_without_a_near_miss_lists_them(store: Store,
                                                                  tmp_path: Path) -> None:
    line = refuse(store, tmp_path, "code,note\nT1,S1\n", "lanes.csv", kind=Kind.LANES)
    assert line.endswith("required column 'txn_id' is missing — hint: a lanes file needs the "
                         "columns txn_id, station_id, lane_id, passed_at, payment_method, "
                         "avc_class, charged_class, amount_vnd")


def test_the_near_miss_hint_does_not_propose_a_canonical_column(store: Store,
                                                                tmp_path: Path) -> None:
    line = refuse(store, tmp_path, "txn_id,station_id\nT1,S1\n", "lanes.csv", kind=Kind.LANES)
    assert "required column 'lane_id' is missing" in line
    assert "did you mean 'txn_id'" not in line


def test_a_file_that_is_not_utf8_in_its_body(store: Store, tmp_path: Path) -> None:
    text = (f"{LANES_H}\n{LANE_OK}\n".encode() +
            "T2,Trâm Đư,L1,2024-05-01T08:01:00,ETC,1,1,35000\n".encode("cp1258"))
    line = refuse(store, tmp_path, text, "cp1258.csv")
    assert line == f"{tmp_path / 'cp1258.csv'}:3: not UTF-8 — hint: save the file as UTF-8"


def test_a_file_that_is_not_utf8_in_its_header(store: Store, tmp_path: Path) -> None:
    line = refuse(store, tmp_path, "txn_id,trâm\nT1,S1\n".encode("cp1258"), "h.csv")
    assert ":1: not UTF-8 (byte" in line and "save the file as UTF-8" in line


def test_a_truncated_parquet_file(store: Store, tmp_path: Path) -> None:
    whole = write_parquet(tmp_path / "whole.parquet", [lanes_row(i) for i in range(50)])
    data = whole.read_bytes()
    line = refuse(store, tmp_path, data[: len(data) // 2], "cut.parquet")
    assert "not a readable Parquet file" in line and "truncated" in line


@pytest.mark.parametrize("name", ["empty.csv", "empty.parquet"])
def test_an_empty_file(store: Store, tmp_path: Path, name: str) -> None:
    line = refuse(store, tmp_path, b"", name)
    assert "empty" in line or "not a readable Parquet file" in line


def test_a_file_of_blank_lines_is_empty(store: Store, tmp_path: Path) -> None:
    line = refuse(store, tmp_path, "\n\n", "blank.csv")
    assert "the file is empty (no header row)" in line


def test_a_header_that_repeats_a_column(store: Store, tmp_path: Path) -> None:
    line = refuse(store, tmp_path, f"{LANES_H},Amount_VND\n{LANE_OK},35000\n", "dup.csv")
    assert "the header repeats column 'amount_vnd'" in line
    assert "case-insensitive" in line


def test_a_parquet_file_that_repeats_a_column(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "made.parquet"
    pl.DataFrame({"txn_id": ["T1"], "TXN_ID": ["T2"]}).write_parquet(path)
    line = refuse(store, tmp_path, path.read_bytes(), "dup.parquet")
    assert "repeats column 'txn_id'" in line


def test_a_file_of_no_known_kind(store: Store, tmp_path: Path) -> None:
    line = refuse(store, tmp_path, "plate_no,owner\n51H-123.45,Nguyen\n", "what.csv",
                  error=UnknownKindError)
    assert "cannot tell which kind of file this is from its columns (plate_no, owner)" in line
    assert "or pass --kind" in line


def test_a_file_that_does_not_exist(store: Store, tmp_path: Path) -> None:
    before = snapshot(store)
    with pytest.raises(ReadError, match="no such file"):
        ingest_file(store, tmp_path / "nope.csv")
    assert snapshot(store) == before


def test_a_folder_loads_the_good_file_and_reports_the_bad_one(store: Store,
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a-bad.csv").write_text("plate_no,owner\n51H-123.45,Nguyen\n")
    (folder / "b-good.csv").write_text(f"{LANES_H}\n{LANE_OK}\n")
    (folder / ".hidden.csv").write_text("junk")

    results = ingest_paths(store, [folder])

    assert [(Path(r.file).name, r.status) for r in results] == [
        ("a-bad.csv", "refused"), ("b-good.csv", "loaded")]
    assert results[0].error is not None and "cannot tell which kind" in results[0].error
    assert results[0].error.startswith(str(folder / "a-bad.csv") + ": ")
    assert results[1].rows_loaded == 1
    assert store.loads()["file"].to_list() == [str(folder / "b-good.csv")]
    assert store.quarantine().is_empty()
    assert keys(store, Kind.LANES) == ["T1"]


def test_a_negative_settlement_item_is_a_reversal_not_a_refusal(store: Store,
                                                                tmp_path: Path) -> None:
    """formats.md bounds fee_vnd (≥ 0) but not a settlement's amount_vnd."""
    res = load(store, tmp_path,
               "settlement_id,provider_id,txn_id,station_id,amount_vnd,settled_at,batch_id\n"
               "X1,VETC,T1,S1,35000,2024-05-02T01:00:00+07:00,B1\n"
               "X2,VETC,T1,S1,-35000,2024-05-02T02:00:00+07:00,B1\n")
    assert (res.rows_loaded, res.rows_quarantined) == (2, 0)
    amounts = store.table("settlements").select("amount_vnd").collect()["amount_vnd"]
    assert sorted(amounts.to_list()) == [-35000, 35000]


def test_a_currency_column_is_checked_on_any_kind_with_money(store: Store,
                                                             tmp_path: Path) -> None:
    res = load(store, tmp_path,
               "settlement_id,provider_id,txn_id,station_id,amount_vnd,settled_at,batch_id,"
               "currency\n"
               "X1,VETC,T1,S1,35000,2024-05-02T01:00:00+07:00,B1,VND\n"
               "X2,VETC,T2,S1,35,2024-05-02T01:00:00+07:00,B1,USD\n")
    assert (res.rows_loaded, res.rows_quarantined) == (1, 1)
    q = store.quarantine().select("row", "reason", "message").rows()
    assert q == [(3, "CURRENCY_NOT_VND", "currency 'USD' is not VND (amount 35)")]
    extra = store.table("settlements").select("extra").collect()["extra"].to_list()
    assert extra == [None]  # the currency column is read, not kept aside


@pytest.mark.parametrize("amounts", [
    pl.Series([True, False]),                # a flag is not an amount
    pl.Series([2.0**60, -(2.0**54)]),        # floats this large skip whole numbers
], ids=["boolean", "huge-float"])
def test_money_that_is_not_a_number_in_parquet_is_refused(store: Store, tmp_path: Path,
                                                          amounts: pl.Series) -> None:
    path = tmp_path / "lanes.parquet"
    row = dict(txn_id="T1", station_id="S1", lane_id="L1", passed_at="2024-05-01T08:00:00",
               payment_method="ETC", avc_class="1", charged_class="1")
    frame = pl.DataFrame([row, {**row, "txn_id": "T2"}]).with_columns(amount_vnd=amounts)
    frame.write_parquet(path)
    res = ingest_file(store, path)
    assert (res.rows_loaded, res.rows_quarantined) == (0, 2)
    assert store.quarantine()["reason"].to_list() == ["BAD_MONEY", "BAD_MONEY"]


def test_a_reserved_column_name_refuses_the_file(store: Store, tmp_path: Path) -> None:
    before = snapshot(store)
    with pytest.raises(ReadError, match="column '__etc_row' uses the reserved prefix"):
        load(store, tmp_path, "station_id,name,operator_id,account,lat,lon,__ETC_ROW\n"
                              "S1,N,OP,ACC,10,106,7\n")
    assert snapshot(store) == before


def test_nested_parquet_columns_are_kept_as_json(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "stations.parquet"
    pl.DataFrame({"station_id": ["S1"], "name": ["N"], "operator_id": ["OP"],
                  "account": ["ACC"], "lat": [10.5], "lon": [106.7],
                  "gates": [[1, 2]], "meta": [{"km": 12, "road": "CT01"}]}).write_parquet(path)
    res = ingest_file(store, path)
    assert (res.rows_loaded, res.rows_quarantined) == (1, 0)
    extra = store.table("stations").select("extra").collect().item()
    assert extra == '{"gates":"[1,2]","meta":"{\\"km\\":12,\\"road\\":\\"CT01\\"}"}'


def test_a_csv_named_txt_is_not_taken_for_mt940(store: Store, tmp_path: Path) -> None:
    """A time like 19:20:43 holds ':20:', the MT940 statement tag."""
    res = load(store, tmp_path, f"{LANES_H}\nT1,S1,L1,2024-05-01T19:20:43,ETC,1,1,35000\n",
               name="lanes.txt")
    assert (res.format, res.rows_loaded) == ("csv", 1)


def test_columns_that_fit_two_kinds_need_kind(store: Store, tmp_path: Path) -> None:
    text = ("plate,reason,valid_from,station_id,vehicle_class,amount_vnd\n"
            "51H-123.45,ARMY,2024-01-01,S1,1,35000\n")
    with pytest.raises(UnknownKindError, match="fit more than one kind"):
        load(store, tmp_path, text)
    assert load(store, tmp_path, text, name="t.csv", kind=Kind.TARIFFS).rows_loaded == 1
