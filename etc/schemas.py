"""The canonical column set of every input kind, declared once (formats.md).

Readers, the validator, the store, the generator and the tests all read these
declarations; nothing else spells out a kind's columns.

Each `Column` has a semantic type that says how text is parsed and checked:

| type      | stored as                 | parsed from                                     |
|-----------|---------------------------|-------------------------------------------------|
| text      | VARCHAR (trimmed)         | anything; empty → null                          |
| tag       | VARCHAR, upper-case       | anything (kept as read, flagged later)          |
| plate     | VARCHAR normalised + raw  | anything; `plate_raw` keeps the text as read    |
| timestamp | TIMESTAMPTZ (UTC instant) | ISO 8601; no offset = Asia/Ho_Chi_Minh          |
| date      | DATE                      | YYYY-MM-DD                                      |
| money     | BIGINT VND                | integer or decimal text with a zero fraction    |
| int       | BIGINT                    | integer                                         |
| float     | DOUBLE                    | decimal number                                  |
| class     | TINYINT 1–5               | integer 1–5                                     |
| enum      | VARCHAR, upper-case       | one of `values`                                 |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from etc.reasons import Reason

LOCAL_TZ = "Asia/Ho_Chi_Minh"
"""Local station time (UTC+07:00, no daylight saving): naive times are read in it."""


class Kind(StrEnum):
    LANES = "lanes"
    TAGS = "tags"
    SETTLEMENTS = "settlements"
    BANK = "bank"
    STATIONS = "stations"
    TARIFFS = "tariffs"
    EXEMPTIONS = "exemptions"
    COUNTS = "counts"
    PROVIDERS = "providers"


PASSAGE_MONEY_MAX = 10**9
"""The largest amount of one passage (its toll, its settlement item and fee, a
tariff): 1 billion VND, hundreds of times any toll. Beyond it a row is
OUT_OF_RANGE; so no sum over passages can leave BIGINT (etc.parse.MONEY_MAX)."""


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    required: bool = False
    values: tuple[str, ...] = ()
    """Allowed values of an enum column (upper-case)."""
    min: float | None = None
    max: float | None = None
    default: int | None = None
    """Value used when the column is absent from the file or empty in a row."""
    enum_reason: Reason | None = None
    doc: str = ""


@dataclass(frozen=True)
class Schema:
    kind: Kind
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Columns that identify a row: a second row with the same key is either the
    same row again (already present) or a conflicting duplicate (quarantined)."""
    derived: tuple[tuple[str, str], ...] = field(default=())
    """(name, DuckDB type) of columns computed at load time, not read."""

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


CLASSES = ("1", "2", "3", "4", "5")
PAYMENT_METHODS = ("ETC", "CASH", "EXEMPT")
OVERRIDES = ("CLASS", "MANUAL_ENTRY", "VOID", "FREE_PASS")
TAG_STATUSES = ("ACTIVE", "LOW_BALANCE", "BLOCKED", "LOST", "EXPIRED")
DIRECTIONS = ("CRDT", "DBIT")

LANES = Schema(
    kind=Kind.LANES,
    table="lanes",
    columns=(
        Column("txn_id", "text", required=True, doc="passage id assigned by the station"),
        Column("station_id", "text", required=True),
        Column("lane_id", "text", required=True),
        Column("passed_at", "timestamp", required=True),
        Column(
            "payment_method",
            "enum",
            required=True,
            values=PAYMENT_METHODS,
            enum_reason=Reason.UNKNOWN_PAYMENT_METHOD,
        ),
        Column("tag_id", "tag"),
        Column("read_count", "int", min=0),
        Column("rssi_dbm", "float"),
        Column("plate", "plate"),
        Column("plate_confidence", "float", min=0.0, max=1.0),
        Column("avc_class", "class", required=True),
        Column("charged_class", "class", required=True),
        Column("amount_vnd", "money", required=True, min=0, max=PASSAGE_MONEY_MAX),
        Column("staff_id", "text"),
        Column("override", "enum", values=OVERRIDES, enum_reason=Reason.UNKNOWN_OVERRIDE),
    ),
    key=("txn_id",),
    derived=(("business_date", "DATE"),),
)

TAGS = Schema(
    kind=Kind.TAGS,
    table="tags",
    columns=(
        Column("tag_id", "tag", required=True),
        Column("provider_id", "text", required=True),
        Column("account_id", "text", required=True),
        Column("plate", "plate", required=True),
        Column("vehicle_class", "class", required=True),
        Column(
            "status", "enum", required=True, values=TAG_STATUSES, enum_reason=Reason.UNKNOWN_STATUS
        ),
        Column("valid_from", "timestamp", required=True),
        Column("lot", "text"),
    ),
    key=("tag_id", "valid_from"),
)

SETTLEMENTS = Schema(
    kind=Kind.SETTLEMENTS,
    table="settlements",
    columns=(
        Column("settlement_id", "text", required=True),
        Column("provider_id", "text", required=True),
        Column("txn_id", "text", required=True),
        Column("station_id", "text", required=True),
        Column("amount_vnd", "money", required=True, max=PASSAGE_MONEY_MAX,
               doc="formats.md sets no lower bound: a reversal item may be negative"),
        Column("fee_vnd", "money", min=0, default=0, max=PASSAGE_MONEY_MAX),
        Column("settled_at", "timestamp", required=True),
        Column("batch_id", "text", required=True),
    ),
    key=("settlement_id",),
)

BANK = Schema(
    kind=Kind.BANK,
    table="bank_entries",
    columns=(
        Column("entry_id", "text", required=True),
        Column("account", "text", required=True),
        Column("booking_date", "date", required=True),
        Column("value_date", "date"),
        Column("amount_vnd", "money", required=True, min=1),
        Column(
            "direction", "enum", required=True, values=DIRECTIONS,
            enum_reason=Reason.UNKNOWN_DIRECTION,
        ),
        Column("reference", "text"),
        Column("remittance", "text"),
    ),
    key=("account", "entry_id"),
)

STATIONS = Schema(
    kind=Kind.STATIONS,
    table="stations",
    columns=(
        Column("station_id", "text", required=True),
        Column("name", "text", required=True),
        Column("operator_id", "text", required=True),
        Column("account", "text", required=True),
        Column("lat", "float", required=True, min=-90.0, max=90.0),
        Column("lon", "float", required=True, min=-180.0, max=180.0),
        Column("operator_name", "text", doc="the operator's name for reports (optional)"),
    ),
    key=("station_id",),
)

TARIFFS = Schema(
    kind=Kind.TARIFFS,
    table="tariffs",
    columns=(
        Column("station_id", "text", required=True),
        Column("vehicle_class", "class", required=True),
        Column("amount_vnd", "money", required=True, min=0, max=PASSAGE_MONEY_MAX),
        Column("valid_from", "date", required=True),
        Column("valid_to", "date"),
    ),
    key=("station_id", "vehicle_class", "valid_from"),
)

EXEMPTIONS = Schema(
    kind=Kind.EXEMPTIONS,
    table="exemptions",
    columns=(
        Column("plate", "plate", required=True),
        Column("reason", "text", required=True),
        Column("valid_from", "date", required=True),
        Column("valid_to", "date"),
    ),
    key=("plate", "valid_from"),
)

COUNTS = Schema(
    kind=Kind.COUNTS,
    table="counts",
    columns=(
        Column("station_id", "text", required=True),
        Column("lane_id", "text", required=True),
        Column("interval_start", "timestamp", required=True),
        Column("interval_minutes", "int", required=True, min=1, max=1440),
        Column("vehicle_class", "class", doc="empty: all classes"),
        Column("vehicles", "int", required=True, min=0),
        Column("source", "text", doc="sensor id or kind (CAMERA, LOOP)"),
    ),
    key=("station_id", "lane_id", "interval_start", "vehicle_class", "source"),
    derived=(("business_date", "DATE"),),
)
"""The road authority's own vehicle counts per lane and interval. Two key columns
may be empty (vehicle_class: all classes; source): keys compare them as equal
when both are empty. Intervals of one station, lane and source that overlap with
different starts are refused as OUT_OF_RANGE (etc.overlap)."""

PROVIDERS = Schema(
    kind=Kind.PROVIDERS,
    table="providers",
    columns=(
        Column("provider_id", "text", required=True),
        Column("name", "text", required=True),
    ),
    key=("provider_id",),
)
"""Optional: the ETC service providers' names for reports."""

SCHEMAS: dict[Kind, Schema] = {
    s.kind: s for s in (LANES, TAGS, SETTLEMENTS, BANK, STATIONS, TARIFFS, EXEMPTIONS, COUNTS,
                        PROVIDERS)
}

CURRENCY_COLUMN = "currency"
"""Optional on bank files: when present (camt.053, MT940, or a CSV that has it)
every row must say VND."""


DUCKDB_TYPES = {
    "text": "VARCHAR",
    "tag": "VARCHAR",
    "plate": "VARCHAR",
    "enum": "VARCHAR",
    "timestamp": "TIMESTAMPTZ",
    "date": "DATE",
    "money": "BIGINT",
    "int": "BIGINT",
    "float": "DOUBLE",
    "class": "TINYINT",
}
"""How each semantic type is stored in DuckDB."""

EXTRA = "extra"
"""Stored JSON text of the columns a file had beyond the canonical ones (or null)."""
LOAD_ID = "load_id"
SOURCE_ROW = "source_row"


def table_columns(schema: Schema) -> list[tuple[str, str]]:
    """The stored table's columns, in order: canonical (a plate column followed by
    its `<name>_raw`), derived, then `extra`, `load_id`, `source_row`."""
    cols: list[tuple[str, str]] = []
    for c in schema.columns:
        cols.append((c.name, DUCKDB_TYPES[c.type]))
        if c.type == "plate":
            cols.append((f"{c.name}_raw", "VARCHAR"))
    cols.extend(schema.derived)
    cols.extend([(EXTRA, "VARCHAR"), (LOAD_ID, "BIGINT"), (SOURCE_ROW, "BIGINT")])
    return cols


def content_columns(schema: Schema) -> list[str]:
    """Columns compared to decide whether a row with a known key is the same row
    again: the canonical columns, plates normalised (formats.md compares plates
    normalised, so `51H 123.45` re-sent as `51H-123.45` is the same row; the first
    raw text stays)."""
    return list(schema.names)
