"""An archive (etc.store.archive's layout) read as a store: an in-memory DuckDB
whose views over the Parquet files carry the store's table names and columns, so
the scoped reads of etc.store.inputs run on it unchanged — with `txn_key` read
from its column instead of the lanes `rowid`.

Date filters on `lanes` and `counts` prune whole partitions (the Hive key is
their business_date); the others skip row groups by their min and max.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb

from etc.errors import StoreError
from etc.manifests import LoadRef
from etc.store import ddl
from etc.store.archive import PARTITIONS
from etc.store.ddl import q
from etc.store.inputs import InputReads
from etc.store.runs import load_refs


class ArchiveSource(InputReads):
    """The input tables of an archive, read-only. Use as a context manager."""

    TXN_KEY = "txn_key"

    def __init__(self, folder: Path, files: Mapping[str, Sequence[str]]) -> None:
        """`files`: table → its Parquet files, relative to `folder` (the manifest's)."""
        self.path = Path(folder)
        self.con = duckdb.connect(":memory:")
        self.con.execute("SET TimeZone = 'UTC'")
        ddl.create(self.con)  # every table typed and empty; views replace those archived
        self.con.execute("ALTER TABLE lanes ADD COLUMN txn_key BIGINT")
        try:
            for table, paths in files.items():
                if paths:
                    self._view(table, [str(self.path / p) for p in paths])
        except duckdb.Error as exc:
            self.con.close()
            raise StoreError(f"cannot read the archive: {str(exc).splitlines()[0]}",
                             path=self.path, hint="write it again with 'etc archive'") from None
        if "lane_day_parts" not in files or not self._one(
                "SELECT 1 FROM duckdb_columns() WHERE table_name = 'settlements' "
                "AND column_name = 'passage_date'"):
            self.con.close()
            raise StoreError("the archive lacks lane_day_parts and the items' passage_date "
                             "(written by etc before 0.4.0)", path=self.path,
                             hint="write it again with 'etc archive'")

    def _view(self, table: str, paths: list[str]) -> None:
        listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
        read = f"read_parquet([{listed}]"
        select = "*"
        if table in PARTITIONS:
            key = PARTITIONS[table][0]
            read += f", hive_partitioning = true, hive_types = {{'{key}': 'DATE'}}"
            select = "*" if key == "business_date" else f"* EXCLUDE ({q(key)})"
        self.con.execute(f"DROP TABLE {q(table)}")
        self.con.execute(f"CREATE VIEW {q(table)} AS SELECT {select} FROM {read})")

    def load_manifest(self) -> tuple[LoadRef, ...]:
        """Every file loaded into the store the archive was written from."""
        return load_refs(self)
