"""Loading one validated file: its good rows classified by key against what is
stored (new, present, conflicting), its refused rows quarantined, its `loads`
row, its settlement items summed into `batch_parts` and linked to their passages,
its passages counted into `lane_day_parts` — in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from etc.errors import StoreError
from etc.reasons import Reason
from etc.schemas import LOAD_ID, SOURCE_ROW, Kind, Schema, content_columns, table_columns
from etc.store.connection import Connection
from etc.store.ddl import fill_batch_parts, fill_lane_day_parts, link_items, q


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


STORED_ORDER: dict[Kind, tuple[str, ...]] = {
    Kind.LANES: ("business_date", "passed_at"),
    Kind.SETTLEMENTS: ("settled_at",),
    Kind.TAGS: ("valid_from",),
    Kind.BANK: ("booking_date",),
}
"""The columns a load's rows are inserted in order of, so that each row group of a
table spans a short range of dates and a run's date filters skip the rest
(DuckDB keeps each row group's min and max)."""


def _stored_order(kind: Kind) -> str:
    order = STORED_ORDER.get(kind)
    return " ORDER BY " + ", ".join(f"i.{q(c)}" for c in order) if order else ""


class Loads(Connection):
    """The loading half of the store."""

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
                select = ", ".join(f"{load_id}" if n == LOAD_ID else f"i.{q(n)}" for n in cols)
                (hits,) = self._one("SELECT count(*) FROM __hits") or (0,)
                where = []
                if has_dupes:
                    where.append("i.__rn = 1")
                if hits:
                    where.append("NOT EXISTS (SELECT 1 FROM __hits h WHERE h.__i = i.__i)")
                inserted = self._one(
                    f"INSERT INTO {schema.table} ({', '.join(map(q, cols))}) "
                    f"SELECT {select} FROM {src} i"
                    + (" WHERE " + " AND ".join(where) if where else "")
                    + _stored_order(schema.kind)
                )
                if schema.kind is Kind.SETTLEMENTS:
                    # the rows of one load are contiguous: the filter reads only them
                    self.con.execute(fill_batch_parts("WHERE load_id = $1"),
                                     [load_id]).fetchall()
                    self.con.execute(link_items("AND s.load_id = $1"), [load_id]).fetchall()
                elif schema.kind is Kind.LANES:  # items that came before their passage
                    self.con.execute(link_items("AND l.load_id = $1"), [load_id]).fetchall()
                    self.con.execute(fill_lane_day_parts("WHERE load_id = $1"),
                                     [load_id]).fetchall()
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
            key = ", ".join(q(k) for k in schema.key)
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
                f"CASE WHEN i.{q(c)} IS DISTINCT FROM {ref}.{q(c)} THEN "
                f"'{c} ' || coalesce(CAST(i.{q(c)} AS VARCHAR), 'empty') || ' here, ' || "
                f"coalesce(CAST({ref}.{q(c)} AS VARCHAR), 'empty') || ' before' END"
                for c in content
            ]
            return "concat_ws('; ', " + ", ".join(parts) + ")"

        key_text = " || ', ' || ".join(
            f"'{k}=' || coalesce(CAST(i.{q(k)} AS VARCHAR), 'empty')" for k in schema.key)
        raw_json = "json_object(" + ", ".join(
            f"'{c}', CAST(i.{q(c)} AS VARCHAR)" for c in content) + ")::VARCHAR"
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

def _on(schema: Schema, a: str, b: str) -> str:
    """Key equality; a key column that may be empty (counts: vehicle_class, source)
    matches empty to empty."""
    return " AND ".join(
        f"{a}.{q(k)} {'=' if schema.column(k).required else 'IS NOT DISTINCT FROM'} {b}.{q(k)}"
        for k in schema.key)


def _same(schema: Schema, a: str, b: str) -> str:
    return " AND ".join(
        f"{a}.{q(c)} IS NOT DISTINCT FROM {b}.{q(c)}" for c in content_columns(schema))
