"""The rule registry: every code of findings.md, its function and its settings
area, as one immutable tuple in the catalogue's order. The runner fixes the
output order, so registration order never shows in a report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from cards import plates, quality
from cards import rules as tag_rules
from etc.codes import Code
from etc.context import Context
from etc.settings import Settings
from ledgers import bank_rules, settlement_rules
from reconcile import cash_share, fraud, hidden

Area = Literal["tags", "money", "fraud"]


@dataclass(frozen=True)
class Rule:
    code: Code
    check: Callable[[Context, Any], pl.LazyFrame]
    area: Area

    def run(self, ctx: Context, settings: Settings) -> pl.LazyFrame:
        return self.check(ctx, getattr(settings, self.area))


RULES: tuple[Rule, ...] = (
    Rule(Code.TAG_UNKNOWN, tag_rules.tag_unknown, "tags"),
    Rule(Code.TAG_MALFORMED, tag_rules.tag_malformed, "tags"),
    Rule(Code.TAG_NOT_ACTIVE, tag_rules.tag_not_active, "tags"),
    Rule(Code.TAG_LOW_BALANCE, tag_rules.tag_low_balance, "tags"),
    Rule(Code.PLATE_MULTI_TAG, plates.plate_multi_tag, "tags"),
    Rule(Code.TAG_CLASS_MISMATCH, tag_rules.tag_class_mismatch, "tags"),
    Rule(Code.TAG_PLATE_MISMATCH, tag_rules.tag_plate_mismatch, "tags"),
    Rule(Code.TAG_POOR_READ, quality.tag_poor_read, "tags"),
    Rule(Code.LANE_READ_DEGRADED, quality.lane_read_degraded, "tags"),
    Rule(Code.TARIFF_MISMATCH, settlement_rules.tariff_mismatch, "money"),
    Rule(Code.SETTLEMENT_MISSING, settlement_rules.settlement_missing, "money"),
    Rule(Code.SETTLEMENT_AMOUNT_MISMATCH, settlement_rules.settlement_amount_mismatch, "money"),
    Rule(Code.SETTLEMENT_DUPLICATE, settlement_rules.settlement_duplicate, "money"),
    Rule(Code.SETTLEMENT_WRONG_PROVIDER, settlement_rules.settlement_wrong_provider, "money"),
    Rule(Code.SETTLEMENT_ORPHAN, settlement_rules.settlement_orphan, "money"),
    Rule(Code.SETTLEMENT_LATE, settlement_rules.settlement_late, "money"),
    Rule(Code.BATCH_UNPAID, bank_rules.batch_unpaid, "money"),
    Rule(Code.BATCH_AMOUNT_MISMATCH, bank_rules.batch_amount_mismatch, "money"),
    Rule(Code.BANK_UNMATCHED_CREDIT, bank_rules.bank_unmatched_credit, "money"),
    Rule(Code.DOUBLE_CHARGE, fraud.double_charge, "fraud"),
    Rule(Code.TAG_CLONE, fraud.tag_clone, "fraud"),
    Rule(Code.CLASS_UNDERCHARGE, fraud.class_undercharge, "fraud"),
    Rule(Code.EXEMPT_UNLISTED, fraud.exempt_unlisted, "fraud"),
    Rule(Code.STAFF_OVERRIDE_OUTLIER, fraud.staff_override_outlier, "fraud"),
    Rule(Code.PASSAGES_HIDDEN, hidden.passages_hidden, "fraud"),
    Rule(Code.CASH_SHARE_SPIKE, cash_share.cash_share_spike, "fraud"),
)
assert [r.code for r in RULES] == list(Code), "every code, once, in the catalogue's order"
