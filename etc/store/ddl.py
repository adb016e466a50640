"""The store's tables: DDL of the bookkeeping tables (`loads`, `quarantine`,
`runs`), of each input kind (etc.schemas) and of the per-run tables, whose
columns are the Polars schemas of etc.findings and etc.outputs."""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import polars as pl

from etc.findings import FINDING_SCHEMA
from etc.outputs import (
    DISPOSITION_SCHEMA,
    LIFECYCLE_SCHEMA,
    MATCH_SCHEMA,
    PENDING_SCHEMA,
    TIEOUT_SCHEMA,
    TRAFFIC_SCHEMA,
)
from etc.schemas import SCHEMAS, Schema, table_columns

LOADS_DDL = """
CREATE SEQUENCE IF NOT EXISTS load_ids START 1;
CREATE TABLE IF NOT EXISTS loads (
    load_id BIGINT PRIMARY KEY,
    file VARCHAR NOT NULL,
    sha256 VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    format VARCHAR NOT NULL,
    rows_read BIGINT NOT NULL,
    rows_loaded BIGINT NOT NULL,
    rows_present BIGINT NOT NULL,
    rows_quarantined BIGINT NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE IF NOT EXISTS quarantine (
    load_id BIGINT NOT NULL,
    file VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,
    "row" BIGINT,
    raw VARCHAR,
    reason VARCHAR NOT NULL,
    message VARCHAR NOT NULL
);
"""

RUNS_DDL = """
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY,
    first_date DATE NOT NULL,
    last_date DATE NOT NULL,
    settings_json VARCHAR NOT NULL,
    settings_sha256 VARCHAR NOT NULL,
    code_version VARCHAR NOT NULL,
    loads_json VARCHAR NOT NULL,
    inputs_sha256 VARCHAR NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ NOT NULL,
    findings BIGINT NOT NULL,
    counts_json VARCHAR NOT NULL,
    timings_json VARCHAR NOT NULL
);
"""

RUNS_ADDED: tuple[tuple[str, str], ...] = (
    ("as_of", "TIMESTAMPTZ"), ("passages", "BIGINT"), ("pending", "BIGINT"))
"""Columns of `runs` added in 0.3.0 (ALTER TABLE on a store of an earlier version):
the run's as-of time, its period's passages and its pending items."""

BATCH_PARTS_DDL = """
CREATE TABLE IF NOT EXISTS batch_parts (
    load_id BIGINT NOT NULL,
    batch_id VARCHAR,
    provider_id VARCHAR,
    station_id VARCHAR,
    items BIGINT NOT NULL,
    gross_vnd BIGINT NOT NULL,
    fee_vnd BIGINT NOT NULL,
    last_settled_at TIMESTAMPTZ
);
"""
"""Settlement items summed per load, batch, provider and station, written in the
load's transaction: the batches of any period are read from these few rows
instead of from every item ever loaded."""

LANE_DAY_PARTS_DDL = """
CREATE TABLE IF NOT EXISTS lane_day_parts (
    load_id BIGINT NOT NULL,
    station_id VARCHAR NOT NULL,
    lane_id VARCHAR NOT NULL,
    business_date DATE NOT NULL,
    passages BIGINT NOT NULL,
    cash BIGINT NOT NULL,
    cash_vnd BIGINT NOT NULL
);
"""
"""Passages counted per load, lane and business date (all, CASH, Σ CASH amount),
written in each lanes load's transaction: CASH_SHARE_SPIKE's weeks before a
period are read from these few rows instead of from every passage of them."""

RUN_TABLES: dict[str, dict[str, pl.DataType]] = {
    "findings": FINDING_SCHEMA,
    "matches": {"run_id": pl.String(), **MATCH_SCHEMA},
    "dispositions": {"run_id": pl.String(), **DISPOSITION_SCHEMA},
    "tieouts": {"run_id": pl.String(), **TIEOUT_SCHEMA},
    "traffic": {"run_id": pl.String(), **TRAFFIC_SCHEMA},
    "lifecycle": {"run_id": pl.String(), **LIFECYCLE_SCHEMA},
    "pending": {"run_id": pl.String(), **PENDING_SCHEMA},
}
"""The per-run tables and their columns, `run_id` first (DDL derived from these)."""

NOTES_DDL = """
CREATE SEQUENCE IF NOT EXISTS note_ids START 1;
CREATE TABLE IF NOT EXISTS notes (
    note_id BIGINT PRIMARY KEY,
    code VARCHAR NOT NULL,
    identity VARCHAR NOT NULL,
    business_date DATE,
    finding_id VARCHAR,
    state VARCHAR NOT NULL,
    author VARCHAR NOT NULL,
    text VARCHAR NOT NULL,
    noted_at TIMESTAMPTZ NOT NULL
);
"""
"""Notes on findings (etc.store.notes): append-only, never updated or deleted; a
note is on a code and identity (the finding's key without its date), so it
follows the identity into later runs. `business_date` and `finding_id` say which
finding it was given on (null when given on the identity)."""


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(schema: Schema) -> str:
    cols = ",\n    ".join(f"{q(n)} {t}" for n, t in table_columns(schema))
    return f"CREATE TABLE IF NOT EXISTS {schema.table} (\n    {cols}\n);"


_SQL_TYPES: tuple[tuple[pl.DataType, str], ...] = (
    (pl.String(), "VARCHAR"), (pl.Date(), "DATE"), (pl.Int64(), "BIGINT"),
    (pl.Int8(), "TINYINT"), (pl.Int32(), "INTEGER"), (pl.UInt32(), "UINTEGER"),
    (pl.Boolean(), "BOOLEAN"),
    (pl.Float64(), "DOUBLE"), (pl.Datetime("us", "UTC"), "TIMESTAMPTZ"),
)


def sql_type(dtype: pl.DataType) -> str:
    for polars_type, sql in _SQL_TYPES:
        if dtype == polars_type:
            return sql
    raise TypeError(f"no DuckDB type for the Polars type {dtype}")


def _run_ddl(name: str, schema: Mapping[str, pl.DataType]) -> str:
    cols = ",\n    ".join(
        f"{q(n)} {sql_type(t)}" + (" NOT NULL" if n == "run_id" else "")
        for n, t in schema.items())
    return f"CREATE TABLE IF NOT EXISTS {name} (\n    {cols}\n);"


def create(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table that is missing (an existing store keeps its rows)."""
    con.execute(LOADS_DDL)
    have = set(con.execute("SELECT table_name, column_name FROM duckdb_columns() "
                           "WHERE database_name = current_database()").fetchall())
    for schema in SCHEMAS.values():
        con.execute(_ddl(schema))
        for name, sql in table_columns(schema):  # a column added since the store was made
            if (schema.table, name) not in have and any(t == schema.table for t, _ in have):
                con.execute(f"ALTER TABLE {schema.table} ADD COLUMN {q(name)} {sql}")
    con.execute(RUNS_DDL)
    for name, columns in RUN_TABLES.items():
        con.execute(_run_ddl(name, columns))
        # a column added since the store was made (traffic's provider_id and
        # unread_or_weak): the runs written before have it null
        for column, dtype in columns.items():
            if (name, column) not in have and any(t == name for t, _ in have):
                con.execute(f"ALTER TABLE {name} ADD COLUMN {q(column)} {sql_type(dtype)}")
    for column, sql in RUNS_ADDED:
        if ("runs", column) not in have:
            con.execute(f"ALTER TABLE runs ADD COLUMN {column} {sql}")
    con.execute(BATCH_PARTS_DDL)
    con.execute(LANE_DAY_PARTS_DDL)
    if ("settlements", "passage_date") not in have:  # a new store, or one before 0.4.0
        con.execute("ALTER TABLE settlements ADD COLUMN passage_date DATE")
        con.execute(link_items("")).fetchall()
    con.execute("CREATE TABLE IF NOT EXISTS runs_writing (run_id VARCHAR NOT NULL, "
                "started_at TIMESTAMPTZ NOT NULL)")
    con.execute(NOTES_DDL)
    _upgrade(con)


def _upgrade(con: duckdb.DuckDBPyConnection) -> None:
    """Fill what a store written by 0.2.0 or 0.3.0 lacks (nothing happens on a
    newer one): the added `runs` columns (as-of = when the run ended, its passages
    from its traffic rows, no pending items), `batch_parts` from the stored items
    and `lane_day_parts` from the stored passages."""
    con.execute("""
        UPDATE runs SET as_of = coalesce(as_of, ended_at), pending = coalesce(pending, 0),
            passages = coalesce(passages, (SELECT sum(t.passages) FROM traffic t
                                           WHERE t.run_id = runs.run_id), 0)
        WHERE as_of IS NULL OR pending IS NULL OR passages IS NULL""").fetchall()
    parts = con.execute("SELECT count(*) FROM batch_parts").fetchall()[0][0]
    if not parts:
        con.execute(fill_batch_parts("")).fetchall()
    if not con.execute("SELECT count(*) FROM lane_day_parts").fetchall()[0][0]:
        con.execute(fill_lane_day_parts("")).fetchall()


def link_items(where: str) -> str:
    """UPDATE the `passage_date` of the settlement items matching `where` (alias s)
    whose passage is loaded: the business date of the passage the item names.

    `passage_date` is the store's index from item to passage: it is not an input
    column, the store keeps it (each settlements load links its items, each lanes
    load the items that came before their passage; rows are never deleted, so a
    link never changes). A run then finds the items of its period's passages, and
    knows an item names no loaded passage, by a date filter instead of matching
    every txn_id of history (etc.store.inputs)."""
    return ("UPDATE settlements s SET passage_date = l.business_date FROM lanes l "
            f"WHERE s.txn_id = l.txn_id AND s.passage_date IS NULL {where}")


def fill_batch_parts(where: str) -> str:
    """INSERT INTO batch_parts the sums of the settlement items matching `where`."""
    return ("INSERT INTO batch_parts SELECT load_id, batch_id, provider_id, station_id, "
            "count(*), sum(amount_vnd), sum(coalesce(fee_vnd, 0)), max(settled_at) "
            f"FROM settlements {where} GROUP BY load_id, batch_id, provider_id, station_id")


def fill_lane_day_parts(where: str) -> str:
    """INSERT INTO lane_day_parts the counts of the passages matching `where`."""
    return ("INSERT INTO lane_day_parts SELECT load_id, station_id, lane_id, business_date, "
            "count(*), count(*) FILTER (WHERE payment_method = 'CASH'), "
            "coalesce(sum(amount_vnd) FILTER (WHERE payment_method = 'CASH'), 0) "
            f"FROM lanes {where} GROUP BY load_id, station_id, lane_id, business_date")
