"""Hostile input files, one test each: XML bombs and oversized camt.053, a CSV
with a 50 MB line, a NUL byte or a repeated header, amounts beyond BIGINT and
amounts whose sums would overflow it, Parquet with wrong or nested column types,
an MT940 of 10,000 statements. Each ends as one line refusing the file (nothing
of it stored) or as quarantined rows with their reasons (every row counted)."""

from __future__ import annotations

import json
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from conftest import write_csv
from rows import bank_row, lanes_row, settlements_row

from etc.ingest import FileResult, ingest_paths
from etc.parse import MONEY_MAX
from etc.readers.camt053 import MAX_BYTES
from etc.schemas import PASSAGE_MONEY_MAX
from etc.store import Store

NTRY = """<Ntry><Amt Ccy="VND">{amount}.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-11-02</Dt></BookgDt>
<AcctSvcrRef>FT{n:013d}</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>{text}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
"""
HEAD = """<?xml version="1.0" encoding="UTF-8"?>
{doctype}<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-11-02T23:30:00+07:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><Othr><Id>0071000044003</Id></Othr></Id></Acct>
"""
TAIL = "</Stmt></BkToCstmrStmt></Document>\n"


def camt(doctype: str = "", text: str = "payment") -> str:
    return HEAD.format(doctype=doctype) + NTRY.format(amount=1000, n=1, text=text) + TAIL


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "etc.duckdb") as s:
        yield s


def load(store: Store, path: Path) -> FileResult:
    (result,) = ingest_paths(store, [path])
    if result.status == "refused":  # one line, and nothing of the file stored
        assert result.error and "\n" not in result.error and str(path) in result.error
        assert store.loads().height == 0 and store.quarantine().height == 0
    else:
        assert result.rows_read == (result.rows_loaded + result.rows_present
                                    + result.rows_quarantined)
    return result


def reasons(store: Store) -> list[tuple[str, str]]:
    return store.quarantine().select("reason", "message").rows()


# ---- camt.053 ----------------------------------------------------------------
LAUGHS = ('<!DOCTYPE Document [<!ENTITY l0 "lol">'
          + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>\n")


def test_camt053_billion_laughs_is_refused_at_once(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    path.write_text(camt(LAUGHS, text="&l9;"), encoding="utf-8")
    began = time.monotonic()
    result = load(store, path)
    assert result.status == "refused" and "DOCTYPE" in (result.error or "")
    assert time.monotonic() - began < 5


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE Document [<!ENTITY x SYSTEM "file://{secret}">]>\n',
    '<!DOCTYPE Document SYSTEM "file://{secret}">\n',
    '<!DOCTYPE Document [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>\n',
])
def test_camt053_external_entities_read_no_other_file(store: Store, tmp_path: Path,
                                                      doctype: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER", encoding="utf-8")
    path = tmp_path / "xxe.xml"
    path.write_text(camt(doctype.format(secret=secret), text="&x;"), encoding="utf-8")
    opened: list[str] = []
    watching = [True]

    def audit(event: str, args: tuple[object, ...]) -> None:
        if watching[0] and event == "open" and args and isinstance(args[0], str | Path):
            opened.append(str(args[0]))

    sys.addaudithook(audit)  # cannot be removed: `watching` switches it off
    try:
        result = load(store, path)
    finally:
        watching[0] = False
    assert result.status == "refused" and "DOCTYPE" in (result.error or "")
    assert str(secret) not in opened and "SECRET-MARKER" not in (result.error or "")


def test_camt053_nested_10000_deep_is_read_in_bounded_time(store: Store,
                                                            tmp_path: Path) -> None:
    deep = "<X>" * 10_000 + "deep" + "</X>" * 10_000
    path = tmp_path / "deep.xml"
    path.write_text(camt().replace("<RmtInf>", f"<AddtlTxInf>{deep}</AddtlTxInf><RmtInf>"),
                    encoding="utf-8")
    began = time.monotonic()
    result = load(store, path)
    assert (result.status, result.rows_read, result.rows_loaded) == ("loaded", 1, 1)
    assert time.monotonic() - began < 10


def test_camt053_of_200_mb_is_refused_before_it_is_read(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "big.xml"
    entries = "".join(NTRY.format(amount=1000 + n, n=n, text="payment") for n in range(1000))
    with path.open("w", encoding="utf-8") as fh:  # a well-formed statement of 200 MB
        fh.write(HEAD.format(doctype=""))
        while fh.tell() < 200_000_000:
            fh.write(entries)
        fh.write(TAIL)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    began = time.monotonic()
    result = load(store, path)
    assert result.status == "refused"
    assert f"over the {MAX_BYTES:,}" in (result.error or "")
    assert time.monotonic() - began < 10  # the sha256 reads it once; nothing parses it
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak
    assert grown < 100_000, f"peak memory grew {grown} KiB"


# ---- CSV ---------------------------------------------------------------------
def test_csv_with_a_50_mb_line_is_refused_in_one_line(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lanes.csv", [lanes_row(1), lanes_row(2, staff_id="A" * 50_000_000),
                                              lanes_row(3)])
    result = load(store, path)
    assert result.status == "refused"
    assert "line 3 is 50,000," in (result.error or "")  # nothing dropped without a word


def test_csv_with_many_fields_on_a_line_is_refused_quickly(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lanes.csv", [lanes_row(1), lanes_row(2)])
    with path.open("a", encoding="utf-8") as fh:
        fh.write(",".join(["x"] * 50_000) + "\n")  # DuckDB alone takes a minute over this
    began = time.monotonic()
    result = load(store, path)
    assert result.status == "refused" and "50,000 fields" in (result.error or "")
    assert time.monotonic() - began < 10


def test_csv_with_a_nul_byte_quarantines_that_row(store: Store, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lanes.csv",
                     [lanes_row(1), lanes_row(2, plate="51H\x0012345"), lanes_row(3)])
    result = load(store, path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (3, 2, 1)
    assert reasons(store) == [("MALFORMED_LINE", "column plate holds a NUL byte")]


def test_csv_with_a_repeated_header_name_is_refused(store: Store, tmp_path: Path) -> None:
    row = lanes_row(1)
    path = tmp_path / "lanes.csv"
    path.write_text(",".join([*row, "TXN_ID"]) + "\n" + ",".join([*row.values(), "T9"]) + "\n",
                    encoding="utf-8")
    result = load(store, path)
    assert result.status == "refused" and "repeats column 'txn_id'" in (result.error or "")


# ---- amounts -----------------------------------------------------------------
def test_amounts_beyond_bigint_or_the_ceiling_are_quarantined(store: Store,
                                                             tmp_path: Path) -> None:
    path = write_csv(tmp_path / "lanes.csv", [
        lanes_row(1, amount_vnd="99999999999999999999"),  # beyond BIGINT
        lanes_row(2, amount_vnd=str(2**63 - 1)),  # BIGINT, far beyond any toll
        lanes_row(3, amount_vnd=str(PASSAGE_MONEY_MAX)),  # the largest a passage may cost
    ])
    result = load(store, path)
    assert (result.rows_loaded, result.rows_quarantined) == (1, 2)
    assert [r for r, _ in reasons(store)] == ["BAD_MONEY", "OUT_OF_RANGE"]


def test_sums_of_valid_amounts_cannot_overflow_bigint(store: Store, tmp_path: Path) -> None:
    """Three items of one batch at 4e18 each are BIGINT, their sum is not: they are
    refused one by one; items at the ceiling load and sum exactly in batch_parts,
    and bank credits at theirs too."""
    big = str(4 * 10**18)
    items = [settlements_row(i, batch_id="B1", amount_vnd=big) for i in range(3)]
    items += [settlements_row(10 + i, batch_id="B2", amount_vnd=str(PASSAGE_MONEY_MAX))
              for i in range(3)]
    result = load(store, write_csv(tmp_path / "settlements.csv", items))
    assert (result.rows_loaded, result.rows_quarantined) == (3, 3)
    assert {r for r, _ in reasons(store)} == {"OUT_OF_RANGE"}
    parts = store.query("SELECT batch_id, sum(gross_vnd) AS s FROM batch_parts GROUP BY 1")
    assert parts.rows() == [("B2", 3 * PASSAGE_MONEY_MAX)]
    bank = [bank_row(i, amount_vnd=str(v))
            for i, v in enumerate([MONEY_MAX, MONEY_MAX, 5 * 10**18, 5 * 10**18])]
    result = load(store, write_csv(tmp_path / "bank.csv", bank))
    assert (result.rows_loaded, result.rows_quarantined) == (2, 2)
    total = store.query("SELECT sum(amount_vnd) AS s FROM bank_entries")["s"].item()
    assert total == 2 * MONEY_MAX


# ---- Parquet -----------------------------------------------------------------
def test_parquet_with_wrong_and_nested_types_quarantines_rows(store: Store,
                                                             tmp_path: Path) -> None:
    rows = [lanes_row(i) for i in range(4)]
    df = pl.DataFrame(rows).with_columns(
        pl.Series("amount_vnd", [35000.0, 1.5, None, 35000.0]),  # a float with a fraction
        pl.Series("passed_at", [rows[0]["passed_at"], rows[1]["passed_at"],
                                rows[2]["passed_at"], "yesterday"]),
        pl.Series("avc_class", [[1], [1], [1], [1]]),  # a list where a class belongs
        pl.Series("extra_info", [{"a": 1}] * 4),  # a nested extra column: kept as JSON
    )
    path = tmp_path / "lanes.parquet"
    df.write_parquet(path)
    result = load(store, path)
    assert (result.rows_read, result.rows_loaded, result.rows_quarantined) == (4, 0, 4)
    # each row with its first reason: the class list is no class; the text no time
    assert [r for r, _ in reasons(store)] == ["CLASS_OUT_OF_RANGE"] * 3 + ["BAD_TIMESTAMP"]
    assert "avc_class '[1]'" in reasons(store)[0][1]
    df.drop("avc_class").with_columns(pl.lit(1).alias("avc_class")).write_parquet(path)
    result = load(store, path)  # the class fixed: the amounts and the time speak
    assert (result.rows_loaded, result.rows_quarantined) == (1, 3)
    assert [r for r, _ in reasons(store)][4:] == ["FRACTIONAL_MONEY", "MISSING_VALUE",
                                                  "BAD_TIMESTAMP"]
    extra = store.query("SELECT extra FROM lanes")["extra"].item()
    assert json.loads(json.loads(extra)["extra_info"]) == {"a": 1}  # kept, as JSON text


# ---- MT940 -------------------------------------------------------------------
def test_mt940_with_10000_statements_loads_every_entry(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "many.sta"
    path.write_text("".join(
        f":20:ST{i}\n:25:1011000022004\n:28C:{i + 1}/1\n:60F:C261102VND0,00\n"
        f":61:2611021102C1000,00NTRFNONREF//FT{i:013d}\n:86:B-X-{i} payment\n"
        ":62F:C261102VND1000,00\n-\n" for i in range(10_000)), encoding="utf-8")
    began = time.monotonic()
    result = load(store, path)
    assert (result.rows_read, result.rows_loaded) == (10_000, 10_000)
    assert time.monotonic() - began < 60


def test_a_file_that_grows_while_it_is_read_is_refused(store: Store, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Its sha256 would name content that was not loaded: refused, nothing stored."""
    import etc.ingest

    path = write_csv(tmp_path / "lanes.csv", [lanes_row(1), lanes_row(2)])
    real_read = etc.ingest.read

    def read_while_written(p: Path) -> object:
        raw = real_read(p)
        with p.open("a", encoding="utf-8") as fh:  # the uploader is not done yet
            fh.write(",".join(lanes_row(3).values()) + "\n")
        return raw

    monkeypatch.setattr(etc.ingest, "read", read_while_written)
    result = load(store, path)
    assert result.status == "refused" and "changed while it was read" in (result.error or "")
