"""What the report reads beside a run's own tables: the road authority's counts
against the recorded passages, and the ETC service providers' figures.

Every read is scoped: to the run's dates and to the run's loads (`load_ids`,
the files the run saw), so a report of a run stays what it was when more files
arrive; the providers' 30-day trend reads the runs' small `traffic` rows, not
the passages. Nothing here scans the whole history.

    count_intervals  per count interval: vehicles counted, passages recorded in it
    lane_hours       passages per local hour of chosen lanes and dates
    provider_trend   ETC passages and unread-or-weak ones per provider and date
                     (the runs' traffic rows: no passage is read again)
    provider_latency per provider: passage → first item hours, median and p95
    unknown_settlers the provider that settled each TAG_UNKNOWN passage of a run
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl

from etc.localtime import start_of
from etc.store.connection import Connection

_LOADS = "load_id IN (SELECT unnest($loads::BIGINT[]))"

_INTERVALS = f"""
WITH c0 AS (
    SELECT station_id, lane_id, coalesce(source, '') AS source, interval_start,
           min(business_date) AS business_date, max(interval_minutes) AS minutes,
           CASE WHEN bool_or(vehicle_class IS NULL)
                THEN sum(vehicles) FILTER (WHERE vehicle_class IS NULL)
                ELSE sum(vehicles) END::BIGINT AS counted
    FROM counts
    WHERE business_date BETWEEN $first AND $last AND {_LOADS}
    GROUP BY ALL
),
src AS (  -- an integer per lane and source: the as-of join on text keys took 3x as long
    SELECT station_id, lane_id, source, row_number() OVER () AS k
    FROM (SELECT DISTINCT station_id, lane_id, source FROM c0)
),
c AS (SELECT c0.*, src.k FROM c0 JOIN src USING (station_id, lane_id, source)),
p AS (
    SELECT src.k, l.passed_at
    FROM lanes l JOIN src USING (station_id, lane_id)
    WHERE l.business_date BETWEEN $first AND $last + 1 AND l.passed_at >= $lo
      AND l.passed_at < $hi AND l.{_LOADS}
),
hit AS (
    SELECT c.k, c.interval_start, count(*) AS recorded
    FROM p ASOF JOIN c ON p.k = c.k AND p.passed_at >= c.interval_start
    WHERE p.passed_at < c.interval_start + to_minutes(c.minutes)
    GROUP BY ALL
)
SELECT c.station_id, c.lane_id, c.source, c.interval_start, c.business_date,
       c.minutes::BIGINT AS minutes, c.counted,
       coalesce(hit.recorded, 0)::BIGINT AS recorded
FROM c LEFT JOIN hit USING (k, interval_start)
ORDER BY c.station_id, c.lane_id, c.source, c.interval_start
"""

_LANE_HOURS = f"""
SELECT station_id, lane_id, business_date,
       hour(timezone('Asia/Ho_Chi_Minh', passed_at))::INTEGER AS hour,
       count(*)::BIGINT AS passages
FROM lanes
WHERE business_date BETWEEN $first AND $last AND {_LOADS}
  AND station_id || '|' || lane_id IN (SELECT unnest($lanes::VARCHAR[]))
GROUP BY ALL ORDER BY ALL
"""

_PROVIDER_TREND = """
WITH dated AS (
    SELECT DISTINCT t.business_date, t.run_id, r.started_at
    FROM traffic t JOIN runs r USING (run_id)
    WHERE t.business_date BETWEEN $first AND $last AND r.started_at <= $started
),
latest AS (SELECT business_date, arg_max(run_id, started_at) AS run_id FROM dated GROUP BY 1)
SELECT t.provider_id, t.business_date, sum(t.passages)::BIGINT AS passages,
       sum(t.unread_or_weak)::BIGINT AS unread_or_weak
FROM traffic t JOIN latest USING (business_date, run_id)
WHERE t.provider_id IS NOT NULL
GROUP BY ALL ORDER BY ALL
"""

_LATENCY = f"""
SELECT s.provider_id, count(*)::BIGINT AS settled,
       quantile_cont(h, 0.5) AS latency_median_h, quantile_cont(h, 0.95) AS latency_p95_h
FROM (
    SELECT d.first_settlement_id,
           (epoch(d.first_settled_at) - epoch(l.passed_at)) / 3600.0 AS h
    FROM dispositions d
    JOIN lanes l ON l.txn_id = d.txn_id AND l.business_date = d.business_date
    WHERE d.run_id = $run AND d.first_settlement_id IS NOT NULL
      AND l.business_date BETWEEN $first AND $last AND l.{_LOADS}
) x JOIN settlements s ON s.settlement_id = x.first_settlement_id
WHERE s.settled_at >= $lo AND s.{_LOADS}
GROUP BY 1 ORDER BY 1
"""

_UNKNOWN_SETTLERS = f"""
SELECT f.txn_id, s.provider_id
FROM findings f
JOIN dispositions d ON d.run_id = f.run_id AND d.txn_id = f.txn_id
    AND d.business_date = f.business_date
JOIN settlements s ON s.settlement_id = d.first_settlement_id
WHERE f.run_id = $run AND f.code = 'TAG_UNKNOWN' AND s.settled_at >= $lo AND s.{_LOADS}
"""


class CountedReads(Connection):
    """The report's scoped reads of counts, lanes, tags and settlements."""

    def count_intervals(self, first: date, last: date, load_ids: list[int]) -> pl.DataFrame:
        """Per count interval of the dates (one station, lane, source — '' for none —
        and start): business_date, minutes, `counted` (its all-classes row when it
        has one, else its class rows summed, as PASSAGES_HIDDEN reads it) and
        `recorded`, the passages of the lane in [start, start + minutes)."""
        return self.con.sql(_INTERVALS, params={
            "first": first, "last": last, "loads": load_ids,
            "lo": start_of(first), "hi": start_of(last, 2)}).pl()

    def lane_hours(self, first: date, last: date, lanes: list[str],
                   load_ids: list[int]) -> pl.DataFrame:
        """Passages per local hour (0–23) and business date of the lanes named
        "station_id|lane_id"; hours without passages are absent."""
        return self.con.sql(_LANE_HOURS, params={
            "first": first, "last": last, "loads": load_ids, "lanes": lanes}).pl()

    def provider_trend(self, first: date, last: date, started_at: datetime) -> pl.DataFrame:
        """Per provider and business date in [first, last]: ETC passages of its tags
        and those unread or weak, from the `traffic` rows of the latest run holding
        the date among those started at or before `started_at` (a later run does
        not change an earlier run's report). Dates no such run holds are absent;
        runs written before traffic had providers give none."""
        return self.con.sql(_PROVIDER_TREND, params={
            "first": first, "last": last, "started": started_at}).pl()

    def provider_latency(self, run_id: str, first: date, last: date,
                         load_ids: list[int]) -> pl.DataFrame:
        """Per provider of the first items of run `run_id`'s passages: how many
        (`settled`), and the median and p95 (linear) of the hours from the passage to
        its first item."""
        return self.con.sql(_LATENCY, params={
            "run": run_id, "first": first, "last": last, "loads": load_ids,
            "lo": start_of(first) - timedelta(days=1)}).pl()

    def unknown_settlers(self, run_id: str, first: date, load_ids: list[int]) -> pl.DataFrame:
        """txn_id and the provider whose first item settled it, for each TAG_UNKNOWN
        finding of run `run_id` that has an item (a provider debiting a tag its
        own list does not hold)."""
        return self.con.sql(_UNKNOWN_SETTLERS, params={
            "run": run_id, "loads": load_ids, "lo": start_of(first) - timedelta(days=1)}).pl()
