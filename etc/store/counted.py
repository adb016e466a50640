"""What the report reads beside a run's own tables: the road authority's counts
against the recorded passages, and the ETC service providers' figures.

Every read is scoped: to the run's dates (or the 30 days up to its last date
for the providers' trend) and to the run's loads (`load_ids`, the files the run
saw), so a report of a run stays what it was when more files arrive. Nothing
here scans the whole history.

    count_intervals  per count interval: vehicles counted, passages recorded in it
    lane_hours       passages per local hour of chosen lanes and dates
    provider_days    ETC passages and unread-or-weak ones per provider and date
    first_items      per passage of a run: its first item's provider and latency
    unknown_settlers the provider that settled each TAG_UNKNOWN passage of a run
    run_settings     the settings a run was made with (its settings_json)
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import polars as pl

from etc.localtime import start_of
from etc.store.connection import Connection

_LOADS = "load_id IN (SELECT unnest($loads::BIGINT[]))"

_INTERVALS = f"""
WITH c AS (
    SELECT station_id, lane_id, coalesce(source, '') AS source, interval_start,
           min(business_date) AS business_date, max(interval_minutes) AS minutes,
           CASE WHEN bool_or(vehicle_class IS NULL)
                THEN sum(vehicles) FILTER (WHERE vehicle_class IS NULL)
                ELSE sum(vehicles) END::BIGINT AS counted
    FROM counts
    WHERE business_date BETWEEN $first AND $last AND {_LOADS}
    GROUP BY ALL
),
src AS (SELECT DISTINCT station_id, lane_id, source FROM c),
p AS (
    SELECT l.station_id, l.lane_id, src.source, l.passed_at
    FROM lanes l JOIN src USING (station_id, lane_id)
    WHERE l.business_date BETWEEN $first AND $last + 1 AND l.passed_at >= $lo
      AND l.passed_at < $hi AND l.{_LOADS}
),
hit AS (
    SELECT c.station_id, c.lane_id, c.source, c.interval_start, count(*) AS recorded
    FROM p ASOF JOIN c ON p.station_id = c.station_id AND p.lane_id = c.lane_id
        AND p.source = c.source AND p.passed_at >= c.interval_start
    WHERE p.passed_at < c.interval_start + to_minutes(c.minutes)
    GROUP BY ALL
)
SELECT c.station_id, c.lane_id, c.source, c.interval_start, c.business_date,
       c.minutes::BIGINT AS minutes, c.counted,
       coalesce(hit.recorded, 0)::BIGINT AS recorded
FROM c LEFT JOIN hit USING (station_id, lane_id, source, interval_start)
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

_PROVIDER_DAYS = f"""
WITH t AS (
    SELECT tag_id, arg_max(provider_id, valid_from) AS provider_id
    FROM tags WHERE valid_from < $hi AND {_LOADS} GROUP BY tag_id
)
SELECT t.provider_id, l.business_date, count(*)::BIGINT AS passages,
       count(*) FILTER (WHERE l.read_count = 0 OR l.rssi_dbm < $weak)::BIGINT
           AS unread_or_weak
FROM lanes l JOIN t USING (tag_id)
WHERE l.business_date BETWEEN $first AND $last AND l.payment_method = 'ETC'
  AND l.{_LOADS}
GROUP BY ALL ORDER BY ALL
"""

_FIRST_ITEMS = f"""
SELECT s.provider_id,
       (epoch(d.first_settled_at) - epoch(l.passed_at)) / 3600.0 AS latency_h
FROM dispositions d
JOIN lanes l ON l.txn_id = d.txn_id AND l.business_date = d.business_date
JOIN settlements s ON s.settlement_id = d.first_settlement_id
WHERE d.run_id = $run AND d.first_settlement_id IS NOT NULL
  AND l.business_date BETWEEN $first AND $last AND l.{_LOADS}
  AND s.settled_at >= $lo AND s.{_LOADS}
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

    def provider_days(self, first: date, last: date, weak_below: float,
                      load_ids: list[int]) -> pl.DataFrame:
        """Per provider and business date in [first, last]: ETC passages of its tags
        (the tag's provider on its latest row before the end of `last`) and those
        unread (read_count 0) or weak (rssi_dbm below `weak_below`). Passages of
        tags in no tag list are left out (they have no provider)."""
        return self.con.sql(_PROVIDER_DAYS, params={
            "first": first, "last": last, "loads": load_ids, "weak": weak_below,
            "hi": start_of(last, 1)}).pl()

    def first_items(self, run_id: str, first: date, last: date,
                    load_ids: list[int]) -> pl.DataFrame:
        """Per passage of run `run_id` that has a settlement item: the first item's
        provider_id and latency_h, hours from the passage to that item."""
        return self.con.sql(_FIRST_ITEMS, params={
            "run": run_id, "first": first, "last": last, "loads": load_ids,
            "lo": start_of(first) - timedelta(days=1)}).pl()

    def unknown_settlers(self, run_id: str, first: date, load_ids: list[int]) -> pl.DataFrame:
        """txn_id and the provider whose first item settled it, for each TAG_UNKNOWN
        finding of run `run_id` that has an item (a provider debiting a tag its
        own list does not hold)."""
        return self.con.sql(_UNKNOWN_SETTLERS, params={
            "run": run_id, "loads": load_ids, "lo": start_of(first) - timedelta(days=1)}).pl()

    def run_settings(self, run_id: str) -> dict[str, Any]:
        """The settings run `run_id` was made with, as stored (settings_json)."""
        row = self._one("SELECT settings_json FROM runs WHERE run_id = ?", [run_id])
        return json.loads(row[0]) if row else {}
