"""PASSAGES_HIDDEN and CASH_SHARE_SPIKE in Polars (reconcile.hidden,
reconcile.cash_share) against an independent DuckDB SQL reading of findings.md,
on random small lanes, counts and tariffs: the same (code, station, lane, date,
amount_at_risk_vnd) rows.

The SQL matches passages to intervals by a range join (the rule: an as-of join),
takes medians with DuckDB's `median` (the rule: a Polars group median) and prices
classes with a correlated tariff lookup. Thresholds are drawn small so that both
codes fire often; limits are inclusive in both, with the same float slack.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from literal import context, frame, lane, tariff

from etc.context import Period
from etc.settings import FraudSettings
from reconcile import cash_share, hidden

DAY = date(2026, 11, 10)
SLACK = 1e-9

HIDDEN_SQL = """
WITH c AS (SELECT *, coalesce(source, '') AS src FROM counts WHERE business_date = $day),
iv AS (
    SELECT station_id, lane_id, src, interval_start, max(interval_minutes) AS mins,
           any_value(business_date) AS bd, bool_and(vehicle_class IS NOT NULL) AS by_class,
           CASE WHEN bool_or(vehicle_class IS NULL)
                THEN sum(vehicles) FILTER (WHERE vehicle_class IS NULL)
                ELSE sum(vehicles) END AS counted
    FROM c GROUP BY station_id, lane_id, src, interval_start),
hit AS (
    SELECT iv.station_id, iv.lane_id, iv.src, iv.interval_start, l.avc_class
    FROM iv JOIN lanes l ON l.station_id = iv.station_id AND l.lane_id = iv.lane_id
     AND l.passed_at >= iv.interval_start
     AND l.passed_at < iv.interval_start + to_minutes(iv.mins::BIGINT)),
rec AS (SELECT station_id, lane_id, src, interval_start, count(*) AS n FROM hit
        GROUP BY ALL),
tariff_of AS (
    SELECT t.station_id, t.vehicle_class, d.bd, arg_max(t.amount_vnd, t.valid_from) AS vnd
    FROM tariffs t JOIN (SELECT DISTINCT bd FROM iv) d
      ON t.valid_from <= d.bd AND (t.valid_to IS NULL OR d.bd <= t.valid_to)
    GROUP BY ALL),
classes AS (
    SELECT station_id, lane_id, src, interval_start, vehicle_class AS cls,
           sum(vehicles) AS cnt, 0 AS seen FROM c WHERE vehicle_class IS NOT NULL GROUP BY ALL
    UNION ALL
    SELECT h.station_id, h.lane_id, h.src, h.interval_start, h.avc_class, 0, count(*)
    FROM hit h JOIN iv USING (station_id, lane_id, src, interval_start) WHERE iv.by_class
    GROUP BY ALL),
value AS (
    SELECT iv.station_id, iv.lane_id, iv.src, iv.interval_start,
           CASE WHEN iv.by_class THEN (
                SELECT coalesce(sum((k.cnt - k.seen) * coalesce(t.vnd, 0)), 0) FROM classes k
                LEFT JOIN tariff_of t ON t.station_id = k.station_id
                 AND t.vehicle_class = k.cls AND t.bd = iv.bd
                WHERE k.station_id = iv.station_id AND k.lane_id = iv.lane_id
                  AND k.src = iv.src AND k.interval_start = iv.interval_start)
           ELSE (iv.counted - coalesce(r.n, 0)) * coalesce((
                SELECT vnd FROM tariff_of t WHERE t.station_id = iv.station_id
                  AND t.vehicle_class = 1 AND t.bd = iv.bd), 0) END AS v,
           iv.counted, coalesce(r.n, 0) AS recorded, iv.bd
    FROM iv LEFT JOIN rec r USING (station_id, lane_id, src, interval_start)),
days AS (
    SELECT station_id, lane_id, src, bd, sum(counted) - sum(recorded) AS excess,
           sum(recorded) AS recorded, greatest(sum(v), 0) AS amount
    FROM value GROUP BY ALL)
SELECT 'PASSAGES_HIDDEN', station_id, lane_id, bd, arg_max(amount, [excess, -rank]) AS amount
FROM (SELECT *, dense_rank() OVER (PARTITION BY station_id, lane_id, bd ORDER BY src) AS rank
      FROM days WHERE excess >= $vehicles AND excess >= $share * recorded * (1 - 1e-9))
GROUP BY ALL
"""

SPIKE_SQL = """
WITH d AS (
    SELECT station_id, lane_id, business_date AS bd, count(*) AS n,
           count(*) FILTER (WHERE payment_method = 'CASH') AS cash
    FROM lanes GROUP BY ALL),
h AS (
    SELECT t.station_id, t.lane_id, t.bd, t.n, t.cash, t.cash / t.n AS share,
           median(e.cash / e.n) AS med, count(*) AS days
    FROM d t JOIN d e ON e.station_id = t.station_id AND e.lane_id = t.lane_id
     AND e.bd BETWEEN t.bd - $lookback AND t.bd - 1
    WHERE t.bd = $day GROUP BY ALL)
SELECT 'CASH_SHARE_SPIKE', station_id, lane_id, bd, 0 FROM h
WHERE days >= $min_days AND share >= $ratio * med * (1 - 1e-9)
  AND share - med >= $points - 1e-9
  AND greatest(cash - round(med * n)::BIGINT, 0) >= $passages
"""


def at(day: date, minute: int) -> str:
    return (datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)).isoformat(" ")


@st.composite
def scene(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    lanes, counts, n = [], [], 0
    for lid in draw(st.sampled_from([["L01"], ["L01", "L02"]])):
        for back in range(draw(st.integers(0, 9)), -1, -1):
            day = DAY - timedelta(days=back)
            for _ in range(draw(st.integers(0, 25))):
                n += 1
                cls = draw(st.integers(1, 3))
                lanes.append(lane(f"T{n}", lane_id=lid, avc_class=cls, charged_class=cls,
                                  passed_at=at(day, draw(st.integers(6 * 60, 10 * 60))),
                                  payment_method=draw(st.sampled_from(["ETC", "CASH", "EXEMPT"])),
                                  override=draw(st.sampled_from([None, None, "VOID"]))))
        for source in draw(st.sampled_from([["CAM"], [None], ["CAM", "LOOP"]])):
            minute, by_class = 6 * 60, draw(st.booleans())
            while minute < 10 * 60:
                length = draw(st.sampled_from([15, 30, 60]))
                if draw(st.integers(0, 4)):  # else: the sensor missed this interval
                    for cls in ([1, 2, 3] if by_class else [None]):
                        counts.append(dict(station_id="ST01", lane_id=lid, source=source,
                                           interval_start=at(DAY, minute),
                                           interval_minutes=length, vehicle_class=cls,
                                           vehicles=draw(st.integers(0, 8))))
                minute += length + draw(st.sampled_from([0, 0, 15]))
    tariffs = [tariff(vehicle_class=c, amount_vnd=a) for c, a in ((1, 35_000), (2, 52_000))]
    return {"lanes": lanes, "counts": counts, "tariffs": tariffs}


def sql_rows(sql: str, rows: dict[str, list[dict[str, Any]]], **params: object) -> list[Any]:
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'UTC'")
        for name in ("lanes", "counts", "tariffs"):
            con.register(name, frame(name, rows[name]).collect().to_arrow())
        return sorted(tuple(r) for r in con.execute(sql, {"day": DAY, **params}).fetchall())


def polars_rows(found: pl.LazyFrame) -> list[Any]:
    return sorted(found.collect().select("code", "station_id", "lane_id", "business_date",
                                         "amount_at_risk_vnd").rows())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=scene(), vehicles=st.integers(1, 6), share=st.sampled_from([0.0, 0.02, 0.1, 0.5]))
def test_passages_hidden_agrees_with_sql(rows: dict[str, list[dict[str, Any]]], vehicles: int,
                                        share: float) -> None:
    cfg = FraudSettings(hidden_vehicles=vehicles, hidden_share=share)
    ctx = context(period=Period(DAY, DAY), **rows)
    assert polars_rows(hidden.passages_hidden(ctx, cfg)) == sql_rows(
        HIDDEN_SQL, rows, vehicles=vehicles, share=share)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=scene(), ratio=st.sampled_from([1.0, 1.5, 3.0]),
       points=st.sampled_from([0.0, 0.05, 0.1]), passages=st.integers(0, 4),
       lookback=st.integers(2, 9), min_days=st.integers(1, 7))
def test_cash_share_spike_agrees_with_sql(rows: dict[str, list[dict[str, Any]]], ratio: float,
                                          points: float, passages: int, lookback: int,
                                          min_days: int) -> None:
    cfg = FraudSettings(cash_spike_ratio=ratio, cash_spike_points=points,
                        cash_spike_passages=passages, cash_lookback_days=lookback,
                        cash_min_days=min_days)
    ctx = context(period=Period(DAY, DAY), **rows)
    assert polars_rows(cash_share.cash_share_spike(ctx, cfg)) == sql_rows(
        SPIKE_SQL, rows, ratio=ratio, points=points, passages=passages, lookback=lookback,
        min_days=min_days)


def test_the_scenes_make_both_codes_fire() -> None:
    """The comparison is not vacuous: a fixed scene fires both, on both sides."""
    lanes = [lane(f"H{i}", passed_at=at(DAY, 420 + i % 30),
                  payment_method="CASH" if i < 12 else "ETC") for i in range(20)]
    lanes += [lane(f"B{b}{i}", passed_at=at(DAY - timedelta(days=b), 420 + i),
                   payment_method="CASH" if i < 2 else "ETC")
              for b in range(1, 9) for i in range(20)]
    counts = [dict(station_id="ST01", lane_id="L01", source="CAM", vehicle_class=None,
                   interval_start=at(DAY, 420), interval_minutes=60, vehicles=45)]
    rows = {"lanes": lanes, "counts": counts, "tariffs": [tariff()]}
    ctx = context(period=Period(DAY, DAY), **rows)
    cfg = FraudSettings(cash_spike_passages=5)
    got = polars_rows(hidden.passages_hidden(ctx, cfg)) + polars_rows(
        cash_share.cash_share_spike(ctx, cfg))
    assert got == [("PASSAGES_HIDDEN", "ST01", "L01", DAY, 25 * 35_000),
                   ("CASH_SHARE_SPIKE", "ST01", "L01", DAY, 0)]
    assert sql_rows(HIDDEN_SQL, rows, vehicles=20, share=0.02) == [got[0]]
    assert sql_rows(SPIKE_SQL, rows, ratio=3.0, points=0.1, passages=5, lookback=28,
                    min_days=7) == [got[1]]
