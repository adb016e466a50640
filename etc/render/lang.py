"""Numbers, money, dates and words in the language of a report or statement.

Vietnamese (`vi`, the default) writes `1.234.567 ₫`, `37,5 %` and `01/11/2026`;
English (`en`) writes `1,234,567 VND`, `37.5 %` and `2026-11-01`. The words come
from the catalogue in etc.render.i18n; `t(lang, key, **values)` fills one in.
Codes (rule codes, NEW/OPEN/RESOLVED, severities in data) stay English
identifiers in every language; only their display names are translated.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal, cast

import polars as pl

from etc.errors import UsageError
from etc.localtime import LOCAL, OFFSET
from etc.render.i18n import MESSAGES

Lang = Literal["vi", "en"]
LANGS: tuple[Lang, ...] = ("vi", "en")
DEFAULT_LANG: Lang = "vi"

XLSX_NUMBER = {"vi": "#,##0", "en": "#,##0"}
"""The number format is the same: Excel shows the separators of the reader's locale."""
XLSX_DAY = {"vi": "dd/mm/yyyy", "en": "yyyy-mm-dd"}
XLSX_MINUTE = {"vi": "dd/mm/yyyy hh:mm", "en": "yyyy-mm-dd hh:mm"}
XLSX_MONEY = {"vi": '#,##0 "₫"', "en": "#,##0"}

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
_SWAP = str.maketrans(",.", ".,")


def lang_of(value: str | None) -> Lang:
    """`value` as a language (None: the default); anything else is a usage error."""
    if value is None:
        return DEFAULT_LANG
    low = value.strip().lower()
    if low not in LANGS:
        raise UsageError(f"unknown language {value!r}", hint="use vi or en")
    return cast(Lang, low)


def t(lang: Lang, key: str, **values: object) -> str:
    """The catalogue's text `key` in `lang`, its `{name}` fields filled."""
    text = MESSAGES[lang][key]
    return text.format(**values) if values else text


def number(lang: Lang, n: int | float) -> str:
    """An integer with thousands separators: `1.234.567` (vi), `1,234,567` (en)."""
    text = f"{int(n):,}"
    return text.translate(_SWAP) if lang == "vi" else text


def money(lang: Lang, amount: int | float) -> str:
    """`1.234.567 ₫` (vi), `1,234,567 VND` (en)."""
    return f"{number(lang, amount)} ₫" if lang == "vi" else f"{number(lang, amount)} VND"


def decimal(lang: Lang, value: float, places: int = 1) -> str:
    text = f"{value:,.{places}f}"
    return text.translate(_SWAP) if lang == "vi" else text


def percent(lang: Lang, share: float) -> str:
    """A 0…1 share: `12,3 %` (vi), `12.3 %` (en)."""
    return f"{decimal(lang, share * 100)} %"


def numbers_in(lang: Lang, text: str) -> str:
    """Every number in `text` written the `lang` way (`1,250,000.5` → `1.250.000,5`)."""
    if lang == "en":
        return text
    return _NUMBER.sub(lambda m: m.group(0).translate(_SWAP), text)


def day(lang: Lang, value: date | None) -> str:
    """A date: `01/11/2026` (vi), `2026-11-01` (en); '' for None."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def iso_day(lang: Lang, text: str) -> str:
    """An ISO date (or 'YYYY-MM-DD HH:MM[:SS]') in text, written the `lang` way."""
    if lang == "en":
        return text
    return re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", r"\3/\2/\1", text)


def minute(lang: Lang, instant: datetime) -> str:
    """An aware instant as local time: `01/11/2026 08:05` (vi), `2026-11-01 08:05` (en)."""
    local = instant.astimezone(LOCAL)
    return local.strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")


def local_minute(lang: Lang, instant: pl.Expr) -> pl.Expr:
    """A UTC instant column as local minute text in `lang` (null stays null)."""
    fmt = "%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M"
    return (instant.dt.replace_time_zone(None) + OFFSET).dt.strftime(fmt)


def count_of(lang: Lang, n: int, key: str) -> str:
    """`12 phát hiện` (vi: no plural) or `12 findings` (en: `key`'s text, with an s
    unless n is 1)."""
    word = t(lang, key)
    if lang == "en" and n != 1:
        word += "s"
    return f"{number(lang, n)} {word}"


def severity_name(lang: Lang, value: str) -> str:
    return MESSAGES[lang].get(f"sev.{value}", value)


def category_name(lang: Lang, value: str) -> str:
    return MESSAGES[lang].get(f"cat.{value}", value)


def state_name(lang: Lang, value: str) -> str:
    return MESSAGES[lang].get(f"state.{value}", value)


def code_title(lang: Lang, code: str) -> str:
    """A rule code's short name (`Thiếu quyết toán`); '' for an unknown code."""
    return MESSAGES[lang].get(f"code.{code}", "")


def column(lang: Lang, name: str) -> str:
    """A data column's header (`business_date` → `Ngày nghiệp vụ`); in English the
    column name itself, as the exports name it."""
    return MESSAGES[lang].get(f"col.{name}", name)
