"""The DuckDB store: the only module that speaks SQL to the database file.

Tables (documented in the README): one per input kind (etc.schemas), `loads`
(one row per loaded file) and `quarantine` (refused rows with their reason).
Every file loads in one transaction: its good rows, its refused rows and its
`loads` row land together or not at all.

Per reconciliation run: `runs` (the manifest, one row per run) and `findings`,
`matches`, `dispositions`, `tieouts`, `traffic` and `lifecycle`, each led by
`run_id` (their columns are the Polars schemas of etc.findings and etc.outputs).
A run is written in one transaction; writing a run id again replaces that run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from etc.context import Inputs
from etc.errors import StoreError
from etc.findings import FINDING_SCHEMA, KEY_COLUMNS
from etc.outputs import (
    DISPOSITION_SCHEMA,
    LIFECYCLE_SCHEMA,
    MATCH_SCHEMA,
    TIEOUT_SCHEMA,
    TRAFFIC_SCHEMA,
)
from etc.reasons import Reason
from etc.reports import INPUT_SCHEMA, RunInfo
from etc.schemas import (
    EXTRA,
    LOAD_ID,
    SCHEMAS,
    SOURCE_ROW,
    Kind,
    Schema,
    content_columns,
    table_columns,
)

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

RUN_TABLES: dict[str, dict[str, pl.DataType]] = {
    "findings": FINDING_SCHEMA,
    "matches": {"run_id": pl.String(), **MATCH_SCHEMA},
    "dispositions": {"run_id": pl.String(), **DISPOSITION_SCHEMA},
    "tieouts": {"run_id": pl.String(), **TIEOUT_SCHEMA},
    "traffic": {"run_id": pl.String(), **TRAFFIC_SCHEMA},
    "lifecycle": {"run_id": pl.String(), **LIFECYCLE_SCHEMA},
}
"""The per-run tables and their columns, `run_id` first (DDL derived from these)."""

INPUT_KINDS: dict[str, Kind] = {
    "lanes": Kind.LANES, "tags": Kind.TAGS, "settlements": Kind.SETTLEMENTS,
    "bank": Kind.BANK, "stations": Kind.STATIONS, "tariffs": Kind.TARIFFS,
    "exemptions": Kind.EXEMPTIONS, "counts": Kind.COUNTS, "providers": Kind.PROVIDERS,
}
"""etc.context.Inputs field → the kind whose table fills it."""

FINDING_ORDER = ("business_date", "code", *KEY_COLUMNS, "amount_at_risk_vnd", "detail")
"""The order of a run's findings (nulls first): the engine's and `run_findings`'."""

_SQL_TYPES: tuple[tuple[pl.DataType, str], ...] = (
    (pl.String(), "VARCHAR"), (pl.Date(), "DATE"), (pl.Int64(), "BIGINT"),
    (pl.Int8(), "TINYINT"), (pl.Int32(), "INTEGER"), (pl.UInt32(), "UINTEGER"),
    (pl.Boolean(), "BOOLEAN"),
    (pl.Float64(), "DOUBLE"), (pl.Datetime("us", "UTC"), "TIMESTAMPTZ"),
)


def _sql_type(dtype: pl.DataType) -> str:
    for polars_type, sql in _SQL_TYPES:
        if dtype == polars_type:
            return sql
    raise TypeError(f"no DuckDB type for the Polars type {dtype}")


def _run_ddl(name: str, schema: Mapping[str, pl.DataType]) -> str:
    cols = ",\n    ".join(
        f"{_q(n)} {_sql_type(t)}" + (" NOT NULL" if n == "run_id" else "")
        for n, t in schema.items())
    return f"CREATE TABLE IF NOT EXISTS {name} (\n    {cols}\n);"


@dataclass(frozen=True)
class LoadRef:
    """One loaded file, as a run's manifest names it."""

    load_id: int
    file: str
    sha256: str
    kind: str


@dataclass(frozen=True)
class RunManifest:
    """The `runs` row of one reconciliation run."""

    run_id: str
    first_date: date
    last_date: date
    settings_json: str
    settings_sha256: str
    code_version: str
    loads: tuple[LoadRef, ...]
    inputs_sha256: str
    """sha256 of the sorted distinct sha256s of every loaded file."""
    started_at: datetime
    ended_at: datetime
    findings: int
    counts: Mapping[str, Mapping[str, int]]
    """code → {"findings": n, "amount_at_risk_vnd": m}."""
    timings: Mapping[str, float]
    """step → seconds."""


@dataclass(frozen=True)
class LoadCounts:
    load_id: int
    rows_read: int
    rows_loaded: int
    rows_present: int
    rows_quarantined: int


@dataclass(frozen=True)
class PriorLoad:
    load_id: int
    file: str
    loaded_at: datetime


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _ddl(schema: Schema) -> str:
    cols = ",\n    ".join(f"{_q(n)} {t}" for n, t in table_columns(schema))
    return f"CREATE TABLE IF NOT EXISTS {schema.table} (\n    {cols}\n);"


class Store:
    """An open DuckDB file. Use as a context manager, or call `close()`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path))
        except (duckdb.Error, OSError) as exc:
            raise StoreError(f"cannot open the database: {str(exc).splitlines()[0]}",
                             path=self.path,
                             hint="is it a DuckDB file, and is no other process writing it?"
                             ) from None
        where = self._one("SELECT path FROM duckdb_databases() "
                          "WHERE database_name = current_database()")
        in_memory = str(path) == ":memory:"
        if not in_memory and (not where or where[0] is None):
            # DuckDB 2 opens a CSV or Parquet file as an in-memory database
            self.con.close()
            raise StoreError("not a DuckDB database file", path=self.path,
                             hint="--db names the database (e.g. etc.duckdb), not an input file")
        self.con.execute("SET TimeZone = 'UTC'")
        self.con.execute(LOADS_DDL)
        for schema in SCHEMAS.values():
            self.con.execute(_ddl(schema))
        self.con.execute(RUNS_DDL)
        for name, columns in RUN_TABLES.items():
            self.con.execute(_run_ddl(name, columns))

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN TRANSACTION")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def _one(self, sql: str, params: list[object] | None = None) -> tuple[Any, ...] | None:
        """The first row of a statement's result (the result is fully consumed)."""
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0] if rows else None

    # ---- reading -------------------------------------------------------------
    def query(self, sql: str, params: list[object] | None = None) -> pl.DataFrame:
        """Run a read-only query and hand the result over as Polars (via Arrow)."""
        rel = self.con.sql(sql, params=params) if params else self.con.sql(sql)
        return rel.pl()

    def table(self, kind: Kind | str) -> pl.LazyFrame:
        """An input table as a LazyFrame (kind name or table name)."""
        name = SCHEMAS[Kind(kind)].table if kind in Kind._value2member_map_ else str(kind)
        return self.con.sql(f"SELECT * FROM {_q(name)}").pl(lazy=True)

    def prior_load(self, sha256: str) -> PriorLoad | None:
        row = self._one(
            "SELECT load_id, file, loaded_at FROM loads WHERE sha256 = ? ORDER BY load_id LIMIT 1",
            [sha256],
        )
        return PriorLoad(int(row[0]), str(row[1]), row[2]) if row else None

    def loads(self) -> pl.DataFrame:
        return self.query("SELECT * FROM loads ORDER BY load_id")

    def quarantine(self, file: str | None = None) -> pl.DataFrame:
        if file is None:
            return self.query('SELECT * FROM quarantine ORDER BY load_id, "row"')
        return self.query(
            'SELECT * FROM quarantine WHERE file = ? OR ends_with(file, ?) '
            'ORDER BY load_id, "row"',
            [file, "/" + file],
        )

    # ---- loading -------------------------------------------------------------
    def load(
        self,
        *,
        file: str,
        sha256: str,
        schema: Schema,
        fmt: str,
        good: pl.DataFrame,
        bad: pl.DataFrame,
        rows_read: int,
    ) -> LoadCounts:
        """Store one validated file in one transaction and return its counts.

        A good row whose key is new is inserted. One whose key is already in the
        table (or earlier in this file) is counted as present when every content
        column is the same, else quarantined as DUPLICATE_CONFLICT naming what
        differs. Only the rows that meet a known key are compared column by
        column; the rest go straight in."""
        has_dupes = bool(good.height) and bool(
            good.select(pl.struct(list(schema.key)).is_duplicated().any()).item())
        with self._transaction():
            (load_id,) = self._one("SELECT nextval('load_ids')") or (0,)
            # __i: a unique ordinal per incoming row (source_row is not unique: a
            # camt.053 batch entry gives several rows from one position).
            self.con.register("__incoming", good.with_row_index("__i").to_arrow())
            self.con.register("__refused", bad.to_arrow())
            try:
                src = self._classify(schema, has_dupes)
                cols = [n for n, _ in table_columns(schema)]
                select = ", ".join(f"{load_id}" if n == LOAD_ID else f"i.{_q(n)}" for n in cols)
                (hits,) = self._one("SELECT count(*) FROM __hits") or (0,)
                where = []
                if has_dupes:
                    where.append("i.__rn = 1")
                if hits:
                    where.append("NOT EXISTS (SELECT 1 FROM __hits h WHERE h.__i = i.__i)")
                inserted = self._one(
                    f"INSERT INTO {schema.table} ({', '.join(map(_q, cols))}) "
                    f"SELECT {select} FROM {src} i"
                    + (" WHERE " + " AND ".join(where) if where else "")
                )
                self.con.execute(
                    "INSERT INTO quarantine SELECT ?, ?, ?, \"row\", raw, reason, message "
                    "FROM __refused",
                    [load_id, file, schema.kind.value],
                ).fetchall()
                self._quarantine_conflicts(schema, src, load_id, file)
                counts = self._one(
                    "SELECT count(*) FILTER (WHERE __status = 'present'),"
                    " count(*) FILTER (WHERE __status = 'conflict') FROM __hits"
                )
                present, conflict = (int(x) for x in counts or (0, 0))
                new = int(inserted[0]) if inserted else 0
                result = LoadCounts(load_id, rows_read, new, present, conflict + bad.height)
                stored = self._one('SELECT count(*) FROM quarantine WHERE load_id = ?', [load_id])
                if (new + present + conflict + bad.height != rows_read
                        or (stored and stored[0] != conflict + bad.height)):
                    raise StoreError(
                        f"row accounting broke: read {rows_read}, loaded {new}, present "
                        f"{present}, quarantined {conflict + bad.height}", path=file)
                self.con.execute(
                    "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                    [load_id, file, sha256, schema.kind.value, fmt, rows_read,
                     result.rows_loaded, result.rows_present, result.rows_quarantined],
                ).fetchall()
            finally:
                self.con.unregister("__incoming")
                self.con.unregister("__refused")
        self.con.execute("DROP TABLE IF EXISTS __hits; DROP TABLE IF EXISTS __inc")
        return result

    def _classify(self, schema: Schema, has_dupes: bool) -> str:
        """Build __hits: (__i, __status present|conflict) for every incoming
        row whose key is already stored, or came earlier in this file. Returns the
        relation the incoming rows are read from (with __rn when there are dupes)."""
        src = "__incoming"
        if has_dupes:
            key = ", ".join(_q(k) for k in schema.key)
            self.con.execute(
                "CREATE OR REPLACE TEMP TABLE __inc AS SELECT *, row_number() OVER "
                f"(PARTITION BY {key} ORDER BY __i) AS __rn FROM __incoming")
            src = "__inc"
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE __hits AS
            SELECT i.__i,
                CASE WHEN {_same(schema, "i", "t")} THEN 'present' ELSE 'conflict' END AS __status
            FROM {src} i JOIN {schema.table} t ON {_on(schema, "t", "i")}
        """)
        if has_dupes:
            self.con.execute(f"""
                INSERT INTO __hits
                SELECT i.__i,
                    CASE WHEN {_same(schema, "i", "f")} THEN 'present' ELSE 'conflict' END
                FROM __inc i JOIN __inc f ON {_on(schema, "f", "i")} AND f.__rn = 1
                WHERE i.__rn > 1 AND NOT EXISTS (
                    SELECT 1 FROM {schema.table} t WHERE {_on(schema, "t", "i")})
            """)
        return src

    def _quarantine_conflicts(self, schema: Schema, src: str, load_id: int, file: str) -> None:
        """Quarantine the conflicting rows, each with the columns that differ."""
        content = content_columns(schema)

        def diffs(ref: str) -> str:
            parts = [
                f"CASE WHEN i.{_q(c)} IS DISTINCT FROM {ref}.{_q(c)} THEN "
                f"'{c} ' || coalesce(CAST(i.{_q(c)} AS VARCHAR), 'empty') || ' here, ' || "
                f"coalesce(CAST({ref}.{_q(c)} AS VARCHAR), 'empty') || ' before' END"
                for c in content
            ]
            return "concat_ws('; ', " + ", ".join(parts) + ")"

        key_text = " || ', ' || ".join(
            f"'{k}=' || coalesce(CAST(i.{_q(k)} AS VARCHAR), 'empty')" for k in schema.key)
        raw_json = "json_object(" + ", ".join(
            f"'{c}', CAST(i.{_q(c)} AS VARCHAR)" for c in content) + ")::VARCHAR"
        firsts = (f"LEFT JOIN (SELECT * FROM __inc WHERE __rn = 1) f ON {_on(schema, 'f', 'i')}"
                  if src == "__inc" else f"LEFT JOIN (SELECT * FROM {src} LIMIT 0) f ON false")
        self.con.execute(f"""
            INSERT INTO quarantine
            SELECT ?, ?, ?, i.{SOURCE_ROW}, {raw_json}, ?,
                CASE WHEN t.{LOAD_ID} IS NOT NULL THEN
                    'key ' || {key_text} || ' was loaded before (load ' || t.{LOAD_ID}
                    || ', row ' || t.{SOURCE_ROW} || ') with other values: ' || {diffs("t")}
                ELSE
                    'key ' || {key_text} || ' came earlier in this file (row '
                    || f.{SOURCE_ROW} || ') with other values: ' || {diffs("f")}
                END
            FROM {src} i
            JOIN __hits h ON h.__i = i.__i AND h.__status = 'conflict'
            LEFT JOIN {schema.table} t ON {_on(schema, "t", "i")} AND t.{LOAD_ID} <> ?
            {firsts}
            ORDER BY i.__i
        """, [load_id, file, schema.kind.value, Reason.DUPLICATE_CONFLICT.value, load_id]
        ).fetchall()

    # ---- reconciliation runs -------------------------------------------------
    def inputs(self) -> Inputs:
        """Every input table, read once into memory and handed out lazily: its
        canonical columns (plates normalised) and derived ones (`business_date`);
        not `<plate>_raw` (no rule reads it, and it keeps the first spelling
        loaded, so it depends on the load order), extra, load_id or source_row.

        Rows come in storage order, which depends on the load order: rules must
        not depend on row order (tests/unit/test_engine.py shuffles the inputs;
        ORDER BY the key here doubled the read, 15 s → 30 s on 10 M passages).
        Read eagerly: a DuckDB-backed LazyFrame scans the table again at every
        collect and cannot be joined with itself (the connection is busy)."""
        frames: dict[str, pl.LazyFrame] = {}
        for field, kind in INPUT_KINDS.items():
            schema = SCHEMAS[kind]
            raw = {f"{c.name}_raw" for c in schema.columns if c.type == "plate"}
            cols = [n for n, _ in table_columns(schema)
                    if n not in {EXTRA, LOAD_ID, SOURCE_ROW, *raw}]
            sql = f"SELECT {', '.join(map(_q, cols))} FROM {schema.table}"
            if kind is Kind.LANES:  # etc.txnkey: txn_id's surrogate, for equality only
                sql = f"SELECT {', '.join(map(_q, cols))}, rowid::BIGINT AS txn_key FROM lanes"
            elif kind is Kind.SETTLEMENTS:
                sql = (f"SELECT {', '.join('s.' + _q(c) for c in cols)}, "
                       "l.rowid::BIGINT AS txn_key FROM settlements s "
                       "LEFT JOIN lanes l ON l.txn_id = s.txn_id")
            frames[field] = self.con.sql(sql).pl().lazy()
        return Inputs(**frames)

    def load_manifest(self) -> tuple[LoadRef, ...]:
        """Every loaded file (id, name, sha256, kind), in load order."""
        rows = self.con.execute(
            "SELECT load_id, file, sha256, kind FROM loads ORDER BY load_id").fetchall()
        return tuple(LoadRef(int(i), str(f), str(h), str(k)) for i, f, h, k in rows)

    def write_run(self, manifest: RunManifest, findings: pl.DataFrame, matches: pl.DataFrame,
                  dispositions: pl.DataFrame, tieouts: pl.DataFrame, *,
                  traffic: pl.DataFrame | None = None,
                  lifecycle: pl.DataFrame | None = None) -> None:
        """Store a run in one transaction: its manifest and its tables, all or
        nothing (traffic and lifecycle empty when not given). The rows of an
        earlier run with the same id are replaced. Every row is written with
        `manifest.run_id`; other columns are cast to the table's types (a missing
        column is a StoreError)."""
        if findings.height != manifest.findings:
            raise StoreError(f"run {manifest.run_id}: the manifest counts {manifest.findings} "
                             f"findings but {findings.height} were given")
        frames = {"findings": findings, "matches": matches, "dispositions": dispositions,
                  "tieouts": tieouts,
                  "traffic": pl.DataFrame(schema=TRAFFIC_SCHEMA) if traffic is None else traffic,
                  "lifecycle": (pl.DataFrame(schema=LIFECYCLE_SCHEMA) if lifecycle is None
                                else lifecycle)}
        with self._transaction():
            for table in ("runs", *RUN_TABLES):
                self.con.execute(f"DELETE FROM {table} WHERE run_id = ?", [manifest.run_id])
            self.con.execute(
                "INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [manifest.run_id, manifest.first_date, manifest.last_date,
                 manifest.settings_json, manifest.settings_sha256, manifest.code_version,
                 json.dumps([asdict(ref) for ref in manifest.loads]), manifest.inputs_sha256,
                 manifest.started_at, manifest.ended_at, manifest.findings,
                 json.dumps(manifest.counts, sort_keys=True), json.dumps(manifest.timings)],
            ).fetchall()
            for table, frame in frames.items():
                self._insert_run_rows(table, manifest.run_id, frame)

    def _insert_run_rows(self, table: str, run_id: str, frame: pl.DataFrame) -> None:
        schema = RUN_TABLES[table]
        missing = [c for c in schema if c != "run_id" and c not in frame.columns]
        if missing:
            raise StoreError(f"run {run_id}: the {table} frame lacks {', '.join(missing)}")
        typed = frame.select(pl.col(c).cast(t) for c, t in schema.items() if c != "run_id")
        self.con.register("__run_rows", typed.to_arrow())
        try:
            cols = ", ".join(_q(c) for c in schema if c != "run_id")
            self.con.execute(f"INSERT INTO {table} (run_id, {cols}) SELECT ?, {cols} "
                             "FROM __run_rows", [run_id]).fetchall()
        finally:
            self.con.unregister("__run_rows")

    def runs(self) -> pl.DataFrame:
        """The `runs` table, oldest first."""
        return self.query("SELECT * FROM runs ORDER BY started_at, run_id")

    def earlier_runs(self, run_id: str, first: date, last: date,
                     started_at: datetime) -> list[str]:
        """The runs before a run of (first, last) started at `started_at`, latest
        first: ordered by last date, first date, then start time (`run_id` itself,
        being rewritten, is not one of them)."""
        rows = self.con.execute(
            "SELECT run_id FROM runs WHERE run_id <> ? AND (last_date, first_date, started_at)"
            " < (?, ?, ?) ORDER BY last_date DESC, first_date DESC, started_at DESC, run_id DESC",
            [run_id, last, first, started_at]).fetchall()
        return [str(r[0]) for r in rows]

    def open_identities(self, runs: list[str]) -> pl.DataFrame:
        """LIFECYCLE_SCHEMA rows: per finding identity (code, identity), its row
        in the latest of `runs` (ordered latest first) that has one — of that
        run's latest business date — when that row is not RESOLVED: the
        identities still open before a new run."""
        cols = ", ".join(_q(c) for c in LIFECYCLE_SCHEMA)
        if not runs:
            return pl.DataFrame(schema=LIFECYCLE_SCHEMA)
        order = pl.DataFrame({"run_id": runs, "pos": list(range(len(runs)))})
        self.con.register("__order", order.to_arrow())
        try:
            found = self.query(
                f"SELECT {cols} FROM (SELECT l.*, row_number() OVER (PARTITION BY l.code, "
                "l.identity ORDER BY o.pos, l.business_date DESC) AS rn FROM lifecycle l "
                "JOIN __order o "
                "USING (run_id)) WHERE rn = 1 AND state <> 'RESOLVED' "
                "ORDER BY code, identity")
        finally:
            self.con.unregister("__order")
        return found.cast(LIFECYCLE_SCHEMA)  # type: ignore[arg-type]

    def has_run(self, run_id: str) -> bool:
        return self._one("SELECT 1 FROM runs WHERE run_id = ?", [run_id]) is not None

    def runs_covering(self, day: date) -> list[str]:
        """Runs whose period holds `day`, the most recently started first."""
        rows = self.con.execute(
            "SELECT run_id FROM runs WHERE first_date <= ? AND ? <= last_date "
            "ORDER BY started_at DESC, run_id DESC",
            [day, day]).fetchall()
        return [str(r[0]) for r in rows]

    def run_info(self, run_id: str) -> RunInfo:
        """The `runs` row of `run_id` as a RunInfo (StoreError when there is none)."""
        row = self._one("SELECT run_id, first_date, last_date, started_at, code_version, "
                        "settings_sha256, inputs_sha256, loads_json FROM runs WHERE run_id = ?",
                        [run_id])
        if row is None:
            raise StoreError(f"no run {run_id!r} in the database", path=self.path)
        loads = json.loads(row[7])
        inputs = pl.DataFrame(
            [{"load_id": r["load_id"], "file": Path(r["file"]).name, "kind": r["kind"],
              "sha256": r["sha256"]} for r in loads], schema=INPUT_SCHEMA)
        return RunInfo(run_id=str(row[0]), first_date=row[1], last_date=row[2],
                       started_at=row[3].astimezone(UTC), code_version=str(row[4]),
                       settings_sha256=str(row[5]), inputs_sha256=str(row[6]),
                       inputs=inputs.sort("load_id"))

    def latest_run_id(self) -> str | None:
        """The run written last (None when there is none)."""
        row = self._one("SELECT run_id FROM runs ORDER BY ended_at DESC, run_id DESC LIMIT 1")
        return str(row[0]) if row else None

    def run_findings(self, run_id: str, code: str | None = None) -> pl.DataFrame:
        """A run's findings (of one code, or all), in FINDING_SCHEMA's columns and
        the run's order: business date, code, the key columns, amount, detail,
        nulls first."""
        cols = ", ".join(_q(c) for c in FINDING_SCHEMA)
        order = ", ".join(f"{_q(c)} NULLS FIRST" for c in FINDING_ORDER)
        where, params = "run_id = ?", list[object]([run_id])
        if code is not None:
            where, params = where + " AND code = ?", [*params, code]
        found = self.query(f"SELECT {cols} FROM findings WHERE {where} ORDER BY {order}",
                           params)
        return found.cast(FINDING_SCHEMA)  # type: ignore[arg-type]

    def run_table(self, table: str, run_id: str) -> pl.DataFrame:
        """A run's rows of `matches`, `dispositions` or `tieouts` (or `findings`),
        without the run_id column, in the order they were written."""
        if table not in RUN_TABLES:
            raise KeyError(table)
        schema = RUN_TABLES[table]
        cols = ", ".join(_q(c) for c in schema if c != "run_id")
        rel = self.con.sql(f"SELECT {cols} FROM {table} WHERE run_id = $1",
                           params=[run_id])
        return rel.pl().cast({c: t for c, t in schema.items() if c != "run_id"})


def _on(schema: Schema, a: str, b: str) -> str:
    """Key equality; a key column that may be empty (counts: vehicle_class, source)
    matches empty to empty."""
    return " AND ".join(
        f"{a}.{_q(k)} {'=' if schema.column(k).required else 'IS NOT DISTINCT FROM'} {b}.{_q(k)}"
        for k in schema.key)


def _same(schema: Schema, a: str, b: str) -> str:
    return " AND ".join(
        f"{a}.{_q(c)} IS NOT DISTINCT FROM {b}.{_q(c)}" for c in content_columns(schema))
