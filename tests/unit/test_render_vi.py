"""The report and statements in Vietnamese, the default: words, money, dates,
and the machine parts (CSV header, codes, XLSX numbers and dates) unchanged."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from reportsamples import sample_report, sample_statement
from test_render_statement import EXPECTED_CSV, dejavu, page_texts, tiny_statement
from test_render_xlsx import read_xlsx, serial

from etc.render.html import render_html
from etc.render.pdf import write_statement_pdf
from etc.render.statement_csv import write_statement_csv
from etc.render.xlsx import write_report_xlsx, write_statement_xlsx


def test_the_page_is_vietnamese_by_default() -> None:
    page = render_html(sample_report())
    assert page.startswith('<!DOCTYPE html>\n<html lang="vi">')
    for text in ("Báo cáo sai lệch đối soát", "Kết luận", "KHÔNG ĐẠT", "tiền có rủi ro",
                 "Phát hiện theo mã lỗi", "Thiếu quyết toán", "Nghiêm trọng", "Dòng tiền",
                 "Biểu đồ", "Dữ liệu đầu vào của lần chạy", "Lọc"):
        assert text in page, text
    assert "1.407.000 ₫" in page                       # the money at risk
    assert ">01/11/2026</td>" in page                  # dates dd/mm/yyyy …
    assert 'data-sort="2026-11-01"' in page            # … sorting as ISO
    assert "SETTLEMENT_MISSING" in page                # codes stay
    assert "Discrepancy report" not in page and "money at risk" not in page


def test_the_csv_keeps_its_header_and_codes(tmp_path: Path) -> None:
    path = tmp_path / "vi.csv"
    write_statement_csv(tiny_statement(), path)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == EXPECTED_CSV.splitlines()[0]
    assert text == EXPECTED_CSV.replace('"SETTLEMENT_MISSING 1 (35,000)"',
                                        "SETTLEMENT_MISSING 1 (35.000)")


def test_the_xlsx_report_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_report_xlsx(sample_report(), path)
    book = read_xlsx(path)
    assert list(book) == ["Tổng hợp", "Thẻ", "Dòng tiền", "Gian lận", "Đang chờ",
                          "Đã khắc phục", "Đếm so với ghi nhận", "Nhà cung cấp"]
    summary = book["Tổng hợp"]
    ref = summary.find("Kết luận")
    assert summary.cells["B" + ref[1:]].value == "KHÔNG ĐẠT"
    money = book["Dòng tiền"]
    first = sample_report().findings.filter(pl.col("category") == "MONEY").row(0, named=True)
    assert money.row(1)[:4] == ["Mã lỗi", "Nhóm", "Mức độ", "Ngày nghiệp vụ"]
    assert money.row(2)[:2] == [first["code"], "Dòng tiền"]
    day = money.cells["D2"]
    assert day.value == serial(first["business_date"])
    assert day.number_format == "dd/mm/yyyy"
    amount = money.column("Số tiền rủi ro (₫)")
    assert money.cells[amount + "2"].number_format == '#,##0 "₫"'
    assert isinstance(money.cells[amount + "2"].value, float)


def test_the_xlsx_statement_names_the_operator(tmp_path: Path) -> None:
    path = tmp_path / "s.xlsx"
    statement = sample_statement()
    from dataclasses import replace
    write_statement_xlsx(replace(statement, operator_name="Tổng công ty VEC"), path)
    sheet = read_xlsx(path)["Bảng kê"]
    assert sheet.row(1) == ["Bảng kê đối soát"]
    assert sheet.row(2) == ["Đơn vị vận hành", "OP1 (Tổng công ty VEC)"]
    assert sheet.row(3) == ["Kỳ", "01/11/2026 đến 02/11/2026"]


def test_the_pdf_statement_in_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "s.pdf"
    statement = sample_statement(2, 2)
    write_statement_pdf(statement, path, fonts=dejavu())
    text = "\n".join(page_texts(path))
    for words in ("Bảng kê đối soát của đơn vị vận hành OP1", "Chuỗi tiền (₫)",
                  "= phải thu ETC", "chênh lệch quyết toán", "= thực nhận",
                  "chênh lệch ngân hàng", "Theo trạm và ngày", "ngày nghiệp vụ 01/11/2026 "
                  "đến 02/11/2026", "trang 1/"):
        assert words in text, words
    gross = int(statement.total["gross_vnd"].item())
    assert gross >= 1000 and f"{gross:,}".replace(",", ".") in text
