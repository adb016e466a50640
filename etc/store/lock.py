"""Opening a DuckDB file that another process holds.

DuckDB lets one process at a time open a file (it takes an OS lock on it for as
long as the connection lives). A second `etc` command on the same store waits
for the first to finish — up to `wait_seconds` ([store] wait_seconds, or
ETC_STORE_WAIT) — and then gives up with `StoreBusyError`: one line naming the
command that holds the store and its pid (DuckDB's lock error names the pid).
It never proceeds without the lock, so it can never write beside the other.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from etc.errors import StoreError

LOCK_HELD = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
"""DuckDB's words for "another process has this file open" (its IOException)."""

FIRST_PAUSE, LONGEST_PAUSE = 0.05, 0.5
"""Seconds between tries: doubling from the first to the longest."""

Waiting = Callable[[str], None]
"""Told once, with the holder ("etc ingest (pid 123)"), when the store is busy."""


class StoreBusyError(StoreError):
    """Another process holds the store, and did not let go within the wait."""

    def __init__(self, path: Path, holder: str, waited: float) -> None:
        self.holder = holder
        super().__init__(
            f"store in use by {holder}; waited {waited:g} s", path=path,
            hint="let that command finish and run this one again, or wait longer "
                 "([store] wait_seconds, or ETC_STORE_WAIT)")


def holder_of(message: str) -> tuple[str, int] | None:
    """(program, pid) named by a DuckDB lock error; None for any other error."""
    found = LOCK_HELD.search(message)
    if found is None:
        return None
    return found["program"], int(found["pid"])


def describe(program: str, pid: int) -> str:
    """Who holds the store, as a person knows it: "etc nightly (pid 123)" when the
    pid's command line shows an etc command, else the program DuckDB named."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        argv = []
    words = [a.decode(errors="replace") for a in argv if a]
    for i, word in enumerate(words):
        name = Path(word).name
        if name == "etc" or (name == "cli.py") or (word == "cli" and i and words[i - 1] == "-m"):
            command = next((w for w in words[i + 1:] if not w.startswith("-")), "")
            return f"etc {command} (pid {pid})".replace("  ", " ")
    return f"{program} (pid {pid})"


def connect(path: Path, wait_seconds: float, waiting: Waiting | None = None,
            ) -> duckdb.DuckDBPyConnection:
    """A connection to `path`, waiting while another process holds the file.
    Raises StoreBusyError after `wait_seconds`; other errors go to the caller."""
    deadline = time.monotonic() + max(wait_seconds, 0.0)
    pause, told = FIRST_PAUSE, False
    while True:
        try:
            return duckdb.connect(str(path))
        except duckdb.IOException as exc:
            held = holder_of(str(exc))
            if held is None:
                raise
            holder = describe(*held)
            left = deadline - time.monotonic()
            if left <= 0:
                raise StoreBusyError(path, holder, wait_seconds) from None
            if waiting is not None and not told:
                waiting(holder)
                told = True
            time.sleep(min(pause, left))
            pause = min(pause * 2, LONGEST_PAUSE)
