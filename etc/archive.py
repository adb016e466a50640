"""`etc archive`: the store's input tables as Hive-partitioned Parquet with one
manifest, written incrementally — the input a cluster reads from shared storage.

    result = write_archive(store, Path("archive"))

The layout is etc.store.archive's. `manifest.json` (ArchiveManifest) records
every file: its table, partition date, rows, sha256, size and content (the rows
per load it holds). A partition whose content is what the manifest recorded, and
whose file is still there with that size, is not rewritten; a changed one is
written beside and renamed over the old file; the manifest is replaced last, so
an interrupted archive keeps its previous manifest and is finished by the next.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from etc.errors import EtcError
from etc.store import Store
from etc.store.archive import Partition
from etc.store.source import ArchiveSource

MANIFEST = "manifest.json"
FORMAT = 1


class ArchiveError(EtcError):
    """An archive folder that cannot be written or read."""


class PartFile(BaseModel):
    """One Parquet file of an archive."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    table: str
    """The store table it holds rows of."""
    date: date | None
    """Its partition's date (business date, settled date, valid-from month); None: whole."""
    rows: int
    """Rows in the file."""
    sha256: str
    """sha256 of the file's bytes."""
    size: int
    """Bytes."""
    content: str
    """`load_id:rows` per load: equal content, equal rows (loads only append)."""


class ArchiveManifest(BaseModel):
    """manifest.json: what an archive holds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: int = FORMAT
    """Layout version."""
    files: dict[str, PartFile]
    """Path relative to the archive folder → the file, sorted by path."""

    @property
    def digest(self) -> str:
        """sha256 of every file's path and sha256: equal digests, equal archives."""
        text = "\n".join(f"{p} {f.sha256}" for p, f in sorted(self.files.items()))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ArchiveResult:
    """What `write_archive` did."""

    folder: Path
    written: tuple[str, ...]
    kept: tuple[str, ...]
    removed: tuple[str, ...]
    manifest: ArchiveManifest


def read_manifest(folder: Path) -> ArchiveManifest:
    """The manifest of an archive folder (ArchiveError when there is none or it is bad)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise ArchiveError("no archive here (manifest.json is missing)", path=folder,
                           hint="give the folder that 'etc archive --out' wrote")
    try:
        found = ArchiveManifest.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        raise ArchiveError(f"manifest.json is not an archive manifest: "
                           f"{str(exc).splitlines()[0]}", path=path) from None
    if found.format != FORMAT:
        raise ArchiveError(f"archive format {found.format}, this etc reads {FORMAT}", path=path,
                           hint="write the archive again with this version")
    return found


def write_archive(store: Store, folder: Path) -> ArchiveResult:
    """Write (or bring up to date) the archive of `store` in `folder`."""
    if folder.exists() and not folder.is_dir():
        raise ArchiveError("is a file, not a folder", path=folder,
                           hint="--out names a folder for the archive")
    before = read_manifest(folder).files if (folder / MANIFEST).is_file() else {}
    files: dict[str, PartFile] = {}
    written: list[str] = []
    kept: list[str] = []
    for part in store.archive_partitions():
        old = before.get(part.path)
        if old is not None and _unchanged(old, part, folder / part.path):
            files[part.path] = old
            kept.append(part.path)
            continue
        files[part.path] = _write(store, part, folder)
        written.append(part.path)
    removed = sorted(set(before) - set(files))
    manifest = ArchiveManifest(files=dict(sorted(files.items())))
    _replace(folder / MANIFEST, json.dumps(manifest.model_dump(mode="json"), indent=1).encode())
    for path in removed:
        (folder / path).unlink(missing_ok=True)
    return ArchiveResult(folder, tuple(written), tuple(kept), tuple(removed), manifest)


def _unchanged(old: PartFile, part: Partition, path: Path) -> bool:
    return (old.content == part.content and old.rows == part.rows and path.is_file()
            and path.stat().st_size == old.size)


def _write(store: Store, part: Partition, folder: Path) -> PartFile:
    path = folder / part.path
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        store.copy_partition(part, tmp)
        data = tmp.read_bytes()
        os.replace(tmp, path)
    except OSError as exc:
        raise ArchiveError(f"cannot write: {exc.strerror or exc}", path=path) from None
    return PartFile(table=part.table, date=part.day, rows=part.rows,
                    sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                    content=part.content)


def _replace(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)  # a full disk leaves no half part behind
        raise ArchiveError(f"cannot write: {exc.strerror or exc}", path=path) from None


def open_archive(folder: Path) -> ArchiveSource:
    """The archive in `folder` as a run's source (etc.store.source)."""
    manifest = read_manifest(folder)
    missing = [p for p in manifest.files if not (folder / p).is_file()]
    if missing:
        raise ArchiveError(f"{len(missing)} files of the manifest are missing, "
                           f"e.g. {missing[0]}", path=folder,
                           hint="write the archive again with 'etc archive'")
    files: dict[str, list[str]] = {}
    for path, part in manifest.files.items():
        files.setdefault(part.table, []).append(path)
    return ArchiveSource(folder, files)
