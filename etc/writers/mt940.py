"""MT940 writer: canonical bank entries → a SWIFT MT940 customer statement file.

One statement per (account, booking date): accounts in the order they first
appear, their days in date order, entries in the order given. Each account's
balance runs from 0 through its statements (`:60F:` = the previous `:62F:`).
Lines end in CRLF, as SWIFT writes them; the text is UTF-8 (Vietnamese
remittance text is kept, not transliterated to the SWIFT X character set).

`:61:` carries the reference as customer reference when it fits (at most 16
SWIFT characters, no `//`); otherwise `NONREF`, and the reference opens `:86:`,
as a longer batch id does in real statements. The entry id is the bank
reference after `//`, so it must be at most 16 characters. A missing value date
is written as the booking date (MT940 has no statement line without one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl

from etc.writers import BankEntry, bank_entries, signed, split_at_spaces

__all__ = ["write_mt940"]

MAX16 = 16
MAX35 = 35
LINE86 = 65
NONREF = "NONREF"
MAX_DATE_GAP = 180
"""Days allowed between value and booking date: the reader infers the booking
year from the value date, which is only unambiguous within half a year."""
_SWIFT_REF = re.compile(r"[A-Za-z0-9/\-?:().,'+]([A-Za-z0-9/\-?:().,'+ ]*[A-Za-z0-9\-?:().,'+])?")
_MISREAD = re.compile(r":\d{2}[A-Z]?:|-$|-}|\{")
"""A continuation line of `:86:` that a reader would take for a tag or a block end."""


def write_mt940(entries: pl.DataFrame, path: Path, *, envelope: bool = False) -> None:
    """Write `entries` (the canonical bank columns) as MT940 statements, each wrapped
    in a SWIFT `{1:}{2:}{4:` … `-}` envelope when `envelope` is true."""
    lines: list[str] = []
    for k, statement in enumerate(_statements(bank_entries(entries)), start=1):
        if envelope:
            lines.append(f"{{1:F01BANKVNVXAXXX0000{k:06d}}}{{2:I940ETCOVNVXXXXXN}}{{4:")
            lines.extend(statement)
            lines.append("-}")
        else:
            lines.extend(statement)
            lines.append("-")
    path.write_bytes("".join(f"{line}\r\n" for line in lines).encode("utf-8"))


def _statements(rows: list[BankEntry]) -> Iterator[list[str]]:
    """The lines of each statement, without envelope or end mark."""
    days: dict[str, dict[date, list[BankEntry]]] = {}
    for entry in rows:
        _check(entry)
        days.setdefault(entry.account, {}).setdefault(entry.booking_date, []).append(entry)
    k = 0
    for account, by_day in days.items():
        balance = 0
        for n, day in enumerate(sorted(by_day), start=1):
            k += 1
            items = by_day[day]
            closing = balance + sum(signed(e) for e in items)
            lines = [f":20:ETC{day:%y%m%d}-{k}", f":25:{account}", f":28C:{n}/1",
                     f":60F:{_balance(balance, day)}"]  # fmt: skip
            for entry in items:
                lines.extend(_entry_lines(entry))
            lines.append(f":62F:{_balance(closing, day)}")
            balance = closing
            yield lines


def _entry_lines(entry: BankEntry) -> list[str]:
    value = entry.value_date or entry.booking_date
    mark = "C" if entry.direction == "CRDT" else "D"
    ref = entry.reference
    fits = ref is not None and len(ref) <= MAX16 and _fits_61(ref)
    customer = ref if fits and ref is not None else NONREF
    text = " ".join(t for t in (None if fits else ref, entry.remittance) if t)
    lines = [
        f":61:{value:%y%m%d}{entry.booking_date:%m%d}{mark}{entry.amount_vnd},00"
        f"NTRF{customer}//{entry.entry_id}"
    ]
    if text:
        parts = split_at_spaces(text, LINE86)
        if any(_MISREAD.match(part) for part in parts[1:]):
            raise ValueError(f"entry {entry.entry_id!r}: :86: text {text!r} would be misread")
        lines.append(f":86:{parts[0]}")
        lines.extend(parts[1:])
    return lines


def _fits_61(ref: str) -> bool:
    """A reference MT940 can carry in :61: (SWIFT characters, no `//`, not NONREF)."""
    return bool(_SWIFT_REF.fullmatch(ref)) and "//" not in ref and ref.upper() != NONREF


def _check(entry: BankEntry) -> None:
    where = f"entry {entry.entry_id!r}"
    if len(entry.entry_id) > MAX16 or entry.entry_id != entry.entry_id.strip():
        raise ValueError(f"{where}: MT940 bank references are at most 16 characters, unpadded")
    if len(entry.account) > MAX35:
        raise ValueError(f"{where}: account {entry.account!r} is longer than 35 characters")
    texts = (entry.entry_id, entry.account, entry.reference or "", entry.remittance or "")
    if any("\n" in t or "\r" in t for t in texts):
        raise ValueError(f"{where}: MT940 fields cannot hold line breaks")
    value = entry.value_date or entry.booking_date
    if abs((entry.booking_date - value).days) > MAX_DATE_GAP:
        raise ValueError(f"{where}: value and booking dates more than {MAX_DATE_GAP} days apart")
    if not all(1980 <= d.year <= 2079 for d in (value, entry.booking_date)):
        raise ValueError(f"{where}: MT940 two-digit years are read as 1980–2079")


def _balance(amount: int, day: date) -> str:
    return f"{'C' if amount >= 0 else 'D'}{day:%y%m%d}VND{abs(amount)},00"
