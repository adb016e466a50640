"""Tiny typed input frames for rule tests, written as dict literals.

    ctx = context(
        lanes=[lane("T1", passed_at="2026-11-01 08:00", tag_id=TAG_A)],
        tags=[tag(TAG_A, valid_from="2026-10-01 00:00")],
    )

Each builder fills every column of its kind (etc.schemas) with a plain valid
value, so a test spells out only what matters. Times without an offset are
local (UTC+07:00), as in the input files; plates are normalised as the loader
stores them. `context()` runs the engine's `prepare`, so rules see exactly the
columns they see in a real run.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import polars as pl

from etc.context import Context, Inputs, Period
from etc.parse import POLARS_TYPES
from etc.schemas import SCHEMAS, Kind, table_columns
from etc.settings import Settings

LOCAL = timezone(timedelta(hours=7))
DAY = date(2026, 11, 1)
TAG_A = "E28011606000020000000001"
TAG_B = "E28011606000020000000002"
TAG_C = "E28011606000020000000003"


def at(text: str) -> datetime:
    """An aware instant from 'YYYY-MM-DD HH:MM[:SS]' (local unless an offset is given)."""
    t = datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=LOCAL)


def lane(txn_id: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        txn_id=txn_id, station_id="ST01", lane_id="L01", passed_at="2026-11-01 08:00",
        payment_method="ETC", tag_id=TAG_A, read_count=3, rssi_dbm=-45.0, plate="51H12345",
        plate_confidence=0.99, avc_class=1, charged_class=1, amount_vnd=35_000, staff_id=None,
        override=None)
    row.update(kw)
    return row


def tag(tag_id: str = TAG_A, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        tag_id=tag_id, provider_id="VETC", account_id="ACC-1", plate="51H12345",
        vehicle_class=1, status="ACTIVE", valid_from="2026-10-01 00:00", lot="LOT-1")
    row.update(kw)
    return row


def item(settlement_id: str, txn_id: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        settlement_id=settlement_id, provider_id="VETC", txn_id=txn_id, station_id="ST01",
        amount_vnd=35_000, fee_vnd=0, settled_at="2026-11-01 20:00", batch_id="B-1")
    row.update(kw)
    return row


def entry(entry_id: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(
        entry_id=entry_id, account="ACCT-ST01", booking_date="2026-11-02", value_date=None,
        amount_vnd=35_000, direction="CRDT", reference=None, remittance=None)
    row.update(kw)
    return row


def station(station_id: str = "ST01", **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(station_id=station_id, name=f"Station {station_id}",
                               operator_id="OP1", account=f"ACCT-{station_id}",
                               lat=10.80, lon=106.70)
    row.update(kw)
    return row


def tariff(station_id: str = "ST01", vehicle_class: int = 1, amount_vnd: int = 35_000,
           **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(station_id=station_id, vehicle_class=vehicle_class,
                               amount_vnd=amount_vnd, valid_from="2026-01-01", valid_to=None)
    row.update(kw)
    return row


def exemption(plate: str, **kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict(plate=plate, reason="military", valid_from="2026-01-01",
                               valid_to=None)
    row.update(kw)
    return row


def _value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "timestamp" and isinstance(value, str):
        return at(value).astimezone(UTC)
    if kind == "date" and isinstance(value, str):
        return date.fromisoformat(value)
    if kind == "plate":
        return re.sub(r"[\s.\-]", "", value.upper()) or None if isinstance(value, str) else value
    if kind == "tag" and isinstance(value, str):
        return value.upper()
    return value


def frame(kind: Kind | str, rows: list[dict[str, Any]]) -> pl.LazyFrame:
    """Rows of a kind as the store hands them out (every stored column, typed)."""
    schema = SCHEMAS[Kind(kind)]
    types = {c.name: c.type for c in schema.columns}
    data: dict[str, list[Any]] = {}
    dtypes: dict[str, pl.DataType] = {}
    for name, _ in table_columns(schema):
        if name in types:
            data[name] = [_value(types[name], r.get(name)) for r in rows]
            dtypes[name] = POLARS_TYPES[types[name]]
        elif name.endswith("_raw"):
            data[name] = [r.get(name[:-4]) for r in rows]
            dtypes[name] = pl.String()
        elif name == "business_date":  # lanes: of passed_at; counts: of interval_start
            data[name] = [_value("timestamp", r.get("passed_at") or r["interval_start"])
                          .astimezone(LOCAL).date() for r in rows]
            dtypes[name] = pl.Date()
        elif name in ("load_id", "source_row"):
            data[name] = list(range(1, len(rows) + 1))
            dtypes[name] = pl.Int64()
        else:
            data[name] = [None] * len(rows)
            dtypes[name] = pl.String()
    return pl.DataFrame(data, schema=dtypes).lazy()


def inputs(**rows: list[dict[str, Any]]) -> Inputs:
    """Inputs from row lists per kind (missing kinds are empty; stations and
    tariffs default to one station ST01 with class 1 at 35,000 VND)."""
    rows.setdefault("stations", [station()])
    rows.setdefault("tariffs", [tariff()])
    kinds = {"lanes": Kind.LANES, "tags": Kind.TAGS, "settlements": Kind.SETTLEMENTS,
             "bank": Kind.BANK, "stations": Kind.STATIONS, "tariffs": Kind.TARIFFS,
             "exemptions": Kind.EXEMPTIONS, "counts": Kind.COUNTS, "providers": Kind.PROVIDERS}
    unknown = set(rows) - set(kinds)
    assert not unknown, f"unknown kinds {unknown}"
    return Inputs(**{name: frame(k, rows.get(name, [])) for name, k in kinds.items()})


def context(period: Period | None = None, settings: Settings | None = None,
            **rows: list[dict[str, Any]]) -> Context:
    """The Context the rules see for these rows (period: 2026-11-01 by default)."""
    from reconcile.prepare import prepare  # tests may import the engine

    return prepare(inputs(**rows), period or Period(DAY, DAY), settings or Settings())


def rows(found: pl.LazyFrame, *cols: str) -> list[tuple[Any, ...]]:
    """The findings' chosen columns, sorted: what a test compares."""
    df = found.collect()
    return sorted(df.select(cols or df.columns).rows(), key=repr)
