"""SWIFT MT940 (customer statement) reader.

Reads plain files and files wrapped in SWIFT `{1:…}{2:…}{4:` … `-}` envelopes,
several statements per file, with bank header lines before `:20:` (skipped),
`:28:` or `:28C:`, `:60F:` or `:60M:`. One row per `:61:`, its `:86:` lines giving
the remittance. Amounts stay decimal text (the comma becomes a dot); the
validator parses and checks them. A `:61:` that cannot be split into its
subfields becomes a MALFORMED_LINE row. The file is refused whole (ReadError)
when it is not UTF-8, has no MT940 field tags at all, or has a statement without `:25:`
(or with entries but no `:60F:`/`:60M:` to give their currency).

Encoding: UTF-8 only (a BOM is allowed). MT940 sent over SWIFT is restricted to
the SWIFT X character set, plain ASCII, so UTF-8 reads every real statement
routed by SWIFT. Portal exports in a single-byte code page (Latin-1 in Europe,
Windows-1258 for Vietnamese) are refused with a hint rather than decoded as
Latin-1, which would turn Vietnamese text into silent mojibake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from etc.errors import ReadError
from etc.readers.base import (
    BANK_COLUMNS,
    MESSAGE,
    RAW,
    REASON,
    ROW,
    RawFrame,
    bank_frame,
    read_utf8,
)
from etc.reasons import Reason

__all__ = ["COLUMNS", "read_mt940"]

FORMAT = "mt940"
COLUMNS = BANK_COLUMNS
MT940_TAGS = frozenset({"20", "21", "25", "28", "28C", "60F", "60M", "61", "62F", "62M", "64",
                        "65", "86"})  # fmt: skip
DIRECTIONS = {"C": "CRDT", "RD": "CRDT", "D": "DBIT", "RC": "DBIT"}
NONREF = "NONREF"

_TAG = re.compile(r":(\d{2}[A-Z]?):(.*)")
_BALANCE = re.compile(r"[CD]\d{6}([A-Z]{3})")
_MARK = re.compile(r"(RC|RD|C|D)([A-Z](?=\d))?")
_AMOUNT = re.compile(r"\d+,\d*")
_TYPE = re.compile(r"[NFS][A-Z0-9]{3}")

Row = dict[str, str | int | None]


@dataclass
class _Field:
    """One field: its tag, the line number of the tag line, its lines as in the file."""

    tag: str
    line: int
    raw: list[str]

    @property
    def lines(self) -> list[str]:
        """The content: the first line without its tag, then the continuation lines."""
        return [self.raw[0][len(self.tag) + 2 :], *self.raw[1:]]


@dataclass
class _Statement:
    line: int
    reference: str = ""
    account: str = ""
    sequence: str = ""
    currency: str = ""
    entries: list[tuple[_Field, _Field | None]] = field(default_factory=list)
    last_tag: str = ""

    def add(self, fld: _Field) -> None:
        first = fld.lines[0].strip()
        if fld.tag == "20":
            self.reference = first
        elif fld.tag == "25":
            self.account = first
        elif fld.tag in ("28", "28C"):
            self.sequence = first
        elif fld.tag in ("60F", "60M") and not self.currency:
            match = _BALANCE.match(first)
            self.currency = match[1] if match else ""
        elif fld.tag == "61":
            self.entries.append((fld, None))
        elif fld.tag == "86" and self.last_tag == "61":
            self.entries[-1] = (self.entries[-1][0], fld)
        # an :86: after anything but a :61: is statement-level information: not an entry's
        self.last_tag = fld.tag


def read_mt940(path: Path) -> RawFrame:
    """Read every `:61:` entry of every statement of an MT940 file, in file order."""
    text = read_utf8(path, hint="re-export the statement as UTF-8 "
                               "(it is probably Windows-1258 or Latin-1)")
    statements = _statements(path, text)
    rows = [
        _entry_row(stmt, position, f61, f86)
        for stmt in statements
        for position, (f61, f86) in enumerate(stmt.entries, start=1)
    ]
    return RawFrame(path=path, format=FORMAT, data=bank_frame(rows))


def _statements(path: Path, text: str) -> list[_Statement]:
    """Split the text into statements and their fields, envelopes and headers dropped."""
    statements: list[_Statement] = []
    stmt: _Statement | None = None
    fld: _Field | None = None
    any_tag = False
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, start=1):
        if line.startswith("{"):  # {1:…}{2:…}{3:…}{4: opens a message: a new statement
            _close(stmt, fld)
            stmt, fld = None, None
            _, block4, line = line.partition("{4:")
            if not block4 or not line.strip():
                continue
        elif line.startswith("-}") or line.strip() == "-":  # end of message / statement
            _close(stmt, fld)
            stmt, fld = None, None
            continue
        match = _TAG.match(line)
        if match is None:
            if fld is not None:  # continuation of the open field
                fld.raw.append(line)
            continue  # else: bank header lines before :20: ("ABNANL2A", "940")
        any_tag = any_tag or match[1] in MT940_TAGS
        _close(stmt, fld)
        if stmt is None or match[1] == "20":
            stmt = _Statement(line=number)
            statements.append(stmt)
        fld = _Field(match[1], number, [line])
    _close(stmt, fld)
    if not any_tag:
        raise ReadError(
            "not MT940: no field tags (:20:, :25:, :61:, …) found",
            path=path,
            hint="check that this is the bank's MT940 export and not another format",
        )
    for s in statements:
        name = f"statement {s.reference or '(no :20:)'}"
        if not s.account:
            raise ReadError(
                f"{name} has no :25: account",
                path=path,
                line=s.line,
                hint="every MT940 statement names its account in :25:; the file is damaged",
            )
        if s.entries and not s.currency:
            raise ReadError(
                f"{name} has no readable opening balance (:60F:/:60M: such as "
                "C250114VND0,00), so the currency of its entries is unknown",
                path=path,
                line=s.line,
                hint="every MT940 statement opens with :60F: or :60M:; the file is damaged",
            )
    return statements


def _close(stmt: _Statement | None, fld: _Field | None) -> None:
    if stmt is not None and fld is not None:
        stmt.add(fld)


def _entry_row(stmt: _Statement, position: int, f61: _Field, f86: _Field | None) -> Row:
    raw = f61.raw + (f86.raw if f86 is not None else [])
    while raw and not raw[-1].strip():
        raw = raw[:-1]
    row: Row = dict.fromkeys(COLUMNS)
    row |= {ROW: f61.line, RAW: "\n".join(raw)}
    parsed = _parse_61(f61.lines[0])
    if isinstance(parsed, str):
        return row | {REASON: Reason.MALFORMED_LINE.value, MESSAGE: f":61: {parsed}"}
    booking, value, mark, amount, customer_ref, bank_ref = parsed
    remittance = [ln.rstrip() for ln in f86.lines] if f86 is not None else []
    return row | {
        "entry_id": bank_ref or f"{stmt.reference}/{stmt.sequence}/{position}",
        "account": stmt.account,
        "booking_date": booking.isoformat(),
        "value_date": value.isoformat(),
        "amount_vnd": amount,
        "currency": stmt.currency,
        "direction": DIRECTIONS[mark],
        "reference": "" if customer_ref.upper() == NONREF else customer_ref,
        "remittance": " ".join(ln for ln in remittance if ln),
        REASON: None,
        MESSAGE: None,
    }


def _parse_61(text: str) -> tuple[date, date, str, str, str, str] | str:
    """(booking date, value date, mark, amount, customer ref, bank ref) of a `:61:`
    first line — YYMMDD[MMDD]mark[funds]amount{N|F|S}xxx ref[//bank ref] — or
    a message saying which subfield is wrong."""
    if not re.match(r"\d{6}", text):
        return _missing("value date (YYMMDD)", text)
    value = _date(2000 + int(text[:2]) if int(text[:2]) < 80 else 1900 + int(text[:2]),
                  int(text[2:4]), int(text[4:6]))  # fmt: skip
    if value is None:
        return f"value date {text[:6]} is not a date"
    rest = text[6:]
    booking = value
    if re.match(r"\d{4}", rest):  # entry date MMDD, in the value date's year or next to it
        month, day = int(rest[:2]), int(rest[2:4])
        year = value.year
        if month - value.month > 6:  # booked in December, value date in January
            year -= 1
        elif value.month - month > 6:  # booked in January, value date in December
            year += 1
        entry = _date(year, month, day)
        if entry is None:
            return f"entry date {rest[:4]} is not a date"
        booking, rest = entry, rest[4:]
    elif rest.startswith("    "):  # some banks pad a missing entry date with spaces
        rest = rest[4:]
    mark = _MARK.match(rest)
    if mark is None:
        return _missing("debit/credit mark (C, D, RC or RD)", rest)
    rest = rest[mark.end() :]
    amount = _AMOUNT.match(rest)
    if amount is None:
        return _missing("amount (digits with a decimal comma)", rest)
    rest = rest[amount.end() :]
    if not _TYPE.match(rest):
        return _missing("transaction type (N, F or S and 3 characters)", rest)
    customer_ref, _, bank_ref = rest[4:].partition("//")
    whole, _, fraction = amount[0].partition(",")
    return (booking, value, mark[1], f"{whole}.{fraction.ljust(2, '0')}",
            customer_ref.strip(), bank_ref.strip())  # fmt: skip


def _missing(subfield: str, rest: str) -> str:
    if not rest.strip():
        return f"the line ends where the {subfield} should be"
    return f"no {subfield} where {rest[:16]!r} stands"


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
