"""`etc ingest` and `etc quarantine` end to end: as a real subprocess (the
console script in the venv) and in-process through `cli.main([...])`.

Exit codes: 0 when files loaded (quarantined rows included), 2 with one line
on stderr and no traceback when a file, an option or a kind is refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from etc.store import Store

ETC = Path(sys.executable).with_name("etc")
LANES = """txn_id,station_id,lane_id,passed_at,payment_method,avc_class,charged_class,amount_vnd
T1,S1,L1,2024-05-01T08:00:00,ETC,1,1,35000
T2,S1,L1,2024-05-01T08:01:00,ETC,1,1,35000.50
T3,S1,L1,2024-05-01T08:02:00,ETC,1,1,35000
T1,S1,L1,2024-05-01T08:00:00,ETC,1,1,35000
T4,S1,L1,2024-05-01T08:03:00,CARD,1,1,35000
"""
"""Five rows: T1 and T3 load, T1 again is present, T2 (fraction) and T4 (CARD) quarantined."""
UNKNOWN = "plate_no,owner\n51H-123.45,Nguyen\n"


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`etc ARGS` in a subprocess, 80 columns wide (no terminal), ETC_DB unset."""
    environ = {k: v for k, v in os.environ.items() if k not in ("ETC_DB", "COLUMNS", "ETC_DEBUG")}
    return subprocess.run([str(ETC), *args], cwd=cwd, env=environ | env, capture_output=True,
                          text=True, timeout=120, check=False)


def counts(stdout: str, name: str) -> tuple[int, ...]:
    """read, loaded, already present, quarantined from the table row of file `name`."""
    [line] = [ln for ln in stdout.splitlines() if ln.startswith(f"│ {name} ")]
    cells = [c.strip() for c in line.strip("│").split("│")]
    return tuple(int(c.replace(",", "")) for c in cells[2:6])


def assert_error(stderr: str, *fragments: str) -> None:
    """An `etc: ...` message, no traceback (fragments matched with white space folded)."""
    assert "Traceback" not in stderr
    assert stderr.startswith("etc: ")
    text = " ".join(stderr.split())
    for f in fragments:
        assert " ".join(f.split()) in text, stderr


def assert_one_line_error(stderr: str, *fragments: str) -> None:
    assert len(stderr.strip("\n").splitlines()) == 1, stderr
    assert_error(stderr, *fragments)


@pytest.fixture
def lanes(tmp_path: Path) -> Path:
    path = tmp_path / "lanes.csv"
    path.write_text(LANES)
    return path


def stored_keys(db: Path) -> list[str]:
    with Store(db) as s:
        return sorted(s.table("lanes").collect()["txn_id"].to_list())


# ---- as a subprocess -----------------------------------------------------------
def test_ingest_exits_0_and_prints_the_counts(tmp_path: Path, lanes: Path) -> None:
    p = run(["ingest", "lanes.csv", "--db", "x.duckdb"], cwd=tmp_path)
    assert (p.returncode, p.stderr) == (0, "")
    assert counts(p.stdout, "lanes.csv") == (5, 2, 1, 2)
    assert "lanes (csv)" in p.stdout and "loaded" in p.stdout
    assert stored_keys(tmp_path / "x.duckdb") == ["T1", "T3"]


def test_etc_db_environment_variable_is_honoured(tmp_path: Path, lanes: Path) -> None:
    p = run(["ingest", "lanes.csv"], cwd=tmp_path, ETC_DB=str(tmp_path / "env.duckdb"))
    assert p.returncode == 0, p.stderr
    assert not (tmp_path / "etc.duckdb").exists()
    assert stored_keys(tmp_path / "env.duckdb") == ["T1", "T3"]


def test_a_refused_file_exits_2_with_one_line(tmp_path: Path, lanes: Path) -> None:
    (tmp_path / "u.csv").write_text("a,b\n1,2\n")
    p = run(["ingest", "u.csv", "lanes.csv", "--db", "x.duckdb", "--kind", "lanes"],
            cwd=tmp_path)
    assert p.returncode == 2
    assert_error(p.stderr, "etc: u.csv: required column 'txn_id' is missing — hint: ")
    assert counts(p.stdout, "lanes.csv") == (5, 2, 1, 2)  # the other file still loads
    assert stored_keys(tmp_path / "x.duckdb") == ["T1", "T3"]


def test_a_long_refusal_is_still_one_line(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text(UNKNOWN)
    p = run(["ingest", "u.csv", "--db", "x.duckdb"], cwd=tmp_path)
    assert p.returncode == 2
    assert_one_line_error(p.stderr, "cannot tell which kind", "or pass --kind")


@pytest.mark.parametrize("args", [["--bogus"], ["--kind", "bogus"]], ids=["option", "kind"])
def test_a_bad_option_exits_2_without_a_traceback(tmp_path: Path, lanes: Path,
                                                  args: list[str]) -> None:
    p = run(["ingest", "lanes.csv", "--db", "x.duckdb", *args], cwd=tmp_path)
    assert (p.returncode, p.stdout) == (2, "")
    assert "Traceback" not in p.stderr and args[-1] in p.stderr
    assert not (tmp_path / "x.duckdb").exists()


@pytest.mark.parametrize("args", [["--bogus"], ["--kind", "bogus"]], ids=["option", "kind"])
def test_a_bad_option_is_one_line(tmp_path: Path, lanes: Path, args: list[str]) -> None:
    p = run(["ingest", "lanes.csv", "--db", "x.duckdb", *args], cwd=tmp_path)
    assert_one_line_error(p.stderr, args[-1])


def test_quarantine_shows_the_refused_rows_of_a_file(tmp_path: Path, lanes: Path) -> None:
    assert run(["ingest", "lanes.csv", "--db", "x.duckdb"], cwd=tmp_path).returncode == 0
    p = run(["quarantine", "--file", "lanes.csv", "--db", "x.duckdb"], cwd=tmp_path,
            COLUMNS="200")
    assert (p.returncode, p.stderr) == (0, "")
    assert "2 quarantined rows: FRACTIONAL_MONEY 1, UNKNOWN_PAYMENT_METHOD 1" in p.stdout
    rows = re.findall(r"^│ lanes\.csv\s+│ (\d+)\s+│ (\w+)", p.stdout, re.MULTILINE)
    assert rows == [("3", "FRACTIONAL_MONEY"), ("6", "UNKNOWN_PAYMENT_METHOD")]


# ---- in-process ------------------------------------------------------------------
@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lanes: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ETC_DB", raising=False)
    monkeypatch.delenv("ETC_DEBUG", raising=False)
    return tmp_path


def test_main_loads_then_reports_already_loaded(here: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ingest", "lanes.csv", "--db", "m.duckdb"]) == 0
    assert counts(capsys.readouterr().out, "lanes.csv") == (5, 2, 1, 2)

    assert cli.main(["ingest", "lanes.csv", "--db", "m.duckdb"]) == 0
    out = capsys.readouterr()
    assert "already" in out.out and "lanes.csv" in out.out and out.err == ""
    with Store(here / "m.duckdb") as s:
        assert s.loads()["rows_loaded"].to_list() == [2]
        assert s.quarantine().height == 2


def test_main_uses_etc_db_then_the_default(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ETC_DB", str(here / "env.duckdb"))
    assert cli.main(["ingest", "lanes.csv"]) == 0
    assert stored_keys(here / "env.duckdb") == ["T1", "T3"]
    assert not (here / "etc.duckdb").exists()

    monkeypatch.delenv("ETC_DB")
    assert cli.main(["ingest", "lanes.csv"]) == 0
    assert stored_keys(here / "etc.duckdb") == ["T1", "T3"]

    monkeypatch.setenv("ETC_DB", str(here / "env.duckdb"))
    assert cli.main(["ingest", "lanes.csv", "--db", "flag.duckdb"]) == 0  # --db wins
    assert stored_keys(here / "flag.duckdb") == ["T1", "T3"]


def test_main_refuses_a_file_with_exit_2(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "empty.csv").write_text("")
    assert cli.main(["ingest", "empty.csv", "--db", "m.duckdb"]) == 2
    err = capsys.readouterr().err
    assert_error(err, "etc: empty.csv: the file is empty (no header row) — hint: a CSV file "
                      "starts with a header row naming its columns")
    with Store(here / "m.duckdb") as s:
        assert s.loads().is_empty() and s.quarantine().is_empty()


def test_main_bad_usage_exits_2(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["ingest", "lanes.csv", "--kind", "bogus"]) == 2
    assert cli.main(["ingest"]) == 2
    assert cli.main(["nonsense"]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not (here / "etc.duckdb").exists()


def test_main_quarantine_of_a_clean_file(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "ok.csv").write_text(LANES.splitlines()[0] + "\n" + LANES.splitlines()[1] + "\n")
    assert cli.main(["ingest", "ok.csv", "lanes.csv", "--db", "m.duckdb"]) == 0
    capsys.readouterr()
    assert cli.main(["quarantine", "--file", "ok.csv", "--db", "m.duckdb"]) == 0
    assert capsys.readouterr().out.strip() == "No quarantined rows for ok.csv."
    assert cli.main(["quarantine", "--db", "m.duckdb", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 quarantined rows: ") and "… 1 more (--limit 0 shows all)" in out


def test_quarantine_file_name_is_matched_literally(here: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    (here / "sub").mkdir()
    (here / "sub" / "lanesX1.csv").write_text(LANES)
    assert cli.main(["ingest", "sub/lanesX1.csv", "--db", "m.duckdb"]) == 0
    capsys.readouterr()
    assert cli.main(["quarantine", "--file", "lanes_1.csv", "--db", "m.duckdb"]) == 0
    assert capsys.readouterr().out.strip() == "No quarantined rows for lanes_1.csv."


def test_no_arguments_prints_the_help_once(tmp_path: Path) -> None:
    p = run([], cwd=tmp_path)
    assert (p.returncode, p.stderr) == (0, "")
    assert p.stdout.count("Usage: etc") == 1
