"""Valid input rows of every kind, built from the declarations in etc.schemas.

`valid_row(kind, i)` gives row number `i` of a kind as CSV cells (a dict of
column name → text), valid by the schema and with a key of its own: rows with
different `i` never share a key. Every column of the schema is filled, so a
file of these rows has the canonical column set. `typed_value(col, text)`
turns a cell into the Python value a typed Parquet column would hold.

    lanes_row(3, amount_vnd="-5")   # a lanes row refused as NEGATIVE_MONEY
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from etc.schemas import SCHEMAS, Column, Kind, Schema

_T0 = datetime(2024, 5, 1, 6, 0, 0)
_D0 = date(2024, 1, 1)


def _cell(schema: Schema, col: Column, i: int) -> str:
    """A valid cell of `col` for row `i` (unique where it is part of the key)."""
    t = col.type
    if t == "text":
        return f"{col.name[:3].upper()}-{i:04d}"
    if t == "tag":
        return f"e2801160600002{i:010x}"  # 24 hex digits, lower-case as lanes often send it
    if t == "plate":
        return f"51H-{i:03d}.{i % 97:02d}"
    if t == "timestamp":
        return (_T0 + timedelta(minutes=7 * i, seconds=i % 60)).isoformat()
    if t == "date":
        if col.name == "valid_to":
            return (_D0 + timedelta(days=i + 30)).isoformat()
        return (_D0 + timedelta(days=i)).isoformat()
    if t == "money":
        return str(int(col.min or 0) + 1000 * (i % 50) + 5000)
    if t == "int":
        return str(int(col.min or 0) + i % 7)  # interval_minutes: 1–7
    if t == "float":
        lo = -60.0 if col.min is None else col.min
        hi = -30.0 if col.max is None else col.max
        return f"{lo + (hi - lo) * ((i % 10) / 10):.4f}"
    if t == "class":
        return str(i % 5 + 1)
    if t == "enum":
        if not col.required and i % 3 == 0:
            return ""
        return col.values[i % len(col.values)]
    raise AssertionError(f"no valid cell for type {t!r}")


def valid_row(kind: Kind | str, i: int, **overrides: str) -> dict[str, str]:
    """Row `i` of `kind`, every canonical column filled; `overrides` replace cells."""
    schema = SCHEMAS[Kind(kind)]
    row = {c.name: _cell(schema, c, i) for c in schema.columns}
    unknown = set(overrides) - set(row)
    row.update(overrides)
    assert not unknown - {"currency"}, f"not a {kind} column: {unknown}"
    return row


def lanes_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.LANES, i, **o)


def tags_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.TAGS, i, **o)


def settlements_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.SETTLEMENTS, i, **o)


def bank_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.BANK, i, **o)


def stations_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.STATIONS, i, **o)


def tariffs_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.TARIFFS, i, **o)


def exemptions_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.EXEMPTIONS, i, **o)


def counts_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.COUNTS, i, **o)


def providers_row(i: int = 0, **o: str) -> dict[str, str]:
    return valid_row(Kind.PROVIDERS, i, **o)


_INT = re.compile(r"[+-]?[0-9]+")


def typed_value(col: Column, text: str) -> object:
    """The cell as a typed Parquet value (None for an empty cell).

    Raises ValueError when the text has no value of the column's type (the
    column then has to travel as text)."""
    s = text.strip()
    if s == "":
        return None
    t = col.type
    if t in ("int", "class", "money"):
        if _INT.fullmatch(s):
            return int(s)
        try:
            return float(Decimal(s))  # a fractional amount travels as a double
        except InvalidOperation:
            raise ValueError(s) from None
    if t == "float":
        return float(s)
    if t == "date":
        return date.fromisoformat(s)
    if t == "timestamp":
        return datetime.fromisoformat(s)  # naive: local station time
    return text
