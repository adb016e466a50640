"""The report lists the rows refused on loading its input files, per file and
reason, with the first one as an example (masked like the findings)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from reportsamples import frame, sample_report
from test_render_xlsx import read_xlsx

from etc.render.html import render_html
from etc.render.mask import mask_report
from etc.render.xlsx import write_report_xlsx
from etc.reports import QUARANTINE_SCHEMA


def refused() -> list[dict[str, object]]:
    return [{"load_id": 1, "file": "lanes_20261101.csv", "reason": "MISSING_VALUE", "rows": 3,
             "first_row": 5, "detail": "plate 51H12345: empty lane_id"},
            {"load_id": 1, "file": "lanes_20261101.csv", "reason": "BAD_TIMESTAMP",
             "rows": 1, "first_row": 9, "detail": "passed_at '2026-13-01' is not ISO 8601"}]


def test_the_page_lists_refused_rows_per_file_and_reason() -> None:
    report = replace(sample_report(), quarantine=frame(refused(), QUARANTINE_SCHEMA))
    page = render_html(mask_report(report), "en")
    section = page.split('<section id="refused"')[1].split("</section>")[0]
    assert "Rows refused on loading" in section and "4 rows of the input files" in section
    assert "<code>MISSING_VALUE</code>" in section and "<code>BAD_TIMESTAMP</code>" in section
    assert "51H-***.45" in section and "51H12345" not in section
    assert "Dòng bị loại khi nạp dữ liệu" in render_html(mask_report(report))
    assert 'id="refused"' not in render_html(sample_report(), "en")  # none: no section


def test_the_xlsx_summary_lists_them_too(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_report_xlsx(replace(sample_report(), quarantine=frame(refused(), QUARANTINE_SCHEMA)),
                      path, "en")
    summary = read_xlsx(path)["Summary"]
    head = int(summary.find("Rows refused on loading")[1:]) + 1
    assert summary.row(head) == list(QUARANTINE_SCHEMA)
    assert summary.row(head + 1)[:4] == [1.0, "lanes_20261101.csv", "MISSING_VALUE", 3.0]
