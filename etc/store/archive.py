"""The store's input tables as Hive-partitioned Parquet: the SQL half of
`etc archive` (etc.archive decides what to write and keeps the manifest).

Layout under the archive folder, one folder per table (the kinds have different
columns, so a kind is a folder of its own, not a Hive key over one schema):

    lanes/business_date=2026-11-01/part.parquet        passages, by business date
    counts/business_date=2026-11-01/part.parquet       vehicle counts, by business date
    settlements/settled_date=2026-11-02/part.parquet   items, by local date of settled_at
    tags/valid_month=2026-10-01/part.parquet           tag rows, by local month of valid_from
    bank_entries/part.parquet, stations/…, tariffs/…, exemptions/…, providers/…,
    batch_parts/part.parquet, lane_day_parts/…,
    loads/part.parquet                                 small: whole

The partition column lives in the path only (read back with
`hive_partitioning=true`). `lanes` carries `txn_key`, the store's `rowid` of the
passage (etc.txnkey), so a run reading the archive joins as a run reading the
store does. `loads` travels with the data: a run's id hashes the loaded files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from etc.schemas import SCHEMAS, Kind
from etc.store.connection import Connection
from etc.store.ddl import q

PARTITIONS: dict[str, tuple[str, str]] = {
    "lanes": ("business_date", "business_date"),
    "counts": ("business_date", "business_date"),
    "settlements": ("settled_date", "CAST(settled_at + INTERVAL 7 HOUR AS DATE)"),
    "tags": ("valid_month",
             "CAST(date_trunc('month', CAST(valid_from + INTERVAL 7 HOUR AS DATE)) AS DATE)"),
}
"""Partitioned table → (Hive key, its SQL over the table's columns: a local date).
Tags by month: a tag list's rows start on every day of years of history."""

TABLES: tuple[str, ...] = (*(SCHEMAS[k].table for k in Kind), "batch_parts", "lane_day_parts",
                           "loads")
"""Every table an archive holds."""


@dataclass(frozen=True)
class Partition:
    """One file of an archive, as the store holds it now."""

    table: str
    day: date | None
    """The partition's date (None: the table is written whole)."""
    rows: int
    content: str
    """What the rows are made of: `load_id:rows` per load (loads insert rows and
    never change them, so equal text means equal rows), settlements with
    `:linked`, their items with a passage_date (the one column that changes)."""

    @property
    def path(self) -> str:
        """The file, relative to the archive folder."""
        if self.day is None:
            return f"{self.table}/part.parquet"
        return f"{self.table}/{PARTITIONS[self.table][0]}={self.day.isoformat()}/part.parquet"


def _columns(table: str) -> str:
    """The columns written of a table: all of them, lanes with `txn_key` added."""
    if table == "lanes":
        return "*, rowid::BIGINT AS txn_key"
    return "*"


class ArchiveCopies(Connection):
    """Writing the store's tables as Parquet (see the module)."""

    def archive_partitions(self) -> list[Partition]:
        """Every partition the store's tables give now, with its rows and content."""
        found: list[Partition] = []
        for table in TABLES:
            key = PARTITIONS[table][1] if table in PARTITIONS else "NULL::DATE"
            counted = "1" if table == "loads" else "load_id"
            # items get their passage_date when their passage loads (etc.store.ddl
            # link_items): a partition's content counts its linked items too
            linked = ("count(passage_date)" if table == "settlements" else "NULL")
            rows = self.con.execute(
                f"SELECT {key} AS d, {counted} AS l, count(*), {linked} FROM {q(table)} "
                "GROUP BY ALL ORDER BY d, l").fetchall()
            per: dict[date | None, list[tuple[int, str]]] = {}
            for d, load, n, links in rows:
                per.setdefault(d, []).append(
                    (int(n), f"{load}:{n}" if links is None else f"{load}:{n}:{links}"))
            if table == "loads":  # its content: the load ids themselves
                ids = self.con.execute("SELECT load_id FROM loads ORDER BY 1").fetchall()
                per = {None: [(1, f"{i}:1") for (i,) in ids]} if ids else {}
            if not per and table not in PARTITIONS:
                per = {None: []}  # an empty whole table still gets its (empty) file
            for d, loads in per.items():
                found.append(Partition(table, d, sum(n for n, _ in loads),
                                       " ".join(text for _, text in loads)))
        return found

    def copy_partition(self, part: Partition, path: Path) -> None:
        """Write one partition's rows to `path` (Parquet, zstd), in stored order."""
        where = ""
        params: list[object] = []
        if part.day is not None:
            where = f" WHERE {PARTITIONS[part.table][1]} = ?"
            params = [part.day]
        order = " ORDER BY rowid" if part.table != "loads" else " ORDER BY load_id"
        select = f"SELECT {_columns(part.table)} FROM {q(part.table)}{where}{order}"
        if part.day is not None and part.table in ("lanes", "counts"):  # in the path only
            select = f"SELECT * EXCLUDE (business_date) FROM ({select})"
        target = str(path).replace("'", "''")
        self.con.execute(f"COPY ({select}) TO '{target}' (FORMAT parquet, COMPRESSION zstd)",
                         params).fetchall()
