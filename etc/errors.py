"""Faults that stop a command. Bad *rows* are never raised: they are quarantined
with a reason. What is raised here is a whole file or a whole command that cannot
go on; `cli.py` turns every `EtcError` into one line on stderr and exit code 2."""

from __future__ import annotations

from pathlib import Path


class EtcError(Exception):
    """Base of every fault `etc` reports to a person.

    `problem` says what is wrong, `hint` what to do about it; `path`, `line` and
    `column` locate it when known. `str(err)` is the one line the CLI prints.
    """

    def __init__(
        self,
        problem: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.problem = problem
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        col = f" (column {self.column!r})" if self.column else ""
        hint = f" — hint: {self.hint}" if self.hint else ""
        return f"{where}{self.problem}{col}{hint}"


class ReadError(EtcError):
    """A file that cannot be read at all: nothing of it is loaded."""


class UnknownKindError(ReadError):
    """The kind of a file cannot be recognised from its columns or content."""


class UsageError(EtcError):
    """A command was called with arguments that do not fit."""


class StoreError(EtcError):
    """The DuckDB file cannot be opened or written."""


class ResourceError(EtcError):
    """The machine, not the data, stopped a command: a full disk, an I/O error,
    memory used up. No file is to blame, so loading stops instead of refusing the
    file at hand; what was stored before stays as it was (etc.faults)."""


class DiskError(ResourceError):
    """A disk write or read failed: no space left, quota, I/O error, read-only."""


class MemoryLimitError(ResourceError):
    """The work needs more memory than the limit allows (ETC_MEMORY_LIMIT)."""
