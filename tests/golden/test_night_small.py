"""Golden outputs of one night (fixtures/cases/night-small): summary.json and the
statement CSV of every operator, byte for byte — in Vietnamese (the default,
expected/) and in English (`--lang en`, expected/en/): the columns and codes are
the same, only the human text differs. A mismatch shows a unified diff;
ETC_REGEN_GOLDEN=1 rewrites the expected files (only on purpose)."""

from __future__ import annotations

import csv
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


def _night(tmp_path_factory: pytest.TempPathFactory, name: str, *extra: str) -> Path:
    """OUT/2026-11-01 of `etc nightly` over a copy of the case's inbox."""
    root = tmp_path_factory.mktemp(name)
    inbox = root / "inbox"
    shutil.copytree(CASE / "inbox", inbox)
    code = cli.main(["nightly", "--db", str(root / "etc.duckdb"), "--inbox", str(inbox),
                     "--out", str(root / "out"), "--date", DAY, *extra])
    assert code == 1  # the case has HIGH and CRITICAL findings: the night fails
    return root / "out" / DAY


@pytest.fixture(scope="module")
def night(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _night(tmp_path_factory, "night-small")


@pytest.fixture(scope="module")
def night_en(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same night with --lang en."""
    return _night(tmp_path_factory, "night-small-en", "--lang", "en")


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
            if old.is_file():
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


def test_the_english_statements_are_golden_too(night: Path, night_en: Path) -> None:
    names = sorted(p.name for p in night_en.glob("statement-*.csv"))
    assert names and names == sorted(p.name for p in night.glob("statement-*.csv"))
    if REGEN:
        for old in (CASE / "expected" / "en").glob("*"):
            old.unlink()
    for name in names:
        compare(night_en / name, CASE / "expected" / "en" / name)
        vi, en = ((folder / name).read_text(encoding="utf-8").splitlines()
                  for folder in (night, night_en))
        assert vi[0] == en[0]  # the header: a machine contract, the same in both
        assert len(vi) == len(en)
    assert (night_en / "summary.json").read_bytes() == (night / "summary.json").read_bytes()


def test_a_statement_lists_only_its_own_and_the_shared_files(night: Path) -> None:
    """An operator's statement names the reference data and the files holding its rows,
    not another operator's bank statements (the case's bank files carry its id)."""
    for path in sorted(night.glob("statement-*.csv")):
        operator = path.stem.removeprefix("statement-")
        lines = list(csv.reader(path.read_text(encoding="utf-8").splitlines()))
        head = lines[0]
        files = [row[head.index("input_file")] for row in lines[1:] if row[0] == "INPUT"]
        banks = [f for f in files if f.startswith("bank_")]
        assert banks and all(f.startswith(f"bank_{operator}") for f in banks), (operator, banks)
        assert "stations.csv" in files and "tariffs.csv" in files
