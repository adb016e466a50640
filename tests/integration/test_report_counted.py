"""The report's "Counted against recorded" and provider scorecard on a store
small enough to check by hand: every input row is below, every figure asserted
is worked out in the comments from them.

ST01 (operator OP1, "Công ty Một") has two lanes counted by a camera; ST02 has
no sensor. On 2026-11-01 (local):

    ST01 L01  08:00–09:00  12 passages   counted 42   (30 hidden: PASSAGES_HIDDEN)
              10:00–11:00   5 passages   counted 5
              12:xx         3 passages   no count (the sensor was down)
    ST01 L02  09:00–09:15   4 passages   counted 4
    ST02 L01  13:xx         2 passages   no sensor

ETC passages of 08:xx at ST01 L01: four of VETC's tag A (one unread), two of
EPASS's tag B (both weak, −75 dBm), one of EPASS's blocked tag C (TAG_NOT_ACTIVE)
and one of tag U, in no list (TAG_UNKNOWN), settled by VETC.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from etc.context import Period
from etc.ingest import ingest_paths
from etc.reports import Report
from etc.settings import Settings
from etc.store import Store
from reconcile.engine import reconcile
from reconcile.report import build_report

DAY = date(2026, 11, 1)
A, B, C, U = (f"E28011606000020000000{n}" for n in ("A01", "B02", "C03", "D04"))

STATIONS = """station_id,name,operator_id,account,lat,lon,operator_name
ST01,Trạm Một,OP1,ACC1,21.0,105.8,Công ty Một
ST02,Trạm Hai,OP1,ACC1,21.5,105.9,Công ty Một
"""
TARIFFS = """station_id,vehicle_class,amount_vnd,valid_from,valid_to
ST01,1,35000,2026-01-01,
ST02,1,35000,2026-01-01,
"""
PROVIDERS = """provider_id,name
VETC,Công ty VETC
EPASS,Công ty ePass
"""
TAGS = f"""tag_id,provider_id,account_id,plate,vehicle_class,status,valid_from,lot
{A},VETC,AC-A,51A11111,1,ACTIVE,2026-01-01T00:00:00,
{B},EPASS,AC-B,51B22222,1,ACTIVE,2026-01-01T00:00:00,
{C},EPASS,AC-C,51C33333,1,BLOCKED,2026-01-01T00:00:00,
"""
LANE_H = ("txn_id,station_id,lane_id,passed_at,payment_method,tag_id,read_count,rssi_dbm,"
          "plate,plate_confidence,avc_class,charged_class,amount_vnd,staff_id,override")


def _lane(txn: str, station: str, lane: str, at: str, method: str = "CASH", tag: str = "",
          reads: str = "", rssi: str = "") -> str:
    return f"{txn},{station},{lane},2026-11-01T{at},{method},{tag},{reads},{rssi},,,1,1,35000,,"


LANES = "\n".join([
    LANE_H,
    # ST01 L01, 08:xx: 8 ETC, 4 cash = 12 recorded
    _lane("A1", "ST01", "L01", "08:00:00", "ETC", A, "2", "-50"),
    _lane("A2", "ST01", "L01", "08:15:00", "ETC", A, "0", ""),      # unread
    _lane("A3", "ST01", "L01", "08:30:00", "ETC", A, "2", "-50"),
    _lane("A4", "ST01", "L01", "08:45:00", "ETC", A, "2", "-50"),
    _lane("B1", "ST01", "L01", "08:05:00", "ETC", B, "1", "-75"),   # weak
    _lane("B2", "ST01", "L01", "08:50:00", "ETC", B, "1", "-75"),   # weak
    _lane("C1", "ST01", "L01", "08:10:00", "ETC", C, "2", "-50"),   # blocked tag
    _lane("U1", "ST01", "L01", "08:55:00", "ETC", U, "2", "-50"),   # unknown tag
    *[_lane(f"K{i}", "ST01", "L01", f"08:{2 + 10 * i:02d}:00") for i in range(4)],
    *[_lane(f"M{i}", "ST01", "L01", f"10:{10 * i:02d}:00") for i in range(5)],
    *[_lane(f"N{i}", "ST01", "L01", f"12:{10 * i:02d}:00") for i in range(3)],
    *[_lane(f"P{i}", "ST01", "L02", f"09:0{1 + i}:00") for i in range(4)],
    *[_lane(f"Q{i}", "ST02", "L01", f"13:0{i}:00") for i in range(2)],
]) + "\n"
COUNTS = """station_id,lane_id,interval_start,interval_minutes,vehicle_class,vehicles,source
ST01,L01,2026-11-01T08:00:00,60,,42,CAM-1
ST01,L01,2026-11-01T10:00:00,60,,5,CAM-1
ST01,L02,2026-11-01T09:00:00,15,,4,CAM-1
"""
# first items: VETC after 2, 4, 6, 8 h (tag A) and 5 h (tag U); EPASS after 10 and 20 h
SETTLEMENTS = """settlement_id,provider_id,txn_id,station_id,amount_vnd,fee_vnd,settled_at,batch_id
S1,VETC,A1,ST01,35000,0,2026-11-01T10:00:00,BV
S2,VETC,A2,ST01,35000,0,2026-11-01T12:15:00,BV
S3,VETC,A3,ST01,35000,0,2026-11-01T14:30:00,BV
S4,VETC,A4,ST01,35000,0,2026-11-01T16:45:00,BV
S5,VETC,U1,ST01,35000,0,2026-11-01T13:55:00,BV
S6,EPASS,B1,ST01,35000,0,2026-11-01T18:05:00,BE
S7,EPASS,B2,ST01,35000,0,2026-11-02T04:50:00,BE
"""


@pytest.fixture(scope="module")
def report_and_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Report, Store]]:
    root = tmp_path_factory.mktemp("counted")
    files = []
    for name, text in (("stations.csv", STATIONS), ("tariffs.csv", TARIFFS),
                       ("providers.csv", PROVIDERS), ("tags.csv", TAGS), ("lanes.csv", LANES),
                       ("counts.csv", COUNTS), ("settlements.csv", SETTLEMENTS)):
        path = root / name
        path.write_text(text, encoding="utf-8")
        files.append(path)
    store = Store(root / "etc.duckdb")
    ingest_paths(store, files)
    run = reconcile(store, Period(DAY, DAY), Settings()).run_id
    yield build_report(store, run), store
    store.close()


def test_counted_against_recorded_per_station(report_and_store: tuple[Report, Store]) -> None:
    report = report_and_store[0]
    counted = report.counted
    found = report.findings.filter(code="PASSAGES_HIDDEN")
    # L01: 42 + 5 counted against 12 + 5 recorded: 30 more, at the class-1 tariff
    assert found.select("station_id", "lane_id", "amount_at_risk_vnd").rows() == [
        ("ST01", "L01", 30 * 35_000)]
    row = counted.stations.row(0, named=True)
    assert counted.stations.height == 1
    assert row == {
        "station_id": "ST01", "station_name": "Trạm Một", "operator_name": "Công ty Một",
        "lanes": 2, "lanes_counted": 2,
        "covered_hours": 2.25,                   # 60 + 60 + 15 minutes
        "coverage": 135 / (2 * 1440),            # of two lanes' whole day
        "counted": 42 + 5 + 4, "recorded": 12 + 5 + 4, "difference": 30,
        "difference_share": 30 / 21,
        "passages": 12 + 5 + 3 + 4,              # the 12:xx ones too
        "findings": 1, "amount_at_risk_vnd": 1_050_000,
    }
    assert counted.amount_at_risk_vnd == 1_050_000
    assert counted.uncovered.rows() == [("ST02", "Trạm Hai", "Công ty Một", 2)]


def test_the_hourly_series_of_the_lane_found(report_and_store: tuple[Report, Store]) -> None:
    hours = report_and_store[0].counted.hours
    assert hours.height == 24
    assert set(hours.select("station_id", "lane_id", "business_date").rows()) == {
        ("ST01", "L01", DAY)}
    shown = {r[0]: r[1:] for r in hours.select("hour", "counted", "recorded", "passages").rows()
             if r[3] or r[1] is not None}
    # 12:00 had passages but no count: no counted or recorded-in-interval figure
    assert shown == {8: (42, 12, 12), 10: (5, 5, 5), 12: (None, None, 3)}


def test_provider_scorecard(report_and_store: tuple[Report, Store]) -> None:
    card = report_and_store[0].scorecard
    rows = {r["provider_id"]: r for r in card.providers.iter_rows(named=True)}
    assert list(rows) == ["EPASS", "VETC"]
    vetc, epass = rows["VETC"], rows["EPASS"]
    assert vetc["provider_name"] == "Công ty VETC"
    # VETC: tag A's 4 passages, one unread; tag U (no list) settled by VETC
    assert (vetc["passages"], vetc["unread_or_weak"], vetc["unread_or_weak_share"]) == (4, 1, 0.25)
    assert (vetc["tag_unknown"], vetc["tag_unknown_per_10k"]) == (1, 2500.0)
    # latencies 2, 4, 5, 6, 8 h: median 5; p95 at 0.95 × 4 = 3.8 → 6 + 0.8 × 2
    assert vetc["settled"] == 5 and vetc["latency_median_h"] == pytest.approx(5.0)
    assert vetc["latency_p95_h"] == pytest.approx(7.6)
    # EPASS: B twice (weak) and C (blocked) — 3 passages, 2 weak, 1 not active
    assert (epass["passages"], epass["unread_or_weak"]) == (3, 2)
    assert (epass["tag_not_active"], epass["tag_not_active_per_10k"]) == (1, 10_000 / 3)
    # latencies 10 and 20 h: median 15; p95 10 + 0.95 × 10
    assert epass["latency_median_h"] == pytest.approx(15.0)
    assert epass["latency_p95_h"] == pytest.approx(19.5)
    # its money at risk: the blocked tag's passage (its missing item is pending, not due)
    assert (epass["findings"], epass["amount_at_risk_vnd"]) == (1, 35_000)
    assert (epass["late"], epass["duplicate"], epass["wrong_provider"]) == (0, 0, 0)
    assert card.days.select("provider_id", "business_date", "passages").rows() == [
        ("EPASS", DAY, 3), ("VETC", DAY, 4)]


def test_the_sections_are_read_from_the_runs_loads_only(
        report_and_store: tuple[Report, Store], tmp_path: Path) -> None:
    """Counts loaded after the run change nothing in its report."""
    store = report_and_store[1]
    late = tmp_path / "counts_late.csv"
    late.write_text(COUNTS.splitlines()[0] + "\nST01,L01,2026-11-01T12:00:00,60,,3,CAM-1\n",
                    encoding="utf-8")
    ingest_paths(store, [late])
    again = build_report(store, report_and_store[0].run.run_id)
    assert again.counted.stations.equals(report_and_store[0].counted.stations)


def test_the_trend_takes_each_dates_latest_run_up_to_the_reports_own(
        report_and_store: tuple[Report, Store]) -> None:
    """A later run of the day with weak_rssi_dbm −40 (every −50 read is weak now) gives
    VETC 4 of 4 unread or weak; the earlier run's report keeps its own 1 of 4."""
    first, store = report_and_store
    later = reconcile(store, Period(DAY, DAY),
                      Settings.model_validate({"tags": {"weak_rssi_dbm": -40.0}})).run_id
    assert later != first.run.run_id
    trend = {r[0]: r[1:] for r in build_report(store, later).scorecard.days.select(
        "provider_id", "passages", "unread_or_weak").rows()}
    assert trend == {"EPASS": (3, 3), "VETC": (4, 4)}
    again = build_report(store, first.run.run_id).scorecard.days
    assert again.select("provider_id", "passages", "unread_or_weak").rows() == [
        ("EPASS", 3, 2), ("VETC", 4, 1)]
