"""What in a nightly inbox is a file to load, what is refused unread, and what is
still arriving.

    found = scan(Path("inbox"))   # found.files, found.refused, found.arriving

Only regular files at the top level are loaded (not hidden, not *.part, *.tmp or
*.partial: the upload convention for a file still being written). Refused
without a byte read, and filed away to refused/ with the reason:
- a symbolic link, wherever it points (outside the inbox, to a folder, to
  nothing): a link would make the night read a file nobody put in the inbox;
- anything else that is no regular file (a FIFO would block the night);
- a name with a control character (a newline would break every one-line
  message and listing that names it); it is filed away under a name with `_`.
Folders (archive/, refused/, any other) are left alone. A file modified less
than SETTLE_SECONDS ago is looked at again after that long; one whose size or
modification time changed meanwhile is still being written: it stays in the
inbox for the next night and the night says so.
"""

from __future__ import annotations

import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from etc.errors import UsageError
from etc.ingest import FileResult

ARCHIVE, REFUSED = "archive", "refused"
SKIP_SUFFIXES = (".part", ".tmp", ".partial")
SETTLE_SECONDS = 1.0
"""How long a just-modified file must keep its size and time to count as complete."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_sleep = time.sleep  # the settling wait (a test writes to a file during it)


@dataclass(frozen=True)
class Scan:
    files: list[Path]
    """Regular files to load, by name."""
    refused: list[tuple[Path, FileResult]]
    """Entries refused unread, each with its result (status refused, the reason)."""
    arriving: list[Path]
    """Files still being written: left where they are."""


def safe_name(name: str) -> str:
    """`name` with every control character (newline, tab, …) as `_`."""
    return _CONTROL.sub("_", name)


def _refuse(inbox: Path, path: Path, reason: str) -> tuple[Path, FileResult]:
    shown = inbox / safe_name(path.name)
    return path, FileResult(file=str(shown), status="refused",
                            error=f"{shown}: {reason}")


def scan(inbox: Path, settle: float = SETTLE_SECONDS) -> Scan:
    """The inbox's entries sorted into files, refused entries and arriving files
    (UsageError when archive/ or refused/ is taken by a file, before anything)."""
    for name in (ARCHIVE, REFUSED):
        if (inbox / name).exists() and not (inbox / name).is_dir():
            raise UsageError(f"{name!r} in the inbox is a file, not a folder", path=inbox,
                             hint=f"move it away: the inbox keeps its {name} folder there")
    files: list[Path] = []
    refused: list[tuple[Path, FileResult]] = []
    for path in sorted(inbox.iterdir()):
        if path.name.startswith(".") or path.name.endswith(SKIP_SUFFIXES):
            continue
        mode = path.lstat().st_mode  # lstat: a link is judged as a link, never followed
        if stat.S_ISLNK(mode):
            refused.append(_refuse(inbox, path, "a symbolic link, refused unread: the inbox "
                                   "takes files, not links — copy the file itself"))
        elif stat.S_ISDIR(mode):
            continue
        elif not stat.S_ISREG(mode):
            refused.append(_refuse(inbox, path, "not a regular file (a pipe, socket or "
                                   "device), refused unread"))
        elif _CONTROL.search(path.name):
            refused.append(_refuse(inbox, path, f"the name {path.name!r} holds a control "
                                   "character, refused unread — rename it"))
        else:
            files.append(path)
    ready, arriving = _settled(files, settle)
    return Scan(files=ready, refused=refused, arriving=arriving)


def _settled(files: list[Path], settle: float) -> tuple[list[Path], list[Path]]:
    """(complete, still arriving): the files modified within `settle` seconds are
    looked at again once `settle` seconds have passed since their modification."""
    seen = {p: p.stat() for p in files}
    now = time.time()
    young = [p for p, s in seen.items() if now - s.st_mtime < settle]
    if not young:
        return files, []
    newest = max(seen[p].st_mtime for p in young)
    _sleep(max(0.0, min(settle, newest + settle - time.time())))
    arriving, gone = [], []
    for p in young:
        try:
            again = p.stat()
        except FileNotFoundError:  # taken away again meanwhile: nothing to load or say
            gone.append(p)
            continue
        if (again.st_size, again.st_mtime_ns) != (seen[p].st_size, seen[p].st_mtime_ns):
            arriving.append(p)
    return [p for p in files if p not in arriving and p not in gone], arriving
