"""camt.053 writer: canonical bank entries → an ISO 20022 bank-to-customer statement.

One `<Stmt>` per account (accounts and entries in the order given), amounts in
VND with two decimals, an opening balance (OPBD) of 0 on the first booking date
and a closing balance (CLBD) that is the opening plus the entries. The same
input always gives the same bytes.

What changes between the versions written here (.001.02 – .001.13): only the
namespace and `Ntry/Sts`, a bare code `<Sts>BOOK</Sts>` up to .001.06 and the
choice `<Sts><Cd>BOOK</Cd></Sts>` from .001.07 on (EntryStatus1Choice). Every
other element written exists, in the same place, in all of them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path

import polars as pl

from etc.writers import BankEntry, bank_entries, signed, split_at_spaces

__all__ = ["write_camt053"]

VERSIONS = range(2, 14)
STATUS_CHOICE_FROM = 7
"""First version whose `Ntry/Sts` is EntryStatus1Choice (`<Sts><Cd>…</Cd></Sts>`)."""
NOT_PROVIDED = "NOTPROVIDED"
MAX35 = 35
MAX_USTRD = 140
_IBAN = re.compile(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def write_camt053(
    entries: pl.DataFrame,
    path: Path,
    *,
    message_id: str,
    created_at: datetime,
    version: int = 8,
) -> None:
    """Write `entries` (the canonical bank columns) as a camt.053.001.<version> file."""
    if version not in VERSIONS:
        raise ValueError(f"camt.053 version must be 2 to 13, not {version}")
    _check_max35("message_id", message_id)
    rows = bank_entries(entries)
    accounts: dict[str, list[BankEntry]] = {}
    for entry in rows:
        _check_max35("entry_id", entry.entry_id)
        _check_max35("reference", entry.reference or "")
        _check_max35("account", entry.account)
        for text in (entry.entry_id, entry.account, entry.reference, entry.remittance):
            if text and _NOT_XML.search(text):
                raise ValueError(f"entry {entry.entry_id!r}: {text!r} has a character XML forbids")
        accounts.setdefault(entry.account, []).append(entry)

    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}"
    stamp = created_at.isoformat(timespec="seconds")
    root = ET.Element("Document", {"xmlns": ns})
    statement = _sub(root, "BkToCstmrStmt")
    header = _sub(statement, "GrpHdr")
    _sub(header, "MsgId", message_id)
    _sub(header, "CreDtTm", stamp)
    for n, (account, items) in enumerate(accounts.items(), start=1):
        _statement(statement, _statement_id(message_id, n), stamp, n, account, items, version)
    ET.indent(root, space="  ")
    text = ET.tostring(root, encoding="unicode", xml_declaration=False)
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n{text}\n', encoding="utf-8")


def _statement(
    parent: ET.Element,
    stmt_id: str,
    stamp: str,
    seq: int,
    account: str,
    items: list[BankEntry],
    version: int,
) -> None:
    stmt = _sub(parent, "Stmt")
    _sub(stmt, "Id", stmt_id)
    _sub(stmt, "ElctrncSeqNb", str(seq))
    _sub(stmt, "CreDtTm", stamp)
    acct = _sub(stmt, "Acct")
    acct_id = _sub(acct, "Id")
    if _is_iban(account):
        _sub(acct_id, "IBAN", account)
    else:
        _sub(_sub(acct_id, "Othr"), "Id", account)
    _sub(acct, "Ccy", "VND")
    opening = 0
    closing = opening + sum(signed(e) for e in items)
    _balance(stmt, "OPBD", opening, min(e.booking_date for e in items))
    _balance(stmt, "CLBD", closing, max(e.booking_date for e in items))
    for entry in items:
        _entry(stmt, entry, version)


def _entry(stmt: ET.Element, entry: BankEntry, version: int) -> None:
    ntry = _sub(stmt, "Ntry")
    _amount(ntry, entry.amount_vnd)
    _sub(ntry, "CdtDbtInd", entry.direction)
    if version >= STATUS_CHOICE_FROM:
        _sub(_sub(ntry, "Sts"), "Cd", "BOOK")
    else:
        _sub(ntry, "Sts", "BOOK")
    _sub(_sub(ntry, "BookgDt"), "Dt", entry.booking_date.isoformat())
    if entry.value_date is not None:
        _sub(_sub(ntry, "ValDt"), "Dt", entry.value_date.isoformat())
    _sub(ntry, "AcctSvcrRef", entry.entry_id)
    domain = _sub(_sub(ntry, "BkTxCd"), "Domn")
    _sub(domain, "Cd", "PMNT")
    family = _sub(domain, "Fmly")
    _sub(family, "Cd", "RCDT" if entry.direction == "CRDT" else "ICDT")
    _sub(family, "SubFmlyCd", "DMCT")  # domestic credit transfer
    tx = _sub(_sub(ntry, "NtryDtls"), "TxDtls")
    _sub(_sub(tx, "Refs"), "EndToEndId", entry.reference or NOT_PROVIDED)
    if entry.remittance:
        info = _sub(tx, "RmtInf")
        for part in split_at_spaces(entry.remittance, MAX_USTRD):
            _sub(info, "Ustrd", part)


def _is_iban(account: str) -> bool:
    """Shape and ISO 13616 check digits (mod 97) of an IBAN."""
    if not _IBAN.fullmatch(account):
        return False
    digits = "".join(str(int(c, 36)) for c in account[4:] + account[:4])
    return int(digits) % 97 == 1


def _balance(stmt: ET.Element, code: str, amount: int, day: date) -> None:
    bal = _sub(stmt, "Bal")
    _sub(_sub(_sub(bal, "Tp"), "CdOrPrtry"), "Cd", code)
    _amount(bal, abs(amount))
    _sub(bal, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
    _sub(_sub(bal, "Dt"), "Dt", day.isoformat())


def _amount(parent: ET.Element, vnd: int) -> None:
    _sub(parent, "Amt", f"{vnd}.00").set("Ccy", "VND")


def _statement_id(message_id: str, n: int) -> str:
    suffix = f"-{n}"
    return message_id[: MAX35 - len(suffix)] + suffix


def _check_max35(name: str, value: str) -> None:
    if len(value) > MAX35:
        raise ValueError(f"{name} {value!r} is longer than the 35 characters camt.053 allows")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    child.text = text
    return child
