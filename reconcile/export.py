"""A run's findings as a file: CSV, Parquet or JSON, byte-identical for the same run.

    run_id, frame = findings_of(store, run_id=None, code=None)   # the latest run, masked
    export_findings(frame, "csv", Path("out/findings.csv"))

Columns are EXPORT_SCHEMA's: FINDING_SCHEMA's in its order, then the lifecycle
`state` (NEW or OPEN) and `first_seen_date` from the run's lifecycle rows
(reconcile.report.with_states); rows as given (the store hands them in the run's
order). Plates and account ids are masked as in the report (etc.render.mask)
unless `reveal`. CSV text cells that start with =, +, -, @, a tab or a
carriage return get a leading ' (etc.render.safe). Dates are ISO (YYYY-MM-DD),
amounts integers, and a missing key is empty in CSV and null in JSON. Every file is written to a
temporary name in its folder and then renamed, so a reader never sees half a file.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import polars as pl

from etc.codes import Code
from etc.errors import UsageError
from etc.findings import FINDING_SCHEMA
from etc.render.atomic import write_atomic
from etc.render.mask import mask_frame
from etc.render.safe import neutralise_frame
from etc.store import Store
from reconcile.report import accounts, resolve_run, with_states

EXPORT_SCHEMA: dict[str, pl.DataType] = {
    **FINDING_SCHEMA,
    "state": pl.String(),          # NEW or OPEN, from the run's lifecycle rows
    "first_seen_date": pl.Date(),  # business date the finding was first found
    "finding_id": pl.String(),     # the id the report shows, for `etc show` and notes
}
"""An export's columns: findings.md's first and in its order, then two of the lifecycle
and the finding's id."""


class ExportFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    JSON = "json"


def findings_of(store: Store, run_id: str | None = None,
                code: Code | str | None = None,
                reveal: bool = False) -> tuple[str, pl.DataFrame]:
    """(run id, findings in EXPORT_SCHEMA) of run `run_id` (default: the latest
    run), of one code or all (any case), plates and accounts masked unless
    `reveal`. An unknown run or code, or no run at all, is a UsageError."""
    if code is not None:
        if str(code).upper() not in Code._value2member_map_:
            raise UsageError(f"unknown rule code {str(code)!r}",
                             hint="the codes are those of findings.md, e.g. TAG_UNKNOWN")
        code = Code(str(code).upper())
    run_id = resolve_run(store, run_id)
    found = store.run_findings(run_id, None if code is None else code.value)
    life = store.run_table("lifecycle", run_id)
    found = with_states(found, life).select(list(EXPORT_SCHEMA)).cast(EXPORT_SCHEMA)  # type: ignore[arg-type]
    return run_id, found if reveal else mask_frame(found, accounts(store))


def export_findings(frame: pl.DataFrame, fmt: ExportFormat | str, out: Path) -> Path:
    """Write `frame` (findings in EXPORT_SCHEMA's columns) to `out` as csv,
    parquet or json; returns `out`."""
    fmt = ExportFormat(fmt)
    missing = [c for c in EXPORT_SCHEMA if c not in frame.columns]
    if missing:
        raise ValueError(f"not a findings frame: {', '.join(missing)} missing")
    typed = frame.select(pl.col(c).cast(t) for c, t in EXPORT_SCHEMA.items()).rechunk()
    writer = {ExportFormat.CSV: _csv, ExportFormat.PARQUET: _parquet,
              ExportFormat.JSON: _json}[fmt]
    write_atomic(out, lambda tmp: writer(typed, tmp))
    return out


def _csv(frame: pl.DataFrame, path: Path) -> None:
    """Text cells neutralised (etc.render.safe): opening the file in a
    spreadsheet runs no formula a detail or key might carry."""
    neutralise_frame(frame).write_csv(path, include_header=True, line_terminator="\n",
                                      null_value="", date_format="%Y-%m-%d")


def _parquet(frame: pl.DataFrame, path: Path) -> None:
    # One row group, fixed compression: the same frame gives the same bytes.
    frame.write_parquet(path, compression="zstd", compression_level=3, statistics=True,
                        row_group_size=max(frame.height, 1))


def _json(frame: pl.DataFrame, path: Path) -> None:
    """A JSON array, one object per line, keys in column order."""
    text = frame.with_columns(pl.col("business_date", "first_seen_date").dt.to_string("%Y-%m-%d"))
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        if text.is_empty():
            fh.write("[]\n")
            return
        fh.write("[\n")
        last = text.height - 1
        for i, row in enumerate(text.iter_rows(named=True)):
            fh.write(json.dumps(row, ensure_ascii=False) + (",\n" if i < last else "\n"))
        fh.write("]\n")
