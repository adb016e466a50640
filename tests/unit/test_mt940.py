"""The MT940 reader: one row per :61:, located by its line number, with its :86:
text; a :61: that does not parse is kept as MALFORMED_LINE; unreadable files are
refused whole."""

from __future__ import annotations

from pathlib import Path

import pytest
from bank_helpers import FIXTURES, sample, write

from etc.errors import ReadError
from etc.readers.base import BANK_COLUMNS, BOOKKEEPING, MESSAGE, REASON, ROW
from etc.readers.mt940 import read_mt940

COLS = ("entry_id", "account", "booking_date", "value_date", "amount_vnd", "currency",
        "direction", "reference", "remittance", ROW, REASON, MESSAGE)  # fmt: skip
HEAD = ":20:S1\n:25:0071000888999\n:28C:7/1\n:60F:C250114VND0,00\n"


def rows(path: Path) -> list[tuple[object, ...]]:
    return read_mt940(path).data.select(COLS).rows()


def one_line(tmp_path: Path, line61: str) -> tuple[object, ...]:
    """The row read from a one-entry statement whose :61: content is `line61`."""
    [row] = rows(write(tmp_path, "one.sta", f"{HEAD}:61:{line61}\n:62F:C250115VND0,00\n"))
    return row


# --- the hand-written fixtures -------------------------------------------------------


def test_plain_fixture_two_statements() -> None:
    acct = "0071000888999"
    assert rows(FIXTURES / "mt940_plain.sta") == [
        ("FT25015001", acct, "2025-01-15", "2025-01-15", "1250000.00", "VND", "CRDT",
         "BATCH-VETC-0114", "VETC thanh toan lo 20250114", 7, None, None),
        # no entry date: booked on the value date; NONREF, the long batch id is in :86:
        ("FT25015002", acct, "2025-01-15", "2025-01-15", "2000000.00", "VND", "CRDT", "",
         "BATCH-EPASS-20250114-000123 ePass chuyen tien", 9, None, None),
        # RC, reversal of a credit: a debit
        ("FT25015003", acct, "2025-01-15", "2025-01-15", "500000.00", "VND", "DBIT",
         "BATCH-VETC-0110", "Hoan tra giao dich lo BATCH-VETC-0110", 11, None, None),
        # RD, reversal of a debit: a credit
        ("FT25016001", acct, "2025-01-16", "2025-01-16", "300000.00", "VND", "CRDT", "",
         "Hoan lai phi thu sai", 21, None, None),
        # no bank reference: :20:/:28C:/position; "22000," is 22000.00; :86: over 4 lines
        ("STMT250116-01/16/1/2", acct, "2025-01-16", "2025-01-16", "22000.00", "VND", "DBIT",
         "", "PHI QUAN LY TAI KHOAN THANG 01/2025 SO TAI KHOAN 0071000888999", 23, None, None),
    ]  # fmt: skip
    raws = read_mt940(FIXTURES / "mt940_plain.sta").data["__etc_raw"].to_list()
    assert raws[4] == (":61:2501160116D22000,NMSCNONREF\n:86:PHI QUAN LY TAI KHOAN\n"
                       "THANG 01/2025\n\nSO TAI KHOAN 0071000888999")  # fmt: skip


def test_envelope_fixture() -> None:
    acct = "0071000888999"
    assert rows(FIXTURES / "mt940_envelope.txt") == [
        ("FT25015101", acct, "2025-01-15", "2025-01-15", "1250000.00", "VND", "CRDT",
         "BATCH-0114-01", "Thanh toán phí đường bộ VETC lô 0114-01", 6, None, None),
        # :28: and :60M: in the second message
        ("FT25016101", acct, "2025-01-16", "2025-01-16", "50000.00", "VND", "DBIT", "",
         "Phí chuyển tiền", 16, None, None),
    ]  # fmt: skip
    raws = read_mt940(FIXTURES / "mt940_envelope.txt").data["__etc_raw"].to_list()
    assert raws[0] == (":61:2501150115C1250000,00NTRFBATCH-0114-01//FT25015101\nVETC JSC\n"
                       ":86:Thanh toán phí đường bộ VETC lô 0114-01")  # fmt: skip


def test_a_truncated_61_is_kept_as_malformed_between_good_entries() -> None:
    none9 = (None,) * 9
    assert rows(FIXTURES / "mt940_truncated_61.sta") == [
        ("FT25015901", "0071000888999", "2025-01-15", "2025-01-15", "1250000.00", "VND", "CRDT",
         "BATCH-0114-01", "first entry, intact", 5, None, None),
        (*none9, 7, "MALFORMED_LINE",
         ":61: the line ends where the amount (digits with a decimal comma) should be"),
        ("FT25015903", "0071000888999", "2025-01-15", "2025-01-15", "750000.00", "VND", "CRDT",
         "BATCH-0114-03", "", 9, None, None),
    ]  # fmt: skip
    raw = read_mt940(FIXTURES / "mt940_truncated_61.sta").data["__etc_raw"][1]
    assert raw == ":61:2501150115C\n:86:this entry was cut after its mark"


# --- the real samples ------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mt940_abnamro.sta", "mt940_asnb_envelope.txt"])
def test_real_sample_every_entry_accounted_for(name: str) -> None:
    path = sample(name)
    lines = path.read_text(encoding="utf-8").splitlines()
    at = [number for number, line in enumerate(lines, start=1) if line.startswith(":61:")]
    data = read_mt940(path).data
    assert data["__etc_row"].to_list() == at
    assert data["__etc_reason"].null_count() == data.height


def test_real_sample_abnamro_values() -> None:
    got = rows(sample("mt940_abnamro.sta"))
    assert len(got) == 10
    # "D9," has no decimals; three :86: lines; bank header lines before :20: skipped
    assert got[0] == (
        "ABN AMRO BANK NV/19321/1/1", "517852257", "2011-05-24", "2011-05-24", "9.00", "EUR",
        "DBIT", "", "GIRO   428428 KPN - DIGITENNE    BETALINGSKENM.  000000042188659 "
        "5314606715                       BETREFT FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW",
        8, None, None,
    )  # fmt: skip
    # value date 21 May, booked 23 May; a blank line before the next :61: is not text
    assert got[5] == (
        "ABN AMRO BANK NV/19321/1/6", "517852257", "2011-05-23", "2011-05-21", "15.49", "EUR",
        "DBIT", "", "BEA   NR:XXX1234   21.05.11/12.55 DIRX FIL6017 KATWIJK ZH ,PAS999",
        20, None, None,
    )  # fmt: skip
    # second statement: :28C: and :60M:
    assert got[9][:7] == (
        "ABN AMRO BANK NV/19322/1/2", "517852257", "2011-05-24", "2011-05-24", "15.00", "EUR",
        "DBIT",
    )  # fmt: skip


def test_real_sample_asnb_values() -> None:
    got = rows(sample("mt940_asnb_envelope.txt"))
    assert len(got) == 8
    # an 18-character customer reference is kept whole; the supplementary details line
    # after :61: is not remittance; blank :86: lines are dropped
    assert got[0] == (
        "0000000000/1/1/1", "NL81ASNB9999999999", "2020-01-01", "2020-01-01", "65.00", "EUR",
        "DBIT", "NL47INGB9999999999", "NL47INGB9999999999 hr gjlm paulissen Betaling sieraden",
        6, None, None,
    )  # fmt: skip
    # :61: without customer reference, :86: whose first line is empty
    assert got[3] == (
        "0000000000/25/1/1", "NL81ASNB9999999999", "2020-01-25", "2020-01-25", "1.65", "EUR",
        "DBIT", "", "Kosten gebruik betaalrekening inclusief 1 betaalpas", 198, None, None,
    )  # fmt: skip


# --- :61: lines written inline --------------------------------------------------------


@pytest.mark.parametrize(("line61", "booking", "value"), [
    ("2501021231D1,00NTRFX//B1", "2024-12-31", "2025-01-02"),  # booked in Dec, value in Jan
    ("2412310102D1,00NTRFX//B1", "2025-01-02", "2024-12-31"),  # booked in Jan, value in Dec
    ("8001011231D1,00NTRFX//B1", "1979-12-31", "1980-01-01"),  # the two-digit year pivot
    ("791231D1,00NTRFX//B1", "2079-12-31", "2079-12-31"),
    ("240229    D1,00NTRFX//B1", "2024-02-29", "2024-02-29"),  # entry date padded with spaces
])  # fmt: skip
def test_booking_year_follows_the_value_date(
    tmp_path: Path, line61: str, booking: str, value: str
) -> None:
    assert one_line(tmp_path, line61)[2:4] == (booking, value)


@pytest.mark.parametrize(("line61", "amount", "direction", "reference", "entry_id"), [
    ("2501150115C1250000,00NTRFBATCH-1//FT1", "1250000.00", "CRDT", "BATCH-1", "FT1"),
    ("2501150115D5,5NMSCNONREF//FT2", "5.50", "DBIT", "", "FT2"),
    ("2501150115RC7,NTRFnonref//FT3", "7.00", "DBIT", "", "FT3"),
    ("2501150115RD7,001NTRFREF//FT4", "7.001", "CRDT", "REF", "FT4"),
    ("2501150115CR10,00FCHGREF 2", "10.00", "CRDT", "REF 2", "S1/7/1/1"),  # funds code R
    ("2501150115C10,00S103A//B//C ", "10.00", "CRDT", "A", "B//C"),
])  # fmt: skip
def test_marks_amounts_and_references(
    tmp_path: Path, line61: str, amount: str, direction: str, reference: str, entry_id: str
) -> None:
    row = one_line(tmp_path, line61)
    assert (row[4], row[6], row[7], row[0]) == (amount, direction, reference, entry_id)


@pytest.mark.parametrize(("line61", "message"), [
    ("", "the line ends where the value date (YYMMDD) should be"),
    ("25011", "no value date (YYMMDD) where '25011' stands"),
    ("251301C1,00NTRF", "value date 251301 is not a date"),
    ("2501150230C1,00NTRF", "entry date 0230 is not a date"),
    ("2501150115X1,00NTRF", "no debit/credit mark (C, D, RC or RD) where 'X1,00NTRF' stands"),
    ("2501150115C1.250.000NTRF", "no amount (digits with a decimal comma) where '1.250.000NTRF'"),
    ("2501150115C1000NTRF", "no amount (digits with a decimal comma) where '1000NTRF' stands"),
    ("2501150115C1,00", "the line ends where the transaction type (N, F or S"),
    ("2501150115C1,00XTRF", "no transaction type (N, F or S and 3 characters) where 'XTRF'"),
])  # fmt: skip
def test_a_61_that_does_not_parse_names_the_subfield(
    tmp_path: Path, line61: str, message: str
) -> None:
    row = one_line(tmp_path, line61)
    assert row[:9] == (None,) * 9
    assert row[10] == "MALFORMED_LINE"
    assert isinstance(row[11], str) and row[11].startswith(f":61: {message}")


def test_line_endings_do_not_matter(tmp_path: Path) -> None:
    text = f"{HEAD}:61:2501150115C1,00NTRFR//B\n:86:one\ntwo\n:62F:C250115VND1,00\n"
    got = [rows(write(tmp_path, f"f{i}.sta", text.replace("\n", eol)))
           for i, eol in enumerate(("\n", "\r\n", "\r"))]  # fmt: skip
    assert got[0] == got[1] == got[2]
    assert got[0][0][8:10] == ("one two", 5)


def test_an_86_after_the_closing_balance_belongs_to_the_statement(tmp_path: Path) -> None:
    text = f"{HEAD}:61:2501150115C1,00NTRFR//B\n:62F:C250115VND1,00\n:86:statement note\n"
    assert rows(write(tmp_path, "s.sta", text))[0][8] == ""


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    text = f"{HEAD}:61:2501150115C1,00NTRFR//B\n"
    path = write(tmp_path, "bom.sta", b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert read_mt940(path).data["entry_id"].to_list() == ["B"]


def test_statements_without_entries_give_an_empty_frame(tmp_path: Path) -> None:
    data = read_mt940(write(tmp_path, "e.sta", f"{HEAD}:62F:C250115VND0,00\n-\n{HEAD}")).data
    assert data.height == 0
    assert data.columns == [*BANK_COLUMNS, *BOOKKEEPING]


# --- whole-file refusals ---------------------------------------------------------------


@pytest.mark.parametrize(("content", "line", "problem"), [
    (b"", None, "not MT940: no field tags"),
    (b"entry_id,account\nE1,0071\n", None, "not MT940: no field tags"),
    (FIXTURES.joinpath("broken_mt940_no_25.sta").read_bytes(), 1,
     "statement STMT250115-10 has no :25: account"),
    (b":20:A\n:25:X\n:61:2501150115C1,00NTRFR\n", 1, "statement A has no readable opening"),
    (b":20:A\n:25:X\n:60F:C2501VND1,00\n:61:2501150115C1,00NTRFR\n", 1, "no readable opening"),
    (b":61:2501150115C1,00NTRFR\n", 1, "statement (no :20:) has no :25: account"),
    (HEAD.encode() + b":61:2501150115C1,00NTRFR\n:86:Caf\xe9\n", 6, "not UTF-8: byte 0xE9"),
    ("\n".join(HEAD.split("\n")[:3]).encode("utf-16"), 1, "not UTF-8"),
])  # fmt: skip
def test_unreadable_files_are_refused_whole(
    tmp_path: Path, content: bytes, line: int | None, problem: str
) -> None:
    path = write(tmp_path, "bad.sta", content)
    with pytest.raises(ReadError) as info:
        read_mt940(path)
    assert problem in info.value.problem
    assert info.value.line == line
    assert str(path) in str(info.value) and info.value.hint


def test_a_missing_file_is_a_read_error(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="cannot read the file"):
        read_mt940(tmp_path / "absent.sta")
