"""Readers, one module per format, all keeping the contract of `base.RawFrame`.

`read(path)` picks the format from the file name, or from the first bytes when
the name does not say (`.txt` may be MT940; an `.xml` must be camt.053)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from etc.errors import ReadError
from etc.readers.base import RawFrame

FORMATS = ("csv", "parquet", "camt053", "mt940")
_BY_SUFFIX = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xml": "camt053",
    ".camt": "camt053",
    ".053": "camt053",
    ".sta": "mt940",
    ".mt940": "mt940",
    ".940": "mt940",
}


def detect_format(path: Path) -> str:
    fmt = _BY_SUFFIX.get(path.suffix.lower())
    if fmt:
        return fmt
    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise ReadError(f"cannot open the file ({exc.strerror})", path=path) from None
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"PAR1"):
        return "parquet"
    if text.startswith(b"<"):
        return "camt053"
    if text.startswith(b"{1:") or re.search(rb"(?m)^:(20|25|28C?|61):", head):
        return "mt940"
    if b"," in head.split(b"\n", 1)[0]:
        return "csv"
    raise ReadError("cannot tell the file's format from its name or content", path=path,
                    hint="name it .csv, .parquet, .xml (camt.053) or .sta (MT940)")


def _reader(fmt: str) -> Callable[[Path], RawFrame]:
    if fmt == "csv":
        from etc.readers.csv import read_csv
        return read_csv
    if fmt == "parquet":
        from etc.readers.parquet import read_parquet
        return read_parquet
    if fmt == "camt053":
        from etc.readers.camt053 import read_camt053
        return read_camt053
    if fmt == "mt940":
        from etc.readers.mt940 import read_mt940
        return read_mt940
    raise ReadError(f"unknown format {fmt!r}", hint="one of " + ", ".join(FORMATS))


def read(path: Path, fmt: str | None = None) -> RawFrame:
    """Read one file (format detected unless given); raises ReadError when it cannot."""
    if not path.is_file():
        raise ReadError("no such file", path=path)
    reader = _reader(fmt or detect_format(path))
    try:
        return reader(path)
    except ReadError:
        raise
    except Exception as exc:  # a library's own error on a file it cannot take
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        raise ReadError(f"cannot read the file ({type(exc).__name__}: {first})", path=path,
                        hint="check that the file is what its name says") from exc
