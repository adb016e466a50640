"""The report's two views beyond the findings (issue 13): the road authority's
vehicle counts against the passages recorded ("Counted against recorded"), and
the scorecard of the ETC service providers ("chất lượng thẻ").

`reconcile.counted` and `reconcile.scorecard` fill them; etc.render draws them.
Each frame's columns are declared here once; money is Int64 VND, dates local
business dates, hours local (UTC+07:00).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

COUNTED_STATION_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "station_name": pl.String(),
    "operator_name": pl.String(),      # stations.operator_name, else the operator_id
    "lanes": pl.Int64(),               # lanes with passages or counts in the period
    "lanes_counted": pl.Int64(),       # of them, lanes with counts
    "covered_hours": pl.Float64(),     # Σ interval minutes / 60 over the lanes counted
    "coverage": pl.Float64(),          # covered lane-minutes / (lanes × days × 1440)
    "counted": pl.Int64(),             # vehicles counted in the covered intervals
    "recorded": pl.Int64(),            # passages recorded in those same intervals
    "difference": pl.Int64(),          # counted − recorded
    "difference_share": pl.Float64(),  # difference / recorded (null when none recorded)
    "passages": pl.Int64(),            # every passage of the station in the period
    "findings": pl.Int64(),            # PASSAGES_HIDDEN findings of the station
    "amount_at_risk_vnd": pl.Int64(),  # their money at risk
}
"""Per station with counts in the period; a lane counted by two sources is taken,
per date, from the one showing more vehicles hidden (as PASSAGES_HIDDEN judges
it). Sorted by money at risk, then difference, desc."""

COUNTED_HOUR_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "lane_id": pl.String(),
    "business_date": pl.Date(),
    "hour": pl.Int32(),                # local hour 0–23
    "counted": pl.Int64(),             # null: the sensor covered no interval starting then
    "recorded": pl.Int64(),            # passages in the covered intervals (null as counted)
    "passages": pl.Int64(),            # every passage of the lane in that hour
}
"""Per hour of each lane and date with a PASSAGES_HIDDEN finding: the chart's series."""

UNCOVERED_SCHEMA: dict[str, pl.DataType] = {
    "station_id": pl.String(),
    "station_name": pl.String(),
    "operator_name": pl.String(),
    "passages": pl.Int64(),            # its passages in the period (0: none)
}
"""Stations of the stations list with no count row in the period, by station_id."""

PROVIDER_SCHEMA: dict[str, pl.DataType] = {
    "provider_id": pl.String(),
    "provider_name": pl.String(),      # from the providers data (null when not loaded)
    "passages": pl.Int64(),            # ETC passages of its tags in the period
    "unread_or_weak": pl.Int64(),      # of them, unread (read_count 0) or weak (rssi)
    "unread_or_weak_share": pl.Float64(),
    "tag_not_active": pl.Int64(),
    "tag_not_active_per_10k": pl.Float64(),
    "tag_unknown": pl.Int64(),         # TAG_UNKNOWN passages it settled (its list lacked the tag)
    "tag_unknown_per_10k": pl.Float64(),
    "tag_low_balance": pl.Int64(),
    "tag_low_balance_per_10k": pl.Float64(),
    "plates_multi_tag": pl.Int64(),    # plates of PLATE_MULTI_TAG findings with a tag of it
    "settled": pl.Int64(),             # passages whose first item is its
    "latency_median_h": pl.Float64(),  # passage → first item, hours
    "latency_p95_h": pl.Float64(),
    "late": pl.Int64(),                # SETTLEMENT_LATE
    "duplicate": pl.Int64(),           # SETTLEMENT_DUPLICATE
    "wrong_provider": pl.Int64(),      # SETTLEMENT_WRONG_PROVIDER
    "findings": pl.Int64(),            # every finding naming it (provider_id)
    "amount_at_risk_vnd": pl.Int64(),  # their money at risk
}
"""One row per provider over the run's period, by provider_id. Per 10,000 is of
`passages` (null when it has none)."""

PROVIDER_DAY_SCHEMA: dict[str, pl.DataType] = {
    "provider_id": pl.String(),
    "business_date": pl.Date(),
    "passages": pl.Int64(),
    "unread_or_weak": pl.Int64(),
    "unread_or_weak_share": pl.Float64(),
}
"""The trend: per provider and date of the 30 days up to the run's last date that
the store holds passages of, by provider, date."""


def _empty(schema: dict[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


@dataclass(frozen=True)
class Counted:
    """Counted against recorded: per station, the hourly series of the lanes with
    findings, and the stations without sensor coverage."""

    stations: pl.DataFrame = field(default_factory=lambda: _empty(COUNTED_STATION_SCHEMA))
    hours: pl.DataFrame = field(default_factory=lambda: _empty(COUNTED_HOUR_SCHEMA))
    uncovered: pl.DataFrame = field(default_factory=lambda: _empty(UNCOVERED_SCHEMA))

    @property
    def amount_at_risk_vnd(self) -> int:
        return int(self.stations["amount_at_risk_vnd"].sum())


@dataclass(frozen=True)
class Scorecard:
    """The providers' scorecard over the period and their 30-day trend."""

    providers: pl.DataFrame = field(default_factory=lambda: _empty(PROVIDER_SCHEMA))
    days: pl.DataFrame = field(default_factory=lambda: _empty(PROVIDER_DAY_SCHEMA))
    trend_days: int = 30
    """Days the trend looks back over, the last date included."""
