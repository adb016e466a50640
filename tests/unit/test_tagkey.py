"""etc.tagkey: the exact Int128 key of a well-formed tag id.

The key is the 96-bit number the 24 hex digits spell, so it is compared here
with Python's own `int(tag_id, 16)`; anything that is not 24 upper-case hex
characters has no key, even where `str.to_integer` alone would read one.
"""

from __future__ import annotations

import random

import polars as pl

from etc.tagkey import TAG_KEY_TYPE, tag_key, tag_ok


def keys(ids: list[str | None]) -> list[int | None]:
    s = pl.Series("tag_id", ids, dtype=pl.String)
    out = pl.select(tag_key(pl.lit(s))).to_series()
    assert out.dtype == TAG_KEY_TYPE
    return out.to_list()


def test_key_is_the_96_bit_value_of_the_digits() -> None:
    ids = ["E28011606000020000000001", "000000000000000000000000",
           "FFFFFFFFFFFFFFFFFFFFFFFF", "30342409A4B0586A55C0659B"]
    assert keys(ids) == [int(t, 16) for t in ids]
    assert keys(["FFFFFFFFFFFFFFFFFFFFFFFF"]) == [2**96 - 1]  # beyond Int64, within Int128
    assert keys(["800000000000000000000000"]) == [2**95]


def test_malformed_and_null_ids_have_no_key() -> None:
    malformed = [
        None,
        "",
        "E2801160600002000000000",    # 23 digits
        "E280116060000200000000011",  # 25 digits
        "e28011606000020000000001",   # lower case: to_integer alone would read it
        "+2801160600002000000000A",   # a sign: to_integer alone would read it
        "-2801160600002000000000A",
        "0x801160600002000000000A",
        " E2801160600002000000001",
        "E2801160600002000000000G",
        "E28011606000_20000000001",
    ]
    assert keys(malformed) == [None] * len(malformed)


def test_key_exists_exactly_where_tag_ok() -> None:
    ids = ["E28011606000020000000001", "e28011606000020000000001", "BAD", None]
    s = pl.Series("tag_id", ids, dtype=pl.String)
    both = pl.select(tag_ok(pl.lit(s)).alias("ok"), tag_key(pl.lit(s)).is_not_null().alias("k"))
    assert both["ok"].to_list() == both["k"].to_list() == [True, False, False, False]


def test_equal_keys_exactly_when_equal_ids_and_same_order() -> None:
    """Random ids, many differing in one digit only: the keys are distinct where
    the ids are, and sort the ids as the text does."""
    rng = random.Random(5)
    base = [f"{rng.getrandbits(96):024X}" for _ in range(500)]
    near = [b[:i] + ("0" if b[i] != "0" else "1") + b[i + 1:]
            for b in base[:100] for i in (0, 11, 23)]
    ids = base + near + base[:50]  # with repeats
    frame = pl.DataFrame({"tag_id": ids}).with_columns(tag_key(pl.col("tag_id")).alias("k"))
    assert frame["k"].null_count() == 0
    assert frame.select(pl.col("tag_id").n_unique()).item() == frame["k"].n_unique()
    pairs = frame.unique().group_by("k").agg(pl.col("tag_id").n_unique().alias("ids"))
    assert pairs["ids"].max() == 1  # one id per key
    assert frame.sort("k")["tag_id"].to_list() == frame.sort("tag_id")["tag_id"].to_list()


def test_given_ok_stands_in_for_the_pattern_test() -> None:
    frame = pl.DataFrame({"tag_id": ["E28011606000020000000001", "E28011606000020000000002"],
                          "tag_ok": [True, False]})
    got = frame.select(tag_key(pl.col("tag_id"), ok=pl.col("tag_ok"))).to_series().to_list()
    assert got == [int("E28011606000020000000001", 16), None]
