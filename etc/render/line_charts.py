"""Inline SVG line charts (etc.render.charts draws the bars): a few series over
one category axis — hours of a day, days of a month — with points that carry
their value in a `<title>` tooltip.

A value of None is a gap: the line breaks there (a sensor that counted nothing
that hour is not a zero). Categories can be shaded (`shade`) to mark such gaps.
Coordinates are printed with one decimal, so the same data gives the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from etc.render.charts import WIDTH, Fmt, _domain, _n, _open, nothing

HEIGHT = 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 10, 44


@dataclass(frozen=True)
class Line:
    """One series: its name (the legend), values per category (None: a gap), the
    tooltip of each point, and its colour class (s0 … s3 of report.css)."""

    name: str
    values: Sequence[float | None]
    tips: Sequence[str]
    cls: str = "s0"


def legend(lines: Sequence[Line], extra: Sequence[tuple[str, str]] = ()) -> str:
    """The series' colour keys as a list, then `extra` (class, text) keys."""
    keys = [(f"{ln.cls}", ln.name) for ln in lines] + list(extra)
    return ('<ul class="legend">' + "".join(
        f'<li><span class="key {escape(c)}"></span>{escape(n)}</li>' for c, n in keys)
        + "</ul>")


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """The points split into unbroken runs at each gap."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(p)
    return [r for r in runs if r]


def line_chart(ident: str, title: str, labels: Sequence[str], lines: Sequence[Line], *,
               axis: str, fmt: Fmt, category: str, empty: str,
               shade: Sequence[bool] = (), shade_tip: str = "", every: int = 1,
               whole: bool = True, height: int = HEIGHT) -> str:
    """The chart: one `<polyline class="line sN">` per unbroken run of a series and a
    `<circle class="dot sN">` with its tooltip per point; `labels` under the
    category axis (every `every`-th one); categories whose `shade` is True drawn
    behind as `rect.gap` with `shade_tip`."""
    values = [v for ln in lines for v in ln.values if v is not None]
    if not labels or not values:
        return nothing(title, empty)
    lo, hi, ticks = _domain(values, whole)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    step = plot_w / len(labels)

    def x(i: int) -> float:
        return LEFT + step * (i + 0.5)

    def y(v: float) -> float:
        return TOP + plot_h * (hi - v) / (hi - lo)

    desc = f"{axis} by {category}: " + "; ".join(ln.name for ln in lines)
    out = _open(ident, title, WIDTH, height, desc)
    for i, shaded in enumerate(shade):
        if shaded:
            out.append(f'<rect class="gap" x="{_n(LEFT + step * i)}" y="{_n(TOP)}" '
                       f'width="{_n(step)}" height="{_n(plot_h)}"><title>{escape(labels[i])}: '
                       f"{escape(shade_tip)}</title></rect>")
    for tick in ticks:
        out.append(f'<line class="grid" x1="{LEFT}" x2="{_n(LEFT + plot_w)}" '
                   f'y1="{_n(y(tick))}" y2="{_n(y(tick))}"/>')
        out.append(f'<text class="tick" x="{LEFT - 4}" y="{_n(y(tick) + 4)}" '
                   f'text-anchor="end">{escape(fmt(tick))}</text>')
    base = y(max(lo, 0.0))
    out.append(f'<line class="axis" x1="{LEFT}" x2="{_n(LEFT + plot_w)}" '
               f'y1="{_n(base)}" y2="{_n(base)}"/>')
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(f'<text class="tick" x="{_n(x(i))}" y="{_n(TOP + plot_h + 14)}" '
                       f'text-anchor="middle">{escape(label)}</text>')
    out.append(f'<text class="axis-title" x="{_n(LEFT + plot_w / 2)}" y="{height - 6}" '
               f'text-anchor="middle">{escape(category)}</text>')
    out.append(f'<text class="axis-title" x="12" y="{_n(TOP + plot_h / 2)}" '
               f'text-anchor="middle" transform="rotate(-90 12 {_n(TOP + plot_h / 2)})">'
               f"{escape(axis)}</text>")
    for ln in lines:
        points = [None if v is None else (x(i), y(v)) for i, v in enumerate(ln.values)]
        for run in _runs(points):
            coords = " ".join(f"{_n(px)},{_n(py)}" for px, py in run)
            out.append(f'<polyline class="line {ln.cls}" points="{coords}"/>')
        for p, tip in zip(points, ln.tips, strict=True):
            if p is not None:
                out.append(f'<circle class="dot {ln.cls}" cx="{_n(p[0])}" cy="{_n(p[1])}" '
                           f'r="2.5"><title>{escape(tip)}</title></circle>')
    out.append("</svg>")
    return "\n".join(out)
