"""The CSV reader: records split by DuckDB, line numbers exact, malformed lines kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from etc.errors import ReadError
from etc.readers.base import MESSAGE, RAW, REASON, ROW
from etc.readers.csv import read_csv


def write(tmp_path: Path, data: bytes) -> Path:
    p = tmp_path / "f.csv"
    p.write_bytes(data)
    return p


def rows(path: Path) -> list[tuple]:
    return list(read_csv(path).data.select("a", "b", ROW, RAW, REASON).iter_rows())


def test_line_numbers_survive_blank_lines_and_malformed_lines(tmp_path: Path) -> None:
    p = write(tmp_path, b"\xef\xbb\xbfA,B\r\n1,2\r\n\r\n3\r\n4,5,6\r\n\"x,y\",7\r\n")
    assert rows(p) == [
        ("1", "2", 2, None, None),
        (None, None, 4, "3", "MALFORMED_LINE"),
        (None, None, 5, "4,5,6", "MALFORMED_LINE"),
        ("x,y", "7", 6, None, None),
    ]


def test_quoted_line_breaks_keep_the_starting_line(tmp_path: Path) -> None:
    p = write(tmp_path, b'a,b\n"two\nlines",1\n3,4\n')
    assert rows(p) == [("two\nlines", "1", 2, None, None), ("3", "4", 4, None, None)]


def test_malformed_message_counts_fields(tmp_path: Path) -> None:
    p = write(tmp_path, b"a,b\n1,2,3\n")
    assert read_csv(p).data[MESSAGE].to_list() == ["the line has 3 fields, the header has 2"]


@pytest.mark.parametrize(("data", "problem"), [
    (b"", "the file is empty"),
    (b"a,A\n1,2\n", "the header repeats column 'a'"),
    (b"a,,c\n1,2,3\n", "the header has an empty column name"),
    (b"a,b\n1,\xff\n", "not UTF-8"),
    (b"a\xff,b\n1,2\n", "not UTF-8"),
])
def test_unreadable_files_are_refused_whole(tmp_path: Path, data: bytes, problem: str) -> None:
    p = write(tmp_path, data)
    with pytest.raises(ReadError) as info:
        read_csv(p)
    assert problem in str(info.value)
    assert str(p) in str(info.value)


@pytest.mark.parametrize("data", [b"a,b\n1,2\n3,4", b"a,b\r\n1,2\r\n3,4\r\n", b"a,b\n1,2\n\n3,4\n"])
def test_line_numbers_with_and_without_a_final_line_break(tmp_path: Path, data: bytes) -> None:
    lines = read_csv(write(tmp_path, data)).data["__etc_row"].to_list()
    assert lines == ([2, 4] if b"\n\n" in data else [2, 3])
