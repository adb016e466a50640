"""Renderers: report and statement models (etc.reports) into files people open.

    write_report(report, Path("out/report.html"))             # or .xlsx; Vietnamese
    write_statement(statement, Path("out/OP1.pdf"), "en")     # or .xlsx, .csv; English

The format follows the file's suffix, the language `lang` (etc.render.lang:
"vi", the default, or "en"): labels, names, numbers, dates and each finding's
detail sentence (etc.render.details) follow it; codes and the CSV's columns do
not. Every file is written whole or not at all (a temporary file beside it,
then a rename). Masking (etc.render.mask) is the caller's choice and happens
before; text cells of CSV and XLSX files are neutralised against formula
injection (etc.render.safe).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import polars as pl

from etc.errors import UsageError
from etc.render.atomic import write_atomic
from etc.render.details import translate_frame
from etc.render.lang import DEFAULT_LANG, Lang, iso_day
from etc.reports import Report, Statement

REPORT_SUFFIXES = (".html", ".xlsx")
STATEMENT_SUFFIXES = (".xlsx", ".csv", ".pdf")


def localise_report(report: Report, lang: Lang) -> Report:
    """`report` with the detail sentences of its findings, resolved and pending rows
    in `lang` (the stored English ones in English)."""
    findings = translate_frame(report.findings, lang)
    if lang != "en" and "note_text" in findings.columns:  # "… — author, 2026-12-04"
        texts = findings["note_text"].unique().drop_nulls().to_list()
        findings = findings.with_columns(pl.col("note_text").replace(
            {x: iso_day(lang, x) for x in texts}))
    return dataclasses.replace(
        report, findings=findings,
        resolved=translate_frame(report.resolved, lang),
        pending=translate_frame(report.pending, lang))


def localise_statement(statement: Statement, lang: Lang) -> Statement:
    """`statement` with the detail sentences of its gaps and awaited items in `lang`."""
    return dataclasses.replace(statement, gaps=translate_frame(statement.gaps, lang),
                               awaiting=translate_frame(statement.awaiting, lang))


def write_report(report: Report, out: Path, lang: Lang = DEFAULT_LANG) -> Path:
    """The discrepancy report as HTML or XLSX, by `out`'s suffix, in `lang`; returns `out`."""
    suffix = _suffix(out, REPORT_SUFFIXES)
    write: Callable[[Report, Path, Lang], None]
    if suffix == ".html":
        from etc.render.html import write_html as write
    else:
        from etc.render.xlsx import write_report_xlsx as write
    shown = localise_report(report, lang)
    write_atomic(out, lambda tmp: write(shown, tmp, lang))
    return out


def write_statement(statement: Statement, out: Path, lang: Lang = DEFAULT_LANG) -> Path:
    """The settlement statement as XLSX, CSV or PDF, by `out`'s suffix, in `lang`;
    returns `out`."""
    suffix = _suffix(out, STATEMENT_SUFFIXES)
    write: Callable[[Statement, Path, Lang], None]
    if suffix == ".xlsx":
        from etc.render.xlsx import write_statement_xlsx as write
    elif suffix == ".csv":
        from etc.render.statement_csv import write_statement_csv as write
    else:
        from etc.render.pdf import write_statement_pdf as write
    shown = localise_statement(statement, lang)
    write_atomic(out, lambda tmp: write(shown, tmp, lang))
    return out


def _suffix(out: Path, allowed: tuple[str, ...]) -> str:
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise UsageError(f"cannot tell the format of {out.name!r} from its suffix",
                         hint="end the file name in " + " or ".join(allowed))
    return suffix
