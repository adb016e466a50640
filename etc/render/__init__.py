"""Renderers: report and statement models (etc.reports) into files people open.

    write_report(report, Path("out/report.html"))        # or .xlsx
    write_statement(statement, Path("out/OP1.pdf"))      # or .xlsx, .csv

The format follows the file's suffix. Every file is written whole or not at
all (a temporary file beside it, then a rename). Masking (etc.render.mask) is
the caller's choice and happens before; text cells of CSV and XLSX files are
neutralised against formula injection (etc.render.safe).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from etc.errors import UsageError
from etc.render.atomic import write_atomic
from etc.reports import Report, Statement

REPORT_SUFFIXES = (".html", ".xlsx")
STATEMENT_SUFFIXES = (".xlsx", ".csv", ".pdf")


def write_report(report: Report, out: Path) -> Path:
    """The discrepancy report as HTML or XLSX, by `out`'s suffix; returns `out`."""
    suffix = _suffix(out, REPORT_SUFFIXES)
    write: Callable[[Report, Path], None]
    if suffix == ".html":
        from etc.render.html import write_html as write
    else:
        from etc.render.xlsx import write_report_xlsx as write
    write_atomic(out, lambda tmp: write(report, tmp))
    return out


def write_statement(statement: Statement, out: Path) -> Path:
    """The settlement statement as XLSX, CSV or PDF, by `out`'s suffix; returns `out`."""
    suffix = _suffix(out, STATEMENT_SUFFIXES)
    write: Callable[[Statement, Path], None]
    if suffix == ".xlsx":
        from etc.render.xlsx import write_statement_xlsx as write
    elif suffix == ".csv":
        from etc.render.statement_csv import write_statement_csv as write
    else:
        from etc.render.pdf import write_statement_pdf as write
    write_atomic(out, lambda tmp: write(statement, tmp))
    return out


def _suffix(out: Path, allowed: tuple[str, ...]) -> str:
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise UsageError(f"cannot tell the format of {out.name!r} from its suffix",
                         hint="end the file name in " + " or ".join(allowed))
    return suffix
