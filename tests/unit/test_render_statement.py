"""The settlement statement as CSV (exact text) and as PDF (pages rendered with
pdfium: size, ink, page numbers, the totals in the text, the same bytes twice).

Every PDF test runs twice: in DejaVu (Vietnamese letters kept; skipped when
fonts-dejavu-core is not installed) and in the built-in fonts (accents dropped)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pypdfium2 as pdfium
import pytest
from reportsamples import D1, frame, run_info, sample_statement

from etc.render.fonts import BUILTIN, FONT_DIRS, Fonts, choose_fonts, printable
from etc.render.pdf import MAX_GAPS, write_statement_pdf
from etc.render.statement_csv import CSV_SCHEMA, write_statement_csv
from etc.reports import GAP_SCHEMA, INPUT_SCHEMA, STATEMENT_DAY_SCHEMA, Statement

# ---------------------------------------------------------------- CSV

NUMBERS = {
    "passages": 3, "class1_passages": 2, "class2_passages": 1,
    "class1_gross_vnd": 70_000, "class2_gross_vnd": 52_000,
    "etc_passages": 2, "cash_passages": 1, "etc_gross_vnd": 87_000, "cash_gross_vnd": 35_000,
    "gross_vnd": 122_000, "settled_gross_vnd": 52_000, "fee_vnd": 520, "net_vnd": 51_480,
    "banked_vnd": 51_960, "settle_gap_vnd": 35_000, "bank_gap_vnd": -480, "findings": 1,
    "amount_at_risk_vnd": 35_000,
}


def tiny_statement() -> Statement:
    """One station, one day, two input files; a station name and a file name that
    would start a formula, a `behind` text with commas, a negative bank gap."""
    ints = {c: 0 for c, t in STATEMENT_DAY_SCHEMA.items() if t == pl.Int64()}
    line = {**ints, **NUMBERS, "behind": "SETTLEMENT_MISSING 1 (35,000)", "run_id": "R1"}
    day = {**line, "station_id": "S1", "station_name": "=Trạm 1", "business_date": D1}
    total = {**line, "station_id": "TOTAL"}
    inputs = frame([{"load_id": 1, "file": "lanes.csv", "kind": "lanes", "sha256": "aa" * 32},
                    {"load_id": 2, "file": "@bank.xml", "kind": "bank", "sha256": "bb" * 32}],
                   INPUT_SCHEMA)
    return Statement(operator_id="OP1", first_date=D1, last_date=D1,
                     days=frame([day], STATEMENT_DAY_SCHEMA),
                     total=frame([total], STATEMENT_DAY_SCHEMA),
                     gaps=frame([], GAP_SCHEMA), runs=(run_info("R1", D1, D1),), inputs=inputs)


EXPECTED_CSV = (
    "line,operator_id,station_id,station_name,business_date,passages,"
    "class1_passages,class2_passages,class3_passages,class4_passages,class5_passages,"
    "class1_gross_vnd,class2_gross_vnd,class3_gross_vnd,class4_gross_vnd,class5_gross_vnd,"
    "etc_passages,cash_passages,exempt_passages,etc_gross_vnd,cash_gross_vnd,exempt_gross_vnd,"
    "gross_vnd,settled_gross_vnd,fee_vnd,net_vnd,banked_vnd,settle_gap_vnd,bank_gap_vnd,"
    "findings,amount_at_risk_vnd,behind,run_id,input_file,input_kind,input_sha256\n"
    "DAY,OP1,S1,'=Trạm 1,2026-11-01,3,2,1,0,0,0,70000,52000,0,0,0,2,1,0,87000,35000,0,"
    "122000,52000,520,51480,51960,35000,-480,1,35000,\"SETTLEMENT_MISSING 1 (35,000)\",R1,,,\n"
    "TOTAL,OP1,TOTAL,,,3,2,1,0,0,0,70000,52000,0,0,0,2,1,0,87000,35000,0,"
    "122000,52000,520,51480,51960,35000,-480,1,35000,\"SETTLEMENT_MISSING 1 (35,000)\",R1,,,\n"
    "INPUT,OP1" + "," * 31 + f",lanes.csv,lanes,{'aa' * 32}\n"
    "INPUT,OP1" + "," * 31 + f",'@bank.xml,bank,{'bb' * 32}\n"
)


def test_csv_exact_text(tmp_path: Path) -> None:
    path = tmp_path / "statement.csv"
    write_statement_csv(tiny_statement(), path, "en")
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    assert raw.decode("utf-8") == EXPECTED_CSV


def test_csv_is_rectangular_with_day_total_and_input_lines(tmp_path: Path) -> None:
    path = tmp_path / "statement.csv"
    statement = sample_statement(stations=3, days=2)
    write_statement_csv(statement, path, "en")
    back = pl.read_csv(path, infer_schema=False)
    assert back.columns == list(CSV_SCHEMA)
    assert back["line"].to_list() == ["DAY"] * 6 + ["TOTAL"] + ["INPUT"] * 3
    assert back["operator_id"].unique().to_list() == ["OP1"]
    assert back["input_sha256"].to_list()[7:] == statement.inputs["sha256"].to_list()
    assert back.filter(pl.col("line") == "INPUT")["run_id"].null_count() == 3
    assert back["gross_vnd"][6] == str(statement.total["gross_vnd"].item())


def test_csv_same_statement_same_bytes(tmp_path: Path) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    write_statement_csv(sample_statement(), a, "en")
    write_statement_csv(sample_statement(), b, "en")
    assert a.read_bytes() == b.read_bytes()


# ---------------------------------------------------------------- PDF


@contextmanager
def opened(path: Path) -> Iterator[pdfium.PdfDocument]:
    doc = pdfium.PdfDocument(path)
    try:
        yield doc
    finally:
        doc.close()


def page_texts(path: Path) -> list[str]:
    with opened(path) as doc:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def dejavu() -> Fonts:
    """The DejaVu fonts; the test is skipped when they are not installed."""
    chosen = choose_fonts()
    if not chosen.unicode:
        pytest.skip("DejaVu fonts not installed (apt-get install fonts-dejavu-core)")
    return chosen


@pytest.fixture(params=["dejavu", "builtin"])
def fonts(request: pytest.FixtureRequest) -> Fonts:
    """DejaVu (skipped when not installed), or the built-in fallback forced."""
    return dejavu() if request.param == "dejavu" else choose_fonts([])


def pdf_of(statement: Statement, tmp_path: Path, fonts: Fonts, name: str = "s.pdf") -> Path:
    path = tmp_path / name
    write_statement_pdf(statement, path, "en", fonts=fonts)
    return path


@pytest.mark.parametrize(("stations", "days", "pages"), [(1, 1, 1), (2, 2, 1), (40, 10, 13)])
def test_pages_are_a4_numbered_and_inked(tmp_path: Path, fonts: Fonts, stations: int,
                                         days: int, pages: int) -> None:
    path = pdf_of(sample_statement(stations, days), tmp_path, fonts)
    with opened(path) as doc:
        assert len(doc) == pages
        for i in range(len(doc)):
            page = doc[i]
            width, height = page.get_size()
            assert abs(width - 842) <= 1 and abs(height - 595) <= 1
            grey = np.asarray(page.render(scale=1).to_pil().convert("L"), dtype=float)
            assert grey.std() > 10
            assert (grey < 200).mean() > 0.01
    texts = page_texts(path)
    for n, text in enumerate(texts, start=1):
        assert f"page {n} of {pages}" in text
        assert "Settlement statement: OP1" in text
        assert f"business dates 2026-11-01 to 2026-11-{days:02d}" in text
        assert "run R20261101-20261102-0123456789" in text


def test_pages_grow_with_lines(tmp_path: Path, fonts: Fonts) -> None:
    counts = []
    for stations in (10, 20, 40):
        path = pdf_of(sample_statement(stations, 10), tmp_path, fonts, f"{stations}.pdf")
        with opened(path) as doc:
            counts.append(len(doc))
    assert counts == sorted(counts) and counts[0] < counts[-1]


def test_totals_on_the_first_page(tmp_path: Path, fonts: Fonts) -> None:
    statement = sample_statement(40, 10)
    first = page_texts(pdf_of(statement, tmp_path, fonts))[0]
    total = statement.total.row(0, named=True)
    for column in ("gross_vnd", "settled_gross_vnd", "fee_vnd", "net_vnd", "banked_vnd",
                   "settle_gap_vnd", "amount_at_risk_vnd"):
        assert f"{total[column]:,}" in first, column
    assert f"Gross charged (ETC + cash) {total['gross_vnd']:,}" in first.replace("\r\n", " ")
    # the money chain reads down: ETC charged = gross − cash, net = settled − fees
    assert total["etc_gross_vnd"] == total["gross_vnd"] - total["cash_gross_vnd"]
    chain = first.replace("\r\n", " ")
    assert f"= ETC charged {total['etc_gross_vnd']:,}" in chain
    assert f"= net {total['net_vnd']:,}" in chain
    assert "Class 1" in first and "EXEMPT" in first


def test_total_line_and_every_station_day(tmp_path: Path, fonts: Fonts) -> None:
    statement = sample_statement(40, 10)
    text = "\n".join(page_texts(pdf_of(statement, tmp_path, fonts)))
    assert text.count("Station 17") == 10
    assert text.count("TOTAL") == 1
    assert text.count("Date") >= 2    # the header row repeated on later pages


def test_same_statement_same_bytes(tmp_path: Path, fonts: Fonts) -> None:
    a = pdf_of(sample_statement(5, 3), tmp_path, fonts, "a.pdf")
    b = pdf_of(sample_statement(5, 3), tmp_path, fonts, "b.pdf")
    assert a.read_bytes() == b.read_bytes()


def test_gaps_capped_with_a_note(tmp_path: Path, fonts: Fonts) -> None:
    base = sample_statement(1, 1)
    gaps = pl.DataFrame({
        "station_id": ["S01"] * 620, "business_date": [D1] * 620,
        "code": ["SETTLEMENT_MISSING"] * 620, "severity": ["HIGH"] * 620,
        "key": [f"txn_id=G{i:04d}" for i in range(620)], "amount_at_risk_vnd": [35_000] * 620,
        "detail": ["<b>no</b> settlement & no credit"] * 620}, schema=GAP_SCHEMA)
    text = "\n".join(page_texts(pdf_of(replace(base, gaps=gaps), tmp_path, fonts)))
    assert text.count("txn_id=G") == MAX_GAPS
    assert "txn_id=G0499" in text and "txn_id=G0500" not in text
    assert "120 more gaps are not shown here; the XLSX statement lists all 620." in text
    assert "<b>no</b> settlement & no credit" in text


def test_inputs_with_full_sha256(tmp_path: Path, fonts: Fonts) -> None:
    text = "\n".join(page_texts(pdf_of(sample_statement(1, 1), tmp_path, fonts)))
    for sha in ("11" * 32, "22" * 32, "33" * 32, "cd" * 32):
        assert sha in text
    assert "2026-11-03 03:15:00" in text           # the run's start, local time


def test_letters_the_fonts_lack_lose_their_accents() -> None:
    assert printable("Trạm Dầu Giây") == "Tram Dau Giay"
    assert printable("Đường Võ Văn Kiệt") == "Duong Vo Van Kiet"
    assert printable("Long Thành, Hà Nội") == "Long Thanh, Ha Noi"
    assert printable("Long Thành, Hà Nam — 1,250,000") == "Long Thành, Hà Nam — 1,250,000"
    assert printable("A → B") == "A ? B"
    assert printable("Trạm Dầu Giây", BUILTIN) == "Tram Dau Giay"


def test_dejavu_keeps_vietnamese_and_drops_only_what_it_lacks() -> None:
    fonts = dejavu()
    assert printable("Trạm thu phí Dầu Giây — Đường Võ Văn Kiệt", fonts) == (
        "Trạm thu phí Dầu Giây — Đường Võ Văn Kiệt")
    decomposed = "Tra\u0323m"                       # "Trạm" typed with a combining dot
    assert printable(decomposed, fonts) == "Trạm"
    assert printable("Trạm 中 A → B", fonts) == "Trạm ? A → B"    # no CJK in DejaVu


def station_named(name: str) -> Statement:
    base = sample_statement(1, 1)
    return replace(base, days=base.days.with_columns(pl.lit(name).alias("station_name")))


def test_station_name_keeps_its_accents_in_dejavu(tmp_path: Path) -> None:
    path = pdf_of(station_named("Trạm thu phí Dầu Giây"), tmp_path, dejavu())
    text = page_texts(path)[0]
    assert "S01 Trạm thu phí Dầu Giây" in text
    assert "Tram thu phi" not in text and not {"\u25a0", "\ufffd", "?"} & set(text)
    raw = path.read_bytes()
    assert b"DejaVuSans" in raw and b"DejaVuSans-Bold" in raw and b"DejaVuSansMono" in raw
    assert b"/Helvetica" not in raw and b"/Courier" not in raw    # no built-in font anywhere
    assert b"/FontFile2" in raw                                     # embedded (as subsets)


def test_station_name_loses_its_accents_in_the_builtin_fonts(tmp_path: Path) -> None:
    path = pdf_of(station_named("Trạm thu phí Dầu Giây"), tmp_path, choose_fonts([]))
    text = page_texts(path)[0]
    assert "S01 Tram thu phi Dau Giay" in text
    assert "Trạm" not in text
    assert not {"\u25a0", "\ufffd", "?"} & set(text)    # no missing-glyph box, nothing lost
    raw = path.read_bytes()
    assert b"/Helvetica" in raw and b"DejaVu" not in raw


def test_fonts_are_chosen_from_the_search_path(tmp_path: Path) -> None:
    assert choose_fonts([]) == BUILTIN
    assert choose_fonts([tmp_path]) == BUILTIN                  # a folder without DejaVu
    assert not BUILTIN.unicode and BUILTIN.regular == "Helvetica"


def test_dejavu_is_found_in_any_folder_of_the_search_path(tmp_path: Path) -> None:
    fonts = dejavu()
    assert (fonts.regular, fonts.bold, fonts.mono) == (
        "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono")
    found = next(d for d in FONT_DIRS if (d / "DejaVuSans.ttf").is_file())
    (tmp_path / "only_sans").mkdir()
    shutil.copy(found / "DejaVuSans.ttf", tmp_path / "only_sans")
    (tmp_path / "all").mkdir()
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"):
        shutil.copy(found / name, tmp_path / "all")
    assert choose_fonts([tmp_path / "only_sans"]) == BUILTIN   # all three or none
    assert choose_fonts([tmp_path / "missing", tmp_path / "only_sans", tmp_path / "all"]) == fonts


def test_no_runs_no_gaps(tmp_path: Path, fonts: Fonts) -> None:
    base = sample_statement(1, 1)
    empty = replace(base, gaps=frame([], GAP_SCHEMA), runs=(),
                    last_date=date(2026, 11, 1))
    text = page_texts(pdf_of(empty, tmp_path, fonts))[0]
    assert "No gaps" in text and "no run" in text and "page 1 of 1" in text
