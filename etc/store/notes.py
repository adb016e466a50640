"""Notes on findings: the append-only `notes` table (etc.store.ddl.NOTES_DDL).

A note says what people concluded about a finding — EXPLAINED, DISPUTED,
CONFIRMED_LOSS or FALSE_POSITIVE — with its author, text and time. It is on a
code and identity (the key without the date), so it holds for that identity in
every run, earlier and later; the latest note of an identity (by time, then
note id) is its current state. Correcting a note adds a new one: rows are never
updated or deleted, so the history stays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from etc.codes import NOTE_STATES
from etc.store.connection import Connection

__all__ = ["NOTE_SCHEMA", "NOTE_STATES", "Notes", "Target"]


NOTE_SCHEMA: dict[str, pl.DataType] = {
    "note_id": pl.Int64(), "code": pl.String(), "identity": pl.String(),
    "business_date": pl.Date(), "finding_id": pl.String(), "state": pl.String(),
    "author": pl.String(), "text": pl.String(), "noted_at": pl.Datetime("us", "UTC"),
}
"""The `notes` table's columns."""

_ID_SQL = ("'F' || substr(md5(code || '|' || identity || '|' || CAST(business_date AS VARCHAR)),"
           " 1, 10)")
"""etc.findings.finding_id in SQL."""


@dataclass(frozen=True)
class Target:
    """What a note is on: a code and identity, and the finding it was given on."""

    code: str
    identity: str
    business_date: date | None = None
    finding_id: str | None = None


class Notes(Connection):
    """The notes half of the store."""

    def add_note(self, target: Target, state: str, author: str, text: str,
                 noted_at: datetime) -> int:
        """Append a note; returns its id."""
        with self._transaction():
            row = self._one(
                "INSERT INTO notes VALUES (nextval('note_ids'), ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING note_id",
                [target.code, target.identity, target.business_date, target.finding_id, state,
                 author, text, noted_at])
        assert row is not None
        return int(row[0])

    def notes(self, code: str | None = None, identity: str | None = None) -> pl.DataFrame:
        """Every note (of `code` and `identity` when given), oldest first."""
        where, params = [], []
        for column, value in (("code", code), ("identity", identity)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = ("SELECT * FROM notes" + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY noted_at, note_id")
        return self.query(sql, params).cast(NOTE_SCHEMA)  # type: ignore[arg-type]

    def latest_notes(self) -> pl.DataFrame:
        """The current note of each code and identity (its latest one)."""
        return self.query(
            "SELECT * FROM notes QUALIFY row_number() OVER "
            "(PARTITION BY code, identity ORDER BY noted_at DESC, note_id DESC) = 1 "
            "ORDER BY code, identity").cast(NOTE_SCHEMA)  # type: ignore[arg-type]

    def finding_by_id(self, finding_id: str) -> Target | None:
        """The finding (code, identity, date) that some run found with this id."""
        row = self._one(
            f"SELECT DISTINCT code, identity, business_date FROM lifecycle "
            f"WHERE state <> 'RESOLVED' AND {_ID_SQL} = ? LIMIT 1", [finding_id])
        if row is None:
            return None
        return Target(code=row[0], identity=row[1], business_date=row[2],
                      finding_id=finding_id)

    def identity_known(self, code: str, identity: str) -> bool:
        """Whether some run found (code, identity)."""
        return self._one("SELECT 1 FROM lifecycle WHERE code = ? AND identity = ? LIMIT 1",
                         [code, identity]) is not None
