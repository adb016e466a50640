"""The XLSX report and statement, read back from the workbook's XML.

No spreadsheet reader is a dependency, so `read_xlsx` below unzips the file and
resolves each cell's shared string, number format and boldness from the parts
xlsxwriter writes (workbook.xml, sheetN.xml, sharedStrings.xml, styles.xml).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import polars as pl
import pytest
from reportsamples import FINDINGS, sample_report, sample_statement

from etc.render.xlsx import sheet_name, write_report_xlsx, write_statement_xlsx
from etc.reports import REPORT_FINDING_SCHEMA, STATEMENT_DAY_SCHEMA

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships"}
BUILTIN_FORMATS = {0: "General", 1: "0", 3: "#,##0"}


@dataclass(frozen=True)
class Cell:
    value: str | float | bool
    number_format: str
    bold: bool


@dataclass
class Sheet:
    xml: str
    cells: dict[str, Cell]

    def row(self, n: int) -> list[str | float | bool]:
        """Values of row `n` (1-based), by column letter order, gaps skipped."""
        keys = [k for k in self.cells if re.fullmatch(rf"[A-Z]+{n}", k)]
        return [self.cells[k].value for k in sorted(keys, key=lambda k: (len(k), k))]

    def column(self, header: str, row: int = 1) -> str:
        """The column letter of `header` in row `row`."""
        ref = next(k for k, c in self.cells.items()
                   if c.value == header and re.fullmatch(rf"[A-Z]+{row}", k))
        return ref.rstrip("0123456789")

    def find(self, value: str | float) -> str:
        """The reference of the first cell holding `value`."""
        return next(k for k, c in self.cells.items() if c.value == value)


def read_xlsx(path: Path) -> dict[str, Sheet]:
    with zipfile.ZipFile(path) as z:
        workbook = ET.fromstring(z.read("xl/workbook.xml"))
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels}
        names = "xl/sharedStrings.xml"
        shared = ([si.findtext("m:t", "", NS) for si in ET.fromstring(z.read(names))]
                  if names in z.namelist() else [])
        styles = ET.fromstring(z.read("xl/styles.xml"))
        formats = {**BUILTIN_FORMATS, **{int(f.get("numFmtId", "0")): f.get("formatCode", "")
                                         for f in styles.iterfind("m:numFmts/m:numFmt", NS)}}
        fonts = [f.find("m:b", NS) is not None for f in styles.iterfind("m:fonts/m:font", NS)]
        xfs = [(formats[int(x.get("numFmtId", "0"))], fonts[int(x.get("fontId", "0"))])
               for x in styles.iterfind("m:cellXfs/m:xf", NS)]
        sheets: dict[str, Sheet] = {}
        for s in workbook.iterfind("m:sheets/m:sheet", NS):
            xml = z.read("xl/" + str(targets[s.get(f"{{{NS['r']}}}id")])).decode()
            cells: dict[str, Cell] = {}
            for c in ET.fromstring(xml).iterfind(".//m:c", NS):
                raw = c.findtext("m:v", "", NS)
                kind = c.get("t")
                value: str | float | bool = (shared[int(raw)] if kind == "s" else
                                             raw == "1" if kind == "b" else float(raw))
                number_format, bold = xfs[int(c.get("s", "0"))]
                cells[str(c.get("r"))] = Cell(value, number_format, bold)
            sheets[str(s.get("name"))] = Sheet(xml, cells)
        return sheets


def serial(day: date) -> float:
    """Excel's day number of `day` (1900 date system)."""
    return float((day - date(1899, 12, 30)).days)


@pytest.fixture
def report_book(tmp_path: Path) -> dict[str, Sheet]:
    path = tmp_path / "report.xlsx"
    write_report_xlsx(sample_report(), path, "en")
    return read_xlsx(path)


def test_report_sheets_in_order(report_book: dict[str, Sheet]) -> None:
    assert list(report_book) == ["Summary", "TAG", "MONEY", "FRAUD", "Pending", "Resolved",
                                 "Counted vs recorded", "Providers"]


def test_category_sheets_hold_their_findings(report_book: dict[str, Sheet]) -> None:
    header = [c for c in REPORT_FINDING_SCHEMA if c != "run_id"]
    for name, codes in (("TAG", ["TAG_NOT_ACTIVE", "LANE_READ_DEGRADED"]),
                        ("MONEY", ["SETTLEMENT_MISSING", "SETTLEMENT_MISSING",
                                   "BANK_UNMATCHED_CREDIT"]),
                        ("FRAUD", ["DOUBLE_CHARGE"])):
        sheet = report_book[name]
        assert sheet.row(1) == header
        assert [sheet.row(n)[0] for n in range(2, 2 + len(codes))] == codes
        assert sheet.row(2 + len(codes)) == []
        assert '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' \
            in sheet.xml
        assert f'<autoFilter ref="A1:V{1 + len(codes)}"/>' in sheet.xml


def test_money_and_dates_are_typed(report_book: dict[str, Sheet]) -> None:
    money = report_book["MONEY"]
    amount, day = money.column("amount_at_risk_vnd"), money.column("business_date")
    assert (amount, day) == ("O", "D")
    assert money.cells["O4"] == Cell(1_250_000.0, "#,##0", False)  # BANK_UNMATCHED_CREDIT
    assert money.cells["D2"] == Cell(serial(date(2026, 11, 1)), "yyyy-mm-dd", False)
    assert money.cells[money.column("days_open") + "2"] == Cell(0.0, "#,##0", False)
    assert money.cells[money.column("first_seen_date") + "2"].number_format == "yyyy-mm-dd"
    assert '<col min="15" max="15"' in money.xml              # widths are set


def test_text_that_could_start_a_formula_is_quoted(report_book: dict[str, Sheet]) -> None:
    fraud = report_book["FRAUD"]
    detail = fraud.cells[fraud.column("detail") + "2"].value
    assert detail == "'=HYPERLINK(\"http://x\") tag charged twice at S01 within 3 min"
    assert fraud.cells[fraud.find("'-staff7")].number_format == "General"
    for sheet in report_book.values():
        assert "<f>" not in sheet.xml


def test_summary_holds_the_verdict(report_book: dict[str, Sheet]) -> None:
    summary = report_book["Summary"]

    def value_of(label: str) -> str | float | bool:
        ref = summary.find(label)
        return summary.cells["B" + ref[1:]].value

    assert value_of("Run") == "R20261101-20261102-0123456789"
    assert value_of("Period") == "2026-11-01 to 2026-11-02"
    assert value_of("Started (local time)") == "2026-11-03 03:15:00 +07:00"
    assert value_of("Money at risk (VND)") == 1_407_000.0
    assert summary.cells["B" + summary.find("Money at risk (VND)")[1:]].number_format == "#,##0"
    assert (value_of("New findings"), value_of("Open findings"), value_of("Resolved")) == \
        (5.0, 1.0, 1.0)
    head = int(summary.find("Findings by category and severity")[1:]) + 1
    assert summary.row(head) == ["category", "severity", "findings", "amount_at_risk_vnd"]
    assert summary.row(head + 2) == ["MONEY", "HIGH", 2.0, 87_000.0]
    station = int(summary.find("By station")[1:]) + 1
    assert summary.row(station + 1) == ["S01", "Trạm Long Thành", 3.0, 122_000.0]
    day = int(summary.find("By day")[1:]) + 1
    assert summary.row(day + 2) == [serial(date(2026, 11, 2)), 4.0, 1_355_000.0]
    inputs = int(summary.find("Inputs")[1:]) + 1
    assert summary.row(inputs + 3) == [3.0, "bank_VCB.xml", "bank", "33" * 32]
    assert summary.cells[f"A{inputs + 3}"].number_format == "0"   # load_id: no separators


def test_negative_amount_stays_a_number(tmp_path: Path) -> None:
    row = {**FINDINGS[2], "amount_at_risk_vnd": -5, "detail": "-5 VND back"}
    path = tmp_path / "neg.xlsx"
    write_report_xlsx(sample_report([row]), path, "en")
    money = read_xlsx(path)["MONEY"]
    assert re.search(r'<c r="O2" s="\d+"><v>-5</v></c>', money.xml)  # a number, no t="s"
    assert money.cells["O2"] == Cell(-5.0, "#,##0", False)
    assert money.cells["P2"].value == "'-5 VND back"


def test_empty_categories_keep_a_header(tmp_path: Path) -> None:
    path = tmp_path / "tag_only.xlsx"
    write_report_xlsx(sample_report(FINDINGS[:1]), path, "en")
    book = read_xlsx(path)
    for name in ("MONEY", "FRAUD"):
        assert book[name].row(1)[:3] == ["code", "category", "severity"]
        assert book[name].row(2) == []
    assert book["TAG"].row(2)[0] == "TAG_NOT_ACTIVE"


def test_same_model_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_report_xlsx(sample_report(), a, "en")
    write_report_xlsx(sample_report(), b, "en")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        core = z.read("docProps/core.xml").decode()
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-11-02T20:15:00Z<' in core
    c, d = tmp_path / "c.xlsx", tmp_path / "d.xlsx"
    write_statement_xlsx(sample_statement(), c, "en")
    write_statement_xlsx(sample_statement(), d, "en")
    assert c.read_bytes() == d.read_bytes()


def test_statement_workbook(tmp_path: Path) -> None:
    path = tmp_path / "statement.xlsx"
    statement = sample_statement(stations=2, days=2)
    write_statement_xlsx(statement, path, "en")
    book = read_xlsx(path)
    assert list(book) == ["Statement", "Gaps", "Awaiting", "Inputs"]
    sheet = book["Statement"]
    assert sheet.row(1) == ["Settlement statement"]
    assert sheet.row(2) == ["Operator", "OP1"]
    assert sheet.row(3) == ["Period", "2026-11-01 to 2026-11-02"]
    assert sheet.row(4) == ["Runs", "R20261101-20261102-0123456789"]
    assert sheet.row(6) == list(STATEMENT_DAY_SCHEMA)
    assert '<pane ySplit="6" topLeftCell="A7" activePane="bottomLeft" state="frozen"/>' \
        in sheet.xml
    first = dict(zip(STATEMENT_DAY_SCHEMA, sheet.row(7), strict=True))
    assert (first["station_id"], first["business_date"], first["passages"],
            first["gross_vnd"]) == ("S01", serial(date(2026, 11, 1)), 100.0, 4_200_000.0)
    assert sheet.cells["D7"] == Cell(100.0, "#,##0", False)       # passages
    total_row = [c for c in sheet.cells if c.endswith("11")]
    assert sheet.cells["A11"] == Cell("TOTAL", "General", True)
    assert all(sheet.cells[c].bold for c in total_row)
    gross = statement.total["gross_vnd"].item()
    assert sheet.cells[sheet.column("gross_vnd", 6) + "11"] == Cell(float(gross), "#,##0", True)
    assert sheet.row(12) == []
    gaps = book["Gaps"]
    assert gaps.row(1) == ["station_id", "business_date", "code", "severity", "key",
                           "amount_at_risk_vnd", "detail"]
    assert gaps.cells["G2"].value == "'=cmd|' /C calc'!A0 no settlement for 35,000 VND"
    inputs = book["Inputs"]
    assert inputs.row(1) == ["file", "kind", "sha256"]
    assert inputs.row(4) == ["bank_VCB.xml", "bank", "33" * 32]
    assert inputs.row(6)[0] == "run_id"
    assert inputs.row(7)[0] == "R20261101-20261102-0123456789"
    assert inputs.row(7)[-1] == "cd" * 32


def test_statement_total_row_matches_the_model(tmp_path: Path) -> None:
    path = tmp_path / "statement.xlsx"
    statement = sample_statement(stations=3, days=4)
    write_statement_xlsx(statement, path, "en")
    sheet = read_xlsx(path)["Statement"]
    last = 6 + statement.days.height + 1
    row = sheet.row(last)
    assert row[0] == "TOTAL"
    assert sheet.row(last + 1) == []
    numbers = [c for c, t in STATEMENT_DAY_SCHEMA.items() if t == pl.Int64()]
    assert row[1:1 + len(numbers)] == [float(statement.total[c].item()) for c in numbers]


@pytest.mark.parametrize(("name", "expected"), [
    ("Summary", "Summary"),
    ("a/b\\c[d]:e*f?g", "a_b_c_d__e_f_g"),
    ("x" * 40, "x" * 31),
    ("'quoted'", "quoted"),
    ("", "Sheet"),
])
def test_sheet_names_within_excel_limits(name: str, expected: str) -> None:
    assert sheet_name(name) == expected
