"""Writers of bank statements (camt.053, MT940) from canonical bank entries.

They produce test and demo files that the readers in `etc.readers` read back to
the same columns. Writers are given clean data: a row they cannot write raises
`ValueError` (a programming error, not bad input data). Import them from their
modules: `etc.writers.camt053.write_camt053`, `etc.writers.mt940.write_mt940`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from etc.schemas import BANK

__all__ = ["BANK_COLUMNS", "BankEntry", "bank_entries", "signed", "split_at_spaces"]

BANK_COLUMNS = BANK.names


@dataclass(frozen=True)
class BankEntry:
    """One canonical bank entry (formats.md, "bank"), checked."""

    entry_id: str
    account: str
    booking_date: date
    value_date: date | None
    amount_vnd: int
    direction: str
    reference: str | None
    remittance: str | None


def bank_entries(entries: pl.DataFrame) -> list[BankEntry]:
    """The rows of `entries` as `BankEntry`s, in order; ValueError on a row that
    no statement can hold (missing id/account/date, amount ≤ 0, bad direction)."""
    missing = [c for c in BANK_COLUMNS if c not in entries.columns]
    if missing:
        raise ValueError(f"bank entries lack the column(s) {', '.join(missing)}")
    out: list[BankEntry] = []
    for i, row in enumerate(entries.select(BANK_COLUMNS).iter_rows(named=True)):
        where = f"bank entry {i} ({row['entry_id']!r})"
        if not row["entry_id"] or not row["account"]:
            raise ValueError(f"{where}: entry_id and account are required")
        for name in ("booking_date", "value_date"):
            value = row[name]
            if (value is not None or name == "booking_date") and not _is_date(value):
                raise ValueError(f"{where}: {name} must be a date, not {value!r}")
        if not isinstance(row["amount_vnd"], int) or row["amount_vnd"] <= 0:
            raise ValueError(f"{where}: amount_vnd must be a whole number of VND above 0")
        if row["direction"] not in ("CRDT", "DBIT"):
            raise ValueError(f"{where}: direction must be CRDT or DBIT, not {row['direction']!r}")
        out.append(
            BankEntry(
                entry_id=str(row["entry_id"]),
                account=str(row["account"]),
                booking_date=row["booking_date"],
                value_date=row["value_date"],
                amount_vnd=row["amount_vnd"],
                direction=row["direction"],
                reference=row["reference"] or None,
                remittance=row["remittance"] or None,
            )
        )
    return out


def _is_date(value: object) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def signed(entry: BankEntry) -> int:
    """The entry's effect on the balance: credits add, debits subtract."""
    return entry.amount_vnd if entry.direction == "CRDT" else -entry.amount_vnd


def split_at_spaces(text: str, width: int) -> list[str]:
    """Cut text into pieces of at most `width` characters, each cut on a single space
    that is dropped, so that joining the pieces with one space gives the text back.
    A word longer than `width` is cut where it must (that one is not reversible)."""
    parts: list[str] = []
    while len(text) > width:
        cut = next(
            (i for i in range(width, 0, -1)
             if text[i] == " " and text[i - 1] != " " and text[i + 1 : i + 2] not in (" ", "")),
            None,
        )  # fmt: skip
        if cut is None:
            parts.append(text[:width])
            text = text[width:]
        else:
            parts.append(text[:cut])
            text = text[cut + 1 :]
    parts.append(text)
    return parts
