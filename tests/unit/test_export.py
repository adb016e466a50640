"""Findings exports: a CSV opened in a spreadsheet runs nothing (text cells that
start with a formula character are neutralised) while amounts stay numbers;
Parquet and JSON, read by programs, keep the text as it is."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import polars as pl

from reconcile.export import EXPORT_SCHEMA, export_findings


def findings() -> pl.DataFrame:
    row = {c: None for c in EXPORT_SCHEMA} | {
        "run_id": "R1", "code": "SETTLEMENT_ORPHAN", "category": "MONEY",
        "severity": "CRITICAL", "business_date": date(2026, 11, 1),
        "settlement_id": "=1+2", "staff_id": "@SUM(A1)", "amount_at_risk_vnd": -35_000,
        "detail": '=HYPERLINK("http://evil","click")', "state": "NEW",
        "first_seen_date": date(2026, 11, 1)}
    safe = row | {"settlement_id": "S2", "staff_id": None, "amount_at_risk_vnd": 35_000,
                  "detail": "item S2 pays 35,000 VND for no passage"}
    return pl.DataFrame([row, safe], schema=EXPORT_SCHEMA)


def test_csv_text_cells_are_neutralised_and_amounts_stay_numbers(tmp_path: Path) -> None:
    out = export_findings(findings(), "csv", tmp_path / "f.csv")
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert [r["settlement_id"] for r in rows] == ["'=1+2", "S2"]
    assert [r["staff_id"] for r in rows] == ["'@SUM(A1)", ""]
    assert rows[0]["detail"] == "'=HYPERLINK(\"http://evil\",\"click\")"
    assert rows[1]["detail"] == "item S2 pays 35,000 VND for no passage"
    assert [r["amount_at_risk_vnd"] for r in rows] == ["-35000", "35000"]
    assert [(r["state"], r["first_seen_date"]) for r in rows] == [("NEW", "2026-11-01")] * 2


def test_parquet_and_json_keep_the_text(tmp_path: Path) -> None:
    export_findings(findings(), "parquet", tmp_path / "f.parquet")
    export_findings(findings(), "json", tmp_path / "f.json")
    assert pl.read_parquet(tmp_path / "f.parquet")["settlement_id"].to_list() == ["=1+2", "S2"]
    assert json.loads((tmp_path / "f.json").read_text())[0]["staff_id"] == "@SUM(A1)"
