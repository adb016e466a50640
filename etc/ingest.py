"""Files → validated rows → the store. One file at a time, one transaction each.

Every row of every file ends up counted: loaded, already present, or
quarantined with its reason. A file that cannot be read at all is refused whole
(an `EtcError`), and nothing of it is stored.

`progress(path, phase)`, when given, is told each file's phases as they begin —
reading (its sha256 and its rows), validating, storing — so a caller can show
where a large file is (a 1 M-row file spends seconds in each).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import polars as pl

from etc.errors import EtcError, ReadError, ResourceError, UnknownKindError
from etc.overlap import GROUP, refuse_overlaps
from etc.readers import read
from etc.readers.base import RawFrame
from etc.schemas import SCHEMAS, Kind, Schema
from etc.store import Store
from etc.validate import Validated, validate

BANK_FORMATS = ("camt053", "mt940")


class Phase(StrEnum):
    """Where the loading of one file is, in the order they come."""

    READING = "reading"
    VALIDATING = "validating"
    STORING = "storing"


Progress = Callable[[Path, Phase], None]
"""Told (file, phase) as each phase of a file begins."""


@dataclass(frozen=True)
class FileResult:
    """What happened to one file. `status` is loaded, already_loaded or refused."""

    file: str
    status: str
    kind: str | None = None
    format: str | None = None
    load_id: int | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_present: int = 0
    rows_quarantined: int = 0
    error: str | None = None
    """The one-line reason a file was refused, or where it was loaded before."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _stamp(path: Path) -> tuple[int, int] | None:
    """(size, modification time in ns) of a file; None when there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def detect_kind(raw: RawFrame) -> Schema:
    """The kind whose required columns the file has (the closest one is named
    in the error when none fits)."""
    if raw.format in BANK_FORMATS:
        return SCHEMAS[Kind.BANK]
    have = set(raw.source_columns)
    fits = [s for s in SCHEMAS.values() if set(s.required) <= have]
    if len(fits) == 1:
        return fits[0]
    if len(fits) > 1:
        raise UnknownKindError(
            "the columns fit more than one kind (" + " and ".join(s.kind for s in fits) + ")",
            path=raw.path, hint="pass --kind")
    closest = closest_kind(raw.path.name, have)
    missing = sorted(set(closest.required) - have)
    raise UnknownKindError(
        "cannot tell which kind of file this is from its columns "
        f"({', '.join(raw.source_columns) or 'none'})",
        path=raw.path,
        hint=f"closest is {closest.kind} (missing {', '.join(missing)}); or pass --kind",
    )


def closest_kind(name: str, have: set[str]) -> Schema:
    """The kind a file that fits none was most likely meant to be: the one its name
    starts with (lanes_20261101.csv), else the one with the largest share of its
    required columns present (a lanes file missing two of its columns is closer to
    lanes than to a kind with fewer columns that shares only one)."""
    low = name.lower()
    named = [s for s in SCHEMAS.values() if low.startswith(s.kind.value)]
    if named:
        return max(named, key=lambda s: len(s.kind.value))
    return max(SCHEMAS.values(), key=lambda s: (len(set(s.required) & have) / len(s.required),
                                                len(set(s.required) & have)))


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the files in it (not hidden, sorted)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")))
        else:
            out.append(p)
    return out


def ingest_file(store: Store, path: Path, kind: Kind | None = None,
                progress: Progress | None = None) -> FileResult:
    """Load one file; raises EtcError when the file cannot be read at all.
    `progress` is told each phase as it begins (a file loaded before: reading only)."""
    def phase(now: Phase) -> None:
        if progress is not None:
            progress(path, now)

    phase(Phase.READING)
    before = _stamp(path)
    sha = sha256_file(path) if path.is_file() else ""
    prior = store.prior_load(sha) if sha else None
    if prior is not None:
        return FileResult(file=str(path), status="already_loaded", load_id=prior.load_id,
                          error=f"same content as {prior.file} (load {prior.load_id})")
    raw = read(path)
    if _stamp(path) != before:  # its sha256 would not be of what was read
        raise ReadError("the file changed while it was read (still being written?)", path=path,
                        hint="load it once it is complete; upload as NAME.part, then rename")
    schema = detect_kind(raw) if kind is None else SCHEMAS[Kind(kind)]
    if raw.format in BANK_FORMATS and schema.kind != Kind.BANK:
        raise UnknownKindError(f"a {raw.format} statement cannot be loaded as {schema.kind}",
                               path=path, hint="bank statements are of kind bank")
    phase(Phase.VALIDATING)
    checked = validate(raw, schema)
    if schema.kind is Kind.COUNTS:
        checked = _without_overlaps(store, checked)
    phase(Phase.STORING)
    counts = store.load(file=str(path), sha256=sha, schema=schema, fmt=raw.format,
                        good=checked.good, bad=checked.bad, rows_read=raw.data.height)
    return FileResult(
        file=str(path), status="loaded", kind=schema.kind.value, format=raw.format,
        load_id=counts.load_id, rows_read=counts.rows_read, rows_loaded=counts.rows_loaded,
        rows_present=counts.rows_present, rows_quarantined=counts.rows_quarantined,
    )


def _without_overlaps(store: Store, checked: Validated) -> Validated:
    """A counts file's rows with the intervals that overlap others refused
    (etc.overlap); stored rows are read for the file's dates ± 1 day (an interval
    lasts at most 1440 minutes)."""
    good = checked.good
    if good.is_empty():
        return checked
    first, last = good["business_date"].min(), good["business_date"].max()
    stored = (store.table(Kind.COUNTS)
              .select(*GROUP, "interval_start", "interval_minutes", "business_date")
              .filter(pl.col("business_date").is_between(
                  pl.lit(first) - pl.duration(days=1), pl.lit(last) + pl.duration(days=1)))
              .collect())
    kept, bad = refuse_overlaps(good, stored, checked.bad)
    return Validated(good=kept, bad=bad)


def ingest_paths(
    store: Store,
    paths: Iterable[Path],
    kind: Kind | None = None,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Load every file (folders expanded); a refused file is reported in its result,
    the others go on. A ResourceError (disk full, memory limit) stops the loading:
    the files loaded before it stay loaded, the one at hand is not. `progress` is
    told each file's phases (ingest_file)."""
    results: list[FileResult] = []
    for path in expand(paths):
        try:
            results.append(ingest_file(store, path, kind, progress))
        except ResourceError:
            raise  # a full disk is no fault of this file: stop, refuse nothing
        except EtcError as err:
            guessed = kind.value if kind is not None else guess_kind(path)
            results.append(FileResult(file=str(path), status="refused", kind=guessed,
                                      error=err.one_line()))
    return results


def guess_kind(path: Path) -> str | None:
    """The kind a refused file was meant to be, when its header (a CSV's first line,
    a Parquet file's schema) fits exactly one kind; else None. Only for saying
    what was refused (a night without its lanes file fails): never for loading."""
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            names = list(pq.read_schema(path).names)
        else:
            with path.open("rb") as fh:
                first = fh.readline(1 << 16).decode("utf-8", errors="replace")
            names = first.lstrip("\ufeff").strip().split(",")
    except (OSError, ValueError, ImportError):
        return None
    have = {n.strip().strip('"').lower() for n in names}
    fits = [s.kind.value for s in SCHEMAS.values() if s.required and set(s.required) <= have]
    return fits[0] if len(fits) == 1 else None
