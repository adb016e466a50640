"""The toll network: corridors, stations, lanes, operators, providers and tariffs.

Stations lie along real Vietnamese expressways, grouped into corridors. A
corridor spans at most `MAX_CORRIDOR_KM` (checked), and a normal vehicle stays on
its corridor with at least `MIN_GAP_S` between passages, so its speed between
any two stations stays under 150 km/h: normal traffic never looks cloned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import polars as pl

MAX_CORRIDOR_KM = 130.0
MIN_GAP_S = 65 * 60
"""Smallest time between two passages of one normal tag: 130 km in 65 min is 120 km/h."""
EARTH_KM = 6371.0088

# (name, operator index, (lat, lon) start, (lat, lon) end, stations, traffic weight)
CORRIDORS: tuple[tuple[str, int, tuple[float, float], tuple[float, float], int, float], ...] = (
    ("Pháp Vân – Cầu Giẽ – Ninh Bình", 0, (20.951, 105.846), (20.262, 105.948), 4, 1.6),
    ("Hà Nội – Hải Phòng", 1, (20.985, 105.958), (20.836, 106.682), 4, 1.3),
    ("Nội Bài – Lào Cai (Km6 – Km110)", 0, (21.231, 105.781), (21.702, 104.902), 4, 0.8),
    ("Hà Nội – Bắc Giang", 3, (21.071, 105.901), (21.281, 106.198), 3, 0.9),
    ("Hạ Long – Vân Đồn", 3, (20.952, 107.051), (21.056, 107.418), 2, 0.4),
    ("La Sơn – Túy Loan", 2, (16.352, 107.751), (16.024, 108.127), 2, 0.3),
    ("Đà Nẵng – Quảng Ngãi", 0, (16.003, 108.204), (15.128, 108.781), 4, 0.7),
    ("TP.HCM – Long Thành – Dầu Giây", 0, (10.801, 106.771), (10.941, 107.192), 4, 1.7),
    ("TP.HCM – Trung Lương – Mỹ Thuận", 2, (10.701, 106.621), (10.281, 105.921), 4, 1.4),
    ("Phan Thiết – Dầu Giây", 3, (10.952, 107.213), (10.981, 108.032), 3, 0.5),
)
OPERATORS: tuple[tuple[str, str, str], ...] = (
    ("VEC", "Tổng công ty Đầu tư Phát triển Đường cao tốc Việt Nam", "1221000088001"),
    ("HPH", "Công ty CP Đầu tư BOT Hà Nội – Hải Phòng", "1151000066002"),
    ("CII", "Công ty CP Đầu tư Hạ tầng Kỹ thuật TP.HCM", "0071000044003"),
    ("DCG", "Tập đoàn Đèo Cả", "1011000022004"),
)
"""(operator_id, name, collection account). Bank format by index: CSV, Parquet, camt.053, MT940."""
PROVIDERS: tuple[str, ...] = ("VETC", "EPASS")
PROVIDER_CODES: tuple[str, ...] = ("VT", "EP")
"""Two-letter prefixes of the providers' settlement and account numbers."""
PROVIDER_SHARE = (0.6, 0.4)
VETC_FEE_PERCENT = 3
"""VETC keeps 3 % of each item, rounded half up to whole đồng."""
EPASS_FEE_VND = 1_000
"""ePass keeps a fixed 1,000 VND per item."""
TAG_HEADER = (0x3034, 0xE280)
CLASS_FACTOR = (1.0, 1.4, 1.8, 2.6, 3.4)
BASE_VALID_FROM = date(2025, 1, 1)


def fee(provider: pl.Expr, amount: pl.Expr) -> pl.Expr:
    """The provider's fee for one settlement item (Int64 VND)."""
    return (
        pl.when(provider == "VETC")
        .then((amount * VETC_FEE_PERCENT + 50) // 100)
        .otherwise(pl.lit(EPASS_FEE_VND, pl.Int64))
        .cast(pl.Int64)
    )


@dataclass(frozen=True)
class Network:
    stations: pl.DataFrame
    """Canonical stations columns plus `_corr`, `_lanes`, `_op`, `_weight` (internal)."""
    tariffs: pl.DataFrame
    tariff_table: np.ndarray
    """Tariff in VND by [day index, station index, class - 1] over the period."""
    corridor_stations: np.ndarray
    """(corridors, max stations) station indices, padded with -1."""
    corridor_sizes: np.ndarray
    corridor_weight: np.ndarray
    distance_km: np.ndarray
    """(stations, stations) great-circle distances."""
    change_day: int
    """Day index from which the changed stations' new tariffs hold."""
    base_amount: np.ndarray
    """(stations, 5) tariffs before the change."""
    changed: np.ndarray
    """(stations,) True where the tariff changes on `change_day`."""

    @property
    def n_stations(self) -> int:
        return self.stations.height

    def station_ids(self) -> np.ndarray:
        return self.stations["station_id"].to_numpy()


def haversine_km(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    la, lo = np.radians(lat), np.radians(lon)
    dlat = la[:, None] - la[None, :]
    dlon = lo[:, None] - lo[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(la[:, None]) * np.cos(la[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def build_network(rng: np.random.Generator, start: date, days: int) -> Network:
    names: list[str] = []
    corr: list[int] = []
    lat: list[float] = []
    lon: list[float] = []
    for c, (cname, _op, a, b, k, _w) in enumerate(CORRIDORS):
        for j in range(k):
            f = (j + 0.5) / k
            lat.append(round(a[0] + (b[0] - a[0]) * f + rng.normal(0, 0.004), 5))
            lon.append(round(a[1] + (b[1] - a[1]) * f + rng.normal(0, 0.004), 5))
            names.append(f"Trạm thu phí {cname} số {j + 1}")
            corr.append(c)
    n = len(names)
    corr_a = np.array(corr, dtype=np.int64)
    ops = np.array([CORRIDORS[c][1] for c in corr], dtype=np.int64)
    lanes = rng.integers(2, 9, size=n)
    weight = np.array([CORRIDORS[c][5] / CORRIDORS[c][4] for c in corr]) * rng.uniform(0.6, 1.4, n)
    station_id = [f"ST{i + 1:02d}" for i in range(n)]
    stations = pl.DataFrame({
        "station_id": station_id,
        "name": names,
        "operator_id": [OPERATORS[o][0] for o in ops],
        "account": [OPERATORS[o][2] for o in ops],
        "operator_name": [OPERATORS[o][1] for o in ops],
        "lat": lat,
        "lon": lon,
        "_corr": corr_a,
        "_lanes": lanes.astype(np.int64),
        "_op": ops,
        "_weight": weight,
    })
    dist = haversine_km(np.array(lat), np.array(lon))
    sizes = np.array([c[4] for c in CORRIDORS], dtype=np.int64)
    members = np.full((len(CORRIDORS), int(sizes.max())), -1, dtype=np.int64)
    for c in range(len(CORRIDORS)):
        idx = np.flatnonzero(corr_a == c)
        members[c, : len(idx)] = idx
        span = dist[np.ix_(idx, idx)].max()
        if span > MAX_CORRIDOR_KM:  # pragma: no cover - a bad constant, not data
            raise AssertionError(f"corridor {c} spans {span:.0f} km")
    cweight = np.array([c[5] for c in CORRIDORS])
    tariffs, table, change_day, base, changed = _tariffs(rng, station_id, start, days)
    return Network(stations, tariffs, table, members, sizes, cweight / cweight.sum(), dist,
                   change_day, base, changed)


def _tariffs(
    rng: np.random.Generator, station_id: list[str], start: date, days: int
) -> tuple[pl.DataFrame, np.ndarray, int, np.ndarray, np.ndarray]:
    """Base tariffs from 2025-01-01; about a third of the stations change tariff on
    `change_day` (the middle of the period; the first day for a one-day period)."""
    n = len(station_id)
    base = rng.choice(np.arange(35, 61, 5), size=n) * 1000
    factor = np.array(CLASS_FACTOR)[None, :]
    amount = np.round(base[:, None] * factor / 1000).astype(np.int64) * 1000
    changes = rng.random(n) < 0.34
    changes[rng.integers(n)] = True  # at least one
    raise_by = np.round(amount * 0.1 / 1000).astype(np.int64) * 1000 + 1000
    new_amount = amount + raise_by
    change_day = days // 2
    change_date = start + timedelta(days=change_day)
    rows: dict[str, list[object]] = {k: [] for k in ("station_id", "vehicle_class", "amount_vnd",
                                                       "valid_from", "valid_to")}
    for s in range(n):
        for c in range(5):
            rows["station_id"].append(station_id[s])
            rows["vehicle_class"].append(c + 1)
            rows["amount_vnd"].append(int(amount[s, c]))
            rows["valid_from"].append(BASE_VALID_FROM)
            rows["valid_to"].append(change_date - timedelta(days=1) if changes[s] else None)
            if changes[s]:
                rows["station_id"].append(station_id[s])
                rows["vehicle_class"].append(c + 1)
                rows["amount_vnd"].append(int(new_amount[s, c]))
                rows["valid_from"].append(change_date)
                rows["valid_to"].append(None)
    tariffs = pl.DataFrame(rows, schema={"station_id": pl.String, "vehicle_class": pl.Int8,
                                         "amount_vnd": pl.Int64, "valid_from": pl.Date,
                                         "valid_to": pl.Date})
    table = np.repeat(amount[None, :, :], days, axis=0)
    table[change_day:, changes, :] = new_amount[changes][None, :, :]
    return tariffs, table, change_day, amount, changes


def stale_tariff(net: Network, day: np.ndarray, station: np.ndarray, cls: np.ndarray) -> np.ndarray:
    """A wrong amount for a passage: the superseded tariff where the station changed
    it before the passage's day, else the tariff of the class below (class 2 for 1)."""
    right = net.tariff_table[day, station, cls - 1]
    old = net.base_amount[station, cls - 1]
    other = net.tariff_table[day, station, np.where(cls > 1, cls - 2, 1)]
    use_old = net.changed[station] & (day >= net.change_day) & (old != right)
    return np.asarray(np.where(use_old, old, other), dtype=np.int64)


def lane_ids(lane: pl.Expr) -> pl.Expr:
    return pl.format("L{}", lane.cast(pl.String).str.zfill(2))
