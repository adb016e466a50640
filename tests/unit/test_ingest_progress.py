"""Loading tells its progress per file and phase — reading, validating, storing —
each as it begins, so a bar on a 1 M-row file does not sit at 0 % for seconds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import etc.ingest
from etc.ingest import Phase, ingest_paths
from etc.store import Store

HEADER = "station_id,name,operator_id,account,lat,lon\n"


def csv(tmp_path: Path, name: str, body: str) -> Path:
    p = tmp_path / name
    p.write_text(HEADER + body, encoding="utf-8")
    return p


def test_each_phase_is_told_in_order_as_it_begins(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The phases are interleaved with the work they name: reading before the file
    is read, validating before its rows are checked, storing before they are
    stored; for each file in turn."""
    events: list[tuple[str, str]] = []

    def spy(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            events.append(("work", name))
            return real(*args, **kwargs)
        return call

    monkeypatch.setattr(etc.ingest, "read", spy("read", etc.ingest.read))
    monkeypatch.setattr(etc.ingest, "validate", spy("validate", etc.ingest.validate))
    a = csv(tmp_path, "a.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n")
    b = csv(tmp_path, "b.csv", "S2,Name 2,OP2,ACC2,11.0,107.0\n")
    with Store(tmp_path / "db.duckdb") as store:
        monkeypatch.setattr(store, "load", spy("load", store.load))

        def progress(path: Path, phase: Phase) -> None:
            events.append((path.name, phase.value))

        results = ingest_paths(store, [a, b], progress=progress)
    assert [r.status for r in results] == ["loaded", "loaded"]
    one = [("reading", "read"), ("validating", "validate"), ("storing", "load")]
    assert events == [e for name in ("a.csv", "b.csv") for phase, work in one
                      for e in ((name, phase), ("work", work))]


def test_a_file_loaded_before_or_refused_stops_at_its_phase(tmp_path: Path) -> None:
    """Content loaded before is only read (its sha256); a file that cannot be read
    is refused in reading and never validated or stored."""
    a = csv(tmp_path, "a.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n")
    again = csv(tmp_path, "again.csv", "S1,Name 1,OP1,ACC1,10.5,106.7\n")
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"\xff\xfe not utf-8 at all\n")
    told: list[tuple[str, Phase]] = []
    with Store(tmp_path / "db.duckdb") as store:
        results = ingest_paths(store, [a, again, broken],
                               progress=lambda p, ph: told.append((p.name, ph)))
    assert [r.status for r in results] == ["loaded", "already_loaded", "refused"]
    assert told == [("a.csv", Phase.READING), ("a.csv", Phase.VALIDATING),
                    ("a.csv", Phase.STORING), ("again.csv", Phase.READING),
                    ("broken.csv", Phase.READING)]
