"""Notes, runs and drill-down through the CLI (`etc note`, `etc runs`, `etc show`) on
a generated two-day sample: a note follows its identity into a re-run of its date
and into the nightly look-back, the report shows it, summary.json counts it, an
EXPLAINED finding no longer fails the night, and every detail sentence of the
run reads in Vietnamese."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

import cli
from etc.generate import Sample, generate
from etc.render.details import translate
from etc.store import Store
from reconcile.report import build_report

D1, D2 = "2026-11-01", "2026-11-02"
runner = CliRunner()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return generate(tmp_path_factory.mktemp("sample"), seed=5, days=2, passages=600)


@pytest.fixture(scope="module")
def first_night(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store and OUT after the night of D1 (inputs of both days in the inbox)."""
    root = tmp_path_factory.mktemp("night")
    inbox = root / "inbox"
    shutil.copytree(next(iter(sample.files.values()))[0].parent, inbox)
    assert night(root, D1) == 1
    return root


def night(root: Path, day: str, *extra: str) -> int:
    return cli.main(["nightly", "--db", str(root / "etc.duckdb"), "--inbox",
                     str(root / "inbox"), "--out", str(root / "out"), "--date", day, *extra])


def etc(root: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(cli.app, [*args, "--db", str(root / "etc.duckdb")])
    return result.exit_code, result.output


def findings_of(root: Path, day: str) -> pl.DataFrame:
    with Store(root / "etc.duckdb", create=False) as store:
        run = store.runs_covering(date.fromisoformat(day))[0]
        return build_report(store, run, passing_notes=("EXPLAINED", "FALSE_POSITIVE")).findings


def copy_of(root: Path, tmp: Path) -> Path:
    shutil.copytree(root, tmp / "copy")
    return tmp / "copy"


def test_every_detail_of_a_run_reads_in_vietnamese(first_night: Path) -> None:
    found = findings_of(first_night, D1)
    assert found.height > 20
    untranslated = {r["code"] for r in found.iter_rows(named=True)
                    if translate(r["code"], r["detail"], "vi") == r["detail"]}
    assert untranslated == set()
    page = (first_night / "out" / D1 / "report.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in page and "Báo cáo sai lệch đối soát" in page
    assert " ₫" in page and "Nghiêm trọng" in page
    # the damaged re-send's refused rows, per file and reason
    refused = page.split('<section id="refused"')[1].split("</section>")[0]
    assert "Dòng bị loại khi nạp dữ liệu" in refused and "DUPLICATE_CONFLICT" in refused


def test_a_note_follows_its_identity_into_a_rerun_and_the_lookback(
        first_night: Path, tmp_path: Path) -> None:
    root = copy_of(first_night, tmp_path)
    found = findings_of(root, D1)
    severe = found.filter(pl.col("severity").is_in(["HIGH", "CRITICAL"]))
    target = severe.row(0, named=True)
    before = json.loads((root / "out" / D1 / "summary.json").read_text())
    assert before["notes"]["NONE"] == before["findings"]

    code, text = etc(root, "note", target["finding_id"], "--state", "explained",
                     "--author", "Nguyễn Văn An", "--text", "trạm đã bù tiền")
    assert code == 0, text
    assert "EXPLAINED by Nguyễn Văn An (1 note on it)" in text

    # the same night again: the run is reused, the note shows and no longer fails it
    assert night(root, D1) == (1 if before["failing"] > 1 else 0)
    after = json.loads((root / "out" / D1 / "summary.json").read_text())
    assert after["notes"]["EXPLAINED"] == 1
    assert after["failing"] == before["failing"] - 1
    page = (root / "out" / D1 / "report.html").read_text(encoding="utf-8")
    assert re.search(r"trạm đã bù tiền — Nguyễn Văn An, \d\d/\d\d/\d{4}<", page)
    assert 'id="note-filter"' in page and 'data-note="EXPLAINED"' in page

    # the next night looks back at D1 (pending items, or data that arrived): the note stays
    night(root, D2)
    again = findings_of(root, D1)
    noted = again.filter(pl.col("finding_id") == target["finding_id"])
    assert noted["note_state"].to_list() == ["EXPLAINED"]

    # a correction is a new note; the history keeps both
    code, text = etc(root, "note", "--code", target["code"], "--identity",
                     _identity(root, target["finding_id"]), "--state", "DISPUTED",
                     "--author", "B", "--text", "not so")
    assert code == 0 and "(2 notes on it)" in text
    assert findings_of(root, D1).filter(
        pl.col("finding_id") == target["finding_id"])["note_state"].to_list() == ["DISPUTED"]


def _identity(root: Path, finding_id: str) -> str:
    with Store(root / "etc.duckdb", create=False) as store:
        found = store.finding_by_id(finding_id)
    assert found is not None
    return found.identity


def test_a_rerun_of_the_date_keeps_the_note(first_night: Path, tmp_path: Path) -> None:
    root = copy_of(first_night, tmp_path)
    target = findings_of(root, D1).row(0, named=True)
    assert etc(root, "note", target["finding_id"], "--state", "FALSE_POSITIVE", "--author",
               "A", "--text", "t")[0] == 0
    code, text = etc(root, "reconcile", "--date", D1, "--as-of", "2026-11-09")
    assert code == 0, text
    assert findings_of(root, D1).filter(
        pl.col("finding_id") == target["finding_id"])["note_state"].to_list() == \
        ["FALSE_POSITIVE"]


def test_bad_notes_are_one_line_errors(first_night: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    for args, message in (
            (["note", "F0000000000", "--state", "EXPLAINED", "--author", "A", "--text", "t"],
             "no finding 'F0000000000' in any run"),
            (["note", "--code", "TAG_CLONE", "--identity", "txn_id=nope", "--state",
              "EXPLAINED", "--author", "A", "--text", "t"], "no run found TAG_CLONE"),
            (["note", "--state", "EXPLAINED", "--author", "A", "--text", "t"],
             "say what the note is on")):
        assert cli.main([*args, "--db", str(first_night / "etc.duckdb")]) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], lines
    target = findings_of(first_night, D1).row(0, named=True)
    code = cli.main(["note", target["finding_id"], "--state", "MAYBE", "--author", "A",
                     "--text", "t", "--db", str(first_night / "etc.duckdb")])
    assert code == 2 and "unknown note state 'MAYBE'" in capsys.readouterr().err


def test_runs_and_show(first_night: Path) -> None:
    code, text = etc(first_night, "runs")
    assert code == 0 and "R20261101" in text and "inputs_sha256" in text
    found = findings_of(first_night, D1)
    passage = found.filter(pl.col("code") == "SETTLEMENT_MISSING").row(0, named=True)
    code, text = etc(first_night, "show", passage["finding_id"])
    assert code == 0, text
    assert f"Passage {passage['txn_id']}" in text
    assert "Settlement items of" in text and "Disposition in run" in text
    assert "UNSETTLED" in text
    code, text = etc(first_night, "show", passage["txn_id"])
    assert code == 0 and "Tag " in text
    plate = passage["plate"]
    assert plate and plate not in text  # masked as in the report …
    code, text = etc(first_night, "show", passage["txn_id"], "--reveal")
    assert code == 0 and plate in text  # … unless revealed
    batch = found.filter(pl.col("code") == "BATCH_UNPAID")
    if batch.height:
        code, text = etc(first_night, "show", batch["batch_id"][0])
        assert code == 0 and f"Batch {batch['batch_id'][0]}" in text
    assert cli.main(["show", "nothing-here", "--db", str(first_night / "etc.duckdb")]) == 2
