"""A full disk under the store and the output folder (a 32 MiB tmpfs, filled to
the last byte): `etc ingest`, `reconcile`, `report`, `statement` and `nightly`
each end with one line naming the path and "no space left on device", exit 2.
Afterwards (space freed) the store opens with its earlier loads and runs as they
were, no report or statement stands half-written under its final name, and the
same command completes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from faultkit import (  # fixtures, by name
    D1,
    LATE,
    etc,
    fill,
    free,
    inputs,
    made,
    one_line,
    sample,
    state,
    stored,
    tmpfs,
)

from etc.generate import Sample

FULL = "no space left on device"


def refused_for_space(done: object, path: Path) -> None:
    line = one_line(done.stderr)  # type: ignore[attr-defined]
    assert done.returncode == 2, line  # type: ignore[attr-defined]
    assert str(path) in line and FULL in line, line


def test_ingest_on_a_full_disk_names_the_store_and_keeps_its_loads(
        sample: Sample, made: Path, tmpfs: Path) -> None:
    db = tmpfs / "etc.duckdb"
    stored(made, db)
    before = state(db)
    fill(tmpfs)
    late = next(p for p in inputs(sample) if p.name == LATE)
    refused_for_space(etc("ingest", "--db", db, late), db)
    free(tmpfs)
    assert state(db) == before  # nothing of the late file, everything before it
    done = etc("ingest", "--db", db, late)
    assert done.returncode == 0, done.stderr
    assert len(state(db)["loads"]) == len(before["loads"]) + 1  # type: ignore[arg-type]


def test_reconcile_on_a_full_disk_keeps_the_runs(made: Path, tmpfs: Path) -> None:
    db = tmpfs / "etc.duckdb"
    stored(made, db)
    before = state(db)
    fill(tmpfs)
    # another as-of is another run: it has to be written
    refused_for_space(etc("reconcile", "--db", db, "--date", D1, "--as-of", "2026-11-03"), db)
    free(tmpfs)
    assert state(db) == before
    done = etc("reconcile", "--db", db, "--date", D1, "--as-of", "2026-11-03")
    assert done.returncode == 0, done.stderr
    assert len(state(db)["runs"]) == 2  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["report.html", "report.xlsx"])
def test_report_on_a_full_disk_leaves_no_half_file(made: Path, tmpfs: Path,
                                                     name: str) -> None:
    db = tmpfs / "etc.duckdb"
    stored(made, db)
    out = tmpfs / "out" / name
    out.parent.mkdir()
    fill(tmpfs)
    refused_for_space(etc("report", "--db", db, "--out", out), out)
    assert sorted(out.parent.iterdir()) == []  # neither the file nor its temporary
    free(tmpfs)
    assert etc("report", "--db", db, "--out", out).returncode == 0
    assert out.stat().st_size > 0


@pytest.mark.parametrize("suffix", [".pdf", ".xlsx", ".csv"])
def test_statement_on_a_full_disk_leaves_no_half_file(made: Path, tmpfs: Path,
                                                        suffix: str) -> None:
    db = tmpfs / "etc.duckdb"
    stored(made, db)
    out = tmpfs / "out" / f"statement{suffix}"
    out.parent.mkdir()
    out.write_bytes(b"last night's statement")  # an older file keeps its name and bytes
    fill(tmpfs)
    args = ("statement", "--db", db, "--operator", "VEC", "--from", D1, "--to", D1, "--out", out)
    refused_for_space(etc(*args), out)
    assert sorted(out.parent.iterdir()) == [out]
    assert out.read_bytes() == b"last night's statement"


def test_nightly_with_a_full_store_disk_leaves_the_inbox_as_it_was(
        sample: Sample, tmpfs: Path, tmp_path: Path) -> None:
    db = tmpfs / "etc.duckdb"
    inbox = tmp_path / "inbox"
    shutil.copytree(inputs(sample)[0].parent, inbox)
    waiting = sorted(p.name for p in inbox.iterdir())
    etc("ingest", "--db", db, inbox / "stations.csv")
    before = state(db)
    fill(tmpfs)
    night = ("nightly", "--db", db, "--inbox", inbox, "--out", tmpfs / "out", "--date", D1)
    refused_for_space(etc(*night), db)
    assert sorted(p.name for p in inbox.iterdir()) == waiting  # nothing filed away, nothing lost
    free(tmpfs)
    assert state(db) == before
    assert etc(*night).returncode == 1  # the sample holds severe findings
    assert (tmpfs / "out" / D1 / "summary.json").is_file()


def test_nightly_with_a_full_output_disk_writes_no_half_report(
        sample: Sample, tmpfs: Path, tmp_path: Path) -> None:
    db = tmp_path / "etc.duckdb"  # the store has room; the output folder has none
    inbox = tmp_path / "inbox"
    shutil.copytree(inputs(sample)[0].parent, inbox)
    out = tmpfs / "out"
    fill(tmpfs)
    night = ("nightly", "--db", db, "--inbox", inbox, "--out", out, "--date", D1)
    done = etc(*night)
    line = one_line(done.stderr)
    assert done.returncode == 2 and FULL in line and str(out) in line, line
    left = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert left == []  # no report, statement or summary.json, whole or half
    free(tmpfs)
    assert etc(*night).returncode == 1
    assert (out / D1 / "summary.json").is_file() and (out / D1 / "report.xlsx").is_file()
