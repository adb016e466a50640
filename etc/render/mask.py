"""Masking of plates and account ids in what the road authority reads.

A report shows `51H-***.45` for the plate 51H12345 and `*********3456` for the
account 0071000123456 unless `--reveal` is given. Masking is done on the
model, before any renderer sees it — findings, resolved rows, gaps and the
pending items alike — in every text column that can carry them:
the plate column, identities and keys ("plate=…", and BANK_UNMATCHED_CREDIT's
"account/entry_id"), and the detail sentences, where a plate follows the word
"plate" or has the shape of a civil plate.
"""

from __future__ import annotations

import dataclasses
import re

import polars as pl

from etc.reports import Report, Statement

PLATE_WORD = r"(?i:plate)\s+([0-9A-Z][0-9A-Z.\-]{3,11}[0-9A-Z])"
"""A plate written after the word "plate" in a detail sentence."""
KEY_PLATE = r"\bplate=([^|]+)"
"""A plate in an identity or key text ("plate=TM0118"), whatever its shape."""
CIVIL = r"\b\d{2}[A-Z]{1,2}\d{4,6}\b"
"""A normalised civil plate anywhere: 2 digits, 1–2 letters, 4–6 digits."""
_TEXT_COLUMNS = ("plate", "detail", "identity", "entry_id", "key")


def mask_plate(plate: str) -> str:
    """`51H12345` (or `51H-123.45`) → `51H-***.45`: the first three and last two
    characters of the normalised plate, the rest starred (short plates keep
    only their last two, or nothing)."""
    flat = re.sub(r"[\s.\-]", "", plate.upper())
    if len(flat) <= 5:
        keep = flat[-2:] if len(flat) > 3 else ""
        return "*" * (len(flat) - len(keep)) + keep
    return f"{flat[:3]}-{'*' * (len(flat) - 5)}.{flat[-2:]}"


def mask_account(account: str) -> str:
    """Every character but the last four starred (an id of four or fewer: all)."""
    keep = account[-4:] if len(account) > 4 else ""
    return "*" * (len(account) - len(keep)) + keep


def mask_text(text: str | None, accounts: tuple[str, ...]) -> str | None:
    """`text` with plates and the given account ids masked."""
    return None if text is None else _masked(text, accounts)


def _masked(text: str, accounts: tuple[str, ...]) -> str:
    text = re.sub(KEY_PLATE, lambda m: "plate=" + mask_plate(m.group(1)), text)
    for account in sorted(accounts, key=len, reverse=True):
        if account and account in text:
            text = text.replace(account, mask_account(account))
    text = re.sub(PLATE_WORD, lambda m: m.group(0).replace(m.group(1), mask_plate(m.group(1))),
                  text)
    return re.sub(CIVIL, lambda m: mask_plate(m.group(0)), text)


def mask_frame(frame: pl.DataFrame, accounts: tuple[str, ...]) -> pl.DataFrame:
    """The text columns of `frame` that can hold a plate or an account, masked:
    the `plate` column as a whole, the others where a plate or account occurs."""
    out = frame
    for col in _TEXT_COLUMNS:
        if col not in frame.columns or frame.schema[col] != pl.String:
            continue
        values = frame[col].unique().drop_nulls().to_list()
        if col == "plate":
            mapping = {v: mask_plate(v) for v in values}
        else:
            mapping = {v: _masked(v, accounts) for v in values}
        out = out.with_columns(pl.col(col).replace(mapping))
    return out


def mask_report(report: Report) -> Report:
    """`report` with plates and accounts masked in its findings, resolved rows and
    pending items."""
    return dataclasses.replace(
        report,
        findings=mask_frame(report.findings, report.accounts),
        resolved=mask_frame(report.resolved, report.accounts),
        pending=mask_frame(report.pending, report.accounts),
        quarantine=mask_frame(report.quarantine, report.accounts),
    )


def mask_statement(statement: Statement) -> Statement:
    """`statement` with plates masked in the keys and details of its gaps and of
    what it awaits (an operator's own accounts stay as they are)."""
    return dataclasses.replace(statement, gaps=mask_frame(statement.gaps, ()),
                               awaiting=mask_frame(statement.awaiting, ()))
