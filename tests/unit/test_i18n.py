"""The message catalogue (etc.render.i18n) and the language helpers (etc.render.lang)."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime

import pytest

from etc.codes import NOTE_STATES, Category, Code, Severity
from etc.errors import UsageError
from etc.render import lang as L
from etc.render.i18n import EN, MESSAGES, VI
from etc.reports import State


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_both_languages_have_every_key_with_the_same_fields() -> None:
    assert set(VI) == set(EN)
    differ = {k for k in VI if fields(VI[k]) != fields(EN[k])}
    assert differ == set()
    assert set(MESSAGES) == set(L.LANGS)


def test_every_code_severity_category_state_and_note_has_a_vietnamese_name() -> None:
    for key in ([f"code.{c.value}" for c in Code] + [f"sev.{s.value}" for s in Severity]
                + [f"cat.{c.value}" for c in Category] + [f"state.{s.value}" for s in State]
                + [f"note.{n}" for n in (*NOTE_STATES, "NONE")]):
        assert VI[key].strip() and EN[key].strip(), key
        assert VI[key] != EN[key], key


def test_vietnamese_money_dates_and_shares() -> None:
    assert L.money("vi", 1_234_567) == "1.234.567 ₫"
    assert L.money("en", 1_234_567) == "1,234,567 VND"
    assert L.money("vi", -5_000) == "-5.000 ₫"
    assert L.day("vi", date(2026, 11, 1)) == "01/11/2026"
    assert L.day("en", date(2026, 11, 1)) == "2026-11-01"
    assert L.percent("vi", 0.375) == "37,5 %"
    assert L.minute("vi", datetime(2026, 11, 1, 17, 5, tzinfo=UTC)) == "02/11/2026 00:05"
    assert L.numbers_in("vi", "SETTLEMENT_MISSING 2 (150,000); X 1 (2.5)") == \
        "SETTLEMENT_MISSING 2 (150.000); X 1 (2,5)"
    assert L.count_of("vi", 2, "finding") == "2 phát hiện"
    assert L.count_of("en", 1, "finding") == "1 finding"
    assert L.count_of("en", 1_000, "finding") == "1,000 findings"


def test_a_language_is_vi_or_en() -> None:
    assert L.lang_of(None) == "vi"
    assert L.lang_of(" EN ") == "en"
    with pytest.raises(UsageError, match="unknown language 'fr'"):
        L.lang_of("fr")
