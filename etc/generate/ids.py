"""Identifiers built in bulk: EPC-96 tag ids, Vietnamese plates, fixed-width text.

Everything here turns integer arrays into text columns without a Python loop:
the characters are computed as a `uint8` matrix (one row per value) and handed to
Arrow as the data buffer of a string array. Uniqueness comes from bijections on
the integers (an odd multiplier modulo 2**64, a coprime one modulo the plate
space), so distinct inputs always give distinct ids.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pyarrow as pa

HEX = np.frombuffer(b"0123456789ABCDEF", dtype=np.uint8)
DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)

PROVINCES = np.array(
    [11, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
     32, 33, 34, 35, 36, 37, 38, 40, 43, 47, 48, 49, 50, 51, 59, 60, 61, 62, 63, 64,
     65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 81, 82, 83, 84, 85,
     86, 88, 89, 90, 92, 93, 94, 95, 97, 98, 99],
    dtype=np.int64,
)
"""Vietnamese province codes of civil plates (Hà Nội 29–33 and 40, TP.HCM 50–59, …)."""
SERIES = np.frombuffer(b"ACDEFGHK", dtype=np.uint8)
"""Series letters of car plates."""
PLATE_SPACE = len(PROVINCES) * len(SERIES) * 100_000
_PLATE_MUL = 7_368_787  # coprime with PLATE_SPACE (checked at import)
_PLATE_ADD = 1_234_567
_TAG_MUL = np.uint64(0x9E3779B97F4A7C15)  # odd: a bijection modulo 2**64
_TAG_ADD = np.uint64(0x2545F4914F6CDD1D)

assert math.gcd(_PLATE_MUL, PLATE_SPACE) == 1


def text(chars: np.ndarray) -> pl.Series:
    """A String series from a (n, width) uint8 matrix of ASCII codes."""
    n, width = chars.shape
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    offsets = np.arange(n + 1, dtype=np.int64) * width
    arr = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    out = pl.from_arrow(arr)
    assert isinstance(out, pl.Series)
    return out.cast(pl.String)


def digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) ASCII digits of non-negative integers, zero-padded."""
    powers = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return DIGITS[(values.astype(np.int64)[:, None] // powers) % 10]


_BYTE_HEX = np.stack([HEX[np.arange(256) >> 4], HEX[np.arange(256) & 0xF]], axis=1)
"""(256, 2): the two hex digits of each byte value."""


def hex_digits(values: np.ndarray, width: int) -> np.ndarray:
    """(n, width) upper-case hex digits of unsigned integers (even width ≤ 16)."""
    big_endian = values.astype(">u8").view(np.uint8).reshape(-1, 8)
    chars = _BYTE_HEX[big_endian].reshape(-1, 16)
    return chars[:, 16 - width:]


def const(value: str, n: int) -> np.ndarray:
    """(n, len(value)) copies of an ASCII string."""
    return np.broadcast_to(np.frombuffer(value.encode("ascii"), dtype=np.uint8), (n, len(value)))


def tag_ids(index: np.ndarray, header: np.ndarray, lot: np.ndarray) -> pl.Series:
    """EPC-96 ids: 4 hex of header, 4 hex of lot, 16 hex of a serial unique per index."""
    idx = index.astype(np.uint64)
    serial = idx * _TAG_MUL + _TAG_ADD  # wraps modulo 2**64: a bijection
    return text(np.hstack([hex_digits(header, 4), hex_digits(lot, 4), hex_digits(serial, 16)]))


def _plate_parts(index: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if len(index) and int(index.max()) >= PLATE_SPACE:
        raise ValueError(f"plate index beyond the plate space of {PLATE_SPACE}")
    p = (index.astype(np.int64) * _PLATE_MUL + _PLATE_ADD) % PLATE_SPACE
    prov = PROVINCES[p // (len(SERIES) * 100_000)]
    letter = SERIES[(p // 100_000) % len(SERIES)]
    return prov, letter, p % 100_000


def plates(index: np.ndarray, *, compact: bool = False) -> pl.Series:
    """Distinct civil plates for distinct indices: '51H-123.45', or '51H12345' compact."""
    n = len(index)
    prov, letter, num = _plate_parts(index)
    head = np.hstack([digits(prov, 2), letter[:, None]])
    if compact:
        return text(np.hstack([head, digits(num, 5)]))
    return text(np.hstack([head, const("-", n), digits(num // 100, 3), const(".", n),
                           digits(num % 100, 2)]))


def military_plates(index: np.ndarray) -> pl.Series:
    """Military-style plates 'KA-12-34' (two letters, never a civil plate)."""
    units = np.frombuffer(b"QAQBQKTMTCKAKBHB", dtype=np.uint8).reshape(-1, 2)
    i = index.astype(np.int64)
    n = len(i)
    return text(np.hstack([units[i % len(units)], const("-", n), digits((i // 8) % 100, 2),
                           const("-", n), digits((i * 37 + 11) % 100, 2)]))


def normalise_plate(expr: pl.Expr) -> pl.Expr:
    """Plates as compared by the engine: upper-case, spaces, '-' and '.' removed."""
    return expr.str.to_uppercase().str.replace_all(r"[\s.\-]", "")
