"""The settlement statement as one rectangular CSV, for machines and spreadsheets.

Every line has the same columns: `line` (DAY, AWAITING, TOTAL or INPUT),
`operator_id`, the statement's day columns (etc.reports.STATEMENT_DAY_SCHEMA)
and the input file columns. DAY lines come in the statement's order, then an
AWAITING line per item not yet due, then the TOTAL line, then an INPUT line per
input file the runs rest on (only `operator_id` and the input columns filled;
the run ids are on the DAY lines).

An AWAITING line (etc.reports.Statement.awaiting, in its order) is not a gap
yet: a settlement still within its deadline, a credit within its bank window.
It fills `station_id` (empty for a credit on the operator's account that pays
no batch yet), `station_name` (as on the DAY lines), `business_date`,
`findings` = 1, `amount_at_risk_vnd`, `behind` = "CODE key, due by YYYY-MM-DD
HH:MM local" (UTC+07:00) and `run_id` (the DAY lines' run of its date); the
other columns stay empty. AWAITING lines are not counted in the TOTAL line.

The columns, the line kinds and the codes are a machine contract and stay as
they are in every language; only human text follows `lang`: `behind`
("SETTLEMENT_MISSING 2 (150.000)" in Vietnamese, a finding on another line
"BATCH_UNPAID 1 (832.000) ngày 02/11/2026") and an AWAITING line's due time
("…, hạn chót 03/11/2026 00:00 giờ địa phương").

Integers are plain digits, dates ISO, nulls empty, text neutralised
(etc.render.safe), UTF-8 without BOM with `\\n` line ends: the same statement
always gives the same bytes.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from etc.render.lang import DEFAULT_LANG, Lang, day, local_minute, numbers_in, t
from etc.render.safe import write_csv
from etc.reports import STATEMENT_DAY_SCHEMA, Statement

INPUT_COLUMNS: dict[str, pl.DataType] = {
    "input_file": pl.String(),
    "input_kind": pl.String(),
    "input_sha256": pl.String(),
}
CSV_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.String(),
    "operator_id": pl.String(),
    **STATEMENT_DAY_SCHEMA,
    **INPUT_COLUMNS,
}
"""The statement CSV's columns, in order."""


def _lines(df: pl.DataFrame, line: str, operator_id: str) -> pl.DataFrame:
    """`df`'s rows as CSV lines of kind `line`: its columns kept, the rest null."""
    return df.select(
        pl.lit(line, pl.String).alias("line"),
        pl.lit(operator_id, pl.String).alias("operator_id"),
        *(
            pl.col(name).cast(dtype) if name in df.columns else pl.lit(None, dtype).alias(name)
            for name, dtype in list(CSV_SCHEMA.items())[2:]
        ),
    )


def awaiting_rows(statement: Statement, lang: Lang = "en") -> pl.DataFrame:
    """One row per awaited item in the day columns it fills (see the module's text)."""
    days = statement.days
    names = days.select("station_id", "station_name").unique("station_id", keep="first")
    runs = days.select("business_date", "run_id").unique("business_date", keep="first")
    return (
        statement.awaiting.with_row_index("_at")
        .join(names, on="station_id", how="left")
        .join(runs, on="business_date", how="left")
        .sort("_at")
        .select(
            "station_id", "station_name", "business_date",
            pl.lit(1, pl.Int64).alias("findings"), "amount_at_risk_vnd",
            pl.concat_str([pl.col("code"), pl.concat_str([pl.lit(" "), pl.col("key")]),
                           _due(lang)],
                          ignore_nulls=True).alias("behind"),
            "run_id",
        )
    )


def _due(lang: Lang) -> pl.Expr:
    """', due by 2026-11-03 00:00 local' in `lang` (null when no due time)."""
    before, after = t(lang, "csv.due", due="\0").split("\0")
    return pl.concat_str([pl.lit(before), local_minute(lang, pl.col("due_at")), pl.lit(after)])


def statement_lines(statement: Statement, lang: Lang = DEFAULT_LANG) -> pl.DataFrame:
    """The statement as the CSV's rows (CSV_SCHEMA): DAY, AWAITING, TOTAL, INPUT lines."""
    inputs = statement.inputs.select(
        pl.col("file").alias("input_file"),
        pl.col("kind").alias("input_kind"),
        pl.col("sha256").alias("input_sha256"),
    )
    op = statement.operator_id
    lines = pl.concat(
        [
            _lines(statement.days, "DAY", op),
            _lines(awaiting_rows(statement, lang), "AWAITING", op),
            _lines(statement.total, "TOTAL", op),
            _lines(inputs, "INPUT", op),
        ],
        how="vertical",
    )
    if lang == "en":
        return lines
    # "SETTLEMENT_MISSING 2 (150,000)": the amounts of DAY and TOTAL lines written the
    # lang way (AWAITING lines carry a key, left as it is, and their due time, done above)
    summed = pl.col("line").is_in(["DAY", "TOTAL"])
    texts = lines.filter(summed)["behind"].unique().drop_nulls().to_list()
    return lines.with_columns(
        pl.when(summed).then(pl.col("behind").replace(
            {b: links_in(lang, numbers_in(lang, b)) for b in texts}))
        .otherwise(pl.col("behind")).alias("behind"))


_LINK = re.compile(r" dated (\d{4}-\d{2}-\d{2})(?: at ([^;\s]+))?(?=;|$)")
"""A DAY line's finding dated on another line (ledgers.statement.links_elsewhere)."""


def links_in(lang: Lang, text: str) -> str:
    """" dated 2026-11-02[ at ST05]" in `text` written in `lang`."""
    def one(m: re.Match[str]) -> str:
        dated = t(lang, "csv.dated", day=day(lang, date.fromisoformat(m.group(1))))
        return dated + (t(lang, "csv.at", station=m.group(2)) if m.group(2) else "")
    return _LINK.sub(one, text)


def write_statement_csv(statement: Statement, path: Path, lang: Lang = DEFAULT_LANG) -> None:
    """Write `statement` to `path` as the one rectangular, neutralised CSV."""
    write_csv(statement_lines(statement, lang), path)
