"""An open DuckDB file: opening it (and refusing what is not one), creating the
tables, transactions and plain reads. The other store modules build on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import duckdb
import polars as pl

from etc.errors import StoreError
from etc.schemas import SCHEMAS, Kind
from etc.store import ddl
from etc.store.ddl import q
from etc.store.lock import StoreBusyError, Waiting, connect

DEFAULT_WAIT_SECONDS = 30.0
"""How long opening waits for another process to let go of the file (etc.store.lock)."""


class Connection:
    """An open DuckDB file. Use as a context manager, or call `close()`."""

    def __init__(self, path: str | Path, *, create: bool = True,
                 wait_seconds: float = DEFAULT_WAIT_SECONDS,
                 waiting: Waiting | None = None) -> None:
        """Open (or, with `create`, create) the store at `path`, waiting up to
        `wait_seconds` while another process holds it (`waiting` is told who)."""
        self.path = Path(path)
        if not create and str(path) != ":memory:" and not self.path.is_file():
            raise StoreError("no database here", path=self.path,
                             hint="give --db the file that 'etc ingest' wrote")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = connect(self.path, wait_seconds, waiting)
        except StoreBusyError:
            raise
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
        ddl.create(self.con)

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Self:
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
        return self.con.sql(f"SELECT * FROM {q(name)}").pl(lazy=True)
