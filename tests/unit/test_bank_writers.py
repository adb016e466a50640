"""The camt.053 and MT940 writers: exact output for small cases, balances that agree
with the entries, refusals of rows a statement cannot hold, and writer → reader
round trips that give the columns back."""

from __future__ import annotations

import re
import tempfile
import xml.etree.ElementTree as ET
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest
from bank_helpers import VIETNAMESE
from hypothesis import given, settings
from hypothesis import strategies as st

from etc.readers.camt053 import read_camt053
from etc.readers.mt940 import read_mt940
from etc.writers.camt053 import write_camt053
from etc.writers.mt940 import write_mt940

SCHEMA = {"entry_id": pl.String, "account": pl.String, "booking_date": pl.Date,
          "value_date": pl.Date, "amount_vnd": pl.Int64, "direction": pl.String,
          "reference": pl.String, "remittance": pl.String}  # fmt: skip
READ = ("entry_id", "account", "booking_date", "value_date", "amount_vnd", "currency",
        "direction", "reference", "remittance")  # fmt: skip
CREATED = datetime(2025, 1, 16, 6, 0, tzinfo=timezone(timedelta(hours=7)))
D15, D16 = date(2025, 1, 15), date(2025, 1, 16)


def frame(*rows: tuple[object, ...]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=SCHEMA, orient="row")


ENTRIES = frame(
    ("FT001", "0071000888999", D15, D15, 1250000, "CRDT", "BATCH-0114", "VETC lô 0114"),
    ("FT002", "GB82WEST12345698765432", D15, None, 22000, "DBIT", None, None),
    ("FT003", "0071000888999", D16, D16, 300000, "DBIT", "BATCH-EPASS-20250114-000123", None),
    ("FT004", "0071000888999", D15, D16, 50000, "CRDT", None, "Phí"),
)


def camt(entries: pl.DataFrame, folder: Path, version: int = 8) -> Path:
    path = folder / f"v{version}.xml"
    write_camt053(entries, path, message_id="MSG-1", created_at=CREATED, version=version)
    return path


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def texts(elem: ET.Element, path: str) -> list[str]:
    """Texts of the descendants along a path of local names."""
    nodes = [elem]
    for part in path.split("/"):
        nodes = [c for n in nodes for c in n if local(c.tag) == part]
    return [n.text or "" for n in nodes]


# --- camt.053 --------------------------------------------------------------------------


def test_camt053_one_statement_per_account_with_balances(tmp_path: Path) -> None:
    root = ET.parse(camt(ENTRIES, tmp_path)).getroot()
    assert root.tag == "{urn:iso:std:iso:20022:tech:xsd:camt.053.001.08}Document"
    assert texts(root, "BkToCstmrStmt/GrpHdr/MsgId") == ["MSG-1"]
    assert texts(root, "BkToCstmrStmt/GrpHdr/CreDtTm") == ["2025-01-16T06:00:00+07:00"]
    s1, s2 = (s for s in root[0] if local(s.tag) == "Stmt")
    assert texts(s1, "Id") + texts(s2, "Id") == ["MSG-1-1", "MSG-1-2"]
    assert texts(s1, "Acct/Id/Othr/Id") == ["0071000888999"]
    assert texts(s2, "Acct/Id/IBAN") == ["GB82WEST12345698765432"]
    # entries in the order given; 0 + 1,250,000 - 300,000 + 50,000 = 1,000,000
    assert texts(s1, "Ntry/AcctSvcrRef") == ["FT001", "FT003", "FT004"]
    assert texts(s1, "Bal/Tp/CdOrPrtry/Cd") == ["OPBD", "CLBD"]
    assert texts(s1, "Bal/Amt") == ["0.00", "1000000.00"]
    assert texts(s1, "Bal/CdtDbtInd") == ["CRDT", "CRDT"]
    assert texts(s1, "Bal/Dt/Dt") == ["2025-01-15", "2025-01-16"]
    # a debit from 0 leaves a debit balance
    assert texts(s2, "Bal/Amt") + texts(s2, "Bal/CdtDbtInd") == ["0.00", "22000.00",
                                                                 "CRDT", "DBIT"]  # fmt: skip


def test_camt053_entry_as_written(tmp_path: Path) -> None:
    text = camt(ENTRIES[1:2], tmp_path).read_text(encoding="utf-8")
    ntry = re.search(r"<Ntry>.*</Ntry>", text, flags=re.DOTALL)
    assert ntry is not None
    assert ntry[0].split() == """<Ntry>
        <Amt Ccy="VND">22000.00</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2025-01-15</Dt></BookgDt>
        <AcctSvcrRef>FT002</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd>
          <Fmly><Cd>ICDT</Cd><SubFmlyCd>DMCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs></TxDtls></NtryDtls>
      </Ntry>""".replace("><", ">\n<").split()


@pytest.mark.parametrize("version", range(2, 14))
def test_camt053_status_shape_changes_at_version_7(tmp_path: Path, version: int) -> None:
    text = camt(ENTRIES[:1], tmp_path, version).read_text(encoding="utf-8")
    assert f'xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}"' in text
    sts = re.search(r"<Sts>(.*?)</Sts>", text, flags=re.DOTALL)
    assert sts is not None
    assert "".join(sts[1].split()) == ("BOOK" if version <= 6 else "<Cd>BOOK</Cd>")
    assert read_camt053(tmp_path / f"v{version}.xml").data["__etc_reason"].to_list() == [None]


def test_camt053_long_remittance_is_cut_into_ustrd_of_140(tmp_path: Path) -> None:
    words = " ".join(f"lô{i:03d}" for i in range(60))  # 60 × 5 + 59 spaces = 359 characters
    path = camt(frame(("E", "A1", D15, None, 1, "CRDT", None, words)), tmp_path)
    parts = texts(ET.parse(path).getroot(), "BkToCstmrStmt/Stmt/Ntry/NtryDtls/TxDtls/RmtInf/Ustrd")
    assert [len(p) for p in parts] == [137, 137, 83]
    assert read_camt053(path).data["remittance"].to_list() == [words]


@pytest.mark.parametrize(("change", "message"), [
    ({"entry_id": "E" * 36}, "longer than the 35 characters"),
    ({"reference": "R" * 36}, "longer than the 35 characters"),
    ({"amount_vnd": 0}, "amount_vnd must be a whole number of VND above 0"),
    ({"direction": "CR"}, "direction must be CRDT or DBIT"),
    ({"booking_date": None}, "booking_date must be a date"),
    ({"remittance": "bell \x07"}, "has a character XML forbids"),
])  # fmt: skip
def test_camt053_refuses_rows_it_cannot_write(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    bad = ENTRIES[:1].with_columns(
        **{k: pl.lit(v, dtype=SCHEMA[k]) for k, v in change.items()}
    )
    with pytest.raises(ValueError, match=message):
        camt(bad, tmp_path)


def test_camt053_refuses_unknown_versions_and_missing_columns(tmp_path: Path) -> None:
    for version in (1, 14):
        with pytest.raises(ValueError, match=r"camt\.053 version must be 2 to 13"):
            camt(ENTRIES, tmp_path, version)
    with pytest.raises(ValueError, match="lack the column"):
        camt(ENTRIES.drop("direction"), tmp_path)


# --- MT940 -----------------------------------------------------------------------------


def test_mt940_statement_per_account_and_day(tmp_path: Path) -> None:
    path = tmp_path / "s.sta"
    write_mt940(ENTRIES, path)
    assert path.read_bytes().decode("utf-8").split("\r\n") == [
        ":20:ETC250115-1", ":25:0071000888999", ":28C:1/1", ":60F:C250115VND0,00",
        ":61:2501150115C1250000,00NTRFBATCH-0114//FT001",
        ":86:VETC lô 0114",
        ":61:2501160115C50000,00NTRFNONREF//FT004",
        ":86:Phí",
        ":62F:C250115VND1300000,00",
        "-",
        ":20:ETC250116-2", ":25:0071000888999", ":28C:2/1", ":60F:C250116VND1300000,00",
        # a reference over 16 characters opens :86:
        ":61:2501160116D300000,00NTRFNONREF//FT003",
        ":86:BATCH-EPASS-20250114-000123",
        ":62F:C250116VND1000000,00",
        "-",
        ":20:ETC250115-3", ":25:GB82WEST12345698765432", ":28C:1/1", ":60F:C250115VND0,00",
        ":61:2501150115D22000,00NTRFNONREF//FT002",  # no value date: the booking date
        ":62F:D250115VND22000,00",
        "-",
        "",
    ]  # fmt: skip


def test_mt940_envelope(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    write_mt940(ENTRIES[1:2], path, envelope=True)
    assert path.read_text(encoding="utf-8").splitlines() == [
        "{1:F01BANKVNVXAXXX0000000001}{2:I940ETCOVNVXXXXXN}{4:",
        ":20:ETC250115-1", ":25:GB82WEST12345698765432", ":28C:1/1", ":60F:C250115VND0,00",
        ":61:2501150115D22000,00NTRFNONREF//FT002",
        ":62F:D250115VND22000,00",
        "-}",
    ]  # fmt: skip
    assert read_mt940(path).data.select(READ).rows() == [
        ("FT002", "GB82WEST12345698765432", "2025-01-15", "2025-01-15", "22000.00", "VND",
         "DBIT", "", ""),
    ]  # fmt: skip


def test_mt940_long_remittance_wraps_at_65(tmp_path: Path) -> None:
    words = " ".join(f"phí{i:02d}" for i in range(40))  # 40 × 5 + 39 spaces = 239 characters
    path = tmp_path / "s.sta"
    write_mt940(frame(("E", "A1", D15, None, 1, "CRDT", "R", words)), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    body = lines[next(i for i, line in enumerate(lines) if line.startswith(":86:")) :]
    assert body[0] == ":86:phí00 phí01 phí02 phí03 phí04 phí05 phí06 phí07 phí08 phí09 phí10"
    assert [len(line) for line in body[:5]] == [4 + 65, 65, 65, 41, len(":62F:C250115VND1,00")]
    assert read_mt940(path).data["remittance"].to_list() == [words]


@pytest.mark.parametrize(("change", "message"), [
    ({"entry_id": "E" * 17}, "at most 16 characters"),
    ({"entry_id": " E1"}, "at most 16 characters, unpadded"),
    ({"account": "A" * 36}, "longer than 35 characters"),
    ({"remittance": "two\nlines"}, "cannot hold line breaks"),
    ({"value_date": date(2025, 8, 1)}, "more than 180 days apart"),
    ({"booking_date": date(2080, 1, 1), "value_date": None}, "read as 1980–2079"),
    ({"remittance": "y" * 64 + " :20:X"}, "would be misread"),  # 2nd :86: line ":20:X"
])  # fmt: skip
def test_mt940_refuses_rows_it_cannot_write(
    tmp_path: Path, change: dict[str, object], message: str
) -> None:
    bad = ENTRIES[:1].with_columns(
        **{k: pl.lit(v, dtype=SCHEMA[k]) for k, v in change.items()}
    )
    with pytest.raises(ValueError, match=message):
        write_mt940(bad, tmp_path / "s.sta")


def test_writers_are_deterministic(tmp_path: Path) -> None:
    outputs = []
    for n in (1, 2):
        folder = tmp_path / str(n)
        folder.mkdir()
        write_mt940(ENTRIES, folder / "s.sta", envelope=True)
        outputs.append((camt(ENTRIES, folder).read_bytes(), (folder / "s.sta").read_bytes()))
    assert outputs[0] == outputs[1]


# --- round trips -----------------------------------------------------------------------

WORD = st.text(alphabet=st.sampled_from("abcxyzABCXYZ0189&<>'\"." + VIETNAMESE),
               min_size=1, max_size=20)  # fmt: skip
REFERENCE = st.one_of(
    st.none(),
    st.from_regex(r"[A-Z0-9][A-Z0-9/ -]{0,33}[A-Z0-9]", fullmatch=True),
    st.text(alphabet=st.sampled_from("ABC-" + VIETNAMESE), min_size=1, max_size=35),
).filter(lambda ref: ref not in ("NOTPROVIDED", "NONREF"))  # the formats' "no reference"
DAYS = st.dates(min_value=date(2000, 1, 1), max_value=date(2079, 12, 31))


@st.composite
def bank_frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(min_value=1, max_value=12))
    ids = draw(st.lists(st.from_regex(r"[A-Z0-9][A-Z0-9/-]{0,15}", fullmatch=True),
                        min_size=n, max_size=n, unique=True))  # fmt: skip
    rows = []
    for entry_id in ids:
        booking = draw(DAYS)
        shift = draw(st.none() | st.integers(min_value=-40, max_value=40))
        value = None if shift is None else booking + timedelta(days=shift)
        words = draw(st.lists(WORD, max_size=30))
        rows.append((
            entry_id,
            draw(st.sampled_from(["0071000888999", "GB82WEST12345698765432", "12-34 56"])),
            booking,
            value if value is None or value.year <= 2079 else booking,
            draw(st.integers(min_value=1, max_value=10**15)),
            draw(st.sampled_from(["CRDT", "DBIT"])),
            draw(REFERENCE),
            " ".join(words) or None,
        ))  # fmt: skip
    return frame(*rows)


def fits_61(ref: str) -> bool:
    """What MT940 can carry in :61: — independent of the writer's own check."""
    swift = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/- ")
    return (len(ref) <= 16 and set(ref) <= swift and "//" not in ref
            and ref[0] != "/" and ref[-1] != "/" and ref != "NONREF")  # fmt: skip


def expected(entries: pl.DataFrame, *, mt940: bool) -> list[tuple[object, ...]]:
    out = []
    for e in entries.iter_rows(named=True):
        ref, text, value = e["reference"] or "", e["remittance"] or "", e["value_date"]
        if mt940:
            value = value or e["booking_date"]
            if ref and not fits_61(ref):
                ref, text = "", f"{ref} {text}".strip()
        out.append((e["entry_id"], e["account"], e["booking_date"].isoformat(),
                    value.isoformat() if value else "", f"{e['amount_vnd']}.00", "VND",
                    e["direction"], ref, text))  # fmt: skip
    return sorted(out)


@settings(max_examples=60, deadline=None)
@given(entries=bank_frames(), version=st.integers(min_value=2, max_value=13))
def test_camt053_round_trip(entries: pl.DataFrame, version: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = camt(entries, Path(folder), version)
        data = read_camt053(path).data
    assert data["__etc_reason"].null_count() == data.height
    assert sorted(data.select(READ).rows()) == expected(entries, mt940=False)


@settings(max_examples=60, deadline=None)
@given(entries=bank_frames(), envelope=st.booleans())
def test_mt940_round_trip(entries: pl.DataFrame, envelope: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "s.sta"
        write_mt940(entries, path, envelope=envelope)
        data = read_mt940(path).data
    assert data["__etc_reason"].null_count() == data.height
    assert sorted(data.select(READ).rows()) == expected(entries, mt940=True)
