"""Rule output → a run's findings and pending items: the period's business dates
only, each identity once, with run_id, category and severity (a level per code,
raised at the money threshold), in the run's total order; what is due after the
run's as-of time kept apart as pending."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from etc.codes import CATEGORY_OF, IDENTITY, Code, Severity
from etc.context import Period
from etc.findings import FINDING_COLUMNS, RULE_COLUMNS, RULE_SCHEMA
from etc.outputs import PENDING_SCHEMA
from etc.settings import SeveritySettings
from etc.store import FINDING_ORDER


def finish(found: pl.DataFrame, period: Period, severity: SeveritySettings,
           run: str, as_of: datetime) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Rule output → the run's findings and pending items: those of the period's
    business dates, each identity once (else AssertionError), with run_id,
    category and severity, in the run's total order. A finding due after `as_of`
    is pending (PENDING_SCHEMA, with its due_at), not a finding."""
    kept = found.select(RULE_COLUMNS).cast(RULE_SCHEMA).filter(  # type: ignore[arg-type]
        period.holds(pl.col("business_date")))
    check_identities(kept)
    shaped = kept.with_columns(
        pl.lit(run, pl.String).alias("run_id"),
        pl.col("code").replace_strict(CATEGORY_OF,
                                      return_dtype=pl.String).alias("category"),
        severity_of(severity).alias("severity"),
    ).sort(FINDING_ORDER, nulls_last=False)
    due = pl.col("due_at").is_null() | (pl.col("due_at") <= as_of)
    return (shaped.filter(due).select(FINDING_COLUMNS),
            shaped.filter(~due).select(list(PENDING_SCHEMA)))


def severity_of(cfg: SeveritySettings) -> pl.Expr:
    """The code's level ([severity.codes] over the defaults), one level higher
    when amount_at_risk_vnd >= raise_at_vnd (and raise_at_vnd > 0)."""
    level = pl.col("code").replace_strict(
        {c.value: cfg.level(c).value for c in Code}, return_dtype=pl.String)
    if cfg.raise_at_vnd <= 0:
        return level
    raised = pl.col("code").replace_strict(
        {c.value: cfg.level(c).raised().value for c in Code}, return_dtype=pl.String)
    return pl.when(pl.col("amount_at_risk_vnd") >= cfg.raise_at_vnd).then(raised).otherwise(level)


def check_identities(found: pl.DataFrame) -> None:
    """Raise AssertionError naming the code and key when a code reports one
    identity (etc.codes.IDENTITY) more than once: a rule bug, never data."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for code, cols in IDENTITY.items():
        groups.setdefault(cols, []).append(code.value)
    for cols, codes in groups.items():
        twice = (found.filter(pl.col("code").is_in(codes))
                 .group_by("code", *cols).len().filter(pl.col("len") > 1))
        if twice.height:
            first = twice.sort("code", *cols, nulls_last=False).row(0, named=True)
            key = ", ".join(f"{c}={first[c]}" for c in cols)
            raise AssertionError(
                f"{first['code']}: identity ({key}) reported {first['len']} times; "
                f"{twice.height} identities of {sorted(set(twice['code']))} are duplicated "
                "(a rule must report each identity once)")


def common_severity(found: pl.DataFrame) -> dict[Code, Severity]:
    """Per code with findings, its most common severity (a tie: the higher)."""
    counts = found.group_by("code", "severity").len().iter_rows()
    best: dict[Code, tuple[int, int, Severity]] = {}
    for code, level, n in counts:
        sev = Severity(level)
        cand = (n, sev.rank, sev)
        if Code(code) not in best or cand[:2] > best[Code(code)][:2]:
            best[Code(code)] = cand
    return {c: best[c][2] for c in Code if c in best}
