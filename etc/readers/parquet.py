"""Parquet reader: columns keep their Parquet types (the validator parses each
type); names are lower-cased. `_row` is the 1-based row position in the file."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from etc.errors import ReadError
from etc.readers.base import RAW, ROW, RawFrame, column_names, finish

_SIMPLE = (pl.String, pl.Boolean, pl.Date)


def read_parquet(path: Path) -> RawFrame:
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        raise ReadError(f"not a readable Parquet file ({str(exc).splitlines()[0]})", path=path,
                        hint="the file may be truncated or not Parquet at all") from None
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    df.columns = column_names(path, df.columns)
    nested = [n for n, t in df.schema.items() if t.is_nested() or t == pl.Object]
    if nested:  # kept as JSON text: an extra column keeps its structure, a canonical one is refused
        df = df.with_columns(
            pl.struct(pl.col(n).alias("v")).struct.json_encode().str.slice(5).str.head(-1)
            .alias(n) for n in nested)
    casts = [pl.col(n).cast(pl.String, strict=False) for n, t in df.schema.items()
             if not (t in _SIMPLE or t.is_numeric() or isinstance(t, pl.Datetime))]
    if casts:
        df = df.with_columns(casts)
    df = df.with_row_index(ROW, offset=1).with_columns(pl.lit(None, pl.String).alias(RAW))
    return RawFrame(path=path, format="parquet", data=finish(df))
