"""`etc report` and `etc statement` on a generated, reconciled sample: masked by
default (no plate or collection account of the inputs anywhere in the files),
revealed on request, statements that add up to the run's tie-outs, and one-line
exit-2 errors for what cannot be done."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

import cli
from etc.generate import Sample, generate


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Sample:
    return generate(tmp_path_factory.mktemp("sample"), seed=17, days=1, passages=900)


@pytest.fixture(scope="module")
def db(sample: Sample) -> Path:
    path = sample.out_dir / "etc.duckdb"
    files = [str(p) for paths in sample.files.values() for p in paths]
    assert cli.main(["ingest", "--db", str(path), *files]) == 0
    assert cli.main(["reconcile", "--db", str(path), "--date", str(sample.start)]) == 0
    return path


def secrets(db: Path) -> tuple[set[str], set[str]]:
    """(plates named by findings or tags, collection accounts) of the database."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        plates = {r[0] for r in con.execute(
            "SELECT plate FROM findings WHERE plate IS NOT NULL UNION "
            "SELECT plate FROM tags").fetchall()}
        accounts = {r[0] for r in con.execute(
            "SELECT account FROM stations UNION SELECT account FROM bank_entries").fetchall()}
    finally:
        con.close()
    return plates, accounts


def text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return "\n".join(z.read(n).decode("utf-8") for n in z.namelist()
                             if n.endswith(".xml"))
    return path.read_text(encoding="utf-8")


def shown(text: str, values: set[str]) -> set[str]:
    """The values that occur in `text` as whole words."""
    return {v for v in values if re.search(rf"(?<![0-9A-Z]){re.escape(v)}(?![0-9A-Z])", text)}


@pytest.mark.parametrize("suffix", [".html", ".xlsx"])
def test_a_report_masks_plates_and_accounts_unless_revealed(
        db: Path, tmp_path: Path, suffix: str) -> None:
    plates, accounts = secrets(db)
    masked, revealed = tmp_path / f"masked{suffix}", tmp_path / f"revealed{suffix}"
    assert cli.main(["report", "--db", str(db), "--out", str(masked)]) == 0
    assert cli.main(["report", "--db", str(db), "--out", str(revealed), "--reveal"]) == 0
    assert shown(text_of(masked), plates | accounts) == set()
    assert re.search(r"\d\d[A-Z]-\*{3}\.\d\d", text_of(masked))  # 51H-***.45
    visible = shown(text_of(revealed), plates | accounts)
    assert visible & plates and visible & accounts


def test_statements_add_up_to_the_runs_tieouts(db: Path, sample: Sample,
                                               tmp_path: Path) -> None:
    con = duckdb.connect(str(db), read_only=True)
    try:
        op, stations = con.execute(
            "SELECT operator_id, list(station_id) FROM stations GROUP BY 1 ORDER BY 1 LIMIT 1"
        ).fetchall()[0]
        ties = pl.DataFrame(con.execute(
            "SELECT sum(settled_gross_vnd), sum(fee_vnd), sum(banked_vnd), sum(charged_vnd) "
            "FROM tieouts WHERE list_contains(?, station_id)", [stations]).fetchall(),
            orient="row")
    finally:
        con.close()
    day = str(sample.start)
    for suffix in (".csv", ".xlsx", ".pdf"):
        out = tmp_path / f"statement{suffix}"
        assert cli.main(["statement", "--db", str(db), "--operator", op, "--from", day,
                         "--to", day, "--out", str(out)]) == 0
        assert out.stat().st_size > 0
    plates, _ = secrets(db)
    assert shown(text_of(tmp_path / "statement.xlsx"), plates) == set()  # masked gap details
    lines = pl.read_csv(tmp_path / "statement.csv", infer_schema=False)
    total = lines.filter(pl.col("line") == "TOTAL").row(0, named=True)
    days = lines.filter(pl.col("line") == "DAY")
    assert sorted(days["station_id"]) == sorted(stations)
    gross, fee, banked, charged = ties.row(0)
    assert (int(total["settled_gross_vnd"]), int(total["fee_vnd"]),
            int(total["banked_vnd"]), int(total["etc_gross_vnd"])) == (
        gross, fee, banked, charged)
    for col in ("passages", "gross_vnd", "net_vnd"):
        assert int(total[col]) == days[col].cast(pl.Int64).sum()
    assert int(total["findings"]) >= days["findings"].cast(pl.Int64).sum()
    # its inputs: the shared reference data and the files holding rows of its stations or
    # accounts; not another operator's bank statements
    inputs = lines.filter(pl.col("line") == "INPUT")
    every = {p.name for paths in sample.files.values() for p in paths}
    assert set(inputs["input_file"]) < every
    assert {"stations.csv", "tariffs.csv"} <= set(inputs["input_file"])
    banks = inputs.filter(pl.col("input_kind") == "bank")
    assert 0 < banks.height < sum(1 for name in every if name.startswith("bank_"))


@pytest.mark.parametrize(("args", "message"), [
    (["statement", "--operator", "NOPE", "--from", "D", "--to", "D", "--out", "s.csv"],
     "no station of operator 'NOPE'"),
    (["statement", "--operator", "OP", "--from", "D+9", "--to", "D+9", "--out", "s.csv"],
     "no run covers the business date"),
    (["statement", "--operator", "OP", "--from", "D", "--to", "D", "--out", "s.txt"],
     "cannot tell the format of 's.txt'"),
    (["report", "--out", "r.pdf"], "cannot tell the format of 'r.pdf'"),
    (["report", "--run", "R0", "--out", "r.html"], "no run 'R0'"),
])
def test_what_cannot_be_done_is_one_line_and_exit_2(
        db: Path, sample: Sample, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        args: list[str], message: str) -> None:
    con = duckdb.connect(str(db), read_only=True)
    op = con.execute("SELECT min(operator_id) FROM stations").fetchall()[0][0]
    con.close()
    day = sample.start
    subst = {"D": str(day), "D+9": str(day + timedelta(days=9)), "OP": op}
    argv = [subst.get(a, a) for a in args]
    argv = [str(tmp_path / a) if a.startswith(("s.", "r.")) else a for a in argv]
    capsys.readouterr()
    assert cli.main([*argv, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not list(tmp_path.iterdir())
