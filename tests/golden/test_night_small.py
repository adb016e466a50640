"""Golden outputs of one night (fixtures/cases/night-small): summary.json and the
statement CSV of every operator, byte for byte. A mismatch shows a unified diff;
ETC_REGEN_GOLDEN=1 rewrites the expected files (only on purpose)."""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path

import pytest

import cli

CASE = Path(__file__).resolve().parents[2] / "fixtures" / "cases" / "night-small"
DAY = "2026-11-01"
REGEN = os.environ.get("ETC_REGEN_GOLDEN") == "1"


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """OUT/2026-11-01 of `etc nightly` over a copy of the case's inbox."""
    root = tmp_path_factory.mktemp("night-small")
    inbox = root / "inbox"
    shutil.copytree(CASE / "inbox", inbox)
    code = cli.main(["nightly", "--db", str(root / "etc.duckdb"), "--inbox", str(inbox),
                     "--out", str(root / "out"), "--date", DAY])
    assert code == 1  # the case has HIGH and CRITICAL findings: the night fails
    return root / "out" / DAY


def expected_names() -> list[str]:
    return sorted(p.name for p in (CASE / "expected").glob("*") if p.is_file())


def compare(actual: Path, expected: Path) -> None:
    if REGEN:
        expected.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(actual, expected)
        return
    assert expected.exists(), f"{expected} missing: run with ETC_REGEN_GOLDEN=1 once"
    got, want = actual.read_text(encoding="utf-8"), expected.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(difflib.unified_diff(want.splitlines(keepends=True),
                                            got.splitlines(keepends=True),
                                            fromfile=f"expected/{expected.name}",
                                            tofile=f"actual/{actual.name}"))
        pytest.fail(f"{actual.name} differs from its golden file:\n{diff}", pytrace=False)


def test_the_night_writes_exactly_the_golden_files(night: Path) -> None:
    written = sorted(p.name for p in night.iterdir() if p.name == "summary.json"
                     or (p.name.startswith("statement-") and p.suffix == ".csv"))
    if REGEN:
        for old in (CASE / "expected").glob("*"):
            old.unlink()
    for name in written:
        compare(night / name, CASE / "expected" / name)
    assert written == expected_names()


def test_the_golden_summary_agrees_with_the_truth(night: Path) -> None:
    """The golden file itself is checked against the generator's truth, so that a
    regenerated golden cannot silently drift from what the night must find."""
    summary = json.loads((CASE / "expected" / "summary.json").read_text(encoding="utf-8"))
    truth = (CASE / "truth.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert summary["findings"] == len(truth) == 78
    by_code: dict[str, int] = {}
    for line in truth:
        by_code[line.split(",")[0]] = by_code.get(line.split(",")[0], 0) + 1
    assert {c["code"]: c["findings"] for c in summary["by_code"]} == by_code
    assert summary["lifecycle"] == {"new": 78, "open": 0, "resolved": 0}
    assert summary["refused"] == [{"file": "notes.txt", "reason": summary["refused"][0]["reason"]}]
    assert "notes.txt" in summary["refused"][0]["reason"]
    assert summary["exit_status"] == 1 and summary["failing"] > 0
    assert len(summary["inputs"]) == 20
