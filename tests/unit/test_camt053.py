"""The camt.053 reader: one row per entry (per TxDtls of a split batch), values as
written, reader-level refusals as `_reason`, unreadable files refused whole."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bank_helpers import FIXTURES, sample, write

from etc.errors import ReadError
from etc.readers.base import BANK_COLUMNS, BOOKKEEPING, MESSAGE, REASON, ROW
from etc.readers.camt053 import read_camt053

COLS = ("entry_id", "account", "booking_date", "value_date", "amount_vnd", "currency",
        "direction", "reference", "remittance", ROW, REASON, MESSAGE)  # fmt: skip
V08_NS = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def rows(path: Path) -> list[tuple[object, ...]]:
    return read_camt053(path).data.select(COLS).rows()


def document(entries: str, *, ns: str = V08_NS, account: str = "0071000888999") -> str:
    """A camt.053 with one statement `S1` of `account` holding `entries` (Ntry XML)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="{ns}"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2025-01-15T23:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><Othr><Id>{account}</Id></Othr></Id></Acct>
{entries}
</Stmt></BkToCstmrStmt></Document>
"""


def entry(body: str, *, amount: str = '<Amt Ccy="VND">1000.00</Amt>',
          mark: str = "<CdtDbtInd>CRDT</CdtDbtInd>",
          status: str = "<Sts><Cd>BOOK</Cd></Sts>") -> str:  # fmt: skip
    return (f"<Ntry>{amount}{mark}{status}<BookgDt><Dt>2025-01-15</Dt></BookgDt>"
            f"{body}</Ntry>")  # fmt: skip


# --- the hand-written fixtures -------------------------------------------------------


def test_v02_fixture_every_kind_of_entry() -> None:
    acct = "GB82WEST12345698765432"
    assert rows(FIXTURES / "camt053_v02.xml") == [
        ("VCB250115000001", acct, "2025-01-15", "2025-01-15", "1250000.00", "VND", "CRDT",
         "BATCH-VETC-20250114-01", "Thanh toán phí đường bộ lô 20250114-01", 1, None, None),
        # the batch entry of 3,000,000 split into its two transactions
        ("VCB250115000002/1", acct, "2025-01-15", "2025-01-16", "1800000.00", "VND", "CRDT",
         "BATCH-EPASS-0001", "ePass lo 0001", 2, None, None),
        ("VCB250115000002/2", acct, "2025-01-15", "2025-01-16", "1200000.00", "VND", "CRDT",
         "BATCH-EPASS-0002", "ePass lo 0002", 2, None, None),
        # a reversal: CdtDbtInd DBIT is already the net effect
        ("VCB250115000003", acct, "2025-01-15", "2025-01-15", "500000.00", "VND", "DBIT",
         "BATCH-VETC-20250110-07", "Reversal of BATCH-VETC-20250110-07", 3, None, None),
        # NtryRef when there is no AcctSvcrRef; NOTPROVIDED is no reference; Ustrd folded
        ("NR-0004", acct, "2025-01-15", "2025-01-15", "22000.00", "VND", "DBIT", "",
         "PHI QUAN LY TAI KHOAN THANG 01/2025 SO TK 12345698765432", 4, None, None),
        # pending: read, then refused by the reader itself; no reference → statement id#n
        ("VCB-20250115#5", acct, "", "2025-01-16", "750000.00", "VND", "CRDT", "", "", 5,
         "NOT_BOOKED", "entry status is PDNG, not BOOK"),
    ]  # fmt: skip


def test_v13_fixture_two_statements_without_iban() -> None:
    a1, a2 = "0071000888999", "0071000777666"
    assert rows(FIXTURES / "camt053_v13.xml") == [
        # BookgDt as DtTm: its date part
        ("FT25015ABC01", a1, "2025-01-15", "2025-01-15", "2500000.00", "VND", "CRDT",
         "BATCH-VETC-20250114-02", "VETC chuyen tien lo 20250114-02", 1, None, None),
        # batch whose TxDtls have no amount: one row, distinct EndToEndIds in order
        ("FT25015ABC02", a1, "2025-01-15", "2025-01-15", "4000000.00", "VND", "CRDT",
         "B-1 B-2", "part one part two", 2, None, None),
        # batch whose TxDtls amounts do not add up to the booked amount: one row
        ("FT25015XYZ01", a2, "2025-01-15", "2025-01-16", "2100000.00", "VND", "CRDT",
         "BATCH-X-1 BATCH-X-2", "", 3, None, None),
        ("FT25015XYZ02", a2, "2025-01-15", "", "99000.00", "VND", "", "", "", 4,
         "MALFORMED_LINE", "entry has no credit/debit mark (Ntry/CdtDbtInd)"),
        # entry 3 of the second statement: no AcctSvcrRef nor NtryRef
        ("BIDV-0071000777666-20250115#3", a2, "2025-01-15", "2025-01-15", "50000.00", "VND",
         "DBIT", "", "Phí dịch vụ SMS", 5, None, None),
    ]  # fmt: skip


def test_raw_is_the_entry_as_it_stands_in_the_file() -> None:
    path = FIXTURES / "camt053_v02.xml"
    text = path.read_text(encoding="utf-8")
    raws = read_camt053(path).data["__etc_raw"].to_list()
    in_file = re.findall(r"<Ntry>.*?</Ntry>", text, flags=re.DOTALL)
    assert raws == [in_file[0], in_file[1], in_file[1], *in_file[2:]]  # split rows share it


# --- the real samples ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["camt053.v2.multi.statement.xml", "camt053.v8.xml"])
def test_real_sample_every_entry_accounted_for(name: str) -> None:
    path = sample(name)
    entries = len(re.findall(r"<(?:\w+:)?Ntry[\s>]", path.read_text(encoding="utf-8")))
    data = read_camt053(path).data
    # no batch is split in these samples: one row per <Ntry>, numbered 1..n
    assert data["__etc_row"].to_list() == list(range(1, entries + 1))
    assert data["__etc_reason"].null_count() == data.height


def test_real_sample_v2_multi_statement_values() -> None:
    assert rows(sample("camt053.v2.multi.statement.xml")) == [
        ("253EURNL26VAYB8060476890#1", "NL26VAYB8060476890", "2014-12-31", "2015-01-02",
         "8.85", "EUR", "CRDT", "000000001", "Transaction Description 1", 1, None, None),
        ("254EURNL26VAYB8060476890#1", "NL26VAYB8060476890", "2014-12-31", "2015-01-02",
         "7.00", "EUR", "DBIT", "000000002", "Transaction Description 2", 2, None, None),
    ]  # fmt: skip


def test_real_sample_v8_values() -> None:
    # Othr/Id account, BookgDt as DtTm, Sts/Cd, a single TxDtls (amount 0 SEK, not split),
    # remittance only structured (Strd), so no Ustrd text.
    assert rows(sample("camt053.v8.xml")) == [
        ("AAAASESS-FP-CN_98765/01", "NL26VAYB8060476890", "2014-12-31", "2015-01-02", "8.85",
         "EUR", "CRDT", "MUELL/FINP/RA12345", "", 1, None, None),
    ]  # fmt: skip


# --- entries written inline ------------------------------------------------------------


def test_any_namespace_prefix_or_none(tmp_path: Path) -> None:
    body = entry("<AcctSvcrRef>E1</AcctSvcrRef>")
    plain = document(body, ns="")
    prefixed = document(body).replace("<", "<c:").replace("<c:/", "</c:").replace("<c:?", "<?")
    prefixed = prefixed.replace(f'xmlns="{V08_NS}"', f'xmlns:c="{V08_NS}"')
    expected = [("E1", "0071000888999", "2025-01-15", "", "1000.00", "VND", "CRDT", "", "",
                 1, None, None)]  # fmt: skip
    assert rows(write(tmp_path, "plain.xml", plain)) == expected
    assert rows(write(tmp_path, "prefixed.xml", prefixed)) == expected


def test_status_as_plain_code_proprietary_or_missing(tmp_path: Path) -> None:
    doc = document(
        entry("<AcctSvcrRef>A</AcctSvcrRef>", status="<Sts>BOOK</Sts>")
        + entry("<AcctSvcrRef>B</AcctSvcrRef>", status="<Sts><Prtry>INFO</Prtry></Sts>")
        + entry("<AcctSvcrRef>C</AcctSvcrRef>", status="")
    )
    data = read_camt053(write(tmp_path, "s.xml", doc)).data
    assert data.select("entry_id", "__etc_reason", "__etc_message").rows() == [
        ("A", None, None),
        ("B", "NOT_BOOKED", "entry status is INFO, not BOOK"),
        ("C", "MALFORMED_LINE", "entry has no status (Ntry/Sts)"),
    ]


def test_entries_without_amount_or_currency_are_malformed(tmp_path: Path) -> None:
    doc = document(
        entry("<AcctSvcrRef>A</AcctSvcrRef>", amount="")
        + entry("<AcctSvcrRef>B</AcctSvcrRef>", amount="<Amt Ccy='VND'> </Amt>")
        + entry("<AcctSvcrRef>C</AcctSvcrRef>", amount="<Amt>1000.00</Amt>")
    )
    data = read_camt053(write(tmp_path, "s.xml", doc)).data
    assert data.select("entry_id", "amount_vnd", "__etc_reason", "__etc_message").rows() == [
        ("A", "", "MALFORMED_LINE", "entry has no amount (Ntry/Amt missing or empty)"),
        ("B", "", "MALFORMED_LINE", "entry has no amount (Ntry/Amt missing or empty)"),
        ("C", "1000.00", "MALFORMED_LINE", "entry amount has no currency (Ntry/Amt/@Ccy)"),
    ]


def test_batch_split_keeps_each_transactions_own_direction(tmp_path: Path) -> None:
    tx = ("<TxDtls><Refs><EndToEndId>{ref}</EndToEndId></Refs><Amt Ccy='VND'>{amt}</Amt>"
          "{mark}<RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls>")  # fmt: skip
    details = (
        "<NtryDtls>"
        + tx.format(ref="P-1", amt="1000.00", mark="", text="một")
        + "</NtryDtls><NtryDtls>"  # TxDtls spread over two NtryDtls are one batch
        + tx.format(ref="NOTPROVIDED", amt="100", mark="<CdtDbtInd>DBIT</CdtDbtInd>", text="hai")
        + "</NtryDtls>"
    )
    doc = document(entry(f"<NtryRef>N7</NtryRef>{details}", amount="<Amt Ccy='VND'>900</Amt>"))
    assert rows(write(tmp_path, "b.xml", doc)) == [
        ("N7/1", "0071000888999", "2025-01-15", "", "1000.00", "VND", "CRDT", "P-1", "một",
         1, None, None),
        ("N7/2", "0071000888999", "2025-01-15", "", "100", "VND", "DBIT", "", "hai",
         1, None, None),
    ]  # fmt: skip


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    doc = document(entry("<AcctSvcrRef>E1</AcctSvcrRef>"))
    path = write(tmp_path, "bom.xml", b"\xef\xbb\xbf" + doc.encode("utf-8"))
    assert read_camt053(path).data["entry_id"].to_list() == ["E1"]


def test_a_statement_without_entries_gives_an_empty_frame(tmp_path: Path) -> None:
    data = read_camt053(write(tmp_path, "empty.xml", document(""))).data
    assert data.height == 0
    assert data.columns == [*BANK_COLUMNS, *BOOKKEEPING]


# --- whole-file refusals ---------------------------------------------------------------


@pytest.mark.parametrize(("name", "line", "problem"), [
    ("broken_not_camt.xml", None,
     "not a camt.053 statement: <Document> holds <BkToCstmrAcctRpt>, not <BkToCstmrStmt>"),
    ("broken_doctype.xml", 2, "the XML has a DOCTYPE declaration"),
    ("broken_truncated.xml", 58, "not well-formed XML: no element found"),
])  # fmt: skip
def test_broken_fixtures_are_refused_whole(name: str, line: int | None, problem: str) -> None:
    path = FIXTURES / name
    with pytest.raises(ReadError) as info:
        read_camt053(path)
    assert info.value.path == str(path)
    assert info.value.line == line
    assert problem in info.value.problem
    assert str(path) in str(info.value) and info.value.hint


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "not well-formed XML: no element found"),
    (b"<Document><BkToCstmrStmt>", "not well-formed XML"),
    ("<Document><BkToCstmrStmt/></Document>".encode("utf-16"), "not UTF-8"),
    (document(entry("<AddtlNtryInf>caf\u00e9</AddtlNtryInf>")).encode("latin-1"), "not UTF-8"),
    (b"<Statement/>", "not a camt.053 statement: <Statement> holds nothing"),
    (b'<!DOCTYPE d SYSTEM "http://example.invalid/x.dtd"><Document/>', "DOCTYPE"),
])  # fmt: skip
def test_unreadable_files_are_refused_whole(tmp_path: Path, content: bytes, problem: str) -> None:
    path = write(tmp_path, "bad.xml", content)
    with pytest.raises(ReadError) as info:
        read_camt053(path)
    assert problem in str(info.value)
    assert str(path) in str(info.value)


def test_a_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="cannot read the file"):
        read_camt053(tmp_path / "absent.xml")
