"""Reads for drilling down from a finding to the rows behind it (`etc show`):
a passage, its tag's status rows, settlement items, a batch's items, bank
entries, and the rows of the per-run tables that name one of them; and which
loads hold rows of an operator (a statement lists only those). Small reads;
nothing here is used by a reconciliation run."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from etc.store.connection import Connection
from etc.store.ddl import RUN_TABLES, q

_PLAIN = ("extra", "load_id", "source_row")

QUARANTINE_SUMMARY: dict[str, pl.DataType] = {
    "load_id": pl.Int64(), "file": pl.String(), "reason": pl.String(), "rows": pl.Int64(),
    "first_row": pl.Int64(), "detail": pl.String(),
}
"""Refused rows per load, file and reason (etc.reports.Report.quarantine)."""
"""Bookkeeping columns left out of what `etc show` prints."""


class Drill(Connection):
    """The drill-down reads of the store."""

    def _rows(self, sql: str, params: list[object]) -> pl.DataFrame:
        found = self.query(sql, params)
        return found.drop([c for c in _PLAIN if c in found.columns])

    def rows_where(self, table: str, column: str, value: str) -> pl.DataFrame:
        """The rows of an input table whose `column` is `value`."""
        return self._rows(f"SELECT * FROM {q(table)} WHERE {q(column)} = ?", [value])

    def tag_rows_around(self, tag_id: str, at: datetime, before: int = 3,
                        after: int = 2) -> pl.DataFrame:
        """The tag's status rows in force at `at` and the `before` - 1 before it, and
        the `after` rows that came later, by valid_from."""
        return self._rows(
            "(SELECT * FROM tags WHERE tag_id = ? AND valid_from <= ? "
            " ORDER BY valid_from DESC LIMIT ?) UNION ALL "
            "(SELECT * FROM tags WHERE tag_id = ? AND valid_from > ? "
            " ORDER BY valid_from LIMIT ?) ORDER BY valid_from",
            [tag_id, at, before, tag_id, at, after])

    def run_rows(self, table: str, run_id: str, column: str, value: str) -> pl.DataFrame:
        """The rows of a per-run table of `run_id` whose `column` is `value`."""
        assert table in RUN_TABLES, table
        return self._rows(f"SELECT * FROM {q(table)} WHERE run_id = ? AND {q(column)} = ?",
                          [run_id, value]).drop("run_id")

    def lifecycle_of(self, code: str, identity: str) -> pl.DataFrame:
        """Every lifecycle row of (code, identity), by run start."""
        return self.query(
            "SELECT l.run_id, l.state, l.business_date, l.first_seen_date, l.days_open, "
            "l.amount_at_risk_vnd FROM lifecycle l JOIN runs r USING (run_id) "
            "WHERE l.code = ? AND l.identity = ? ORDER BY r.started_at, l.run_id",
            [code, identity])

    def quarantine_summary(self, load_ids: list[int]) -> pl.DataFrame:
        """Refused rows of those loads per file and reason: how many, the first row and
        its message (as `detail`), in load order."""
        if not load_ids:
            return pl.DataFrame(schema=QUARANTINE_SUMMARY)
        ids = ", ".join(str(int(i)) for i in load_ids)
        return self.query(
            f'SELECT load_id, file, reason, count(*) AS "rows", min("row") AS first_row, '
            f'arg_min(message, "row") AS detail FROM quarantine WHERE load_id IN ({ids}) '
            "GROUP BY load_id, file, reason ORDER BY load_id, reason"
        ).cast(QUARANTINE_SUMMARY)  # type: ignore[arg-type]

    def loads_of_operator(self, operator_id: str, load_ids: list[int]) -> set[int]:
        """Those of `load_ids` holding a row of the operator: a passage, settlement item
        or count of one of its stations, or a bank line on one of its accounts."""
        if not load_ids:
            return set()
        ids = ", ".join(str(int(i)) for i in load_ids)
        mine = "SELECT station_id FROM stations WHERE operator_id = ?"
        sql = " UNION ".join(
            [f"SELECT DISTINCT load_id FROM {t} WHERE load_id IN ({ids}) "
             f"AND station_id IN ({mine})" for t in ("lanes", "settlements", "counts")]
            + [f"SELECT DISTINCT load_id FROM bank_entries WHERE load_id IN ({ids}) "
               "AND account IN (SELECT account FROM stations WHERE operator_id = ?)"])
        rows = self.con.execute(sql, [operator_id] * 4).fetchall()
        return {int(r[0]) for r in rows}
