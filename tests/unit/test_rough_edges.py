"""Rough edges a new user hit (issue 12), each with the check that it is gone."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
from reportsamples import sample_report, sample_statement
from typer.testing import CliRunner

import cli
from etc.ingest import closest_kind
from etc.render import write_report, write_statement
from etc.render.charts import _clip
from etc.render.html import render_html
from etc.schemas import SCHEMAS, Kind


def test_outputs_get_the_mode_of_a_new_file(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        out = write_report(sample_report(), tmp_path / "r.html")
        statement = write_statement(sample_statement(), tmp_path / "s.csv")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    assert stat.S_IMODE(statement.stat().st_mode) == 0o644


def test_a_lanes_file_missing_columns_is_said_to_be_closest_to_lanes() -> None:
    lanes = set(SCHEMAS[Kind.LANES].required)
    have = lanes - {"passed_at", "amount_vnd"}
    assert closest_kind("export.csv", have).kind is Kind.LANES
    assert closest_kind("lanes_20261101.csv", {"txn_id"}).kind is Kind.LANES


def test_help_keeps_bracketed_words() -> None:
    text = CliRunner().invoke(cli.app, ["nightly", "--help"]).output
    assert "[severity] fail_at" in text
    assert "[default: $ETC_DB" in text


def test_version() -> None:
    result = CliRunner().invoke(cli.app, ["--version"])
    assert result.exit_code == 0 and re.fullmatch(r"etc \d+\.\d+\.\d+\n", result.output)


def test_station_labels_keep_what_tells_them_apart() -> None:
    a = _clip("ST01 Trạm thu phí Pháp Vân – Cầu Giẽ – Ninh Bình số 1")
    b = _clip("ST02 Trạm thu phí Pháp Vân – Cầu Giẽ – Ninh Bình số 2")
    assert a != b and a.startswith("ST01 …") and a.endswith("số 1") and len(a) <= 24
    assert _clip("ST01 Long Thành") == "ST01 Long Thành"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_money_chain_chart_puts_the_largest_gap_first(lang: str) -> None:
    page = render_html(sample_report(), lang)  # type: ignore[arg-type]
    chart = re.search(r'<svg class="chart" id="chart-flow".*?</svg>', page, re.S)
    assert chart is not None
    labels = re.findall(r'class="label"[^>]*>([^<]*)</text>', chart.group(0))
    report = sample_report()
    flow = report.money_flow.with_columns(
        (report.money_flow["charged_vnd"] - report.money_flow["banked_vnd"]).abs().alias("gap"))
    biggest = flow.sort("gap", descending=True)["station_id"][0]
    assert labels[0].startswith(biggest)


def test_money_at_risk_without_a_station_is_said(tmp_path: Path) -> None:
    report = sample_report()
    lone = report.findings.filter(report.findings["station_id"].is_null())
    assert lone.height  # the sample has a bank credit paying no batch
    page = render_html(report, "en")
    assert f"Findings that name no station: {lone.height}," in page
    assert "Phát hiện không gắn với trạm nào" in render_html(report, "vi")
