"""An exact integer key for a tag id, for joining, sorting and grouping tags.

A well-formed tag id is an EPC-96 code as stored: 24 hexadecimal characters,
upper-case (the loader upper-cases tag ids). Its key is the 96-bit number those
digits spell, as an `Int128` (0 ≤ key < 2**96). Reading 24 digits of fixed
length is a bijection between well-formed ids and those numbers, so

    tag_key(a) == tag_key(b)  ⇔  a == b        (a, b well-formed)

exactly — no hashing, no collisions — and the key orders tags as the ids do.
A null or malformed id (wrong length, a character outside 0-9 A-F, lower case,
a sign, spaces…) has a null key: code that keys by it must treat those ids
separately, by their text, if they are to match anything.

Why: at 10 M passages, as measured on 2 cores, sorting by the Int128 took 1.5 s
against 7.4 s by the text, grouping 2.5 s against 3.7 s, and parsing the ids
0.6 s. Unlike `etc.txnkey`, the key does not depend on storage order: it may be
sorted by, and it is the same in every frame and every run.
"""

from __future__ import annotations

import polars as pl

TAG_PATTERN = r"^[0-9A-F]{24}$"
"""An EPC-96 tag id as stored (upper-case): 24 hexadecimal characters."""

TAG_KEY_TYPE = pl.Int128()
"""The type of `tag_key`: 96 bits need more than an Int64."""


def tag_ok(tag_id: pl.Expr) -> pl.Expr:
    """True where a (stored, upper-case) tag id is 24 hex characters; False when null."""
    return tag_id.str.contains(TAG_PATTERN).fill_null(False)


def tag_key(tag_id: pl.Expr, ok: pl.Expr | None = None) -> pl.Expr:
    """The tag id's 96-bit value as an Int128 where `tag_ok`; null otherwise.

    The pattern test comes first because `str.to_integer` alone would also read
    lower-case digits and a leading sign, giving a key to ids that are not
    well-formed. `ok`, when given, must be `tag_ok` of the same id already
    computed (the passages' `tag_ok` column): it stands in for the pattern test."""
    digits = tag_id.str.to_integer(base=16, dtype=TAG_KEY_TYPE, strict=False)
    well_formed = tag_ok(tag_id) if ok is None else ok
    return pl.when(well_formed).then(digits).otherwise(pl.lit(None, TAG_KEY_TYPE))
