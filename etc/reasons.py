"""Quarantine reason codes. The string values are stored in the `quarantine`
table and shown to people: they never change meaning once released."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    MISSING_VALUE = "MISSING_VALUE"
    """A required column is empty in this row."""
    BAD_TIMESTAMP = "BAD_TIMESTAMP"
    """A timestamp that is not ISO 8601 (or not a real instant)."""
    BAD_DATE = "BAD_DATE"
    """A date that is not YYYY-MM-DD (or not a real day)."""
    BAD_NUMBER = "BAD_NUMBER"
    """An integer or decimal column holds something that is not a number."""
    BAD_MONEY = "BAD_MONEY"
    """An amount that is not a number."""
    NEGATIVE_MONEY = "NEGATIVE_MONEY"
    """An amount below zero where the format allows none."""
    FRACTIONAL_MONEY = "FRACTIONAL_MONEY"
    """An amount with a non-zero fraction of a đồng (VND has no minor unit)."""
    CURRENCY_NOT_VND = "CURRENCY_NOT_VND"
    """An amount in a currency other than VND."""
    CLASS_OUT_OF_RANGE = "CLASS_OUT_OF_RANGE"
    """A vehicle class outside the fee groups 1–5."""
    OUT_OF_RANGE = "OUT_OF_RANGE"
    """A number outside its documented range (read_count < 0, confidence > 1, …)."""
    UNKNOWN_PAYMENT_METHOD = "UNKNOWN_PAYMENT_METHOD"
    UNKNOWN_STATUS = "UNKNOWN_STATUS"
    UNKNOWN_DIRECTION = "UNKNOWN_DIRECTION"
    UNKNOWN_OVERRIDE = "UNKNOWN_OVERRIDE"
    BAD_DATE_RANGE = "BAD_DATE_RANGE"
    """valid_to before valid_from."""
    MALFORMED_LINE = "MALFORMED_LINE"
    """A record the reader could not split into fields (wrong field count, a
    broken MT940 :61: line, a camt.053 entry without an amount, …)."""
    NOT_BOOKED = "NOT_BOOKED"
    """A bank entry whose status is not booked (pending, information only)."""
    DUPLICATE_CONFLICT = "DUPLICATE_CONFLICT"
    """A row whose key was already loaded (or came earlier in the same file)
    with different content. The message names the columns that differ."""
