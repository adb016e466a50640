"""Safe cells for spreadsheets: a text that a spreadsheet could read as a formula
is neutralised before it is written to CSV or XLSX.

OWASP's advice on CSV injection: a cell starting with `=`, `+`, `-`, `@`, a tab
or a carriage return may be taken for a formula (or a DDE call) when the export
is opened, so such a text gets a leading single quote and is shown as text.
Only text is touched: numbers, dates and booleans keep their types, so a
negative amount stays the number -5 and sums in the spreadsheet still work.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as the start of a formula."""

QUOTE = "'"
_PATTERN = r"^[=+\-@\t\r]"


def neutralise(text: str | None) -> str | None:
    """`text` with a leading quote when it starts with a dangerous character;
    anything else (ordinary text, empty text, None) unchanged."""
    if text is not None and text.startswith(DANGEROUS):
        return QUOTE + text
    return text


def neutralised(text: pl.Expr) -> pl.Expr:
    """The expression twin of `neutralise` for a String expression (null stays null)."""
    return (
        pl.when(text.str.contains(_PATTERN))
        .then(pl.concat_str([pl.lit(QUOTE), text]))
        .otherwise(text)
    )


def neutralise_frame(df: pl.DataFrame) -> pl.DataFrame:
    """`df` with every String column neutralised; other columns untouched."""
    texts = [name for name, dtype in df.schema.items() if dtype == pl.String]
    if not texts:
        return df
    return df.with_columns(neutralised(pl.col(name)).alias(name) for name in texts)


def write_csv(df: pl.DataFrame, path: Path) -> None:
    """`df` as a safe CSV: text neutralised, UTF-8 without BOM, a header row,
    `\\n` line ends, dates ISO (YYYY-MM-DD), nulls empty, integers as plain digits."""
    neutralise_frame(df).write_csv(
        path,
        include_header=True,
        include_bom=False,
        line_terminator="\n",
        date_format="%Y-%m-%d",
        null_value="",
    )
