"""CSV reader: UTF-8 (optional BOM), header row, comma, RFC 4180 quoting.

DuckDB's CSV scanner splits the file (fast, parallel) with every column read as
text; records it cannot split (too many or too few fields, a stray quote) come
back from its rejects table and are kept as MALFORMED_LINE rows, never dropped.
A byte sequence that is not UTF-8 refuses the whole file.

`_row` is the line on which the record starts (the header is line 1). `_raw` is
left null for good records (the validator records their fields as JSON if it
refuses them) and holds the line itself for malformed ones.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from etc.errors import ReadError
from etc.readers.base import MESSAGE, RAW, REASON, ROW, RawFrame, column_names, finish
from etc.reasons import Reason


def _header(path: Path) -> list[str]:
    with path.open("rb") as fh:
        first = fh.readline()
    if not first.strip():
        raise ReadError("the file is empty (no header row)", path=path,
                        hint="a CSV file starts with a header row naming its columns")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ReadError(f"not UTF-8 (byte {exc.start} of the header)", path=path, line=1,
                        hint="save the file as UTF-8") from None
    return column_names(path, next(csv.reader([text.rstrip("\r\n")])), line=1)


MAX_LINE_BYTES = 1 << 20
"""The longest line a CSV file may have (1 MiB; a lanes line is ~150 bytes).
DuckDB's scanner drops a longer one without a word in its rejects."""
MAX_EXTRA_FIELDS = 1000
"""How many fields beyond the header's a line may have before the file is refused:
DuckDB's rejects slow down with the square of a line's fields (50,000 take a
minute). Counted as commas, so quoted commas count too; no real record comes near."""


def _guard(path: Path, n_columns: int) -> None:
    """Refuse (ReadError) a file with a line longer than MAX_LINE_BYTES or with
    more than MAX_EXTRA_FIELDS commas beyond the header's, before DuckDB sees it."""
    data = np.fromfile(path, dtype=np.uint8)
    breaks = np.flatnonzero(data == 10)
    starts = np.concatenate(([0], breaks + 1))
    ends = np.concatenate((breaks, [len(data)]))
    lengths = ends - starts
    if len(lengths) and lengths.max() > MAX_LINE_BYTES:
        at = int(np.argmax(lengths > MAX_LINE_BYTES))
        raise ReadError(f"line {at + 1} is {int(lengths[at]):,} bytes long, over the "
                        f"{MAX_LINE_BYTES:,} a CSV line may take", path=path, line=at + 1,
                        hint="the file is damaged or not CSV: a record is one short line")
    starts = starts[starts < len(data)]  # a last line break starts no line
    fields = np.add.reduceat(data == 44, starts) + 1 if len(starts) else starts  # commas + 1
    if len(fields) and fields.max() > n_columns + MAX_EXTRA_FIELDS:
        at = int(np.argmax(fields > n_columns + MAX_EXTRA_FIELDS))
        raise ReadError(f"line {at + 1} has {int(fields[at]):,} fields, the header "
                        f"{n_columns}", path=path, line=at + 1,
                        hint="the file is damaged or not CSV: check the delimiter (comma)")


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _scan(path: Path, names: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    columns = "{" + ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in names) + "}"
    con = duckdb.connect()
    try:
        good = con.sql(
            f"SELECT * FROM read_csv({_sql_str(str(path))}, header = true, auto_detect = false,"
            f" columns = {columns}, delim = ',', quote = '\"', escape = '\"',"
            " store_rejects = true, strict_mode = true)"
        ).pl()
        rejects = con.sql(
            "SELECT line, any_value(error_type) AS error_type, any_value(csv_line) AS csv_line"
            " FROM reject_errors GROUP BY line ORDER BY line"
        ).pl()
    except duckdb.Error as exc:
        raise ReadError(f"cannot read as CSV: {str(exc).splitlines()[0]}", path=path,
                        hint="check the delimiter (comma) and the quoting") from None
    finally:
        con.close()
    return good, rejects


def _record_lines(path: Path, n_records: int, reject_lines: np.ndarray) -> np.ndarray:
    """Start line of each good record, in file order."""
    data = path.read_bytes()
    if not len(reject_lines):
        breaks = data.count(b"\n")
        last_line_open = not data.endswith(b"\n")
        if breaks + last_line_open == n_records + 1:  # one line per record, no blank lines
            return np.arange(2, n_records + 2, dtype=np.int64)
    buf = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(data)]))
    stripped_len = ends - starts - (ends > starts) * (buf[np.maximum(ends - 1, 0)] == 13)
    line_no = np.arange(1, len(starts) + 1)
    nonblank = line_no[(stripped_len > 0)]
    body = nonblank[nonblank > 1]
    if len(body) == n_records + len(reject_lines):
        return body[~np.isin(body, reject_lines)]
    # Some record spans several lines (a quoted line break): walk the records.
    text = data.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader, None)
    firsts: list[int] = []
    prev_end = reader.line_num
    for rec in reader:
        start, prev_end = prev_end + 1, reader.line_num
        if rec:
            firsts.append(start)
    lines = np.asarray(firsts, dtype=np.int64)
    lines = lines[~np.isin(lines, reject_lines)]
    if len(lines) != n_records:  # the two splitters disagree: fall back to ordinals
        return np.arange(2, n_records + 2)
    return lines


def _field_count_message(line: str, expected: int) -> str:
    try:
        found = max((len(r) for r in csv.reader(io.StringIO(line, newline=""))), default=0)
    except csv.Error as exc:
        return f"cannot split the line into fields ({exc})"
    if found == expected:
        return "cannot split the line into fields (unbalanced quotes)"
    return f"the line has {found} fields, the header has {expected}"


def read_csv(path: Path) -> RawFrame:
    names = _header(path)
    _guard(path, len(names))
    good, rejects = _scan(path, names)
    bad_encoding = rejects.filter(pl.col("error_type") == "INVALID ENCODING")
    if bad_encoding.height:
        raise ReadError("not UTF-8", path=path, line=int(bad_encoding["line"][0]),
                        hint="save the file as UTF-8")
    reject_lines = rejects["line"].cast(pl.Int64).to_numpy()
    lines = _record_lines(path, good.height, reject_lines)
    good = good.with_columns(
        pl.Series(ROW, lines, dtype=pl.Int64),
        pl.lit(None, pl.String).alias(RAW),
        pl.lit(None, pl.String).alias(REASON),
        pl.lit(None, pl.String).alias(MESSAGE),
    )
    lines_text = [s.strip("\r\n") for s in rejects["csv_line"].to_list()]
    malformed = pl.DataFrame(
        {n: [None] * len(lines_text) for n in names}
        | {
            ROW: rejects["line"].cast(pl.Int64),
            RAW: lines_text,
            REASON: [Reason.MALFORMED_LINE.value] * len(lines_text),
            MESSAGE: [_field_count_message(t, len(names)) for t in lines_text],
        },
        schema={n: pl.String for n in names}
        | {ROW: pl.Int64, RAW: pl.String, REASON: pl.String, MESSAGE: pl.String},
    )
    data = pl.concat([good, malformed], how="vertical").sort(ROW) if malformed.height else good
    return RawFrame(path=path, format="csv", data=finish(data))
