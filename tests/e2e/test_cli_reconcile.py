"""`etc reconcile` and `etc findings` end to end, on a generated sample loaded
into two databases in two different orders: the same run id and byte-identical
exports from both; exit 2 with one line for every usage error; and once as a
real subprocess, whose printed total is the sum of the exported amounts."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import polars as pl
import pytest

import cli
from etc.findings import FINDING_COLUMNS, FINDING_SCHEMA, finding_id, identity
from etc.generate import Sample, generate
from etc.ingest import ingest_paths
from etc.render.mask import mask_plate
from etc.store import Store
from reconcile.export import EXPORT_SCHEMA

ETC = Path(sys.executable).with_name("etc")
FORMATS = ("csv", "parquet", "json")
TOTAL = re.compile(r"^([\d,]+) findings, ([\d,]+) VND at risk; run (\S+)$", re.M)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return generate(tmp_path_factory.mktemp("sample"), seed=23, days=2, passages=2000)


@pytest.fixture(scope="module")
def dbs(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The sample in two databases: files in writing order, and reversed. The
    lanes re-send (a row changed after the fact) goes last in both: loaded first,
    its changed row would win over the original and the data would differ."""
    files = [p for kind_files in sample.files.values() for p in kind_files]
    resend = [p for p in files if p.name.endswith("_resend.csv")]
    rest = [p for p in files if p not in resend]
    folder = tmp_path_factory.mktemp("dbs")
    out = []
    for name, order in (("forward", rest), ("reversed", rest[::-1])):
        db = folder / f"{name}.duckdb"
        with Store(db) as store:
            results = ingest_paths(store, [*order, *resend])
        assert {r.status for r in results} == {"loaded"}
        out.append(db)
    return out[0], out[1]


def days(sample: Sample) -> list[str]:
    return [sample.start.isoformat(), (sample.start + timedelta(days=1)).isoformat()]


def reconcile(db: Path, first: str, last: str, *more: str) -> int:
    return cli.main(["reconcile", "--date", first, "--until", last, "--db", str(db), *more])


def one_line_error(stderr: str, *fragments: str) -> None:
    assert "Traceback" not in stderr
    assert stderr.startswith("etc: ") and len(stderr.strip("\n").splitlines()) == 1, stderr
    for f in fragments:
        assert f in " ".join(stderr.split()), stderr


def test_any_load_order_gives_the_same_run_and_byte_identical_exports(
        sample: Sample, dbs: tuple[Path, Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    first, last = days(sample)
    printed = []
    for db in dbs:
        assert reconcile(db, first, last) == 0
        printed.append(TOTAL.findall(capsys.readouterr().out))
    assert printed[0] == printed[1] and len(printed[0]) == 1
    [(count, _, run_id)] = printed[0]
    assert re.fullmatch(r"R20261101-20261102-[0-9a-f]{10}", run_id)
    for fmt in FORMATS:
        outs = [tmp_path / side / f"findings.{fmt}" for side in ("a", "b")]
        for db, out in zip(dbs, outs, strict=True):
            assert cli.main(["findings", "--format", fmt, "--out", str(out),
                             "--db", str(db)]) == 0
            assert f"{count} findings of run {run_id} written to {out} ({fmt})" in " ".join(
                capsys.readouterr().out.split())
        assert outs[0].read_bytes() == outs[1].read_bytes(), fmt
    exported = pl.read_parquet(tmp_path / "a" / "findings.parquet")
    assert exported.schema == pl.Schema(EXPORT_SCHEMA)
    assert exported.height == int(count.replace(",", "")) > 0
    assert set(exported["run_id"]) == {run_id}
    with (tmp_path / "a" / "findings.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    columns = (*FINDING_COLUMNS, "state", "first_seen_date", "finding_id")
    assert tuple(rows[0]) == columns and len(rows) == exported.height + 1
    as_json = json.loads((tmp_path / "a" / "findings.json").read_text(encoding="utf-8"))
    assert [tuple(r) for r in as_json[:1]] == [columns]
    assert [r["amount_at_risk_vnd"] for r in as_json] == exported["amount_at_risk_vnd"].to_list()
    assert as_json[0]["business_date"] == exported["business_date"][0].isoformat()


def test_findings_masked_by_default_revealed_on_request_with_their_lifecycle(
        sample: Sample, dbs: tuple[Path, Path], tmp_path: Path) -> None:
    """Plates are masked as the report masks them unless --reveal; the two lifecycle
    columns trail findings.md's and hold each finding's state and first-seen date
    from the run's lifecycle rows."""
    first, last = days(sample)
    assert reconcile(dbs[0], first, last) == 0
    masked, shown = tmp_path / "masked.parquet", tmp_path / "shown.parquet"
    base = ["findings", "--format", "parquet", "--db", str(dbs[0]), "--out"]
    assert cli.main([*base, str(masked)]) == 0
    assert cli.main([*base, str(shown), "--reveal"]) == 0
    hidden, full = pl.read_parquet(masked), pl.read_parquet(shown)
    assert list(full.columns) == [*FINDING_SCHEMA, "state", "first_seen_date", "finding_id"]
    plates = full["plate"].drop_nulls()
    assert plates.len() > 0 and plates.str.contains("*", literal=True).sum() == 0
    assert hidden["plate"].to_list() == [None if p is None else mask_plate(p)
                                         for p in full["plate"].to_list()]
    assert not any(p in (d or "") for p in plates.to_list() for d in hidden["detail"])
    assert hidden.drop("plate", "detail", "identity", "entry_id", strict=False).equals(
        full.drop("plate", "detail", "identity", "entry_id", strict=False))
    with Store(dbs[0]) as store:
        run_id = full["run_id"][0]
        life = store.run_table("lifecycle", run_id).filter(pl.col("state") != "RESOLVED")
    assert full["state"].null_count() == 0 and set(full["state"]) <= {"NEW", "OPEN"}
    assert sorted(full["state"].value_counts().rows()) == sorted(
        life["state"].value_counts().rows())
    assert full["first_seen_date"].null_count() == 0
    assert (full["first_seen_date"] <= full["business_date"]).all()
    # the id the report shows, which `etc show` takes
    ids = [finding_id(c, i, d) for c, i, d in full.with_columns(identity())
           .select("code", "identity", "business_date").iter_rows()]
    assert full["finding_id"].to_list() == ids and full["finding_id"].n_unique() == full.height


def test_reconciling_again_replaces_the_run(sample: Sample, dbs: tuple[Path, Path],
                                            capsys: pytest.CaptureFixture[str]) -> None:
    first, last = days(sample)
    assert reconcile(dbs[0], first, last) == 0
    assert reconcile(dbs[0], first, last) == 0
    capsys.readouterr()
    with Store(dbs[0]) as store:
        runs = store.runs()
        [run] = runs.filter(pl.col("first_date") == date.fromisoformat(first),
                            pl.col("last_date") == date.fromisoformat(last))["run_id"]
        stored = store.query("SELECT count(*) AS n FROM findings WHERE run_id = ?", [run])
        assert stored["n"][0] == runs.filter(pl.col("run_id") == run)["findings"][0]


def test_one_code_only(sample: Sample, dbs: tuple[Path, Path], tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    first, last = days(sample)
    assert reconcile(dbs[1], first, last) == 0
    out = tmp_path / "deep" / "er" / "unknown.json"
    assert cli.main(["findings", "--code", "tag_unknown", "--format", "json", "--out", str(out),
                     "--db", str(dbs[1])]) == 0
    assert "of code TAG_UNKNOWN" in capsys.readouterr().out
    codes = {r["code"] for r in json.loads(out.read_text(encoding="utf-8"))}
    assert codes == {"TAG_UNKNOWN"}


def test_usage_errors_exit_2_with_one_line(sample: Sample, dbs: tuple[Path, Path],
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    first, last = days(sample)
    db = str(dbs[0])
    assert cli.main(["reconcile", "--date", "2026-11-31", "--db", db]) == 2
    one_line_error(capsys.readouterr().err, "--date", "2026-11-31")
    assert reconcile(dbs[0], last, first) == 2
    one_line_error(capsys.readouterr().err, f"--until {first} is before --date {last}")
    config = tmp_path / "etc.toml"
    config.write_text("[fraud]\nclone_speed = 120\n", encoding="utf-8")
    assert reconcile(dbs[0], first, last, "--config", str(config)) == 2
    one_line_error(capsys.readouterr().err, "unknown setting 'fraud.clone_speed'")
    monkeypatch.setenv("ETC_CONFIG", str(config))
    assert reconcile(dbs[0], first, last) == 2
    one_line_error(capsys.readouterr().err, "etc.toml", "unknown setting 'fraud.clone_speed'")
    monkeypatch.delenv("ETC_CONFIG")
    for args, fragment in (
        (["--run", "R20200101-20200101-0000000000"], "no run 'R20200101-20200101-0000000000'"),
        (["--code", "TAG_UNKNWN"], "unknown rule code 'TAG_UNKNWN'"),
        (["--format", "xlsx"], "--format"),
    ):
        argv = ["findings", "--format", "csv", "--out", str(tmp_path / "f.csv"), "--db", db]
        assert cli.main([*argv, *args]) == 2
        one_line_error(capsys.readouterr().err, fragment)
    missing = tmp_path / "new.duckdb"
    for argv in (["findings", "--format", "csv", "--out", str(tmp_path / "f.csv")],
                 ["report", "--out", str(tmp_path / "r.html")],
                 ["statement", "--operator", "VEC", "--from", first, "--to", last,
                  "--out", str(tmp_path / "s.csv")],
                 ["quarantine"]):
        assert cli.main([*argv, "--db", str(missing)]) == 2
        one_line_error(capsys.readouterr().err, str(missing), "no database here")
        assert not missing.exists(), f"{argv[0]} created the database"
    Store(missing).close()
    assert cli.main(["findings", "--format", "csv", "--out", str(tmp_path / "f.csv"),
                     "--db", str(missing)]) == 2
    one_line_error(capsys.readouterr().err, "no run in the database yet")
    assert not (tmp_path / "f.csv").exists()


def test_dates_without_passages_are_refused_and_store_nothing(
        dbs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    with Store(dbs[0]) as store:
        before = store.runs().height, store.latest_run_id()
    assert reconcile(dbs[0], "2030-01-01", "2030-01-02") == 2
    one_line_error(capsys.readouterr().err, "no passages are loaded for 2030-01-01..2030-01-02")
    assert cli.main(["reconcile", "--date", "2030-01-05", "--db", str(dbs[0])]) == 2
    one_line_error(capsys.readouterr().err, "no passages are loaded for 2030-01-05..2030-01-05")
    with Store(dbs[0]) as store:
        assert (store.runs().height, store.latest_run_id()) == before


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items()
               if k not in ("ETC_DB", "ETC_CONFIG", "COLUMNS", "ETC_DEBUG")}
    return subprocess.run([str(ETC), *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=300, check=False)


def test_as_a_subprocess_the_printed_total_is_the_exported_sum(
        sample: Sample, dbs: tuple[Path, Path], tmp_path: Path) -> None:
    first, last = days(sample)
    db = str(dbs[1])
    p = run(["reconcile", "--date", first, "--until", last, "--db", db], cwd=tmp_path)
    assert (p.returncode, p.stderr) == (0, "")
    [(count, at_risk, run_id)] = TOTAL.findall(p.stdout)
    [total_row] = [ln for ln in p.stdout.splitlines() if ln.startswith("│ total ")]
    assert total_row.split("│")[-2].strip() == at_risk
    e = run(["findings", "--run", run_id, "--format", "csv", "--out", "f.csv", "--db", db],
            cwd=tmp_path)
    assert (e.returncode, e.stderr) == (0, "")
    exported = pl.read_csv(tmp_path / "f.csv", schema_overrides={"amount_at_risk_vnd": pl.Int64})
    assert exported.height == int(count.replace(",", ""))
    assert exported["amount_at_risk_vnd"].sum() == int(at_risk.replace(",", "")) > 0
