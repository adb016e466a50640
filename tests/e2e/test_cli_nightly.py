"""`etc nightly` end to end on a generated two-day sample: files filed away,
refused ones with their reason, exit 1 at the severity threshold and 0 below it,
the lifecycle across two nights, and a second run of the same night that
changes nothing at all — neither the files written nor the database."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest

import cli
from etc.codes import Code
from etc.generate import Sample, generate

D1, D2 = "2026-11-01", "2026-11-02"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return generate(tmp_path_factory.mktemp("sample"), seed=5, days=2, passages=600)


def inbox_of(sample: Sample, root: Path) -> Path:
    inbox = root / "inbox"
    shutil.copytree(next(iter(sample.files.values()))[0].parent, inbox)
    (inbox / "readme.txt").write_text("not a toll file\n", encoding="utf-8")
    (inbox / "upload.csv.part").write_text("half a file", encoding="utf-8")
    return inbox


def night(root: Path, inbox: Path, day: str, *extra: str) -> int:
    return cli.main(["nightly", "--db", str(root / "etc.duckdb"), "--inbox", str(inbox),
                     "--out", str(root / "out"), "--date", day, *extra])


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall()
                for t in ("loads", "runs", "findings", "lifecycle", "traffic", "tieouts")}
    finally:
        con.close()


def test_a_night_files_away_its_inbox_and_fails_on_severe_findings(
        sample: Sample, tmp_path: Path) -> None:
    inbox = inbox_of(sample, tmp_path)
    inputs = sorted(p.name for paths in sample.files.values() for p in paths)
    assert night(tmp_path, inbox, D1) == 1
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == ["upload.csv.part"]
    assert sorted(p.name for p in (inbox / "archive" / D1).iterdir()) == inputs
    assert sorted(p.name for p in (inbox / "refused" / D1).iterdir()) == [
        "readme.txt", "readme.txt.reason.txt"]
    reason = (inbox / "refused" / D1 / "readme.txt.reason.txt").read_text(encoding="utf-8")
    assert reason.startswith("readme.txt: ") and reason.count("\n") == 1
    folder = tmp_path / "out" / D1
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    assert summary["exit_status"] == 1 and summary["failing"] >= 1
    assert summary["refused"] == [{"file": "readme.txt", "reason": reason.strip()}]
    assert sorted(summary["outputs"] + ["summary.json"]) == sorted(
        p.name for p in folder.iterdir())
    operators = {p.name.split("-")[1].split(".")[0] for p in folder.glob("statement-*.pdf")}
    assert {p.stem for p in folder.glob("statement-*.csv")} == {
        f"statement-{op}" for op in operators} and len(operators) == 4


def test_the_same_night_twice_changes_nothing(sample: Sample, tmp_path: Path) -> None:
    inbox = inbox_of(sample, tmp_path)
    assert night(tmp_path, inbox, D1) == 1
    files, db = digests(tmp_path / "out") | digests(inbox), tables(tmp_path / "etc.duckdb")
    # the files come again (a re-delivery): already loaded, archived over themselves
    for path in (inbox / "archive" / D1).iterdir():
        shutil.copyfile(path, inbox / path.name)
    assert night(tmp_path, inbox, D1) == 1
    assert digests(tmp_path / "out") | digests(inbox) == files
    assert tables(tmp_path / "etc.duckdb") == db


def test_another_nights_refusals_do_not_change_a_night(sample: Sample, tmp_path: Path) -> None:
    inbox = inbox_of(sample, tmp_path)
    assert night(tmp_path, inbox, D1) == 1
    before = digests(tmp_path / "out" / D1)
    (inbox / "junk.csv").write_text("no,such\ncolumns,here\n", encoding="utf-8")
    # a file named like a reason, and one whose reason would take that name
    (inbox / "x.csv.reason.txt").write_text("mine\n", encoding="utf-8")
    night(tmp_path, inbox, D2)
    (inbox / "x.csv").write_text("not,a\ntoll,file\n", encoding="utf-8")
    night(tmp_path, inbox, D2)
    refused = inbox / "refused" / D2
    assert (refused / "x.csv.reason.txt").read_text(encoding="utf-8") == "mine\n"
    summary = json.loads((tmp_path / "out" / D2 / "summary.json").read_text("utf-8"))
    assert [r["file"] for r in summary["refused"]] == ["junk.csv", "x-1.csv",
                                                       "x.csv.reason.txt"]
    assert night(tmp_path, inbox, D1) == 1
    assert digests(tmp_path / "out" / D1) == before


def test_an_inbox_whose_archive_is_a_file_is_refused_before_loading(
        sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = inbox_of(sample, tmp_path)
    (inbox / "archive").write_text("oops", encoding="utf-8")
    capsys.readouterr()
    assert night(tmp_path, inbox, D1) == 2
    assert "'archive' in the inbox is a file" in capsys.readouterr().err
    assert not (tmp_path / "etc.duckdb").exists() or tables(tmp_path / "etc.duckdb")[
        "loads"] == []


def test_below_the_threshold_a_night_exits_0(sample: Sample, tmp_path: Path) -> None:
    inbox = inbox_of(sample, tmp_path)
    assert night(tmp_path, inbox, D1, "--config", str(_lenient(tmp_path))) == 0
    summary = json.loads((tmp_path / "out" / D1 / "summary.json").read_text(encoding="utf-8"))
    assert (summary["exit_status"], summary["failing"], summary["fail_at"]) == (0, 0, "CRITICAL")
    assert summary["by_severity"]["LOW"]["findings"] == summary["findings"] > 0


def test_the_second_night_carries_and_resolves(sample: Sample, tmp_path: Path) -> None:
    inbox = inbox_of(sample, tmp_path)
    night(tmp_path, inbox, D1)
    night(tmp_path, inbox, D2)
    first, second = (json.loads((tmp_path / "out" / d / "summary.json").read_text("utf-8"))
                     for d in (D1, D2))
    assert first["lifecycle"] == {"new": first["findings"], "open": 0, "resolved": 0}
    life = second["lifecycle"]
    assert life["new"] + life["open"] == second["findings"]
    con = duckdb.connect(str(tmp_path / "etc.duckdb"), read_only=True)
    try:
        rows = con.execute(
            "SELECT l.state, l.code, l.identity, l.first_seen_run = r1.run_id "
            "FROM lifecycle l JOIN runs r2 ON l.run_id = r2.run_id AND r2.first_date = ? "
            "CROSS JOIN (SELECT run_id FROM runs WHERE first_date = ?) r1",
            [D2, D1]).fetchall()
        earlier = {(c, i) for c, i in con.execute(
            "SELECT code, identity FROM lifecycle l JOIN runs r USING (run_id) "
            "WHERE r.first_date = ?", [D1]).fetchall()}
    finally:
        con.close()
    open_rows = [(c, i) for s, c, i, _ in rows if s == "OPEN"]
    resolved = [(c, i) for s, c, i, _ in rows if s == "RESOLVED"]
    assert len(open_rows) == life["open"] > 0 and len(resolved) == life["resolved"] > 0
    assert set(open_rows) <= earlier and set(resolved) <= earlier
    assert all(from_first for s, _, _, from_first in rows if s != "NEW")


def test_a_night_without_passages_fails_and_resolves_nothing(
        sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inbox = inbox_of(sample, tmp_path)
    assert night(tmp_path, inbox, D1) == 1
    assert night(tmp_path, inbox, D2) == 1  # both dates reconciled: nothing to look back at
    before = tables(tmp_path / "etc.duckdb")
    empty = tmp_path / "empty-inbox"
    empty.mkdir()
    capsys.readouterr()
    assert night(tmp_path, empty, "2026-11-09") == 1
    err = capsys.readouterr().err
    assert "etc: no passages are loaded for 2026-11-09: nothing to reconcile" in err
    summary = json.loads((tmp_path / "out" / "2026-11-09" / "summary.json").read_text())
    assert summary["run_id"] is None and summary["exit_status"] == 1
    assert summary["problems"] == ["no passages are loaded for 2026-11-09: nothing to reconcile"]
    assert summary["outputs"] == [] and summary["findings"] == summary["passages"] == 0
    assert sorted(p.name for p in (tmp_path / "out" / "2026-11-09").iterdir()) == [
        "summary.json"]
    after = tables(tmp_path / "etc.duckdb")
    assert after["runs"] == before["runs"] and after["lifecycle"] == before["lifecycle"]


def test_a_night_whose_lanes_file_is_refused_fails_saying_so(
        sample: Sample, tmp_path: Path) -> None:
    inbox = inbox_of(sample, tmp_path)
    lanes = next(p for p in inbox.iterdir() if p.name.startswith("lanes_") and
                 p.suffix == ".csv" and "resend" not in p.name)
    data = lanes.read_bytes()
    lines = data.split(b"\n")
    lines[2] = lines[2][:5] + b"\xff" + lines[2][5:]  # not UTF-8: the whole file is refused
    lanes.write_bytes(b"\n".join(lines))
    assert night(tmp_path, inbox, D1, "--config", str(_lenient(tmp_path))) == 1
    summary = json.loads((tmp_path / "out" / D1 / "summary.json").read_text())
    assert summary["failing"] == 0, "nothing at or above fail_at: the refusal fails the night"
    [problem] = summary["problems"]
    assert problem.startswith(f"the lanes file {lanes.name} was refused: ")
    assert "not UTF-8" in problem
    assert lanes.name in {r["file"] for r in summary["refused"]}


def _lenient(root: Path) -> Path:
    """Settings under which no finding fails a night."""
    config = root / "lenient.toml"
    config.write_text('[severity]\nfail_at = "CRITICAL"\nraise_at_vnd = 0\n'
                      + "[severity.codes]\n" + "".join(f'{c.value} = "LOW"\n' for c in Code),
                      encoding="utf-8")
    return config
