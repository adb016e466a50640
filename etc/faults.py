"""Faults of the machine, not of the data: a full disk, an I/O error, memory
used up. DuckDB reports them as exceptions whose text names the cause, the OS as
an `OSError` with an errno; both become one `ResourceError` naming the path and
the cause, so that `cli.py` prints one line and exits 2 instead of calling it a
bug (exit 3). Only the store and the writers call this: they know the path.

    try:
        con.execute("COMMIT")
    except duckdb.Error as exc:
        raise resource_error(exc, path=db, doing="write the store") or exc
"""

from __future__ import annotations

import errno
from pathlib import Path

from etc.errors import DiskError, MemoryLimitError, ResourceError

_ERRNO_CAUSE = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EIO: "input/output error",
    errno.EROFS: "read-only file system",
    errno.EFBIG: "file too large",
}
"""The errnos that are the machine's fault, and how the one line names them."""

_TEXT_CAUSE = {
    "no space left on device": "no space left on device",
    "disk quota exceeded": "disk quota exceeded",
    "input/output error": "input/output error",
    "read-only file system": "read-only file system",
    "file too large": "file too large",
}
"""The same causes as DuckDB (and libraries that wrap an OSError) write them."""

_MEMORY_TEXT = ("out of memory", "could not allocate", "failed to allocate")
"""How DuckDB says that its memory_limit (or the machine) has no room left."""

DISK_HINT = "free space on that disk (or point it elsewhere) and run again"
MEMORY_HINT = ("raise ETC_MEMORY_LIMIT (e.g. 4GB), or reconcile fewer days "
               "at a time (--chunk-days)")


def _chain(exc: BaseException) -> list[BaseException]:
    """`exc` and the exceptions it was raised from or during, outermost first."""
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def disk_cause(exc: BaseException) -> str | None:
    """The cause ("no space left on device", …) when `exc` or one it came from is a
    disk or I/O failure; None for anything else."""
    for e in _chain(exc):
        if isinstance(e, OSError) and e.errno in _ERRNO_CAUSE:
            return _ERRNO_CAUSE[e.errno]
        text = str(e).lower()
        for needle, cause in _TEXT_CAUSE.items():
            if needle in text:
                return cause
    return None


def is_out_of_memory(exc: BaseException) -> bool:
    """True when `exc` (or one it came from) is DuckDB, or Python, out of memory."""
    for e in _chain(exc):
        if isinstance(e, MemoryError):
            return True
        if type(e).__name__ == "OutOfMemoryException":
            return True
        text = str(e).lower()
        if any(t in text for t in _MEMORY_TEXT):
            return True
    return False


def resource_error(exc: BaseException, *, path: str | Path, doing: str,
                   memory_limit: str | None = None) -> ResourceError | None:
    """The one-line fault for a disk, I/O or memory failure while `doing` (e.g.
    "write the store") at `path`; None when `exc` is none of those (the caller
    re-raises it as it was). `memory_limit` is the ETC_MEMORY_LIMIT in force."""
    cause = disk_cause(exc)
    if cause is not None:
        return DiskError(f"cannot {doing}: {cause}", path=path, hint=DISK_HINT)
    if is_out_of_memory(exc):
        limit = f"ETC_MEMORY_LIMIT={memory_limit}" if memory_limit else "this machine"
        return MemoryLimitError(f"cannot {doing}: the work needs more memory than {limit} "
                                "allows, so it stopped", path=path, hint=MEMORY_HINT)
    return None
