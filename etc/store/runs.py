"""Reconciliation runs in the store: writing one (its `runs` row and its rows of
the per-run tables, its `runs` row last) and reading runs back."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime

import polars as pl

from etc.errors import StoreError
from etc.findings import FINDING_SCHEMA, KEY_COLUMNS
from etc.manifests import LoadRef, RunManifest, RunRow
from etc.outputs import LIFECYCLE_SCHEMA
from etc.store.connection import Connection
from etc.store.ddl import RUN_TABLES, q

FINDING_ORDER = ("business_date", "code", *KEY_COLUMNS, "amount_at_risk_vnd", "detail")
"""The order of a run's findings (nulls first): the engine's and `run_findings`'."""


def load_refs(store: Connection) -> tuple[LoadRef, ...]:
    """Every file in `loads` (id, name, sha256, kind), in load order."""
    rows = store.con.execute(
        "SELECT load_id, file, sha256, kind FROM loads ORDER BY load_id").fetchall()
    return tuple(LoadRef(int(i), str(f), str(h), str(k)) for i, f, h, k in rows)


class Runs(Connection):
    """The runs half of the store."""

    def load_manifest(self) -> tuple[LoadRef, ...]:
        """Every loaded file (id, name, sha256, kind), in load order."""
        return load_refs(self)

    def write_run(self, manifest: RunManifest, tables: Mapping[str, pl.DataFrame]) -> None:
        """Store a run: its manifest and its rows of each per-run table (RUN_TABLES; a
        table not given gets none), all or nothing (see `writing_run`)."""
        with self.writing_run(manifest.run_id) as add:
            for table, frame in tables.items():
                add(table, frame)
            self.finish_run(manifest)

    @contextmanager
    def writing_run(self, run_id: str) -> Iterator[Callable[[str, pl.DataFrame], None]]:
        """Write a run piece by piece: the rows of an earlier run with the same id
        (the same inputs, settings, as-of and code) are removed, `add(table, frame)`
        appends rows to a per-run table (every row with `run_id`; other columns cast
        to the table's types, a missing column is a StoreError), and the `runs` row
        must be written last, with `finish_run`.

        Each piece is committed as it comes, so that a long period's rows do not
        wait in memory for one commit; the run exists for readers only once its
        `runs` row is written. Until then it is marked in `runs_writing`: if
        anything fails (or the runs row is missing) its rows are removed here, and
        a writer killed midway leaves a mark that the next opening clears."""
        with self._transaction():
            self._remove_run(run_id)
            self.con.execute("INSERT INTO runs_writing VALUES (?, now())", [run_id]).fetchall()
        try:
            yield lambda table, frame: self._insert_run_rows(table, run_id, frame)
            if self._one("SELECT 1 FROM runs WHERE run_id = ?", [run_id]) is None:
                raise StoreError(f"run {run_id}: its runs row was not written")
        except BaseException:
            with self._transaction():
                self._remove_run(run_id)
            raise

    def _remove_run(self, run_id: str) -> None:
        """Delete every row of a run, and its mark (inside a transaction)."""
        for table in ("runs", *RUN_TABLES, "runs_writing"):
            self.con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id]).fetchall()

    def clear_unfinished_runs(self) -> list[str]:
        """Remove the rows of runs whose writer stopped before their runs row (a
        killed process); returns their ids."""
        gone = [str(r[0]) for r in self.con.execute(
            "SELECT run_id FROM runs_writing ORDER BY run_id").fetchall()]
        for run_id in gone:
            with self._transaction():
                self._remove_run(run_id)
        return gone

    def finish_run(self, manifest: RunManifest) -> None:
        """Write the `runs` row of a run whose rows were added (counts checked), and
        lift its mark, in one transaction."""
        with self._transaction():
            self._write_runs_row(manifest)

    def _write_runs_row(self, manifest: RunManifest) -> None:
        for name, count in (("findings", manifest.findings), ("pending", manifest.pending)):
            (stored,) = self._one(f"SELECT count(*) FROM {name} WHERE run_id = ?",
                                  [manifest.run_id]) or (0,)
            if stored != count:
                raise StoreError(f"run {manifest.run_id}: the manifest counts {count} {name} "
                                 f"but {stored} were given")
        row = {
            "run_id": manifest.run_id, "first_date": manifest.first_date,
            "last_date": manifest.last_date, "settings_json": manifest.settings_json,
            "settings_sha256": manifest.settings_sha256, "code_version": manifest.code_version,
            "loads_json": json.dumps([asdict(ref) for ref in manifest.loads]),
            "inputs_sha256": manifest.inputs_sha256, "as_of": manifest.as_of,
            "passages": manifest.passages, "pending": manifest.pending,
            "started_at": manifest.started_at, "ended_at": manifest.ended_at,
            "findings": manifest.findings,
            "counts_json": json.dumps(manifest.counts, sort_keys=True),
            "timings_json": json.dumps(manifest.timings),
        }
        self.con.execute(
            f"INSERT INTO runs ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
            list(row.values())).fetchall()
        self.con.execute("DELETE FROM runs_writing WHERE run_id = ?",
                         [manifest.run_id]).fetchall()

    def _insert_run_rows(self, table: str, run_id: str, frame: pl.DataFrame) -> None:
        if table not in RUN_TABLES:
            raise StoreError(f"run {run_id}: no run table {table!r}")
        schema = RUN_TABLES[table]
        missing = [c for c in schema if c != "run_id" and c not in frame.columns]
        if missing:
            raise StoreError(f"run {run_id}: the {table} frame lacks {', '.join(missing)}")
        typed = frame.select(pl.col(c).cast(t) for c, t in schema.items() if c != "run_id")
        self.con.register("__run_rows", typed.to_arrow())
        try:
            cols = ", ".join(q(c) for c in schema if c != "run_id")
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
        cols = ", ".join(q(c) for c in LIFECYCLE_SCHEMA)
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

    def run_row(self, run_id: str) -> RunRow:
        """The `runs` row of `run_id` (StoreError when there is none)."""
        row = self._one("SELECT run_id, first_date, last_date, as_of, started_at, code_version, "
                        "settings_sha256, inputs_sha256, loads_json FROM runs WHERE run_id = ?",
                        [run_id])
        if row is None:
            raise StoreError(f"no run {run_id!r} in the database", path=self.path)
        loads = tuple(LoadRef(**r) for r in json.loads(row[8]))
        return RunRow(run_id=str(row[0]), first_date=row[1], last_date=row[2],
                      as_of=row[3].astimezone(UTC), started_at=row[4].astimezone(UTC),
                      code_version=str(row[5]), settings_sha256=str(row[6]),
                      inputs_sha256=str(row[7]), loads=loads)

    def latest_run_id(self) -> str | None:
        """The run written last that saw passages (None when there is none): a run of
        dates with no data is kept, but is never what a command takes by default."""
        row = self._one("SELECT run_id FROM runs WHERE passages > 0 "
                        "ORDER BY ended_at DESC, run_id DESC LIMIT 1")
        return str(row[0]) if row else None

    def run_findings(self, run_id: str, code: str | None = None) -> pl.DataFrame:
        """A run's findings (of one code, or all), in FINDING_SCHEMA's columns and
        the run's order: business date, code, the key columns, amount, detail,
        nulls first."""
        cols = ", ".join(q(c) for c in FINDING_SCHEMA)
        order = ", ".join(f"{q(c)} NULLS FIRST" for c in FINDING_ORDER)
        where, params = "run_id = ?", list[object]([run_id])
        if code is not None:
            where, params = where + " AND code = ?", [*params, code]
        found = self.query(f"SELECT {cols} FROM findings WHERE {where} ORDER BY {order}",
                           params)
        return found.cast(FINDING_SCHEMA)  # type: ignore[arg-type]

    def batch_days(self, run_id: str, batch_ids: list[str]) -> pl.DataFrame:
        """batch_id, station_id, business_date: the station-days whose passages run
        `run_id` matched to an item of one of `batch_ids` (its PASSAGE_ITEM matches
        and the passages' dispositions)."""
        schema = {"batch_id": pl.String(), "station_id": pl.String(),
                  "business_date": pl.Date()}
        if not batch_ids:
            return pl.DataFrame(schema=schema)
        marks = ", ".join("?" for _ in batch_ids)
        found = self.query(
            "SELECT DISTINCT m.batch_id, d.station_id, m.business_date FROM matches m "
            "JOIN dispositions d ON d.run_id = m.run_id AND d.txn_id = m.txn_id "
            "AND d.business_date = m.business_date "
            f"WHERE m.run_id = ? AND m.stage = 'PASSAGE_ITEM' AND m.batch_id IN ({marks}) "
            "ORDER BY 1, 2, 3", [run_id, *batch_ids])
        return found.cast(schema)  # type: ignore[arg-type]

    def run_table(self, table: str, run_id: str) -> pl.DataFrame:
        """A run's rows of `matches`, `dispositions` or `tieouts` (or `findings`),
        without the run_id column, in the order they were written."""
        if table not in RUN_TABLES:
            raise KeyError(table)
        schema = RUN_TABLES[table]
        cols = ", ".join(q(c) for c in schema if c != "run_id")
        rel = self.con.sql(f"SELECT {cols} FROM {table} WHERE run_id = $1",
                           params=[run_id])
        return rel.pl().cast({c: t for c, t in schema.items() if c != "run_id"})

