"""Helpers and fixtures of the fault suite (imported by name: a second conftest.py
would shadow tests/conftest.py as the module `conftest`): `etc` as a real process,
a small tmpfs to fill.

- `etc(*args, env=...)`: runs the console script of this venv; returns the
  CompletedProcess (text, stdout and stderr captured, ETC_DB and ETC_DEBUG unset).
- `tmpfs`: a fresh tmpfs of 32 MiB mounted on a folder of tmp_path and unmounted
  afterwards; skips (saying why) where mounting is impossible (not root, no
  mount(8), a container without CAP_SYS_ADMIN).
- `fill(folder)`: writes a filler file until the disk says ENOSPC; `free` removes it.
- `sample`, `made`: a generated two-day sample, and a store of it with every input
  but LATE loaded and D1 reconciled (made once; `stored` copies it); `state(db)`:
  what must survive a fault (loads, runs, every table's row count).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from etc.generate import Sample, generate

ETC = Path(sys.executable).with_name("etc")
FILLER = "filler.bin"
D1 = "2026-11-01"
LATE = "lanes_20261102.parquet"
"""Held back from the store made beforehand (`made`): a file still to load."""


def etc(*args: str | Path, env: dict[str, str] | None = None,
        timeout: float = 300) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k not in ("ETC_DB", "ETC_DEBUG", "COLUMNS")}
    return subprocess.run([str(ETC), *map(str, args)], env=environ | (env or {}),
                          capture_output=True, text=True, timeout=timeout, check=False)


def one_line(stderr: str) -> str:
    """The single line `etc` printed on stderr (fails on a traceback or more lines)."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Path]:
    where = tmp_path / "tmpfs"
    where.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) on this machine: the disk-full cases need a tmpfs")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(where)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs (needs root): {done.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Fill the disk of `folder` to the last byte with one file; returns it."""
    path = folder / FILLER
    with path.open("ab", buffering=0) as fh:  # unbuffered: nothing left to flush at close
        for size in (1 << 20, 1 << 12, 1):
            chunk = b"\0" * size
            try:
                while True:
                    fh.write(chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return path


def free(folder: Path) -> None:
    (folder / FILLER).unlink()


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return generate(tmp_path_factory.mktemp("sample"), seed=5, days=2, passages=600)


def inputs(sample: Sample) -> list[Path]:
    return sorted(p for paths in sample.files.values() for p in paths)


def state(db: Path) -> dict[str, object]:
    """What must survive: the loads, the runs, each run's findings, every table's rows."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchall() for t in tables} | {
            "loads": con.execute("SELECT load_id, file, sha256, rows_loaded FROM loads "
                                 "ORDER BY ALL").fetchall(),
            "runs": con.execute("SELECT run_id FROM runs ORDER BY ALL").fetchall()}
    finally:
        con.close()


@pytest.fixture(scope="session")
def made(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with every input but LATE loaded and D1 reconciled (made once)."""
    db = tmp_path_factory.mktemp("made") / "etc.duckdb"
    done = etc("ingest", "--db", db, *[p for p in inputs(sample) if p.name != LATE])
    assert done.returncode == 0, done.stderr
    done = etc("reconcile", "--db", db, "--date", D1)
    assert done.returncode == 0, done.stderr
    return db


def stored(made: Path, db: Path) -> None:
    """A copy of the made store at `db` (on the tmpfs)."""
    shutil.copyfile(made, db)
