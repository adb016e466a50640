"""Rule codes, categories and severities: the contract of findings.md.

The string values are stored in the `findings` table and exported; they never
change meaning once released. `IDENTITY` names, per code, the columns that
identify one finding (findings.md's "key" column): within one run each identity
is reported once.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    TAG = "TAG"
    MONEY = "MONEY"
    FRAUD = "FRAUD"


class Severity(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        """0 (LOW) … 3 (CRITICAL), for comparing levels."""
        return list(Severity).index(self)

    def raised(self) -> Severity:
        """One level up (CRITICAL stays CRITICAL)."""
        levels = list(Severity)
        return levels[min(self.rank + 1, len(levels) - 1)]


class Code(StrEnum):
    # TAG — bad tags and tag quality
    TAG_UNKNOWN = "TAG_UNKNOWN"
    TAG_MALFORMED = "TAG_MALFORMED"
    TAG_NOT_ACTIVE = "TAG_NOT_ACTIVE"
    TAG_LOW_BALANCE = "TAG_LOW_BALANCE"
    PLATE_MULTI_TAG = "PLATE_MULTI_TAG"
    TAG_CLASS_MISMATCH = "TAG_CLASS_MISMATCH"
    TAG_PLATE_MISMATCH = "TAG_PLATE_MISMATCH"
    TAG_POOR_READ = "TAG_POOR_READ"
    LANE_READ_DEGRADED = "LANE_READ_DEGRADED"
    # MONEY — money-flow gaps
    TARIFF_MISMATCH = "TARIFF_MISMATCH"
    SETTLEMENT_MISSING = "SETTLEMENT_MISSING"
    SETTLEMENT_AMOUNT_MISMATCH = "SETTLEMENT_AMOUNT_MISMATCH"
    SETTLEMENT_DUPLICATE = "SETTLEMENT_DUPLICATE"
    SETTLEMENT_WRONG_PROVIDER = "SETTLEMENT_WRONG_PROVIDER"
    SETTLEMENT_ORPHAN = "SETTLEMENT_ORPHAN"
    SETTLEMENT_LATE = "SETTLEMENT_LATE"
    BATCH_UNPAID = "BATCH_UNPAID"
    BATCH_AMOUNT_MISMATCH = "BATCH_AMOUNT_MISMATCH"
    BANK_UNMATCHED_CREDIT = "BANK_UNMATCHED_CREDIT"
    # FRAUD — possible fraud and revenue leakage
    DOUBLE_CHARGE = "DOUBLE_CHARGE"
    TAG_CLONE = "TAG_CLONE"
    CLASS_UNDERCHARGE = "CLASS_UNDERCHARGE"
    EXEMPT_UNLISTED = "EXEMPT_UNLISTED"
    STAFF_OVERRIDE_OUTLIER = "STAFF_OVERRIDE_OUTLIER"
    PASSAGES_HIDDEN = "PASSAGES_HIDDEN"
    CASH_SHARE_SPIKE = "CASH_SHARE_SPIKE"


_TAG = (Code.TAG_UNKNOWN, Code.TAG_MALFORMED, Code.TAG_NOT_ACTIVE, Code.TAG_LOW_BALANCE,
        Code.PLATE_MULTI_TAG, Code.TAG_CLASS_MISMATCH, Code.TAG_PLATE_MISMATCH,
        Code.TAG_POOR_READ, Code.LANE_READ_DEGRADED)
_FRAUD = (Code.DOUBLE_CHARGE, Code.TAG_CLONE, Code.CLASS_UNDERCHARGE, Code.EXEMPT_UNLISTED,
          Code.STAFF_OVERRIDE_OUTLIER, Code.PASSAGES_HIDDEN, Code.CASH_SHARE_SPIKE)

ORDER: dict[str, int] = {c.value: i for i, c in enumerate(Code)}
"""Each code's position in the catalogue (findings.md's order), by its value."""

CATEGORY: dict[Code, Category] = {
    c: Category.TAG if c in _TAG else Category.FRAUD if c in _FRAUD else Category.MONEY
    for c in Code
}

CATEGORY_OF: dict[str, str] = {c.value: CATEGORY[c].value for c in Code}
"""CATEGORY by the values, for mapping a column of codes."""

IDENTITY: dict[Code, tuple[str, ...]] = {
    **{c: ("txn_id",) for c in Code},
    Code.PLATE_MULTI_TAG: ("plate", "business_date"),
    Code.TAG_POOR_READ: ("tag_id", "business_date"),
    Code.LANE_READ_DEGRADED: ("station_id", "lane_id", "business_date"),
    Code.STAFF_OVERRIDE_OUTLIER: ("staff_id", "business_date"),
    Code.PASSAGES_HIDDEN: ("station_id", "lane_id", "business_date"),
    Code.CASH_SHARE_SPIKE: ("station_id", "lane_id", "business_date"),
    Code.SETTLEMENT_DUPLICATE: ("settlement_id",),
    Code.SETTLEMENT_WRONG_PROVIDER: ("settlement_id",),
    Code.SETTLEMENT_ORPHAN: ("settlement_id",),
    Code.BATCH_UNPAID: ("batch_id",),
    Code.BATCH_AMOUNT_MISMATCH: ("batch_id",),
    Code.BANK_UNMATCHED_CREDIT: ("entry_id",),
}
"""Columns identifying one finding of a code (findings.md's key; per-date keys
include business_date). A bank entry id is unique per account only: an id
unmatched on two accounts is reported as "account/entry_id" (ledgers.bank_rules)."""

DEFAULT_SEVERITY: dict[Code, Severity] = {
    Code.TAG_UNKNOWN: Severity.HIGH,
    Code.TAG_MALFORMED: Severity.MEDIUM,
    Code.TAG_NOT_ACTIVE: Severity.HIGH,
    Code.TAG_LOW_BALANCE: Severity.LOW,
    Code.PLATE_MULTI_TAG: Severity.MEDIUM,
    Code.TAG_CLASS_MISMATCH: Severity.MEDIUM,
    Code.TAG_PLATE_MISMATCH: Severity.MEDIUM,
    Code.TAG_POOR_READ: Severity.LOW,
    Code.LANE_READ_DEGRADED: Severity.MEDIUM,
    Code.TARIFF_MISMATCH: Severity.HIGH,
    Code.SETTLEMENT_MISSING: Severity.HIGH,
    Code.SETTLEMENT_AMOUNT_MISMATCH: Severity.HIGH,
    Code.SETTLEMENT_DUPLICATE: Severity.HIGH,
    Code.SETTLEMENT_WRONG_PROVIDER: Severity.CRITICAL,
    Code.SETTLEMENT_ORPHAN: Severity.CRITICAL,
    Code.SETTLEMENT_LATE: Severity.LOW,
    Code.BATCH_UNPAID: Severity.CRITICAL,
    Code.BATCH_AMOUNT_MISMATCH: Severity.HIGH,
    Code.BANK_UNMATCHED_CREDIT: Severity.MEDIUM,
    Code.DOUBLE_CHARGE: Severity.HIGH,
    Code.TAG_CLONE: Severity.CRITICAL,
    Code.CLASS_UNDERCHARGE: Severity.MEDIUM,
    Code.EXEMPT_UNLISTED: Severity.HIGH,
    Code.STAFF_OVERRIDE_OUTLIER: Severity.HIGH,
    Code.PASSAGES_HIDDEN: Severity.HIGH,
    Code.CASH_SHARE_SPIKE: Severity.MEDIUM,
}
"""findings.md names the four levels but gives no level per code: these are ours,
each changeable in the settings ([severity.codes]). PASSAGES_HIDDEN is HIGH like
the other FRAUD codes with money at risk: traffic the authority counted that the
lane never recorded is revenue hidden at the station, the kind prosecuted (it
reaches CRITICAL by its money, at `raise_at_vnd`). CASH_SHARE_SPIKE is MEDIUM: a
pattern to inspect, not money shown to be lost (its money at risk is 0)."""


NOTE_STATES = ("EXPLAINED", "DISPUTED", "CONFIRMED_LOSS", "FALSE_POSITIVE")
"""What people concluded about a finding, in a note (etc.store.notes, `etc note`)."""
