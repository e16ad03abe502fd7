"""Inline SVG charts of the briefing pages: a school's index against the region and its cluster,
its trend over years, horizontal bars and a forest plot of programme effects.

Hand-written on purpose: this is the measured fast path for thousands of passports (a whole
passport with its charts renders in about 1 ms, 0.7 ms median at 40,000 schools:
docs/performance.md), with no script and no library per page, and the pages work offline. Every
label is escaped; shapes take their colours from CSS classes of assets/briefings.css, bars from
the caller (`workbench.core.palette`).
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Any, Iterable

import numpy as np
from markupsafe import Markup

from workbench.briefings.labels import NO_DATA
from workbench.core.formatting import finite as _num
from workbench.core.formatting import fmt_int, fmt_num, fmt_pct, year_label


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _svg_open(width: int, height: int, label: str) -> str:
    """Opening tag of an inline chart with its accessible (escaped) title."""
    return (f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{_esc(label)}</title>')


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    span = hi - lo
    if span <= 0:
        return [lo]
    raw = span / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.ceil(lo / step) * step
    out, v = [], start
    while v <= hi + 1e-9:
        out.append(round(v, 10))
        v += step
    return out


@dataclass(frozen=True)
class Spread:
    """A distribution summarised once for every chart that shows it: count, extremes and the
    10th, 25th, 50th, 75th and 90th percentiles (these only from 2 values on)."""

    n: int
    lo: float = np.nan
    hi: float = np.nan
    pct: tuple[float, ...] = ()

    @classmethod
    def of(cls, values: Iterable[float] | "Spread" | None) -> "Spread":
        """The spread of the finite values (a Spread is returned as it is)."""
        if isinstance(values, Spread):
            return values
        arr = np.asarray([v for v in (values if values is not None else []) if _num(v) is not None],
                         dtype=float)
        if len(arr) == 0:
            return cls(0)
        pct = tuple(float(x) for x in np.percentile(arr, [10, 25, 50, 75, 90])) \
            if len(arr) >= 2 else ()
        return cls(len(arr), float(arr.min()), float(arr.max()), pct)


def _axis_range(lo: float, hi: float, pad: float) -> tuple[float, float]:
    """A chart axis around [lo, hi]: ±1 when the values are all equal, then `pad` of the span
    added on each side."""
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    margin = (hi - lo) * pad
    return lo - margin, hi + margin


def svg_interval(value: float | None, ci_low: float | None, ci_high: float | None,
                 region: Iterable[float] | Spread, peers: Iterable[float] | Spread | None,
                 label: str = "Индекс результатов", width: int = 560) -> Markup:
    """School value with its interval against the region's and the cluster peers' distribution
    (values, or their `Spread` computed once for all schools).

    Bands: 10–90th percentile (light) and 25–75th (darker) with the median as a tick."""
    region, peers = Spread.of(region), Spread.of(peers)
    pts = [float(v) for v in (value, ci_low, ci_high) if _num(v) is not None]
    lows = [d.lo for d in (region, peers) if d.n] + pts
    highs = [d.hi for d in (region, peers) if d.n] + pts
    if not lows:
        return Markup(f'<p class="nodata">{NO_DATA}</p>')
    lo, hi = _axis_range(min(lows), max(highs), 0.05)
    left, right, row_h = 110, 15, 30
    rows = [("Регион", region), ("Похожие школы", peers)]
    height = 20 + row_h * 3 + 25
    sx = lambda v: left + (v - lo) / (hi - lo) * (width - left - right)  # noqa: E731
    parts = [_svg_open(width, height, label)]
    for t in _ticks(lo, hi):
        x = sx(t)
        parts.append(f'<line x1="{x:.1f}" y1="12" x2="{x:.1f}" y2="{height - 22}" class="grid"/>'
                     f'<text x="{x:.1f}" y="{height - 8}" class="tick" text-anchor="middle">'
                     f'{_esc(fmt_num(t, 1))}</text>')
    for i, (name, arr) in enumerate(rows):
        y = 20 + row_h * i
        parts.append(f'<text x="4" y="{y + 15}" class="lab">{_esc(name)}</text>')
        if arr.n < 2:
            parts.append(f'<text x="{left}" y="{y + 15}" class="lab muted">{NO_DATA}</text>')
            continue
        p10, p25, p50, p75, p90 = arr.pct
        parts.append(f'<rect x="{sx(p10):.1f}" y="{y + 4}" width="{max(sx(p90) - sx(p10), 1):.1f}" '
                     f'height="14" class="band1"/>'
                     f'<rect x="{sx(p25):.1f}" y="{y + 4}" width="{max(sx(p75) - sx(p25), 1):.1f}" '
                     f'height="14" class="band2"/>'
                     f'<line x1="{sx(p50):.1f}" y1="{y + 1}" x2="{sx(p50):.1f}" y2="{y + 21}" '
                     f'class="median"/>')
    y = 20 + row_h * 2
    parts.append(f'<text x="4" y="{y + 15}" class="lab strong">Школа</text>')
    if _num(value) is not None:
        if _num(ci_low) is not None and _num(ci_high) is not None:
            parts.append(f'<line x1="{sx(ci_low):.1f}" y1="{y + 11}" x2="{sx(ci_high):.1f}" '
                         f'y2="{y + 11}" class="whisker"/>'
                         f'<line x1="{sx(ci_low):.1f}" y1="{y + 5}" x2="{sx(ci_low):.1f}" '
                         f'y2="{y + 17}" class="whisker"/>'
                         f'<line x1="{sx(ci_high):.1f}" y1="{y + 5}" x2="{sx(ci_high):.1f}" '
                         f'y2="{y + 17}" class="whisker"/>')
        parts.append(f'<circle cx="{sx(value):.1f}" cy="{y + 11}" r="6" class="point"/>')
    else:
        parts.append(f'<text x="{left}" y="{y + 15}" class="lab muted">{NO_DATA}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_trend(points: list[dict[str, Any]], label: str = "Индекс результатов по годам",
              width: int = 560, height: int = 190) -> Markup:
    """Line of a school's value over years with its interval band and a reference line.

    points: dicts with year, value, lo, hi (optional), ref (optional region reference)."""
    pts = [p for p in points if _num(p.get("value")) is not None]
    if not pts:
        return Markup(f'<p class="nodata">{NO_DATA}</p>')
    vals = [p["value"] for p in pts] + [p[k] for p in pts for k in ("lo", "hi", "ref")
                                        if _num(p.get(k)) is not None]
    lo, hi = _axis_range(min(vals), max(vals), 0.08)
    years = [int(p["year"]) for p in pts]
    y0, y1 = min(years), max(years)
    left, right, top, bottom = 48, 20, 12, 28
    sx = (lambda yr: left + (yr - y0) / (y1 - y0) * (width - left - right)) if y1 > y0 else \
        (lambda yr: (left + width - right) / 2)
    sy = lambda v: top + (hi - v) / (hi - lo) * (height - top - bottom)  # noqa: E731
    parts = [_svg_open(width, height, label)]
    for t in _ticks(lo, hi, 4):
        parts.append(f'<line x1="{left}" y1="{sy(t):.1f}" x2="{width - right}" y2="{sy(t):.1f}" '
                     f'class="grid"/><text x="{left - 6}" y="{sy(t) + 4:.1f}" class="tick" '
                     f'text-anchor="end">{_esc(fmt_num(t, 1))}</text>')
    for yr in years:
        parts.append(f'<text x="{sx(yr):.1f}" y="{height - 8}" class="tick" text-anchor="middle">'
                     f'{_esc(year_label(yr))}</text>')
    band = [p for p in pts if _num(p.get("lo")) is not None and _num(p.get("hi")) is not None]
    if len(band) >= 2:
        upper = " ".join(f"{sx(p['year']):.1f},{sy(p['hi']):.1f}" for p in band)
        lower = " ".join(f"{sx(p['year']):.1f},{sy(p['lo']):.1f}" for p in reversed(band))
        parts.append(f'<polygon points="{upper} {lower}" class="band1"/>')
    ref = [p for p in pts if _num(p.get("ref")) is not None]
    if len(ref) >= 1:
        parts.append('<polyline fill="none" class="refline" points="' + " ".join(
            f"{sx(p['year']):.1f},{sy(p['ref']):.1f}" for p in ref) + '"/>')
    parts.append('<polyline fill="none" class="line" points="' + " ".join(
        f"{sx(p['year']):.1f},{sy(p['value']):.1f}" for p in pts) + '"/>')
    for p in pts:
        parts.append(f'<circle cx="{sx(p["year"]):.1f}" cy="{sy(p["value"]):.1f}" r="4" '
                     f'class="point"><title>{_esc(year_label(p["year"]))}: '
                     f'{_esc(fmt_num(p["value"]))}</title></circle>')
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_bars(items: list[dict[str, Any]], vmax: float | None = None, label: str = "",
             width: int = 560, value_fmt: str = "num") -> Markup:
    """Horizontal bars: items are dicts with label, value (None → «нет данных»), colour, note."""
    if not items:
        return Markup(f'<p class="nodata">{NO_DATA}</p>')
    vals = [_num(i.get("value")) for i in items]
    vmax = vmax or max([v for v in vals if v is not None] or [1.0]) or 1.0
    left, right, row = 230, 70, 22
    height = row * len(items) + 8
    parts = [_svg_open(width, height, label)]
    for k, (it, v) in enumerate(zip(items, vals)):
        y = 4 + k * row
        text = str(it.get("label", ""))
        short = text if len(text) <= 34 else text[:32] + "…"
        parts.append(f'<text x="4" y="{y + 14}" class="lab"><title>{_esc(text)}</title>'
                     f'{_esc(short)}</text>')
        if v is None:
            parts.append(f'<text x="{left}" y="{y + 14}" class="lab muted">{NO_DATA}</text>')
            continue
        w = max(v / vmax * (width - left - right), 1.0)
        shown = {"pct": fmt_pct, "int": fmt_int}.get(value_fmt, fmt_num)(v)
        parts.append(f'<rect x="{left}" y="{y + 3}" width="{w:.1f}" height="15" '
                     f'fill="{_esc(it.get("colour", "#4575b4"))}"/>'
                     f'<text x="{left + w + 5:.1f}" y="{y + 14}" class="lab">{_esc(shown)}'
                     f'{_esc(it.get("note", ""))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def svg_forest(items: list[dict[str, Any]], label: str = "Эффект программы",
               width: int = 560) -> Markup:
    """Effects with intervals around zero: items are dicts with label, effect, lo, hi."""
    items = [i for i in items if _num(i.get("effect")) is not None]
    if not items:
        return Markup(f'<p class="nodata">{NO_DATA}</p>')
    vals = [0.0] + [v for i in items for v in (i.get("effect"), i.get("lo"), i.get("hi"))
                    if _num(v) is not None]
    lo, hi = _axis_range(min(vals), max(vals), 0.08)
    left, right, row = 230, 15, 24
    height = row * len(items) + 34
    sx = lambda v: left + (v - lo) / (hi - lo) * (width - left - right)  # noqa: E731
    parts = [_svg_open(width, height, label)]
    for t in _ticks(lo, hi, 4):
        parts.append(f'<line x1="{sx(t):.1f}" y1="4" x2="{sx(t):.1f}" y2="{height - 24}" class="grid"/>'
                     f'<text x="{sx(t):.1f}" y="{height - 8}" class="tick" text-anchor="middle">'
                     f'{_esc(fmt_num(t, 2))}</text>')
    parts.append(f'<line x1="{sx(0):.1f}" y1="4" x2="{sx(0):.1f}" y2="{height - 24}" class="zero"/>')
    for k, it in enumerate(items):
        y = 6 + k * row
        text = str(it.get("label", ""))
        short = text if len(text) <= 34 else text[:32] + "…"
        parts.append(f'<text x="4" y="{y + 13}" class="lab"><title>{_esc(text)}</title>'
                     f'{_esc(short)}</text>')
        if _num(it.get("lo")) is not None and _num(it.get("hi")) is not None:
            parts.append(f'<line x1="{sx(it["lo"]):.1f}" y1="{y + 9}" x2="{sx(it["hi"]):.1f}" '
                         f'y2="{y + 9}" class="whisker"/>')
        parts.append(f'<circle cx="{sx(it["effect"]):.1f}" cy="{y + 9}" r="5" class="point"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
