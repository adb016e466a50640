"""ETC_MEMORY_LIMIT caps DuckDB (SET memory_limit): work that needs more stops
with one line naming the store and the limit, exit 2 — not a kill by the kernel,
not an internal error — and the store keeps what it held. A limit that is no
amount of memory is refused before anything runs."""

from __future__ import annotations

from pathlib import Path

from faultkit import (  # fixtures, by name
    D1,
    LATE,
    etc,
    inputs,
    made,
    one_line,
    sample,
    state,
    stored,
)

from etc.generate import Sample

TINY = {"ETC_MEMORY_LIMIT": "1MB"}


def test_reconcile_beyond_the_limit_stops_with_one_line(made: Path, tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"
    stored(made, db)
    before = state(db)
    args = ("reconcile", "--db", db, "--date", D1, "--as-of", "2026-11-03")
    done = etc(*args, env=TINY)
    line = one_line(done.stderr)
    assert done.returncode == 2, line
    assert str(db) in line and "ETC_MEMORY_LIMIT=1MB" in line, line
    assert state(db) == before  # no half run
    assert etc(*args, env={"ETC_MEMORY_LIMIT": "2GB"}).returncode == 0


def test_ingest_beyond_the_limit_loads_nothing(sample: Sample, made: Path,
                                               tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"
    stored(made, db)
    before = state(db)
    late = next(p for p in inputs(sample) if p.name == LATE)
    done = etc("ingest", "--db", db, late, env=TINY)
    assert done.returncode == 2 and "ETC_MEMORY_LIMIT=1MB" in one_line(done.stderr)
    assert state(db) == before


def test_a_limit_that_is_no_amount_is_refused(made: Path, tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"
    stored(made, db)
    done = etc("runs", "--db", db, env={"ETC_MEMORY_LIMIT": "lots"})
    assert done.returncode == 2
    assert "ETC_MEMORY_LIMIT='lots'" in one_line(done.stderr)
