"""What a statement's dates await (items not yet due): the CSV's AWAITING lines,
kept out of the TOTAL line; the XLSX header and Awaiting sheet; the PDF header
line and Awaiting section; masking of the plates in them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from reportsamples import RUN, sample_statement
from test_render_statement import dejavu, page_texts
from test_render_xlsx import Cell, read_xlsx, serial

from etc.render.fonts import Fonts, choose_fonts
from etc.render.mask import mask_statement
from etc.render.pdf import write_statement_pdf
from etc.render.statement_csv import CSV_SCHEMA, write_statement_csv
from etc.render.xlsx import write_statement_xlsx
from etc.reports import AWAITING_SCHEMA, STATEMENT_DAY_SCHEMA, Statement

HEADER_LINE = "awaiting: 3 items, 1,234,000 VND, due by 2026-11-05 00:00 (UTC+07:00)"
NULLS_BEFORE_FINDINGS = 24
"""The day columns between business_date and findings, empty on an AWAITING line."""


def _written(statement: Statement, tmp_path: Path, name: str = "s.csv") -> Path:
    path = tmp_path / name
    write_statement_csv(statement, path, "en")
    return path


def csv_text(statement: Statement, tmp_path: Path, name: str = "s.csv") -> str:
    return _written(statement, tmp_path, name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- CSV


def test_awaiting_lines_exact_text(tmp_path: Path) -> None:
    lines = csv_text(sample_statement(2, 2, awaiting=True), tmp_path).splitlines()
    empty = "," * NULLS_BEFORE_FINDINGS
    assert lines[5:8] == [
        f"AWAITING,OP1,,,2026-11-02,{empty}1,2000,\"BANK_UNMATCHED_CREDIT entry_id=ACC1/E88, "
        f"due by 2026-11-04 00:00 local\",{RUN},,,",
        f"AWAITING,OP1,S01,Station 1,2026-11-01,{empty}1,52000,\"SETTLEMENT_MISSING txn_id=T40, "
        f"due by 2026-11-05 00:00 local\",{RUN},,,",
        f"AWAITING,OP1,S02,Station 2,2026-11-02,{empty}1,1180000,\"BATCH_UNPAID batch_id=B7, "
        f"due by 2026-11-04 00:00 local\",{RUN},,,",
    ]


def test_awaiting_lines_between_day_and_total_and_not_in_it(tmp_path: Path) -> None:
    statement = sample_statement(3, 2, awaiting=True)
    back = pl.read_csv(_written(statement, tmp_path), infer_schema=False)
    assert back.columns == list(CSV_SCHEMA)
    assert back["line"].to_list() == ["DAY"] * 6 + ["AWAITING"] * 3 + ["TOTAL"] + ["INPUT"] * 3
    awaiting = back.filter(pl.col("line") == "AWAITING")
    assert awaiting["findings"].to_list() == ["1", "1", "1"]
    assert [int(v) for v in awaiting["amount_at_risk_vnd"]] == [2_000, 52_000, 1_180_000]
    assert awaiting["station_id"].to_list() == [None, "S01", "S03"]
    assert awaiting["passages"].null_count() == 3 and awaiting["input_file"].null_count() == 3
    days = back.filter(pl.col("line") == "DAY")
    total = back.filter(pl.col("line") == "TOTAL").row(0, named=True)
    for column in ("findings", "amount_at_risk_vnd", "passages", "gross_vnd"):
        assert int(total[column]) == sum(int(v) for v in days[column]), column
    assert total["findings"] == "1" and total["amount_at_risk_vnd"] == "35000"
    # the same statement without what it awaits: the same file, less the AWAITING lines
    plain = csv_text(replace(statement, awaiting=pl.DataFrame(schema=AWAITING_SCHEMA)),
                     tmp_path, "plain.csv")
    full = csv_text(statement, tmp_path, "full.csv")
    assert plain == "".join(line for line in full.splitlines(keepends=True)
                            if not line.startswith("AWAITING,"))


def test_nothing_awaited_no_awaiting_line(tmp_path: Path) -> None:
    text = csv_text(sample_statement(2, 2), tmp_path)
    assert "AWAITING" not in text and "due by" not in text


def test_awaiting_cells_are_neutralised(tmp_path: Path) -> None:
    base = sample_statement(2, 2, awaiting=True)
    statement = replace(
        base,
        days=base.days.with_columns(pl.when(pl.col("station_id") == "S01")
                                    .then(pl.lit("=Trạm 1")).otherwise("station_name")
                                    .alias("station_name")),
        awaiting=base.awaiting.with_columns(
            pl.when(pl.col("station_id") == "S02").then(pl.lit("@S02"))
            .otherwise("station_id").alias("station_id")))
    lines = csv_text(statement, tmp_path).splitlines()
    awaiting = [line for line in lines if line.startswith("AWAITING,")]
    assert awaiting[1].startswith("AWAITING,OP1,S01,'=Trạm 1,2026-11-01,")
    assert awaiting[2].startswith("AWAITING,OP1,'@S02,,2026-11-02,")


# ---------------------------------------------------------------- XLSX


def test_statement_workbook_says_what_is_awaited(tmp_path: Path) -> None:
    path = tmp_path / "statement.xlsx"
    write_statement_xlsx(sample_statement(2, 2, awaiting=True), path, "en")
    book = read_xlsx(path)
    assert list(book) == ["Statement", "Gaps", "Awaiting", "Inputs"]
    sheet = book["Statement"]
    assert sheet.row(5) == ["Awaiting (not gaps yet)",
                            "3 items, 1,234,000 VND, due by 2026-11-05 00:00 (UTC+07:00)"]
    assert sheet.row(7) == list(STATEMENT_DAY_SCHEMA)             # the table moves down one
    assert sheet.row(7 + 4 + 1)[0] == "TOTAL" and sheet.row(7 + 4 + 2) == []
    awaiting = book["Awaiting"]
    assert awaiting.row(1) == ["station_id", "business_date", "code", "severity", "key",
                               "amount_at_risk_vnd", "detail", "due_local"]
    assert awaiting.row(5) == []
    assert awaiting.cells["F4"] == Cell(1_180_000.0, "#,##0", False)
    assert awaiting.cells["H3"] == Cell(serial(date(2026, 11, 5)), "yyyy-mm-dd hh:mm", False)
    assert awaiting.cells["G4"].value == "'=batch B7 has no credit yet"
    assert "A2" not in awaiting.cells                              # no station: empty cell
    assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' \
        in awaiting.xml


def test_statement_workbook_without_anything_awaited(tmp_path: Path) -> None:
    path = tmp_path / "statement.xlsx"
    write_statement_xlsx(sample_statement(2, 2), path, "en")
    book = read_xlsx(path)
    assert book["Statement"].row(5) == [] and book["Statement"].row(6)[0] == "station_id"
    assert book["Awaiting"].row(1)[0] == "station_id" and book["Awaiting"].row(2) == []


# ---------------------------------------------------------------- PDF


@pytest.fixture(params=["dejavu", "builtin"])
def fonts(request: pytest.FixtureRequest) -> Fonts:
    """DejaVu (skipped when not installed), or the built-in fallback forced."""
    return dejavu() if request.param == "dejavu" else choose_fonts([])


def pdf_text(statement: Statement, tmp_path: Path, fonts: Fonts) -> list[str]:
    path = tmp_path / "s.pdf"
    write_statement_pdf(statement, path, "en", fonts=fonts)
    return [t.replace("\r\n", " ").replace("\n", " ") for t in page_texts(path)]


def test_pdf_header_line_and_awaiting_section(tmp_path: Path, fonts: Fonts) -> None:
    pages = pdf_text(sample_statement(2, 2, awaiting=True), tmp_path, fonts)
    first = pages[0]
    assert HEADER_LINE + " — not gaps yet; they become gaps if nothing arrives by then." \
        in first
    text = " ".join(pages)
    assert "Awaiting (not yet due)" in text and "Due (UTC+07:00)" in text
    assert text.index("Gaps and the findings behind them") < text.index(
        "Awaiting (not yet due)") < text.index("Inputs")
    assert "txn_id=T40" in text and "2026-11-05 00:00" in text and "1,180,000" in text
    assert "entry_id=ACC1/E88" in text
    assert text.count("TOTAL") == 1


def test_pdf_without_anything_awaited_says_nothing_of_it(tmp_path: Path, fonts: Fonts) -> None:
    text = " ".join(pdf_text(sample_statement(2, 2), tmp_path, fonts))
    assert "awaiting" not in text.lower() and "due by" not in text


# ---------------------------------------------------------------- masking


def test_masked_statement_hides_plates_in_what_it_awaits(tmp_path: Path) -> None:
    statement = sample_statement(2, 2, awaiting=True)
    statement = replace(statement, awaiting=statement.awaiting.with_columns(
        pl.when(pl.col("code") == "SETTLEMENT_MISSING").then(pl.lit("plate=30A98765"))
        .otherwise("key").alias("key")))
    masked = mask_statement(statement)
    assert masked.awaiting["detail"][1] == "no settlement yet for plate 51H-***.90"
    assert masked.awaiting["key"].to_list() == [
        "entry_id=ACC1/E88", "plate=30A-***.65", "batch_id=B7"]   # own accounts stay
    assert masked.awaiting["amount_at_risk_vnd"].equals(statement.awaiting["amount_at_risk_vnd"])
    text = csv_text(masked, tmp_path)
    assert "30A98765" not in text and "SETTLEMENT_MISSING plate=30A-***.65, due by" in text
    xlsx = tmp_path / "m.xlsx"
    write_statement_xlsx(masked, xlsx, "en")
    values = [str(c.value) for c in read_xlsx(xlsx)["Awaiting"].cells.values()]
    assert not any("51H67890" in v or "30A98765" in v for v in values)
