"""The fonts the statement PDF draws with, its paragraph styles in them, and
text in the letters they hold.

DejaVu Sans, Sans Bold and Sans Mono when installed (Debian: fonts-dejavu-core),
registered once with reportlab and embedded as subsets, so station names keep
their Vietnamese letters. Without them the built-in Helvetica and Courier are
used; those hold Windows-1252 only, so a text with other letters is then shown
without accents (`printable`: "Trạm Dầu Giây" → "Tram Dau Giay").
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont


@dataclass(frozen=True)
class Fonts:
    """The regular, bold and monospaced font names the PDF draws with; `unicode`
    when they hold Vietnamese letters (DejaVu), not for the built-in fonts."""

    regular: str
    bold: str
    mono: str
    unicode: bool


BUILTIN = Fonts("Helvetica", "Helvetica-Bold", "Courier", unicode=False)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/share/fonts/TTF"))
"""Where DejaVu is installed: Debian/Ubuntu, Fedora, Arch."""
_DEJAVU = (("DejaVuSans", "DejaVuSans.ttf"), ("DejaVuSans-Bold", "DejaVuSans-Bold.ttf"),
           ("DejaVuSansMono", "DejaVuSansMono.ttf"))


def choose_fonts(search: Sequence[Path] | None = None) -> Fonts:
    """DejaVu from the first folder of `search` (default FONT_DIRS) holding all
    three files, registered with reportlab once; else BUILTIN (`search=[]`
    forces it)."""
    return _choose(FONT_DIRS if search is None else tuple(search))


@functools.cache
def _choose(search: tuple[Path, ...]) -> Fonts:
    for folder in search:
        files = [folder / file for _, file in _DEJAVU]
        if not all(f.is_file() for f in files):
            continue
        try:
            for (name, _), file in zip(_DEJAVU, files, strict=True):
                if name not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(name, str(file)))
        except (TTFError, OSError):
            continue
        return Fonts("DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono", unicode=True)
    return BUILTIN


@functools.cache
def _fitter(fonts: Fonts) -> Callable[[str], bool]:
    """Whether a character is in the regular and bold fonts (control characters are)."""
    if not fonts.unicode:
        return _fits
    held = frozenset(pdfmetrics.getFont(fonts.regular).face.charToGlyph).intersection(
        pdfmetrics.getFont(fonts.bold).face.charToGlyph)
    return lambda c: ord(c) < 32 or ord(c) in held


_SPELLED = str.maketrans({"đ": "d", "Đ": "D"})


def printable(text: str, fonts: Fonts = BUILTIN) -> str:
    """`text` in the letters `fonts` hold. DejaVu holds Vietnamese, so the text stays
    (in composed form). A text with a letter the fonts lack is written without
    accents, the usual way Vietnamese is typed without them ("Trạm Dầu Giây" →
    "Tram Dau Giay", "đ" → "d"); anything else they lack is "?"."""
    fits = _fitter(fonts)
    if fonts.unicode:
        return "".join(c if fits(c) else _bare(c, fits)
                       for c in unicodedata.normalize("NFC", text))
    return text if all(fits(c) for c in text) else _bare(text, fits)


def _bare(text: str, fits: Callable[[str], bool]) -> str:
    bare = unicodedata.normalize("NFD", text.translate(_SPELLED))
    bare = unicodedata.normalize("NFC", "".join(c for c in bare if not unicodedata.combining(c)))
    return "".join(c if fits(c) else "?" for c in bare)


def _fits(char: str) -> bool:
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


class Look(NamedTuple):
    """The fonts and the paragraph styles in them."""

    fonts: Fonts
    body: ParagraphStyle
    cell: ParagraphStyle
    bold_cell: ParagraphStyle
    title: ParagraphStyle
    head: ParagraphStyle


@functools.cache
def look_of(fonts: Fonts) -> Look:
    """The paragraph styles of the statement in `fonts` (made once per fonts)."""
    cell = ParagraphStyle("cell", fontName=fonts.regular, fontSize=7, leading=8.4)
    return Look(fonts, ParagraphStyle("body", fontName=fonts.regular, fontSize=9, leading=11),
                cell, ParagraphStyle("bold", parent=cell, fontName=fonts.bold),
                ParagraphStyle("title", fontName=fonts.bold, fontSize=16, leading=20),
                ParagraphStyle("head", fontName=fonts.bold, fontSize=11, leading=14,
                               spaceBefore=8, spaceAfter=4))
