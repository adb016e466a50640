"""The contract every reader keeps, and the pieces readers share.

A reader turns one file into a `RawFrame`: the records exactly as read, one row
per record, with no validation beyond splitting the file into records. Column
names are lower-cased. Four bookkeeping columns are always present (their names
start with `__etc_`, a prefix no input column may use):

- ROW      Int64, where the record is in the file (CSV: line number, header = 1;
           Parquet: row position; MT940: line number of its `:61:`; camt.053:
           1-based entry position, shared by the rows of a split batch entry).
- RAW      String, the record as it stood in the file (a malformed CSV line, the
           `:61:` and `:86:` lines, the `<Ntry>` element); null when the record is
           exactly its fields (CSV, Parquet): the validator then keeps the fields
           as JSON if it refuses the row.
- REASON / MESSAGE  String, null unless the reader itself refuses the record
           (MALFORMED_LINE, NOT_BOOKED, …): such a row is quarantined as it is.

A file that cannot be read at all raises `ReadError` (path, line when known, a
hint); a reader never returns part of a file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from etc.errors import ReadError
from etc.reasons import Reason
from etc.schemas import BANK, CURRENCY_COLUMN

RESERVED = "__etc_"
ROW = "__etc_row"
RAW = "__etc_raw"
REASON = "__etc_reason"
MESSAGE = "__etc_message"
BOOKKEEPING = (ROW, RAW, REASON, MESSAGE)

BANK_COLUMNS = (*BANK.names, CURRENCY_COLUMN)
"""What the bank-statement readers (camt.053, MT940) emit, all as text."""


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
    """Add the optional bookkeeping columns a reader left out, typed, and refuse
    the records that hold a NUL byte (`_refuse_nul`)."""
    for name, dtype in ((REASON, pl.String), (MESSAGE, pl.String)):
        if name not in data.columns:
            data = data.with_columns(pl.lit(None, dtype=dtype).alias(name))
    data = data.with_columns(pl.col(ROW).cast(pl.Int64), pl.col(RAW).cast(pl.String))
    return _refuse_nul(data)


def _refuse_nul(data: pl.DataFrame) -> pl.DataFrame:
    """A record with a NUL byte in a text field is MALFORMED_LINE, naming the column:
    no toll, tag or bank value holds one, and C tools reading the store later would
    cut the text there (a NUL in a CSV is a damaged or binary file)."""
    texts = [c for c, t in data.schema.items() if t == pl.String and c not in BOOKKEEPING]
    if not texts:
        return data
    holding = pl.coalesce([pl.when(pl.col(c).str.contains("\x00", literal=True)).then(pl.lit(c))
                           for c in texts])
    hit = pl.col(REASON).is_null() & holding.is_not_null()
    return data.with_columns(
        pl.when(hit).then(pl.lit(Reason.MALFORMED_LINE.value)).otherwise(pl.col(REASON))
        .alias(REASON),
        pl.when(hit).then(pl.format("column {} holds a NUL byte", holding))
        .otherwise(pl.col(MESSAGE)).alias(MESSAGE))


def column_names(path: Path, names: Sequence[str], line: int | None = None) -> list[str]:
    """A file's column names, lower-cased and trimmed; refuses empty, repeated or
    reserved ones."""
    out = [n.strip().lower() for n in names]
    if any(not n for n in out):
        raise ReadError("the header has an empty column name", path=path, line=line,
                        hint="name every column in the first line")
    dupes = sorted({n for n in out if out.count(n) > 1})
    if dupes:
        raise ReadError(f"the header repeats column {dupes[0]!r}", path=path, line=line,
                        hint="column names are case-insensitive; keep one of each")
    reserved = [n for n in out if n.startswith(RESERVED)]
    if reserved:
        raise ReadError(f"column {reserved[0]!r} uses the reserved prefix {RESERVED!r}",
                        path=path, line=line, hint="rename the column")
    return out


def read_utf8(path: Path, hint: str) -> str:
    """The whole file as text (a BOM dropped); refuses what is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ReadError(f"cannot read the file: {err.strerror}", path=path) from err
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        raise ReadError(
            f"not UTF-8: byte 0x{data[err.start]:02X} at offset {err.start} is not valid UTF-8",
            path=path, line=data[: err.start].count(b"\n") + 1, hint=hint,
        ) from err


def bank_frame(rows: list[dict[str, str | int | None]]) -> pl.DataFrame:
    """The RawFrame data of a bank reader from its row dicts."""
    schema: dict[str, type[pl.DataType]] = {c: pl.String for c in BANK_COLUMNS}
    schema |= {ROW: pl.Int64, RAW: pl.String, REASON: pl.String, MESSAGE: pl.String}
    return finish(pl.DataFrame(rows, schema=schema, orient="row"))
