"""Inline SVG bar charts, drawn in Python so the HTML report needs no library.

Each chart is one `<svg role="img">` with a `<title>` (its accessible name), a
value axis with ticks and an axis title, a category label per bar and a
`<title>` tooltip per bar (`rect.bar`). Coordinates are printed with one
decimal, so the same data always gives the same text. With nothing to draw a
chart is a short note instead of an empty frame.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

Fmt = Callable[[float], str]

WIDTH = 560        # drawn at this size in a two-column grid, scaled down when narrower
LABEL_W = 160      # category labels left of horizontal bars
VALUE_W = 90       # value text right of horizontal bars
MAX_COLUMN = 36    # widest vertical bar
BAR_H = 16         # a bar's band; 10 in grouped charts
GAP = 6
SERIES = 4         # colour classes s0 … s3 of grouped bars (report.css)


def vnd(amount: float) -> str:
    """VND with thousands separators ("1,250,000")."""
    return f"{int(amount):,}"


def count(n: float) -> str:
    return f"{int(n):,}"


def percent(share: float) -> str:
    """A 0…1 share as "12.3 %"."""
    return f"{share * 100:.1f} %"


@dataclass(frozen=True)
class Bar:
    """One bar: its axis label, value, tooltip and whether to highlight it."""

    label: str
    value: float
    tip: str
    highlight: bool = False


def nothing(title: str, why: str) -> str:
    """The note that stands in for a chart without data."""
    return (f'<p class="nothing"><strong>{escape(title)}</strong>: nothing to chart '
            f"({escape(why)}).</p>")


def _n(x: float) -> str:
    return f"{x:.1f}"


def _ticks(lo: float, hi: float, whole: bool, want: int = 5) -> list[float]:
    """Round tick values (1, 2 or 5 × 10ᵏ apart; whole numbers when `whole`)
    from at or below lo to at or above hi."""
    raw = (hi - lo) / want
    mag = 10.0 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    if whole:
        step = max(step, 1.0)
    first, last = math.floor(lo / step), math.ceil(hi / step)
    return [round(k * step, 10) for k in range(first, last + 1)]


def _domain(values: Sequence[float], whole: bool) -> tuple[float, float, list[float]]:
    """The value axis: 0 always included, never an empty span."""
    lo, hi = min(0.0, *values), max(0.0, *values)
    if lo == hi:
        hi = 1.0
    ticks = _ticks(lo, hi, whole)
    return ticks[0], ticks[-1], ticks


def _clip(text: str, size: int = 24) -> str:
    """`text` within `size` characters: its first word (a station id) and its end,
    where names that share a start ("Trạm thu phí …") tell stations apart."""
    if len(text) <= size:
        return text
    head, _, rest = text.partition(" ")
    if not rest or len(head) > size // 2:
        return text[: size - 1] + "…"
    return f"{head} …{rest[-(size - len(head) - 2):]}"


def _open(ident: str, title: str, width: int, height: int, desc: str) -> list[str]:
    return [
        f'<svg class="chart" id="{escape(ident)}" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{escape(ident)}-t {escape(ident)}-d">',
        f'<title id="{escape(ident)}-t">{escape(title)}</title>',
        f'<desc id="{escape(ident)}-d">{escape(desc)}</desc>',
    ]


def _rect(x: float, y: float, w: float, h: float, cls: str, tip: str) -> str:
    return (f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}">'
            f"<title>{escape(tip)}</title></rect>")


def _hbars(ident: str, title: str, rows: Sequence[tuple[str, Sequence[Bar]]], axis: str,
           fmt: Fmt, desc: str, whole: bool) -> str:
    """Horizontal bars, one row per label, each row holding one or more bars."""
    per_row = max(len(bars) for _, bars in rows)
    bar_h = BAR_H if per_row == 1 else 10
    row_h = per_row * bar_h + GAP * (2 if per_row > 1 else 1)
    top, plot_w = 10, WIDTH - LABEL_W - VALUE_W
    height = top + len(rows) * row_h + 46
    lo, hi, ticks = _domain([b.value for _, bars in rows for b in bars], whole)

    def x(v: float) -> float:
        return LABEL_W + (v - lo) / (hi - lo) * plot_w

    out = _open(ident, title, WIDTH, height, desc)
    base_y = top + len(rows) * row_h
    for t in ticks:
        out.append(f'<line class="grid" x1="{_n(x(t))}" y1="{top}" x2="{_n(x(t))}" '
                   f'y2="{_n(base_y)}"/>')
        out.append(f'<text class="tick" x="{_n(x(t))}" y="{_n(base_y + 16)}" '
                   f'text-anchor="middle">{escape(fmt(t))}</text>')
    for i, (label, bars) in enumerate(rows):
        y0 = top + i * row_h + GAP / 2
        out.append(f'<text class="label" x="{LABEL_W - 8}" y="{_n(y0 + per_row * bar_h / 2 + 4)}" '
                   f'text-anchor="end">{escape(_clip(label))}</text>')
        for j, b in enumerate(bars):
            left, right = sorted((x(0), x(b.value)))
            cls = f"bar s{j % SERIES}" + (" hl" if b.highlight else "")
            out.append(_rect(left, y0 + j * bar_h, right - left, bar_h - 2, cls, b.tip))
            if per_row == 1:
                out.append(f'<text class="value" x="{_n(right + 4)}" '
                           f'y="{_n(y0 + bar_h / 2 + 3)}">{escape(fmt(b.value))}</text>')
    out.append(f'<line class="axis" x1="{_n(x(0))}" y1="{top}" x2="{_n(x(0))}" '
               f'y2="{_n(base_y)}"/>')
    out.append(f'<text class="axis-title" x="{_n(LABEL_W + plot_w / 2)}" y="{height - 6}" '
               f'text-anchor="middle">{escape(axis)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def hbar_chart(ident: str, title: str, bars: Sequence[Bar], *, axis: str, fmt: Fmt,
               empty: str, whole: bool = True) -> str:
    """One horizontal bar per item (stations, lanes), largest first as given."""
    if not bars:
        return nothing(title, empty)
    desc = f"{len(bars)} bars; " + "; ".join(b.tip for b in bars[:5])
    return _hbars(ident, title, [(b.label, [b]) for b in bars], axis, fmt, desc, whole)


def grouped_hbar_chart(ident: str, title: str, groups: Sequence[tuple[str, Sequence[Bar]]],
                       series: Sequence[str], *, axis: str, fmt: Fmt, empty: str) -> str:
    """Per group (a station) one bar per series, with a legend naming the series."""
    if not groups:
        return nothing(title, empty)
    legend = "".join(f'<li><span class="key s{i % SERIES}"></span>{escape(s)}</li>'
                     for i, s in enumerate(series))
    desc = f"{len(groups)} groups of {len(series)} bars: " + ", ".join(series)
    return (f'<ul class="legend" aria-hidden="true">{legend}</ul>\n'
            + _hbars(ident, title, groups, axis, fmt, desc, True))


def vbar_chart(ident: str, title: str, bars: Sequence[Bar], *, axis: str, fmt: Fmt,
               category: str, empty: str, whole: bool = True) -> str:
    """One vertical bar per item in order (days), every k-th label shown."""
    if not bars:
        return nothing(title, empty)
    left, right, top, bottom, height = 96, 12, 12, 52, 240
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    lo, hi, ticks = _domain([b.value for b in bars], whole)
    slot = plot_w / len(bars)
    every = max(1, math.ceil(len(bars) / 12))

    def y(v: float) -> float:
        return top + (hi - v) / (hi - lo) * plot_h

    desc = f"{len(bars)} bars; " + "; ".join(b.tip for b in bars[:5])
    out = _open(ident, title, WIDTH, height, desc)
    for t in ticks:
        out.append(f'<line class="grid" x1="{left}" y1="{_n(y(t))}" x2="{WIDTH - right}" '
                   f'y2="{_n(y(t))}"/>')
        out.append(f'<text class="tick" x="{left - 6}" y="{_n(y(t) + 4)}" '
                   f'text-anchor="end">{escape(fmt(t))}</text>')
    for i, b in enumerate(bars):
        x0 = left + i * slot
        up, down = sorted((y(0), y(b.value)))
        cls = "bar s0" + (" hl" if b.highlight else "")
        w = min(slot * 0.8, MAX_COLUMN)
        out.append(_rect(x0 + (slot - w) / 2, up, w, down - up, cls, b.tip))
        if i % every == 0:
            out.append(f'<text class="tick" x="{_n(x0 + slot / 2)}" y="{_n(top + plot_h + 16)}" '
                       f'text-anchor="middle">{escape(b.label)}</text>')
    out.append(f'<line class="axis" x1="{left}" y1="{_n(y(0))}" x2="{WIDTH - right}" '
               f'y2="{_n(y(0))}"/>')
    out.append(f'<text class="axis-title" x="{_n(left + plot_w / 2)}" y="{height - 8}" '
               f'text-anchor="middle">{escape(category)}</text>')
    out.append(f'<text class="axis-title" x="14" y="{_n(top + plot_h / 2)}" text-anchor="middle" '
               f'transform="rotate(-90 14 {_n(top + plot_h / 2)})">{escape(axis)}</text>')
    out.append("</svg>")
    return "\n".join(out)
