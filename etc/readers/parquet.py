"""Parquet reader: columns keep their Parquet types (the validator parses each
type); names are lower-cased. `_row` is the 1-based row position in the file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etc.errors import ReadError
from etc.readers.base import RAW, ROW, RawFrame, finish

_SIMPLE = (pl.String, pl.Boolean, pl.Date)


def read_parquet(path: Path) -> RawFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(f"not a readable Parquet file ({str(exc).splitlines()[0]})", path=path,
                        hint="the file may be truncated or not Parquet at all") from None
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    names = [c.strip().lower() for c in df.columns]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ReadError(f"the file repeats column {dupes[0]!r}", path=path,
                        hint="column names are case-insensitive; keep one of each")
    df.columns = names
    casts = []
    for name, dtype in df.schema.items():
        keep = (dtype in _SIMPLE or dtype.is_numeric() or isinstance(dtype, pl.Datetime))
        if not keep:
            casts.append(pl.col(name).cast(pl.String, strict=False))
    if casts:
        df = df.with_columns(casts)
    df = df.with_row_index(ROW, offset=1).with_columns(pl.lit(None, pl.String).alias(RAW))
    return RawFrame(path=path, format="parquet", data=finish(df))
