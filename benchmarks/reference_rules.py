"""The TAG and FRAUD rules of findings.md as DuckDB SQL, beside the MONEY ones of
tests/reference_sql.py: together, all 24 rules as one independent SQL formulation
(for benchmarks/reconcile.py and for checking a generated sample's truth).

Readings (the agreed ones of the preamble and tests/unit/test_generate_oracle.py):
unread = read_count 0, weak = rssi_dbm strictly below the threshold; a lane is
compared with the median share of the OTHER lanes of its station that had ETC
passages that day; a staff member with the median of all staff of the station
with overrides that day; PLATE_MULTI_TAG looks at the tag rows valid before the
end of the business date; DOUBLE_CHARGE and TAG_CLONE compare an ETC passage with
the previous ETC passage of the same tag.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from reference_sql import (
    OUT_COLUMNS,
    PASSAGE_KEYS,
    local_date,
    money_selects,
    run,
    select,
    statements,
)

from etc.context import Period
from etc.settings import Settings

ETC = "p.payment_method = 'ETC'"
NOT_FREE = "coalesce({0}.override NOT IN ('VOID', 'FREE_PASS'), true)"


def tag_fraud_steps(period: Period, s: Settings) -> list[tuple[str, str]]:
    """`_days` (the period's dates) and `_seq` (ETC passages with a tag id, each with
    the previous passage of the same tag and both stations' coordinates)."""
    return [
        ("_days", f"""
        SELECT CAST(range AS DATE) AS d FROM range(DATE '{period.first.isoformat()}',
            DATE '{period.last.isoformat()}' + 1, INTERVAL 1 DAY)"""),
        ("_seq", f"""
        SELECT q.*, a.lat, a.lon, b.lat AS lat_p, b.lon AS lon_p FROM (
            SELECT p.txn_id, p.station_id, p.lane_id, p.tag_id, p.plate, p.staff_id,
                   p.business_date, p.passed_at, p.amount_vnd, {NOT_FREE.format('p')} AS paid,
                   lag(p.station_id) OVER w AS station_p, lag(p.passed_at) OVER w AS at_p,
                   lag({NOT_FREE.format('p')}) OVER w AS paid_p
            FROM _p p WHERE {ETC} AND p.tag_id IS NOT NULL
            WINDOW w AS (PARTITION BY p.tag_id ORDER BY p.passed_at, p.txn_id)) q
        LEFT JOIN stations a ON a.station_id = q.station_id
        LEFT JOIN stations b ON b.station_id = q.station_p
        WHERE q.at_p IS NOT NULL"""),
    ]


def _km() -> str:
    """Haversine distance (km) between (lat_p, lon_p) and (lat, lon)."""
    h = ("pow(sin(radians(lat - lat_p) / 2), 2) + cos(radians(lat)) * cos(radians(lat_p))"
         " * pow(sin(radians(lon - lon_p) / 2), 2)")
    return f"(2 * 6371.0088 * asin(sqrt({h})))"


def tag_selects(s: Settings) -> dict[str, str]:
    t = s.tags
    pk = {k: f"p.{v}" for k, v in PASSAGE_KEYS.items()}
    known = f"FROM _p p WHERE {ETC} AND p.tag_status IS NOT NULL AND "
    bad = f"(p.read_count = 0 OR p.rssi_dbm < {t.weak_rssi_dbm})"
    latest = (f"SELECT tg.tag_id, d.d, arg_max(tg.status, tg.valid_from) AS status, "
              f"arg_max(tg.plate, tg.valid_from) AS plate FROM tags tg JOIN _days d "
              f"ON {local_date('tg.valid_from')} <= d.d GROUP BY tg.tag_id, d.d")
    share = ("SELECT p.business_date AS d, p.station_id, p.lane_id, "
             "avg(CAST(p.read_count = 0 AS INTEGER)) AS s "
             f"FROM _p p WHERE {ETC} AND p.business_date IN (SELECT d FROM _days) "
             "GROUP BY ALL")
    return {
        "TAG_UNKNOWN": select("TAG_UNKNOWN", "p.business_date", "p.amount_vnd",
                              f"FROM _p p WHERE {ETC} AND p.tag_ok AND p.tag_status IS NULL",
                              **pk),
        "TAG_MALFORMED": select("TAG_MALFORMED", "p.business_date", "0",
                                f"FROM _p p WHERE {ETC} AND NOT p.tag_ok", **pk),
        "TAG_NOT_ACTIVE": select(
            "TAG_NOT_ACTIVE", "p.business_date", "p.amount_vnd",
            known + "p.tag_status IN ('BLOCKED', 'LOST', 'EXPIRED') "
            "AND coalesce(p.override <> 'VOID', true)", **pk, provider_id="p.tag_provider"),
        "TAG_LOW_BALANCE": select("TAG_LOW_BALANCE", "p.business_date", "p.amount_vnd",
                                  known + "p.tag_status = 'LOW_BALANCE'", **pk,
                                  provider_id="p.tag_provider"),
        "PLATE_MULTI_TAG": select(
            "PLATE_MULTI_TAG", "x.d", "0",
            f"FROM (SELECT plate, d FROM ({latest}) WHERE status IN ('ACTIVE', 'LOW_BALANCE') "
            "GROUP BY plate, d HAVING count(DISTINCT tag_id) >= 2) x", plate="x.plate"),
        "TAG_CLASS_MISMATCH": select("TAG_CLASS_MISMATCH", "p.business_date", "0",
                                     known + "p.avc_class <> p.tag_class", **pk),
        "TAG_PLATE_MISMATCH": select(
            "TAG_PLATE_MISMATCH", "p.business_date", "0",
            known + f"p.plate_confidence >= {t.plate_confidence} AND p.plate <> p.tag_plate",
            **pk),
        "TAG_POOR_READ": select(
            "TAG_POOR_READ", "x.d", "0",
            f"FROM (SELECT p.tag_id, d.d FROM _p p JOIN _days d ON p.business_date "
            f"BETWEEN d.d - {t.poor_read_days - 1} AND d.d WHERE {ETC} AND p.tag_ok "
            f"GROUP BY p.tag_id, d.d HAVING count(*) >= {t.poor_read_min_passages} "
            f"AND count_if({bad}) >= {t.poor_read_share} * count(*)) x", tag_id="x.tag_id"),
        "LANE_READ_DEGRADED": select(
            "LANE_READ_DEGRADED", "x.d", "0",
            f"FROM (SELECT a.d, a.station_id, a.lane_id, any_value(a.s) AS s, "
            f"median(o.s) AS m FROM ({share}) a JOIN ({share}) o ON o.d = a.d "
            f"AND o.station_id = a.station_id AND o.lane_id <> a.lane_id GROUP BY ALL) x "
            f"WHERE x.s >= {t.lane_unread_share} AND x.s >= {t.lane_unread_ratio} * x.m",
            station_id="x.station_id", lane_id="x.lane_id"),
    }


def fraud_selects(s: Settings) -> dict[str, str]:
    f = s.fraud
    pk = {k: f"p.{v}" for k, v in PASSAGE_KEYS.items()}
    gap = "date_diff('microsecond', at_p, passed_at) / 1e6"
    overrides = "p.override IN ('CLASS', 'VOID', 'FREE_PASS')"
    return {
        "DOUBLE_CHARGE": select(
            "DOUBLE_CHARGE", "p.business_date", "p.amount_vnd",
            f"FROM _seq p WHERE p.station_id = p.station_p AND {gap} <= "
            f"{f.double_charge_minutes * 60} AND p.paid AND p.paid_p", **pk),
        "TAG_CLONE": select(
            "TAG_CLONE", "p.business_date", "p.amount_vnd",
            f"FROM _seq p WHERE {_km()} >= {f.clone_min_distance_km} "
            f"AND {_km()} * 3600 > {f.clone_speed_kmh} * {gap}", **pk),
        "CLASS_UNDERCHARGE": select(
            "CLASS_UNDERCHARGE", "p.business_date", "greatest(p.avc_tariff - p.tariff, 0)",
            "FROM _p p WHERE p.charged_class < p.avc_class", **pk),
        "EXEMPT_UNLISTED": select(
            "EXEMPT_UNLISTED", "p.business_date", "p.tariff",
            "FROM _p p WHERE (p.payment_method = 'EXEMPT' OR p.override = 'FREE_PASS') "
            "AND NOT EXISTS (SELECT 1 FROM exemptions e WHERE e.plate = p.plate "
            "AND e.valid_from <= p.business_date "
            "AND (e.valid_to IS NULL OR p.business_date <= e.valid_to))", **pk),
        "STAFF_OVERRIDE_OUTLIER": select(
            "STAFF_OVERRIDE_OUTLIER", "x.business_date", "0",
            f"FROM (SELECT *, median(n) OVER (PARTITION BY business_date, station_id) AS m "
            f"FROM (SELECT p.business_date, p.station_id, p.staff_id, count(*) AS n FROM _p p "
            f"WHERE {overrides} AND p.business_date IN (SELECT d FROM _days) GROUP BY ALL)) x "
            f"WHERE x.n >= {f.staff_min_overrides} AND x.n >= {f.staff_ratio} * x.m",
            station_id="x.station_id", staff_id="x.staff_id"),
    }


def all_statements(period: Period, s: Settings) -> list[str]:
    """All 24 rules, in findings.md's order, into `ref_findings`."""
    selects = {**tag_selects(s), **money_selects(s), **fraud_selects(s)}
    return statements(period, s, selects, tag_fraud_steps(period, s))


def all_findings(con: duckdb.DuckDBPyConnection, period: Period, s: Settings) -> pl.DataFrame:
    run(con, all_statements(period, s))
    return con.sql(f"SELECT {', '.join(OUT_COLUMNS)} FROM ref_findings").pl()
