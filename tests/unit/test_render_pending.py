"""What a run awaits (pending items, not yet due) in the discrepancy report:
the HTML verdict and its Awaiting section, the XLSX Pending sheet and Summary."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from reportsamples import AS_OF, DUE_LATE, PENDING, frame, sample_report
from test_render_html import figure, table_rows
from test_render_xlsx import Cell, Sheet, read_xlsx, serial

from etc.findings import KEY_COLUMNS
from etc.outputs import PENDING_SCHEMA
from etc.render.html import render_html
from etc.render.mask import mask_report
from etc.render.xlsx import write_report_xlsx
from etc.reports import Report

LINE = ("awaiting: 3 items, 1,234,000 VND, due by 2026-11-05 00:00 (UTC+07:00) — not "
        "findings yet; they become findings if nothing arrives by then")


def pending_report(rows: list[dict[str, object]] = PENDING) -> Report:
    return sample_report(pending=rows)


def section(page: str, ident: str) -> str:
    found = re.search(rf'<section id="{ident}".*?\n</section>', page, re.S)
    assert found, ident
    return found.group(0)


# ---------------------------------------------------------------- HTML


def test_verdict_shows_what_is_awaited() -> None:
    report = pending_report()
    page = render_html(report, "en")
    assert report.pending_vnd == 1_234_000
    assert figure(page, "awaiting") == "3"
    assert ('<span class="big">3</span><span class="what">awaiting, 1,234,000 VND</span>'
            in page)
    verdict = section(page, "verdict")
    assert LINE in verdict
    assert '<span class="as-of">As of 2026-11-03 00:00 (UTC+07:00).</span>' in verdict
    assert '<a href="#awaiting">' in verdict
    # the findings' figures are untouched: pending items are not findings
    assert figure(page, "findings") == "6" and figure(page, "at-risk") == "1,407,000 VND"
    assert "4 findings at or above HIGH" in page
    assert "<dt>Judged as of</dt><dd>2026-11-03 00:00 (UTC+07:00)</dd>" in page


def test_one_item_in_the_singular() -> None:
    page = render_html(pending_report(PENDING[1:2]), "en")
    assert figure(page, "awaiting") == "1"
    assert ("awaiting: 1 item, 52,000 VND, due by 2026-11-05 00:00 (UTC+07:00) — not a "
            "finding yet; it becomes one if nothing arrives by then") in page


def test_awaiting_section_after_the_findings_with_one_row_per_item() -> None:
    page = render_html(pending_report(), "en")
    at = {name: page.index(f'<section id="{name}"') for name in
          ("verdict", "findings", "awaiting", "resolved")}
    assert at["verdict"] < at["findings"] < at["awaiting"] < at["resolved"]
    awaiting = section(page, "awaiting")
    assert '<h2 id="awaiting-h">Awaiting (not yet due)</h2>' in awaiting
    assert "as of 2026-11-03 00:00 (UTC+07:00)" in awaiting
    assert table_rows(page, "t-awaiting") == 3
    heads = re.findall(r'<button type="button">([^<]*)</button>', awaiting)
    assert heads == ["Code", "Business date", "Due (UTC+07:00)", "At risk (VND)", "Detail",
                     "station_id", "lane_id", "txn_id", "tag_id", "plate", "batch_id",
                     "entry_id", "provider_id"]        # staff_id and settlement_id: empty
    rows = re.findall(r"<tr><td>(.*?)</tr>", awaiting)
    assert len(rows) == 3
    assert rows[1].startswith('<code>SETTLEMENT_MISSING</code></td>'
                              '<td class="date" data-sort="2026-11-02">2026-11-02'
                              '</td><td class="date">2026-11-05 00:00</td>'
                              '<td class="num" data-sort="52000">52,000</td>')
    assert ('<td class="date">2026-11-04 00:00</td><td class="num" data-sort="1180000">'
            "1,180,000</td>") in rows[2]
    assert "no settlement yet for plate 51H67890 &lt;b&gt;52,000&lt;/b&gt; VND" in rows[1]
    assert "<b>" not in awaiting
    assert 'class="capped"' not in awaiting
    assert "3 of 3 rows" in awaiting


def test_awaiting_table_is_capped_at_1000_rows() -> None:
    many = [{**PENDING[1], "txn_id": f"X{i}", "amount_at_risk_vnd": 1000} for i in range(1001)]
    page = render_html(pending_report(many), "en")
    assert table_rows(page, "t-awaiting") == 1000
    assert ("Showing 1,000 of 1,001 pending items; the XLSX report's Pending sheet has all."
            in page)
    assert figure(page, "awaiting") == "1,001"
    assert "awaiting: 1,001 items, 1,001,000 VND" in page


def test_nothing_awaited_shows_nothing() -> None:
    page = render_html(sample_report(), "en")
    page = page[page.index("<body>"):]                  # the style sheet names them all
    assert '<section id="awaiting"' not in page
    assert 'data-figure="awaiting"' not in page
    assert '<p class="awaiting"' not in page
    assert "Awaiting (not yet due)" not in page and "awaiting:" not in page
    assert "t-awaiting" not in page and "awaiting" not in page.lower()


def test_without_an_as_of_time_the_line_says_none() -> None:
    report = pending_report()
    page = render_html(replace(report, run=replace(report.run, as_of=None)), "en")
    assert LINE in page
    assert "As of" not in page and "Judged as of" not in page and " as of " not in page


def test_masked_report_hides_plates_and_accounts_of_pending_items() -> None:
    report = pending_report()
    revealed = render_html(report, "en")
    assert "51H67890" in revealed and "0071000123456/E88" in revealed
    page = render_html(mask_report(report), "en")
    awaiting = section(page, "awaiting")
    assert "51H67890" not in page and "0071000123456" not in page
    assert "<td>51H-***.90</td>" in awaiting
    assert "<td>*********3456/E88</td>" in awaiting
    assert "no settlement yet for plate 51H-***.90" in awaiting
    assert "-batch =B7 has no credit yet on account *********3456" in awaiting
    assert LINE in page                                  # the numbers are the same


# ---------------------------------------------------------------- XLSX


@pytest.fixture
def book(tmp_path: Path) -> dict[str, Sheet]:
    path = tmp_path / "report.xlsx"
    write_report_xlsx(pending_report(), path, "en")
    return read_xlsx(path)


HEADER = ["code", "category", "severity", "business_date", "due_local", *KEY_COLUMNS,
          "amount_at_risk_vnd", "detail"]


def test_pending_sheet_holds_every_item_typed(book: dict[str, Sheet]) -> None:
    sheet = book["Pending"]
    assert list(book).index("Pending") == list(book).index("FRAUD") + 1
    assert sheet.row(1) == HEADER
    assert [sheet.row(n)[0] for n in (2, 3, 4)] == [r["code"] for r in PENDING]
    assert sheet.row(5) == []
    due, money, day = (sheet.column(c) for c in ("due_local", "amount_at_risk_vnd",
                                                 "business_date"))
    # due 2026-11-04 17:00 UTC is 2026-11-05 00:00 local: a real date-time
    assert sheet.cells[f"{due}3"] == Cell(serial(date(2026, 11, 5)), "yyyy-mm-dd hh:mm", False)
    assert sheet.cells[f"{due}2"].value == serial(date(2026, 11, 4))
    assert sheet.cells[f"{money}4"] == Cell(1_180_000.0, "#,##0", False)
    assert sheet.cells[f"{day}2"] == Cell(serial(date(2026, 11, 2)), "yyyy-mm-dd", False)
    assert sheet.cells[f"{sheet.column('plate')}3"].value == "51H67890"
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' \
        in sheet.xml
    assert f'<autoFilter ref="A1:{sheet.column("detail")}4"/>' in sheet.xml


def test_pending_text_that_could_start_a_formula_is_quoted(book: dict[str, Sheet]) -> None:
    sheet = book["Pending"]
    assert sheet.cells[f"{sheet.column('batch_id')}4"].value == "'=B7"
    assert sheet.cells[f"{sheet.column('detail')}4"].value == (
        "'-batch =B7 has no credit yet on account 0071000123456")
    assert "<f>" not in sheet.xml


def test_summary_has_the_as_of_time_and_what_is_awaited(book: dict[str, Sheet]) -> None:
    summary = book["Summary"]

    def cell_of(label: str) -> Cell:
        return summary.cells["B" + summary.find(label)[1:]]

    assert cell_of("As of (local time)").value == "2026-11-03 00:00:00 +07:00"
    assert cell_of("Awaiting items (not yet due)") == Cell(3.0, "#,##0", False)
    assert cell_of("Awaiting (VND)") == Cell(1_234_000.0, "#,##0", False)
    assert cell_of("Awaiting due by (local time)").value == "2026-11-05 00:00:00 +07:00"
    assert cell_of("Money at risk (VND)").value == 1_407_000.0   # not counted in it


def test_nothing_pending_gives_an_empty_pending_sheet(tmp_path: Path) -> None:
    path = tmp_path / "report.xlsx"
    report = sample_report()
    write_report_xlsx(replace(report, run=replace(report.run, as_of=None)), path, "en")
    book = read_xlsx(path)
    assert book["Pending"].row(1) == HEADER and book["Pending"].row(2) == []
    summary = book["Summary"]
    assert summary.row(int(summary.find("Awaiting items (not yet due)")[1:])) == [
        "Awaiting items (not yet due)", 0.0]
    assert summary.row(int(summary.find("Awaiting due by (local time)")[1:]))[1] == "none"
    assert summary.row(int(summary.find("As of (local time)")[1:]))[1] == "not recorded"


def test_masked_workbook_hides_plates_and_accounts(tmp_path: Path) -> None:
    path = tmp_path / "masked.xlsx"
    write_report_xlsx(mask_report(pending_report()), path, "en")
    sheet = read_xlsx(path)["Pending"]
    values = [str(c.value) for c in sheet.cells.values()]
    assert not any("51H67890" in v or "0071000123456" in v for v in values)
    assert "51H-***.90" in values and "*********3456/E88" in values


def test_samples_are_what_the_tests_assume() -> None:
    pending = frame(PENDING, PENDING_SCHEMA)
    assert pending["due_at"].max() == DUE_LATE and AS_OF < DUE_LATE
    assert pending["amount_at_risk_vnd"].sum() == 1_234_000
    assert pending.filter(pl.col("plate").is_not_null()).height == 1
