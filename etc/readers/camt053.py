"""ISO 20022 camt.053 (bank-to-customer statement) reader, versions .001.02 to .001.13.

Elements are matched by local name, so any namespace (or none) is read the same
way. One row per `Ntry`, or one row per `TxDtls` of a batch entry whose every
transaction carries its own amount and whose amounts add up to the entry's.
Values are kept as text exactly as written; the validator parses and checks
them. The file is refused whole (ReadError) when it is not UTF-8, not
well-formed, has a DOCTYPE (entity tricks), is larger than MAX_BYTES, or is not a
camt.053 document.

Why no defusedxml: its protections (no entity expansion, no external entities or
DTDs) come down to refusing what a DOCTYPE declares, and the first expat pass
here refuses any DOCTYPE before a single entity is defined; ElementTree resolves
no external entities or XIncludes on its own. Depth costs nothing extra (both
passes are iterative), and size is capped by MAX_BYTES.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
import xml.parsers.expat
from decimal import Decimal, InvalidOperation
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

__all__ = ["COLUMNS", "read_camt053"]

COLUMNS = BANK_COLUMNS

FORMAT = "camt053"
NOT_PROVIDED = "NOTPROVIDED"
ENTRY_PATH = ["BkToCstmrStmt", "Stmt", "Ntry"]

Row = dict[str, str | int | None]

MAX_BYTES = 32 << 20
"""The largest camt.053 file read (32 MiB, some 25,000 entries). The reader holds
the document and its tree in memory, about 17 times the file's size; a day's
statement of one account is far smaller, and a larger file is refused before a
byte of it is read, so memory stays bounded."""


def read_camt053(path: Path) -> RawFrame:
    """Read every entry of every `<Stmt>` of a camt.053 file, in file order."""
    root, raws = _parse(path)
    if _local(root.tag) != "Document" or _find(root, "BkToCstmrStmt") is None:
        inside = " ".join(f"<{_local(child.tag)}>" for child in root) or "nothing"
        raise ReadError(
            f"not a camt.053 statement: <{_local(root.tag)}> holds {inside}, "
            "not <BkToCstmrStmt>",
            path=path,
            hint="camt.052 reports and camt.054 notifications are not statements; "
            "ask the bank for the camt.053 end-of-day file",
        )
    rows: list[Row] = []
    position = 0
    for stmt in _findall(root, "BkToCstmrStmt/Stmt"):
        stmt_id = _text(stmt, "Id")
        account = _text(stmt, "Acct/Id/IBAN") or _text(stmt, "Acct/Id/Othr/Id")
        for n, ntry in enumerate(_findall(stmt, "Ntry"), start=1):
            position += 1
            rows.extend(_entry_rows(ntry, stmt_id, account, n, position, raws[position - 1]))
    return RawFrame(path=path, format=FORMAT, data=bank_frame(rows))


def _entry_rows(
    ntry: ET.Element, stmt_id: str, account: str, n: int, position: int, raw: str
) -> list[Row]:
    """The row(s) of one `<Ntry>`: n is its place in the statement, position in the file."""
    amt = _find(ntry, "Amt")
    base: Row = {
        "entry_id": _text(ntry, "AcctSvcrRef") or _text(ntry, "NtryRef") or f"{stmt_id}#{n}",
        "account": account,
        "booking_date": _date(ntry, "BookgDt"),
        "value_date": _date(ntry, "ValDt"),
        "amount_vnd": _text(ntry, "Amt"),
        "currency": (amt.get("Ccy") or "").strip() if amt is not None else "",
        "direction": _text(ntry, "CdtDbtInd"),
        ROW: position,
        RAW: raw,
        REASON: None,
        MESSAGE: None,
    }
    reason, message = _refusal(ntry, base)
    base[REASON], base[MESSAGE] = reason, message
    txs = _findall(ntry, "NtryDtls/TxDtls")
    amounts = _split_amounts(base, txs) if reason != Reason.MALFORMED_LINE else None
    if amounts is not None:
        return [
            base | {
                "entry_id": f"{base['entry_id']}/{i}",
                "amount_vnd": (tx_amt.text or "").strip(),
                "currency": (tx_amt.get("Ccy") or "").strip(),
                "direction": _text(tx, "CdtDbtInd") or base["direction"],
                "reference": _end_to_end([tx]),
                "remittance": _remittance([tx]),
            }
            for i, (tx, tx_amt) in enumerate(zip(txs, amounts, strict=True), start=1)
        ]  # fmt: skip
    return [base | {"reference": _end_to_end(txs), "remittance": _remittance(txs)}]


def _refusal(ntry: ET.Element, row: Row) -> tuple[Reason | None, str | None]:
    """(reason, message) when the reader itself must quarantine the entry."""
    if not row["amount_vnd"]:
        return Reason.MALFORMED_LINE, "entry has no amount (Ntry/Amt missing or empty)"
    if not row["currency"]:
        return Reason.MALFORMED_LINE, "entry amount has no currency (Ntry/Amt/@Ccy)"
    if not row["direction"]:
        return Reason.MALFORMED_LINE, "entry has no credit/debit mark (Ntry/CdtDbtInd)"
    # v2–v6: <Sts>BOOK</Sts>; v7 and later: <Sts><Cd>BOOK</Cd></Sts> (or <Prtry>).
    status = _text(ntry, "Sts/Cd") or _text(ntry, "Sts/Prtry") or _text(ntry, "Sts")
    if not status:
        return Reason.MALFORMED_LINE, "entry has no status (Ntry/Sts)"
    if status.upper() != "BOOK":
        return Reason.NOT_BOOKED, f"entry status is {status}, not BOOK"
    return None, None


def _split_amounts(entry: Row, txs: list[ET.Element]) -> list[ET.Element] | None:
    """The `Amt` of each TxDtls when the batch entry is to be split, else None.

    Split only when there are several TxDtls, each with its own amount in the
    entry's currency, and their signed sum equals the entry's signed amount: the
    entry's booked amount is what reached the account, so it wins otherwise.
    """
    if len(txs) < 2:
        return None
    amounts: list[ET.Element] = []
    total = Decimal(0)
    for tx in txs:
        amt = _tx_amount(tx)
        value = _decimal(amt.text) if amt is not None else None
        if amt is None or value is None or (amt.get("Ccy") or "").strip() != entry["currency"]:
            return None
        direction = _text(tx, "CdtDbtInd") or entry["direction"]
        if direction not in ("CRDT", "DBIT"):
            return None
        total += value if direction == "CRDT" else -value
        amounts.append(amt)
    booked = _decimal(str(entry["amount_vnd"]))
    if booked is None or total != (booked if entry["direction"] == "CRDT" else -booked):
        return None
    return amounts


def _tx_amount(tx: ET.Element) -> ET.Element | None:
    """TxDtls/Amt (v3 and later), else TxDtls/AmtDtls/TxAmt/Amt; None if empty."""
    for path in ("Amt", "AmtDtls/TxAmt/Amt"):
        amt = _find(tx, path)
        if amt is not None and (amt.text or "").strip():
            return amt
    return None


def _decimal(text: str | None) -> Decimal | None:
    try:
        value = Decimal((text or "").strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _end_to_end(txs: list[ET.Element]) -> str:
    """Distinct EndToEndIds in order of appearance, NOTPROVIDED left out."""
    seen: list[str] = []
    for tx in txs:
        ref = _text(tx, "Refs/EndToEndId")
        if ref and ref.upper() != NOT_PROVIDED and ref not in seen:
            seen.append(ref)
    return " ".join(seen)


def _remittance(txs: list[ET.Element]) -> str:
    """Every RmtInf/Ustrd, each with its line breaks folded, joined by one space."""
    parts: list[str] = []
    for tx in txs:
        for ustrd in _findall(tx, "RmtInf/Ustrd"):
            lines = (line.strip() for line in (ustrd.text or "").splitlines())
            text = " ".join(line for line in lines if line)
            if text:
                parts.append(text)
    return " ".join(parts)


def _date(elem: ET.Element, name: str) -> str:
    """`<name><Dt>` or the date part of `<name><DtTm>` as written; "" when absent."""
    return _text(elem, f"{name}/Dt") or _text(elem, f"{name}/DtTm")[:10]


def _parse(path: Path) -> tuple[ET.Element, list[str]]:
    """The document and the text of each `Stmt/Ntry` as it stands in the file.

    Refuses (ReadError) a file that is not UTF-8, has a DOCTYPE or is not
    well-formed XML.
    """
    size = path.stat().st_size if path.is_file() else 0  # a missing file: read_utf8 says so
    if size > MAX_BYTES:
        raise ReadError(f"the camt.053 file is {size:,} bytes, over the {MAX_BYTES:,} read",
                        path=path, hint="ask the bank for one statement per account and day")
    text = read_utf8(path, hint="camt.053 files are UTF-8; ask the bank for a UTF-8 export")
    scan = _EntryScan(text)
    try:
        scan.parser.Parse(text, True)
    except _DoctypeFound as err:
        raise ReadError(
            "the XML has a DOCTYPE declaration, refused (entity expansion is unsafe)",
            path=path,
            line=scan.parser.CurrentLineNumber,
            hint="camt.053 never needs a DOCTYPE; remove it or ask the bank for a clean file",
        ) from err
    except xml.parsers.expat.ExpatError as err:
        problem = xml.parsers.expat.errors.messages[err.code]
        raise ReadError(
            f"not well-formed XML: {problem} (column {err.offset + 1})",
            path=path,
            line=err.lineno,
            hint="the file is damaged or truncated; fetch it again from the bank",
        ) from err
    return ET.fromstring(text), scan.raws


class _DoctypeFound(Exception):
    pass


class _EntryScan:
    """One expat pass before the tree is built: refuses DOCTYPEs and cuts out the
    source text of every `Document/BkToCstmrStmt/Stmt/Ntry`, in document order (the
    order in which `read_camt053` walks the tree)."""

    def __init__(self, text: str) -> None:
        self.data = text.encode("utf-8")  # expat's byte offsets are into the UTF-8 text
        self.raws: list[str] = []
        self.stack: list[str] = []
        self.start = 0
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.StartElementHandler = self.open
        self.parser.EndElementHandler = self.close

    def doctype(self, *_args: object) -> None:
        raise _DoctypeFound

    def open(self, name: str, _attrs: object) -> None:
        self.stack.append(name.rsplit(":", 1)[-1])
        if self.stack[1:] == ENTRY_PATH:
            self.start = self.parser.CurrentByteIndex

    def close(self, _name: str) -> None:
        if self.stack[1:] == ENTRY_PATH:
            end = self.data.index(b">", self.parser.CurrentByteIndex) + 1
            self.raws.append(self.data[self.start : end].decode("utf-8"))
        self.stack.pop()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _findall(elem: ET.Element, path: str) -> list[ET.Element]:
    """All descendants along a path of local names (every step may branch)."""
    nodes = [elem]
    for part in path.split("/"):
        nodes = [child for node in nodes for child in node if _local(child.tag) == part]
    return nodes


def _find(elem: ET.Element, path: str) -> ET.Element | None:
    found = _findall(elem, path)
    return found[0] if found else None


def _text(elem: ET.Element, path: str) -> str:
    node = _find(elem, path)
    return (node.text or "").strip() if node is not None else ""
