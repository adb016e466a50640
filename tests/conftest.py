"""Shared fixtures and file writers for the ingestion tests.

- `store`: an open `etc.store.Store` on a fresh DuckDB file in tmp_path.
- `write_csv(path, rows)`: rows (dicts of column → cell text) as a UTF-8 CSV.
- `write_parquet(path, rows, typed=...)`: the same rows as Parquet, every column
  as text, or (typed=True) each column in its schema type where every cell has
  one (money/int/class as Int64, a fractional amount as Float64, dates as Date,
  naive timestamps as Datetime) and as text where some cell has none.
- `snapshot(store)`: every table, `loads` and `quarantine`, for "nothing changed".

Helpers for valid rows of each kind live in tests/rows.py.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl
import pytest
from rows import typed_value  # pytest puts tests/ (this conftest's folder) on sys.path

from etc.schemas import SCHEMAS, Kind
from etc.store import Store


def columns_of(rows: Sequence[dict[str, str]]) -> list[str]:
    """Every column of `rows`, in first-seen order."""
    cols: dict[str, None] = {}
    for r in rows:
        cols.update(dict.fromkeys(r))
    return list(cols)


def csv_text(rows: Sequence[dict[str, str]], columns: Sequence[str] | None = None) -> str:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=list(columns or columns_of(rows)), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def write_csv(path: Path, rows: Sequence[dict[str, str]],
              columns: Sequence[str] | None = None) -> Path:
    path.write_text(csv_text(rows, columns), encoding="utf-8")
    return path


def write_parquet(path: Path, rows: Sequence[dict[str, str]], kind: Kind | str | None = None,
                  *, typed: bool = False, columns: Sequence[str] | None = None) -> Path:
    names = list(columns or columns_of(rows))
    series = []
    for name in names:
        cells = [r.get(name, "") for r in rows]
        s = pl.Series(name, cells, dtype=pl.String)
        col = None
        if typed and kind is not None and name in SCHEMAS[Kind(kind)].names:
            col = SCHEMAS[Kind(kind)].column(name)
        if col is not None and col.type not in ("text", "tag", "plate", "enum"):
            try:
                values = [typed_value(col, c) for c in cells]
                if not any(getattr(v, "tzinfo", None) for v in values):
                    s = pl.Series(name, values, strict=True)
            except (ValueError, TypeError, OverflowError, pl.exceptions.PolarsError):
                pass  # some cell has no typed value: the column stays text
        series.append(s)
    pl.DataFrame(series).write_parquet(path)
    return path


def snapshot(store: Store) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table (sorted), of loads and of quarantine."""
    out = {}
    for name in [s.table for s in SCHEMAS.values()] + ["loads", "quarantine"]:
        out[name] = sorted(store.query(f'SELECT * FROM "{name}"').rows(), key=repr)
    return out


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "etc.duckdb") as s:
        yield s
