"""The HTML discrepancy report in headless Chromium: it draws its charts, its
tables filter and sort, it logs no error and asks the network for nothing.

Needs the playwright Python package and Debian's /usr/bin/chromium (never a
downloaded browser); without either the module is skipped, saying which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from reportsamples import FINDINGS, _finding, sample_report

from etc.render.html import write_html
from etc.reports import Report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

try:
    from playwright.sync_api import Browser, Page, Route, sync_playwright
except ImportError:  # pragma: no cover - depends on the machine
    pytest.skip("the playwright Python package is not importable (pip install playwright)",
                allow_module_level=True)
if not CHROMIUM.exists():  # pragma: no cover - depends on the machine
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)

# amounts whose text order (1,000,000 < 135,000 < 52,000 < 9,000) is not their number order
AMOUNTS = (52_000, 9_000, 1_000_000, 135_000, 35_000, 2_500, 410_000, 78_000)


def realistic() -> Report:
    """The sample run with eight more SETTLEMENT_MISSING findings on two stations."""
    extra = [_finding("SETTLEMENT_MISSING", "MONEY", "HIGH", date(2026, 11, 1 + i % 2), amount,
                      f"no settlement for {amount:,} VND", station_id=f"S0{1 + i % 2}",
                      lane_id=f"L{i % 3 + 1}", txn_id=f"T{100 + i}")
             for i, amount in enumerate(AMOUNTS)]
    return sample_report([*FINDINGS, *extra])


@dataclass
class Opened:
    page: Page
    report: Report
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_page(browser: Browser, path: Path, report: Report) -> Opened:
    """`path` in a new page that refuses (and records) every request not for a file:
    URL, and records console errors and uncaught exceptions."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    seen = Opened(page, report)

    def route(r: Route) -> None:
        if r.request.url.startswith("file:"):
            r.continue_()
        else:
            seen.requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: None if req.url.startswith("file:")
            or req.url in seen.requests else seen.requests.append(req.url))
    page.on("console", lambda m: seen.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    return seen


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def opened(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Opened:
    report = realistic()
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_html(report, path, "en")
    return open_page(browser, path, report)


def visible_rows(page: Page, table: str) -> int:
    return int(page.locator(f"#{table} tbody tr:visible").count())


def test_no_errors_and_no_network(opened: Opened) -> None:
    assert opened.page.title() == f"Discrepancy report {opened.report.run.run_id}"
    risk = opened.page.locator("[data-figure=at-risk] .big").inner_text()
    assert risk == f"{opened.report.total_at_risk_vnd:,} VND" == "3,128,500 VND"
    assert opened.errors == []
    assert opened.requests == []


def test_the_guard_sees_an_external_request(browser: Browser, tmp_path: Path) -> None:
    """The check above can fail: a page that loads an image over http is caught."""
    path = tmp_path / "leak.html"
    path.write_text('<!DOCTYPE html><title>leak</title><img src="http://127.0.0.1:9/x.png">',
                    encoding="utf-8")
    leak = open_page(browser, path, realistic())
    leak.page.close()
    assert leak.requests == ["http://127.0.0.1:9/x.png"]


def test_charts_are_drawn(opened: Opened) -> None:
    report = opened.report
    expected = {
        "chart-station-money": report.by_station.height,
        "chart-station-findings": report.by_station.height,
        "chart-day-money": report.by_day.height,
        "chart-day-findings": report.by_day.height,
        "chart-lanes": report.lanes.height,
        "chart-flow": 4 * report.money_flow.height,
    }
    charts = opened.page.locator("svg.chart")
    assert charts.count() == len(expected)
    for ident, bars in expected.items():
        svg = opened.page.locator(f"svg#{ident}")
        box = svg.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50, ident
        assert svg.locator("rect.bar").count() == bars, ident
        assert svg.get_attribute("role") == "img"
    # the tallest day's bar is drawn taller than the other day's
    heights = [b["height"] for b in (opened.page.locator("svg#chart-day-money rect.bar")
                                     .nth(i).bounding_box() or {"height": 0.0}
                                     for i in range(2))]
    assert heights[1] > heights[0] > 0


def test_filter_hides_rows(opened: Opened) -> None:
    page, table = opened.page, "t-SETTLEMENT_MISSING"
    total = len(AMOUNTS) + 2
    rows = opened.report.findings.filter(code="SETTLEMENT_MISSING")
    s02 = rows.filter(station_id="S02").height
    assert 0 < s02 < total
    count = page.locator(f"#{table}-n")
    assert visible_rows(page, table) == total
    assert count.inner_text() == f"{total} of {total} rows"
    page.locator(f"#{table}-f").fill("s02")  # case-insensitive
    assert visible_rows(page, table) == s02
    assert count.inner_text() == f"{s02} of {total} rows"
    for text in page.locator(f"#{table} tbody tr:visible").all_inner_texts():
        assert "S02" in text
    page.locator(f"#{table}-f").fill("no such text")
    assert visible_rows(page, table) == 0
    assert count.inner_text() == f"0 of {total} rows"
    page.locator(f"#{table}-f").fill("")
    assert visible_rows(page, table) == total


def test_numeric_header_sorts_by_number(opened: Opened) -> None:
    page, table = opened.page, "t-SETTLEMENT_MISSING"
    header = page.locator(f"#{table} thead th", has_text="At risk (VND)")
    column = page.locator(f"#{table} thead th").all_inner_texts().index(
        header.inner_text())

    def amounts() -> list[int]:
        cells = page.locator(f"#{table} tbody tr td:nth-child({column + 1})")
        return [int(t.replace(",", "")) for t in cells.all_inner_texts()]

    before = amounts()
    assert before != sorted(before)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert amounts() == sorted(before)
    header.locator("button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert amounts() == sorted(before, reverse=True)
    others = page.locator(f"#{table} thead th[aria-sort=none]").count()
    assert others == page.locator(f"#{table} thead th").count() - 1
    # a text column sorts as text: the business dates, ascending
    page.locator(f"#{table} thead th", has_text="Business date").locator("button").click()
    dates = page.locator(f"#{table} tbody tr td:nth-child(1)").all_inner_texts()
    assert dates == sorted(dates) and dates[0] != dates[-1]
    assert opened.errors == []


def test_the_report_of_a_generated_scenario(browser: Browser, tmp_path: Path) -> None:
    """The whole way, in Vietnamese (the default): a generated night loaded,
    reconciled, one finding noted and the report written by the CLI, then opened: no
    error, every chart drawn, accents and ₫ amounts shown, a findings table filters
    by text and the page by note state."""
    import cli
    from etc.generate import generate
    from etc.store import Store
    from reconcile.report import build_report

    sample = generate(tmp_path / "sample", seed=29, days=1, passages=1200)
    db, out = tmp_path / "etc.duckdb", tmp_path / "report.html"
    files = [str(p) for paths in sample.files.values() for p in paths]
    assert cli.main(["ingest", "--db", str(db), *files]) == 0
    assert cli.main(["reconcile", "--db", str(db), "--date", str(sample.start)]) == 0
    with Store(db, create=False) as store:
        found = build_report(store, store.latest_run_id() or "").findings
    missing = found.filter(code="SETTLEMENT_MISSING")
    noted = missing["finding_id"][0]
    assert cli.main(["note", noted, "--db", str(db), "--state", "EXPLAINED", "--author",
                     "Trần Thị Bình", "--text", "đã đối chiếu với nhà cung cấp"]) == 0
    assert cli.main(["report", "--db", str(db), "--out", str(out)]) == 0
    seen = open_page(browser, out, realistic())
    page = seen.page
    try:
        assert seen.errors == [] and seen.requests == []
        assert page.locator("html").get_attribute("lang") == "vi"
        assert page.title().startswith("Báo cáo sai lệch đối soát")
        risk = page.locator("[data-figure=at-risk] .big").inner_text()
        assert re.fullmatch(r"\d{1,3}(\.\d{3})* ₫", risk), risk
        charts = page.locator("#charts svg.chart")
        assert charts.count() == 6
        for i in range(6):
            box = charts.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50
            assert charts.nth(i).locator("rect.bar").count() > 0
        # counted against recorded: a row per counted station, the money at risk of
        # PASSAGES_HIDDEN in the intro, an hourly chart per lane found, the uncovered
        hidden = found.filter(code="PASSAGES_HIDDEN")
        assert hidden.height > 0
        section = page.locator("#counted")
        assert section.locator("h2").inner_text() == "Đếm độc lập so với lượt xe ghi nhận"
        hidden_vnd = f"{int(hidden['amount_at_risk_vnd'].sum()):,} ₫".replace(",", ".")
        assert hidden_vnd in section.locator("p.intro").first.inner_text()
        assert visible_rows(page, "t-counted") > 0
        lane_charts = section.locator("svg.chart")
        assert lane_charts.count() == min(8, hidden.height)
        for i in range(lane_charts.count()):
            box = lane_charts.nth(i).bounding_box()
            assert box and box["width"] > 100 and box["height"] > 50
            assert lane_charts.nth(i).locator("polyline.line.hl").count() > 0  # counted
            assert lane_charts.nth(i).locator("circle.dot.s0").count() > 0     # recorded
        uncovered = page.locator("#t-uncovered").inner_text()
        assert "ST06" in uncovered and "ST12" in uncovered  # stations without sensors
        # the providers' scorecard, by name, and their trend
        card = page.locator("#t-scorecard").inner_text()
        assert "VETC (" in card and "EPASS (" in card
        assert visible_rows(page, "t-scorecard") == 2
        trend = page.locator("svg#chart-provider-trend")
        assert trend.locator("circle.dot").count() == 2  # one day, two providers
        table = "t-SETTLEMENT_MISSING"
        total = visible_rows(page, table)
        assert total == missing.height >= 2
        assert "không có giao dịch quyết toán nào" in page.locator(f"#{table}").inner_text()
        second = page.locator(f"#{table} tbody tr").nth(1).inner_text()
        txn = re.findall(r"ST\d\d-\d{8}-\d{7}", second)[0]  # a txn_id
        page.locator(f"#{table}-f").fill(txn)
        assert visible_rows(page, table) == 1
        assert page.locator(f"#{table}-n").inner_text() == f"1 / {total} dòng"
        page.locator(f"#{table}-f").fill("")
        page.locator("#note-filter").select_option("EXPLAINED")
        assert visible_rows(page, table) == 1
        row = page.locator(f"#{table} tbody tr:visible").inner_text()
        assert noted in row and "Đã giải trình" in row and "Trần Thị Bình" in row
        page.locator("#note-filter").select_option("NONE")
        assert visible_rows(page, table) == total - 1
        # at 1400 px nothing makes the page scroll sideways
        page.set_viewport_size({"width": 1400, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= 1400
        assert seen.errors == []
    finally:
        page.close()


PAYLOADS = ("<script>window.__pwned = 1</script>", '<img src=x onerror="window.__pwned = 2">',
            '"><svg onload="window.__pwned = 3">', "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+cmd|' /C calc'!A0", "-1+1", "@SUM(1)")


def test_html_payloads_in_every_text_field_are_shown_not_run(browser: Browser,
                                                             tmp_path: Path) -> None:
    """A payload in each text field a finding carries (station, lane, plate, tag,
    staff, passage, bank entry, detail) is shown as text: no script runs, no
    element is injected, no request leaves the page."""
    fields = ("station_id", "lane_id", "plate", "tag_id", "staff_id", "txn_id", "entry_id")
    hostile = [_finding("DOUBLE_CHARGE", "FRAUD", "HIGH", date(2026, 11, 1), 35_000 + i,
                        f"detail {payload}", **{f: f"{payload}{f}" for f in fields})
               for i, payload in enumerate(PAYLOADS)]
    report = sample_report([*FINDINGS, *hostile])
    path = tmp_path / "report.html"
    write_html(report, path, "en")
    seen = open_page(browser, path, report)
    assert seen.page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.page.locator("img[src=x], svg[onload]").count() == 0
    text = seen.page.locator("body").inner_text()
    for payload in PAYLOADS:
        assert f"{payload}station_id" in text or f"{payload}txn_id" in text, payload
    assert seen.requests == [] and seen.errors == []
