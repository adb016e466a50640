"""The contract every reader keeps.

A reader turns one file into a `RawFrame`: the records exactly as read, one row
per record, with no validation beyond splitting the file into records. Column
names are lower-cased. Three bookkeeping columns are always present:

- `_row`    Int64, where the record is in the file (CSV: line number, header = 1;
            MT940: line number of its `:61:`; camt.053: 1-based entry position).
- `_raw`    String, the record as it stood in the file (a CSV line, the `:61:` and
            `:86:` lines, the `<Ntry>` element).
- `_reason` / `_message`  String, null unless the reader itself refuses the record
            (MALFORMED_LINE, NOT_BOOKED, …): such a row is quarantined as it is.

A file that cannot be read at all raises `ReadError` (path, line when known, a
hint); a reader never returns part of a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

ROW = "_row"
RAW = "_raw"
REASON = "_reason"
MESSAGE = "_message"
BOOKKEEPING = (ROW, RAW, REASON, MESSAGE)


@dataclass(frozen=True)
class RawFrame:
    """One file's records as read. `format` is csv, parquet, camt053 or mt940."""

    path: Path
    format: str
    data: pl.DataFrame

    @property
    def source_columns(self) -> list[str]:
        return [c for c in self.data.columns if c not in BOOKKEEPING]


def finish(data: pl.DataFrame) -> pl.DataFrame:
    """Add the optional bookkeeping columns a reader left out, typed."""
    for name, dtype in ((REASON, pl.String), (MESSAGE, pl.String)):
        if name not in data.columns:
            data = data.with_columns(pl.lit(None, dtype=dtype).alias(name))
    return data.with_columns(pl.col(ROW).cast(pl.Int64), pl.col(RAW).cast(pl.String))
