"""`etc demo` end to end: generate, run each night (load, reconcile, report,
statements), and every generated row is accounted for."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

import cli
from etc.generate import generate


def test_demo_loads_every_generated_row(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert cli.main(["demo", "--out", str(out), "--days", "2", "--passages", "1500",
                     "--seed", "3"]) == 0
    # the same arguments again write the same files: compare against a fresh copy
    expected = generate(tmp_path / "again", seed=3, days=2, passages=1500).counts
    con = duckdb.connect(str(out / "etc.duckdb"), read_only=True)
    try:
        stored = {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in (
            "lanes", "tags", "settlements", "bank_entries", "stations", "tariffs", "exemptions")}
        loads = con.sql("SELECT file, rows_read, rows_loaded, rows_present, rows_quarantined "
                        "FROM loads").pl()
        reasons = con.sql("SELECT reason FROM quarantine ORDER BY reason").pl()
        runs = con.sql("SELECT run_id, first_date, last_date, findings FROM runs").pl()
        found = con.sql("SELECT * FROM findings").pl()
        passages = con.execute("SELECT count(*) FROM dispositions").fetchall()[0][0]
    finally:
        con.close()
    assert stored == {
        "lanes": expected["lanes"], "tags": expected["tags"],
        "settlements": expected["settlements"], "bank_entries": expected["bank"],
        "stations": expected["stations"], "tariffs": expected["tariffs"],
        "exemptions": expected["exemptions"],
    }
    # every file: read = loaded + present + quarantined
    assert loads.filter(
        pl.col("rows_read") != pl.col("rows_loaded") + pl.col("rows_present")
        + pl.col("rows_quarantined")).is_empty()
    resend = loads.filter(pl.col("file").str.ends_with("_resend.csv"))
    assert resend.select("rows_read", "rows_loaded", "rows_present",
                         "rows_quarantined").row(0) == (48, 0, 40, 8)
    assert reasons["reason"].to_list() == [
        "BAD_TIMESTAMP", "CLASS_OUT_OF_RANGE", "DUPLICATE_CONFLICT", "FRACTIONAL_MONEY",
        "MALFORMED_LINE", "MISSING_VALUE", "NEGATIVE_MONEY", "UNKNOWN_PAYMENT_METHOD"]
    # and the demo ran both nights: a run per day, the truth's findings, every passage
    truth = pl.read_csv(tmp_path / "again" / "truth.csv")
    assert sorted(map(str, runs["first_date"])) == ["2026-11-01", "2026-11-02"]
    assert (runs["first_date"] == runs["last_date"]).all()
    assert runs["findings"].sum() == found.height == truth.height
    assert sorted(found["code"].unique()) == sorted(truth["code"].unique())
    assert passages == stored["lanes"]
    # with a report, a summary and a statement per operator for each night
    for day in ("2026-11-01", "2026-11-02"):
        folder = out / "reports" / day
        names = sorted(p.name for p in folder.iterdir())
        assert names[:2] == ["report.html", "report.xlsx"] and names[-1] == "summary.json"
        assert len([n for n in names if n.startswith("statement-")]) == 2 * 4


def test_demo_twice_loads_nothing_new(tmp_path: Path, capsys: object) -> None:
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), "--days", "1", "--passages", "600"]
    assert cli.main(args) == 0
    con = duckdb.connect(str(out / "etc.duckdb"), read_only=True)
    before = con.execute("SELECT count(*) FROM loads").fetchall()
    con.close()
    assert cli.main(args) == 0
    con = duckdb.connect(str(out / "etc.duckdb"), read_only=True)
    after = con.execute("SELECT count(*) FROM loads").fetchall()
    con.close()
    assert before == after
