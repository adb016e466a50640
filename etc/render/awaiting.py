"""What a run awaits, in words every renderer uses alike.

A pending item (etc.outputs.PENDING_SCHEMA, etc.reports.AWAITING_SCHEMA) is not
a finding yet: a settlement still within its deadline, a batch whose bank
window is open, a credit whose batch may still come. Reports and statements
sum them up as "awaiting: 12 items, 1,234,000 VND, due by 2026-11-03 00:00
(UTC+07:00)" (in Vietnamese "đang chờ: 12 khoản, 1.234.000 ₫, hạn chót 03/11/2026
00:00 (giờ Việt Nam, UTC+07:00)"), the last instant one of them falls due, in
local time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from etc.localtime import LOCAL, OFFSET
from etc.render import lang as L

LOCAL_LABEL = "UTC+07:00"


def money(amount: int) -> str:
    """'1,234,000 VND'."""
    return f"{amount:,} VND"


def plural(n: int, word: str) -> str:
    """`n` with thousands separators and `word`, with an s unless n is 1."""
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def minute(instant: datetime) -> str:
    """An aware instant as local 'YYYY-MM-DD HH:MM' (beside "UTC+07:00")."""
    return instant.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")


def local_minute(instant: pl.Expr) -> pl.Expr:
    """A UTC instant column as local 'YYYY-MM-DD HH:MM' text (null stays null)."""
    return (instant.dt.replace_time_zone(None) + OFFSET).dt.strftime("%Y-%m-%d %H:%M")


def local_naive(instant: pl.Expr) -> pl.Expr:
    """A UTC instant column as a naive local datetime (for a spreadsheet cell)."""
    return instant.dt.replace_time_zone(None) + OFFSET


@dataclass(frozen=True)
class Awaiting:
    """How many items a frame of pending items holds, their Σ money at risk and
    when the last of them falls due (None when none has a due time)."""

    items: int
    amount_vnd: int
    due_by: datetime | None

    @classmethod
    def of(cls, pending: pl.DataFrame) -> Awaiting:
        """The tally of `pending` (a frame with amount_at_risk_vnd and due_at)."""
        due = pending["due_at"].max() if pending.height else None
        return cls(items=pending.height,
                   amount_vnd=int(pending["amount_at_risk_vnd"].sum()),
                   due_by=due if isinstance(due, datetime) else None)

    def __bool__(self) -> bool:
        return self.items > 0

    def due_text(self, lang: L.Lang = "en") -> str:
        """'2026-11-03 00:00 (UTC+07:00)', or '' when no item has a due time."""
        if not self.due_by:
            return ""
        return f"{L.minute(lang, self.due_by)} ({L.t(lang, 'local')})"

    def tally(self, lang: L.Lang = "en") -> str:
        """'12 items, 1,234,000 VND, due by 2026-11-03 00:00 (UTC+07:00)'."""
        due = L.t(lang, "awaiting.due_by", due=self.due_text(lang)) if self.due_by else ""
        return f"{L.count_of(lang, self.items, 'item')}, {L.money(lang, self.amount_vnd)}{due}"

    def text(self, lang: L.Lang = "en") -> str:
        """'awaiting: 12 items, 1,234,000 VND, due by 2026-11-03 00:00 (UTC+07:00)'."""
        return L.t(lang, "awaiting.text", tally=self.tally(lang))
