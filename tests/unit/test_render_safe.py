"""Safe cells: a text that could start a formula gets a leading quote, in CSV and
XLSX alike; numbers, dates and booleans keep their types (the XLSX side is
checked on written workbooks in test_render_xlsx.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etc.render.safe import DANGEROUS, neutralise, neutralise_frame, write_csv

TEXTS = st.text(alphabet=st.sampled_from([*DANGEROUS, "'", "a", "1", " ", "é", "\n", ","]))


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_each_dangerous_first_character_gets_a_quote(first: str) -> None:
    assert neutralise(first + "1+2") == "'" + first + "1+2"
    assert neutralise(first) == "'" + first


@pytest.mark.parametrize("text", ["plain", "", " =1", "a-b", "'=1", "1,250,000", "Trạm 1"])
def test_ordinary_and_empty_text_unchanged(text: str) -> None:
    assert neutralise(text) == text


def test_null_unchanged() -> None:
    assert neutralise(None) is None


def test_frame_neutralises_text_and_leaves_other_types() -> None:
    df = pl.DataFrame(
        {
            "detail": ["=HYPERLINK(\"x\")", "ok", None, "-5", "@SUM(A1)"],
            "amount": pl.Series([-5, 0, None, 7, 1_250_000], dtype=pl.Int64),
            "day": [date(2024, 3, 1)] * 5,
            "flag": [True, False, None, True, False],
        }
    )
    out = neutralise_frame(df)
    assert out.schema == df.schema
    assert out["detail"].to_list() == ["'=HYPERLINK(\"x\")", "ok", None, "'-5", "'@SUM(A1)"]
    assert out["amount"].to_list() == [-5, 0, None, 7, 1_250_000]
    assert out.drop("detail").equals(df.drop("detail"))


def test_frame_without_text_is_returned_as_is() -> None:
    df = pl.DataFrame({"n": [-1, 2]})
    assert neutralise_frame(df).equals(df)


def test_csv_keeps_numbers_numbers(tmp_path: Path) -> None:
    df = pl.DataFrame(
        {
            "text": ["=1+2", "-5", None, "plain"],
            "n": pl.Series([-5, 1_250_000, None, 0], dtype=pl.Int64),
            "day": [date(2024, 3, 1), None, date(2024, 3, 2), date(2024, 3, 3)],
        }
    )
    path = tmp_path / "x.csv"
    write_csv(df, path)
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert raw.decode("utf-8") == (
        "text,n,day\n'=1+2,-5,2024-03-01\n'-5,1250000,\n,,2024-03-02\nplain,0,2024-03-03\n"
    )


@given(TEXTS)
def test_neutralised_never_starts_dangerous_and_unquotes_to_original(text: str) -> None:
    out = neutralise(text)
    assert out is not None
    assert not out.startswith(DANGEROUS)
    if out != text:
        assert out.startswith("'") and out[1:] == text
        assert text.startswith(DANGEROUS)


@given(st.lists(st.one_of(st.none(), TEXTS), max_size=30))
def test_frame_agrees_with_the_scalar(texts: list[str | None]) -> None:
    df = pl.DataFrame({"t": pl.Series(texts, dtype=pl.String)})
    assert neutralise_frame(df)["t"].to_list() == [neutralise(t) for t in texts]
