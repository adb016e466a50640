"""An open DuckDB file: opening it (and refusing what is not one), creating the
tables, transactions and plain reads. The other store modules build on it.

A full disk, an I/O error or DuckDB's memory limit (ETC_MEMORY_LIMIT, e.g.
"2GB") while opening, writing or reading becomes one `ResourceError` naming the
store and the cause (etc.faults); a transaction that fails so is rolled back,
so the store keeps what it held before."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

import duckdb
import polars as pl

from etc.errors import EtcError, StoreError, UsageError
from etc.faults import resource_error
from etc.schemas import SCHEMAS, Kind
from etc.store import ddl
from etc.store.ddl import q
from etc.store.lock import StoreBusyError, Waiting, connect

DEFAULT_WAIT_SECONDS = 30.0
"""How long opening waits for another process to let go of the file (etc.store.lock)."""

MEMORY_ENV = "ETC_MEMORY_LIMIT"
"""The environment variable that caps DuckDB's memory (SET memory_limit)."""


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
        self.memory_limit = os.environ.get(MEMORY_ENV, "").strip() or None
        self._limit_memory(self.memory_limit)
        with self.faults("prepare the store"):
            ddl.create(self.con)

    def _limit_memory(self, limit: str | None) -> None:
        """Cap DuckDB's memory at `limit` ("512MB", "4GB"; empty: DuckDB's default,
        80 % of the machine); work beyond it spills to disk or stops with
        MemoryLimitError instead of the kernel killing the process."""
        if not limit:
            return
        try:
            self.con.execute("SET memory_limit = ?", [limit])
        except duckdb.Error:
            self.con.close()
            raise UsageError(f"{MEMORY_ENV}={limit!r} is not an amount of memory",
                             hint="write it like 512MB or 4GB") from None

    @contextmanager
    def faults(self, doing: str) -> Iterator[None]:
        """Turn a full disk, an I/O error or the memory limit met inside the block
        into one ResourceError naming the store ("cannot {doing}: {cause}")."""
        try:
            yield
        except Exception as exc:
            known = resource_error(exc, path=self.path, doing=doing,
                                   memory_limit=self.memory_limit)
            if known is None:
                raise
            raise known from exc

    def close(self) -> None:
        with self.faults("close the store"):  # closing writes a checkpoint
            self.con.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        """Close; a full disk or the memory limit met anywhere in the `with` block
        (a LazyFrame over the store runs its DuckDB query when it is collected, far
        from here) leaves it as one ResourceError naming the store."""
        self.close()
        if exc is not None and not isinstance(exc, EtcError):
            known = resource_error(exc, path=self.path, doing="read or write the store",
                                   memory_limit=self.memory_limit)
            if known is not None:
                raise known from exc

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction: committed whole, or rolled back whole (a failed COMMIT,
        e.g. on a full disk, leaves nothing of it)."""
        with self.faults("write the store"):
            self.con.execute("BEGIN TRANSACTION")
            try:
                yield
                self.con.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Roll back what is open; after a failed COMMIT DuckDB has already done so,
        and its complaint that no transaction is open is no news."""
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass

    def _one(self, sql: str, params: list[object] | None = None) -> tuple[Any, ...] | None:
        """The first row of a statement's result (the result is fully consumed)."""
        rows = self.con.execute(sql, params or []).fetchall()
        return rows[0] if rows else None

    # ---- reading -------------------------------------------------------------
    def query(self, sql: str, params: list[object] | None = None) -> pl.DataFrame:
        """Run a read-only query and hand the result over as Polars (via Arrow)."""
        with self.faults("read the store"):
            rel = self.con.sql(sql, params=params) if params else self.con.sql(sql)
            return rel.pl()

    def table(self, kind: Kind | str) -> pl.LazyFrame:
        """An input table as a LazyFrame (kind name or table name)."""
        name = SCHEMAS[Kind(kind)].table if kind in Kind._value2member_map_ else str(kind)
        return self.con.sql(f"SELECT * FROM {q(name)}").pl(lazy=True)
