"""One night at a time per inbox.

Two `etc nightly` on one inbox would load the same files and move them under
each other's feet (even on two stores). The first takes an exclusive lock on
INBOX/.etc-nightly.lock (hidden: never taken for an input file) and writes its
pid into it; a second finds the lock taken and stops at once with
`InboxBusyError` naming that pid — it does not wait, the night is being done.
The lock is the kernel's (flock), so a killed nightly leaves no stale lock: its
file stays, unlocked, and the next nightly takes it (and removes it when done,
as every nightly does: an inbox at rest holds only its inputs).
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from etc.errors import EtcError

LOCK_NAME = ".etc-nightly.lock"


class InboxBusyError(EtcError):
    """Another nightly holds the inbox."""


@contextmanager
def holding_inbox(inbox: Path) -> Iterator[Path]:
    """Hold the inbox's lock while the block runs (InboxBusyError when another
    process holds it); yields the lock file, which is removed when the block ends."""
    path = inbox / LOCK_NAME
    fd = _locked(path, inbox)
    try:
        # one fixed width, written over the last holder's: never empty to a reader
        os.pwrite(fd, f"{os.getpid():<20}\n".encode(), 0)
        yield path
    finally:
        path.unlink(missing_ok=True)  # still holding it: no one can take the old file
        os.close(fd)  # closing lets go of the lock


def _locked(path: Path, inbox: Path) -> int:
    """An open descriptor of the lock file, locked by this process. A file that
    its holder removed between our opening and our locking it is no lock: then
    again, with the file now at that name."""
    while True:
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise EtcError(f"cannot lock the inbox: {exc.strerror or exc}", path=path,
                           hint="the nightly run writes its lock file and moves files "
                                "in the inbox: it must be writable") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise InboxBusyError(
                f"inbox in use by another etc nightly{holder}: that one is doing the night",
                path=inbox, hint="run again once it has finished (it files the inbox "
                                 "away; a second run then reuses its run)") from None
        try:
            same = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            same = False
        if same:
            return fd
        os.close(fd)


def _holder(fd: int) -> str:
    """" (pid N)" as the holder wrote it, or "" when it cannot be read."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    except OSError:
        return ""
    return f" (pid {int(text)})" if text.isdigit() else ""
