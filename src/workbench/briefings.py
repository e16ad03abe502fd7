"""HTML briefings: region, municipalities, one-page school passports and a navigation index.

Design §1 step 6 and §6. Everything is rendered by the package in one process (jinja2 templates in
`templates/`, one CSS and one plain JS file in `assets/`, charts as inline SVG made by small
functions here), with the group-bys done once (`prepare`) so that a school page costs a few
milliseconds. All text is Russian; every text from the data is escaped (jinja2 autoescape; the
SVG helpers escape their labels). Any figure computed from fewer than `min_cell` pupils is
suppressed («менее 5 участников»). Pages work offline from file:// and print on A4.
"""
from __future__ import annotations

import html
import math
import shutil
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pydantic import Field

from workbench import risks as risks_mod
from workbench.canon import (CATEGORIES, DOMAINS_RU, INDICATOR_LABELS_RU, LISTED_CATEGORIES,
                             MIN_CELL, STANDARD_INDICATORS, WAVES, WAVES_RU, StrictModel, slugify)

PACKAGE_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = PACKAGE_DIR / "templates"
ASSETS_DIR = PACKAGE_DIR / "assets"
NO_DATA = "нет данных"
SUPPRESSED = "менее 5 участников"

CATEGORY_ORDER = ["low_results_adverse", "low_results", "adverse_context", "resilient",
                  "high_performing", "typical", "insufficient_data"]
CATEGORY_COLOURS = {"low_results_adverse": "#b2182b", "low_results": "#ef8a62",
                    "adverse_context": "#f4c542", "resilient": "#1b9e77",
                    "high_performing": "#2166ac", "typical": "#999999",
                    "insufficient_data": "#cccccc"}
LEVEL_COLOURS = {"high": "#b2182b", "medium": "#ef8a62", "low": "#67a9cf"}
TREND_RU = {"improved": "улучшение", "stable": "без изменений", "declined": "ухудшение"}
COLUMN_RU = {
    "school_id": "Код ОО", "school_name": "Школа", "municipality": "Муниципалитет",
    "year": "Год", "domain": "Направление", "indicator": "Показатель", "wave": "Этап",
    "entry": "Входной", "intermediate": "Промежуточный", "final": "Итоговый",
    "change": "Изменение", "peer_change": "Изменение у похожих школ", "trend": "Динамика",
    "expected": "Ожидалось", "present": "Получено", "observed": "Получено",
    "missing": "Нет данных", "missing_waves": "Отсутствующие этапы", "complete": "Полнота",
    "completeness": "Полнота", "share_complete": "Доля полноты", "n_expected": "Ожидалось",
    "n_present": "Получено", "n_missing": "Не получено",
    "effect": "Эффект", "ci_low": "Нижняя граница", "ci_high": "Верхняя граница",
    "n_treated": "Участники", "n_control": "Сравнение", "cluster": "Кластер",
    "cluster_name": "Кластер", "n_schools": "Школ", "stability": "Устойчивость (ARI)",
    "social_index": "Социальный индекс", "exited": "Вышла из списка", "exit": "Вышла из списка",
    "category_before": "Категория раньше", "category_now": "Категория сейчас",
    "participant": "Участник программы", "p_value": "p", "method": "Метод",
    "n_schools_treated": "Участники", "years_in_list": "Лет в списке",
    "estimate_ru": "Оценка", "domain_ru": "Направление", "conclusion": "Вывод",
    "programme_year": "Год начала программы", "base_year": "Базовый год", "wave_ru": "Этап",
}


class BriefingsParams(StrictModel):
    """Settings of the briefings stage (params section `briefings`)."""

    min_cell: int = Field(MIN_CELL, ge=1, description="figures from fewer pupils are suppressed")
    school_pages: str = Field("all", pattern="^(all|listed)$",
                              description="passport for every school or only for listed ones")
    progress: bool = Field(True, description="tqdm progress bar while rendering")
    trend_years: int = Field(5, ge=1, description="years shown in the school trend")
    max_results_rows: int = Field(40, ge=1, description="rows of the subjects table per school")
    xlsx_tech_maps: bool = True


# ============================================================================ small formatting
def _num(x: Any) -> float | None:
    """A finite float or None."""
    if x is None or isinstance(x, bool) or isinstance(x, str):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def fmt_num(x: Any, digits: int = 2) -> str:
    """Russian decimal comma; «—» for missing."""
    v = _num(x)
    if v is None:
        return "—"
    s = f"{v:.{digits}f}".replace(".", ",").replace("-", "−")
    return s


def fmt_pct(x: Any) -> str:
    """Share in [0, 1] as percent: 38 %, 4,5 %."""
    v = _num(x)
    if v is None:
        return "—"
    p = v * 100
    return (f"{p:.0f}" if abs(p) >= 10 else f"{p:.1f}".replace(".", ",")) + "%"


def fmt_int(x: Any) -> str:
    v = _num(x)
    return "—" if v is None else f"{int(round(v)):d}"


def year_label(y: Any) -> str:
    v = _num(y)
    if v is None:
        return NO_DATA
    y = int(v)
    return f"{y}/{(y + 1) % 100:02d}"


def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _bool(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    v = _num(x)
    if v is not None:
        return v != 0
    return str(x).strip().lower() in ("true", "да", "1")


# ============================================================================ inline SVG charts
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


# ============================================================================ data preparation
@dataclass
class Prepared:
    """Everything the templates need, grouped once by school / municipality."""

    region: str
    run_id: str
    year: int | None
    schools: list[dict[str, Any]]
    school_by_id: dict[str, dict[str, Any]]
    by_school: dict[str, dict[str, list[dict[str, Any]]]]
    region_index: list[float]
    peers_index: dict[Any, list[float]]
    region_spread: Spread
    peers_spread: dict[Any, Spread]
    region_results: dict[tuple, float]
    region_context: dict[str, float]
    region_ref_by_year: dict[int, float]
    tables: dict[str, pd.DataFrame]
    missing: list[str]
    risk_names: dict[str, str]
    context_cols: list[str]
    notes: list[str] = field(default_factory=list)


PRODUCED = ["identification", "list_changes", "clusters", "cluster_profiles", "partners",
            "dynamics", "effectiveness", "monitoring_completeness", "exits", "risk_profiles",
            "tech_map"]
PRODUCED_RU = {"identification": "идентификация", "list_changes": "изменения списка",
               "clusters": "кластеры", "cluster_profiles": "профили кластеров",
               "partners": "школы-партнёры", "dynamics": "динамика мониторинга",
               "effectiveness": "эффект программы", "monitoring_completeness": "полнота мониторинга",
               "exits": "выход из списка", "risk_profiles": "профили рисков",
               "tech_map": "технологические карты"}


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with every missing value (NaN, NA, NaT) as None, so that templates and
    `x or ""` never show «nan»."""
    recs = df.to_dict("records")
    for r in recs:
        for k, v in r.items():
            if v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
                r[k] = None
    return recs


def natural_key(text: str) -> list[Any]:
    """Sort key with numbers compared as numbers: «СОШ № 2» before «СОШ № 10»."""
    import re

    return [(0, int(t), "") if t.isdigit() else (1, 0, t.lower())
            for t in re.split(r"(\d+)", text) if t]


def _records_by_school(df: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if df is None or len(df) == 0 or "school_id" not in df:
        return out
    df = df.assign(school_id=df["school_id"].astype(str))
    for rec in _records(df):
        out[rec["school_id"]].append(rec)
    return out


def current_year(tables: dict[str, pd.DataFrame | None]) -> int | None:
    """Latest year of identification, else of results / context."""
    for name in ("identification", "results", "context"):
        df = tables.get(name)
        if df is not None and len(df) and "year" in df:
            return int(pd.to_numeric(df["year"]).max())
    return None


def prepare(tables: dict[str, pd.DataFrame | None], region: str = "Регион", run_id: str = "",
            risk_names: dict[str, str] | None = None) -> Prepared:
    """Group every table by school once and compute the regional references."""
    tables = {k: v for k, v in tables.items() if v is not None}
    year = current_year(tables)
    missing = [n for n in PRODUCED if n not in tables or tables[n] is None]
    schools_df = tables.get("schools", pd.DataFrame(columns=["school_id", "school_name",
                                                             "municipality"]))
    schools_df = schools_df.assign(school_id=schools_df["school_id"].astype(str))
    ident = tables.get("identification")
    cur_ident: dict[str, dict[str, Any]] = {}
    prev_cat: dict[str, Any] = {}
    region_index: list[float] = []
    ref_by_year: dict[int, float] = {}
    if ident is not None and len(ident):
        ident = ident.assign(school_id=ident["school_id"].astype(str))
        cur = ident[ident["year"] == year]
        cur_ident = {r["school_id"]: r for r in _records(cur)}
        prev = ident[ident["year"] == (year - 1 if year is not None else None)]
        prev_cat = dict(zip(prev["school_id"], prev["category"])) if "category" in prev else {}
        if "result_index" in ident:
            region_index = [float(v) for v in cur["result_index"].dropna()]
            ref_by_year = {int(y): float(v) for y, v in
                           ident.groupby("year")["result_index"].median().items() if v == v}
    clusters = tables.get("clusters")
    cur_cluster: dict[str, dict[str, Any]] = {}
    peers: dict[Any, list[float]] = defaultdict(list)
    if clusters is not None and len(clusters):
        c = clusters.assign(school_id=clusters["school_id"].astype(str))
        c = c[c["year"] == (year if year in set(c["year"]) else c["year"].max())]
        cur_cluster = {r["school_id"]: r for r in _records(c)}
        for sid, r in cur_cluster.items():
            v = _num(cur_ident.get(sid, {}).get("result_index"))
            if v is not None:
                peers[r.get("cluster")].append(v)
    programme = tables.get("programme")
    cur_prog: dict[str, dict[str, Any]] = {}
    if programme is not None and len(programme):
        p = programme.assign(school_id=programme["school_id"].astype(str))
        p = p[p["year"] <= (year or p["year"].max())].sort_values("year")
        cur_prog = {r["school_id"]: r for r in _records(p)}  # latest year wins
    context = tables.get("context")
    context_cols: list[str] = []
    region_context: dict[str, float] = {}
    latest_ctx: dict[str, dict[str, Any]] = {}
    if context is not None and len(context):
        cl = risks_mod.latest_per_school(context.assign(school_id=context["school_id"].astype(str)),
                                         year or int(context["year"].max()))
        context_cols = [c for c in cl.columns if c not in ("school_id", "year")
                        and pd.api.types.is_numeric_dtype(cl[c])]
        context_cols.sort(key=lambda c: (list(STANDARD_INDICATORS).index(c)
                                         if c in STANDARD_INDICATORS else 99, c))
        region_context = {c: float(cl[c].median()) for c in context_cols if cl[c].notna().any()}
        latest_ctx = {r["school_id"]: r for r in _records(cl)}
    results = tables.get("results")
    region_results: dict[tuple, float] = {}
    if results is not None and len(results) and "n_low" in results and year is not None:
        r = results[(results["year"] == year) & results["n_low"].notna()]
        g = r.groupby(["procedure", "subject", "grade"])[["n_low", "n_participants"]].sum()
        g = g[g["n_participants"] > 0]
        region_results = {k: float(v) for k, v in (g["n_low"] / g["n_participants"]).items()}
    by_school: dict[str, dict[str, list[dict[str, Any]]]] = {}
    # a passport shows only the current year's results rows (the other years reach it through
    # identification): grouping the rest would cost millions of dicts at national scale
    rows_by_table = dict(tables)
    if results is not None and len(results) and "year" in results and year is not None:
        rows_by_table["results"] = results[results["year"] == year]
    grouped = {name: _records_by_school(rows_by_table.get(name)) for name in
               ("identification", "results", "monitoring", "dynamics", "risk_profiles", "tech_map",
                "partners", "list_changes", "monitoring_completeness", "exits")}
    # reverse partner links: which listed schools a school supports
    supports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    partners = tables.get("partners")
    if partners is not None and len(partners) and "partner_id" in partners:
        pp = partners.assign(partner_id=partners["partner_id"].astype(str),
                             school_id=partners["school_id"].astype(str))
        if "year" in pp and year is not None:
            pp = pp[pp["year"] == year]
        if "assigned" in pp:
            pp = pp[pp["assigned"].map(_bool)]
        for rec in _records(pp):
            supports[rec["partner_id"]].append(rec)
    school_recs = []
    for rec in _records(schools_df):
        sid = rec["school_id"]
        info = dict(rec)
        idr = cur_ident.get(sid, {})
        info["ident"] = idr
        cat = idr.get("category") if idr else None
        info["category"] = cat if isinstance(cat, str) else None
        info["category_ru"] = CATEGORIES.get(info["category"], NO_DATA) if info["category"] else NO_DATA
        info["cluster"] = cur_cluster.get(sid, {})
        info["programme"] = cur_prog.get(sid, {})
        info["context"] = latest_ctx.get(sid, {})
        info["mun_slug"] = slugify(str(rec.get("municipality", "")))
        info["listed"] = info["category"] in LISTED_CATEGORIES
        pc = prev_cat.get(sid)
        info["category_prev"] = pc if isinstance(pc, str) else None
        info["listed_prev"] = info["category_prev"] in LISTED_CATEGORIES
        school_recs.append(info)
        by_school[sid] = {name: g.get(sid, []) for name, g in grouped.items()}
        by_school[sid]["supports"] = supports.get(sid, [])
    school_recs.sort(key=lambda s: (natural_key(str(s.get("municipality", ""))),
                                    natural_key(str(s.get("school_name", ""))), s["school_id"]))
    return Prepared(region=region, run_id=run_id, year=year, schools=school_recs,
                    school_by_id={s["school_id"]: s for s in school_recs}, by_school=by_school,
                    region_index=region_index, peers_index=dict(peers),
                    region_spread=Spread.of(region_index),  # once, not per school page
                    peers_spread={c: Spread.of(v) for c, v in peers.items()},
                    region_results=region_results, region_context=region_context,
                    region_ref_by_year=ref_by_year, tables=tables, missing=missing,
                    risk_names=dict(risk_names or {}), context_cols=context_cols)


# ============================================================================ per-page contexts
def _has_page(school: dict[str, Any], params: BriefingsParams) -> bool:
    """Whether a passport is rendered for this school (all schools, or the listed ones)."""
    return bool(school) and (params.school_pages == "all" or bool(school.get("listed")))


def _small(n: Any, min_cell: int) -> bool:
    v = _num(n)
    return v is not None and v < min_cell


def school_view(p: Prepared, sid: str, params: BriefingsParams) -> dict[str, Any]:
    """The template context of one school passport (no DataFrame scans: dict lookups only)."""
    s = p.school_by_id[sid]
    g = p.by_school[sid]
    mc = params.min_cell
    notes: list[str] = []
    idr = s["ident"]
    # --- identity and context
    ctx_rows = []
    tiny_school = _small(s["context"].get("n_students"), mc)
    if tiny_school:
        notes.append(f"В школе менее {mc} обучающихся: доли по контингенту не показываются.")
    for c in p.context_cols:
        v = _num(s["context"].get(c))
        if tiny_school and c.startswith("share_") and c != "share_teachers_60plus":
            ctx_rows.append({"label": INDICATOR_LABELS_RU.get(c, c), "value": SUPPRESSED,
                             "region": fmt_pct(p.region_context.get(c))})
            continue
        share = c.startswith("share_") or c.endswith("_rate")
        f = fmt_pct if share else (fmt_int if c.startswith("n_") else (lambda x: fmt_num(x, 1)))
        if c == "is_rural":
            f = lambda x: "да" if _num(x) else "нет"  # noqa: E731
        ctx_rows.append({"label": INDICATOR_LABELS_RU.get(c, c), "value": f(v) if v is not None else "—",
                         "region": f(p.region_context.get(c)) if c in p.region_context else "—"})
    # --- result index
    n_pupils = idr.get("n_pupils")
    small = _small(n_pupils, mc)
    ri = {"value": None, "lo": None, "hi": None}
    chart_interval = Markup(f'<p class="nodata">{NO_DATA}</p>')
    if idr and not small:
        ri = {"value": _num(idr.get("result_index")), "lo": _num(idr.get("result_ci_low")),
              "hi": _num(idr.get("result_ci_high"))}
        peers = p.peers_spread.get(s["cluster"].get("cluster"), Spread(0)) if s["cluster"] \
            else Spread(0)
        chart_interval = svg_interval(ri["value"], ri["lo"], ri["hi"], p.region_spread, peers)
    elif small:
        chart_interval = Markup(f'<p class="suppressed">{SUPPRESSED}</p>')
        notes.append("Результаты школы рассчитаны менее чем по 5 участникам и не показываются.")
    if not idr:
        notes.append("Школа отсутствует в таблице идентификации текущего года.")
    # --- trend over years
    trend_pts, trend_rows = [], []
    hist = sorted(g["identification"], key=lambda r: r["year"])[-params.trend_years:]
    hidden_years = 0
    for r in hist:
        if _small(r.get("n_pupils"), mc):
            hidden_years += 1
            trend_rows.append({"year": year_label(r["year"]), "suppressed": True})
            continue
        trend_pts.append({"year": int(r["year"]), "value": _num(r.get("result_index")),
                          "lo": _num(r.get("result_ci_low")), "hi": _num(r.get("result_ci_high")),
                          "ref": p.region_ref_by_year.get(int(r["year"]))})
        trend_rows.append({"year": year_label(r["year"]), "suppressed": False,
                           "index": fmt_num(r.get("result_index")),
                           "share_low": fmt_pct(r.get("share_low")),
                           "share_low_region": fmt_pct(r.get("share_low_region")),
                           "category": CATEGORIES.get(r.get("category"), "—"),
                           "n": fmt_int(r.get("n_pupils"))})
    if hidden_years:
        notes.append(f"Годы с числом участников менее {mc} скрыты в динамике ({hidden_years}).")
    chart_trend = svg_trend(trend_pts)
    # --- subjects (current year)
    subj = [r for r in g["results"] if r.get("year") == p.year]
    subj.sort(key=lambda r: (str(r.get("procedure")), _num(r.get("grade")) or 0, str(r.get("subject"))))
    subj_rows, n_supp = [], 0
    for r in subj[:params.max_results_rows]:
        n = r.get("n_participants")
        row = {"procedure": r.get("procedure"), "subject": r.get("subject"),
               "grade": fmt_int(r.get("grade")), "n": fmt_int(n), "suppressed": _small(n, mc)}
        if row["suppressed"]:
            n_supp += 1
            row["n"] = "менее 5"
        else:
            row["share_low"] = fmt_pct(r.get("share_low"))
            row["mean"] = fmt_num(r.get("mean_score"), 2)
            key = (r.get("procedure"), r.get("subject"), r.get("grade"))
            row["region"] = fmt_pct(p.region_results.get(key))
        subj_rows.append(row)
    if n_supp:
        notes.append(f"Строк результатов с числом участников менее {mc}: {n_supp} — значения скрыты.")
    if len(subj) > params.max_results_rows:
        notes.append(f"Показаны {params.max_results_rows} из {len(subj)} строк результатов.")
    # --- monitoring waves
    mon_rows = _monitoring_rows(g, p.year, mc)
    if any(r.get("suppressed_any") for r in mon_rows):
        notes.append(f"Значения мониторинга, полученные менее чем по {mc} участникам, скрыты.")
    completeness = completeness_summary(g["monitoring_completeness"])
    # --- risk profile and tech map
    rp = {r["risk_factor"]: r for r in g["risk_profiles"] if r.get("year") == p.year} \
        if g["risk_profiles"] else {}
    risk_items, risk_rows = [], []
    for code, name in p.risk_names.items():
        r = rp.get(code)
        lvl = r.get("level") if r else None
        risk_items.append({"label": f"{code} {name}", "value": _num(r.get("score")) if r else None,
                           "colour": LEVEL_COLOURS.get(lvl, "#999"),
                           "note": " *" if r and _bool(r.get("derived")) else ""})
        risk_rows.append({"code": code, "name": name, "score": fmt_num(r.get("score")) if r else "—",
                          "level": risks_mod.LEVELS_RU.get(lvl, NO_DATA) if r else NO_DATA,
                          "level_code": lvl or "none",
                          "source": r.get("source") if r else "—",
                          "derived": bool(r and _bool(r.get("derived")))})
    if any(r["derived"] for r in risk_rows):
        notes.append("* Факторы риска без данных анкетирования рассчитаны по данным о контексте "
                     "и результатах (оценка, требует проверки школой).")
    chart_risk = svg_bars(risk_items, vmax=1.0, label="Профиль рисков") if rp else None
    tmap = sorted([r for r in g["tech_map"] if r.get("year") == p.year], key=lambda r: r["priority"])
    # --- partner
    partners = [r for r in g["partners"] if r.get("year", p.year) == p.year]
    assigned = [r for r in partners if _bool(r.get("assigned"))] if partners and \
        "assigned" in partners[0] else []
    chosen = assigned or sorted(partners, key=lambda r: _num(r.get("rank")) or 99)[:1]
    partner_rows = []
    for r in chosen:
        pid = str(r.get("partner_id"))
        ps = p.school_by_id.get(pid, {})
        partner_rows.append({"id": pid, "name": ps.get("school_name", pid),
                             "municipality": ps.get("municipality", "—"),
                             "distance": fmt_num(r.get("distance_km"), 0),
                             "reasons": r.get("reasons") or "",
                             "exists": _has_page(ps, params),
                             "assigned": _bool(r.get("assigned"))})
    prog_partner = s["programme"].get("partner_school_id") if s["programme"] else None
    if isinstance(prog_partner, str) and prog_partner and not partner_rows:
        ps = p.school_by_id.get(prog_partner, {})
        partner_rows.append({"id": prog_partner, "name": ps.get("school_name", prog_partner),
                             "municipality": ps.get("municipality", "—"), "distance": "—",
                             "reasons": "указан в таблице программы",
                             "exists": _has_page(ps, params),
                             "assigned": True})
    supports = [{"id": str(r["school_id"]),
                 "name": p.school_by_id.get(str(r["school_id"]), {}).get("school_name",
                                                                           r["school_id"])}
                for r in g["supports"] if _has_page(p.school_by_id.get(str(r["school_id"]), {}),
                                                    params)]
    changes = [r for r in g["list_changes"] if r.get("year") == p.year]
    if _bool(idr.get("objectivity_flag")) if idr else False:
        notes.append("Есть признаки необъективности результатов ВПР (флаг для проверки, "
                     "школа из расчётов не исключена).")
    for name in ("clusters", "partners", "risk_profiles"):
        if name in p.missing:
            notes.append(f"Нет данных: этап «{PRODUCED_RU[name]}» не выполнялся.")
    return {
        "s": s, "idr": idr, "ri": ri, "ri_fmt": {k: fmt_num(v) for k, v in ri.items()},
        "small": small, "n_pupils": fmt_int(n_pupils),
        "ctx_rows": ctx_rows, "chart_interval": chart_interval, "chart_trend": chart_trend,
        "trend_rows": trend_rows, "subj_rows": subj_rows, "mon_rows": mon_rows,
        "completeness": completeness, "risk_rows": risk_rows, "chart_risk": chart_risk,
        "tmap": tmap, "tech_levels": risks_mod.TECH_LEVELS_RU, "partner_rows": partner_rows,
        "supports": supports, "changes": changes, "notes": notes,
        "reasons": [x.strip() for x in str(idr.get("reasons") or "").split(";") if x.strip()],
        "percentile": fmt_int(idr.get("result_percentile")) if not small else "—",
        "peer_percentile": fmt_int(s["cluster"].get("similar_schools_percentile"))
        if s["cluster"] and not small else "—",
        "va": fmt_num(idr.get("value_added")) if not small else "—",
        "va_lo": fmt_num(idr.get("va_ci_low")) if not small else "—",
        "va_hi": fmt_num(idr.get("va_ci_high")) if not small else "—",
    }


def _monitoring_rows(g: dict[str, list[dict[str, Any]]], year: int | None,
                     mc: int) -> list[dict[str, Any]]:
    """Entry / intermediate / final per domain × indicator of the school's latest monitoring year.

    Uses `dynamics` (with change, peer change and trend) when present, else the raw waves."""
    rows = []
    dyn = g["dynamics"]
    if dyn:
        ylast = max(r["year"] for r in dyn)
        for r in sorted([r for r in dyn if r["year"] == ylast],
                        key=lambda r: (str(r.get("domain")), str(r.get("indicator")))):
            small = _small(r.get("n"), mc)
            rows.append({"year": year_label(ylast), "domain": DOMAINS_RU.get(r.get("domain"),
                                                                              r.get("domain")),
                         "indicator": r.get("indicator"),
                         "waves": ["менее 5" if small else fmt_num(r.get(w)) for w in WAVES],
                         "change": "—" if small else fmt_num(r.get("change")),
                         "peer_change": fmt_num(r.get("peer_change")),
                         "trend": r.get("trend_ru") or TREND_RU.get(r.get("trend"),
                                                                     r.get("trend") or "—"),
                         "suppressed_any": small})
        return rows
    mon = g["monitoring"]
    if not mon:
        return rows
    ylast = max(r["year"] for r in mon)
    cells: dict[tuple, dict[str, Any]] = {}
    for r in mon:
        if r["year"] != ylast:
            continue
        key = (str(r.get("domain")), str(r.get("indicator")))
        cells.setdefault(key, {})[r.get("wave")] = r
    for (dom, ind), waves in sorted(cells.items()):
        vals, supp = [], False
        for w in WAVES:
            r = waves.get(w)
            if r is None:
                vals.append("—")
            elif _small(r.get("n"), mc):
                vals.append("менее 5")
                supp = True
            else:
                vals.append(fmt_num(r.get("value")))
        e, f = waves.get("entry"), waves.get("final")
        ch = "—"
        if e is not None and f is not None and not _small(e.get("n"), mc) and not _small(f.get("n"), mc):
            ch = fmt_num((_num(f.get("value")) or 0) - (_num(e.get("value")) or 0))
        rows.append({"year": year_label(ylast), "domain": DOMAINS_RU.get(dom, dom), "indicator": ind,
                     "waves": vals, "change": ch, "peer_change": "—", "trend": "—",
                     "suppressed_any": supp})
    return rows


def completeness_summary(recs: list[dict[str, Any]], with_school: bool = False,
                         names: dict[str, str] | None = None) -> dict[str, Any]:
    """Monitoring completeness of the latest year per school and domain: waves received and
    missing (long format rows with `wave` and `present`); other shapes are shown as they are."""
    if not recs:
        return {"columns": [], "rows": []}
    if "present" not in recs[0] or "wave" not in recs[0]:
        return _generic_rows(recs)
    last: dict[str, Any] = {}
    for r in recs:
        last[str(r["school_id"])] = max(last.get(str(r["school_id"]), r["year"]), r["year"])
    cells: dict[tuple, dict[str, list[str]]] = {}
    for r in recs:
        sid = str(r["school_id"])
        if r["year"] != last[sid]:
            continue
        d = cells.setdefault((sid, r["year"], str(r.get("domain"))), {"got": [], "miss": []})
        d["got" if _bool(r.get("present")) else "miss"].append(WAVES_RU.get(r.get("wave"),
                                                                            str(r.get("wave"))))
    rows = []
    order = {WAVES_RU[w]: i for i, w in enumerate(WAVES)}
    for (sid, yr, dom), d in sorted(cells.items()):
        got, miss = (sorted(d[k], key=lambda w: order.get(w, 9)) for k in ("got", "miss"))
        row = [year_label(yr), DOMAINS_RU.get(dom, dom), ", ".join(got) or "—",
               ", ".join(miss) or "—"]
        if with_school:
            row.insert(0, (names or {}).get(sid, sid))
        rows.append(row)
    cols = ["Год", "Направление", "Получено", "Нет данных"]
    if with_school:
        cols.insert(0, "Школа")
    return {"columns": cols, "rows": rows}


def exits_summary(exits: pd.DataFrame | None) -> dict[str, Any]:
    """Per year: listed schools and how many left the list the next year."""
    if exits is None or len(exits) == 0 or "left" not in exits:
        return frame_table(exits)
    rows = []
    for y, g in exits.groupby("year", sort=True):
        known = g[g["left"].notna()]  # no judgement next year: not counted as staying
        n, left = len(known), int(known["left"].map(_bool).sum())
        share = fmt_pct(left / n) if n else "нет данных за следующий год"
        rows.append([year_label(y), str(len(g)), str(left), share])
    return {"columns": ["Год", "Школ в списке", "Вышли из списка в следующем году",
                        "Доля (из школ с данными за следующий год)"],
            "rows": rows}


def _generic_rows(recs: list[dict[str, Any]], drop: tuple = (), year: int | None = None,
                  max_cols: int = 8) -> dict[str, Any]:
    """A small table {columns, rows} of records with Russian headers (for tables whose exact
    columns belong to another stage)."""
    if not recs:
        return {"columns": [], "rows": []}
    if year is not None and "year" in recs[0]:
        recs = [r for r in recs if r.get("year") == year] or recs
    cols = [c for c in recs[0] if c not in drop][:max_cols]
    rows = [[_cell(c, r.get(c)) for c in cols] for r in recs]
    return {"columns": [COLUMN_RU.get(c, c) for c in cols], "rows": rows}


def _cell(col: str, v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "да" if v else "нет"
    if col == "year":
        return year_label(v)
    if col == "domain":
        return DOMAINS_RU.get(v, str(v))
    if col == "trend":
        return TREND_RU.get(v, str(v))
    if col == "wave":
        return WAVES_RU.get(v, str(v))
    n = _num(v)
    if n is not None:
        return fmt_int(n) if float(n).is_integer() else fmt_num(n)
    if v is None or (isinstance(v, float) and v != v):
        return "—"
    if isinstance(v, (list, tuple, np.ndarray)):
        return ", ".join(WAVES_RU.get(x, str(x)) for x in v)
    return str(v)


def frame_table(df: pd.DataFrame | None, columns: list[str] | None = None,
                year: int | None = None) -> dict[str, Any]:
    """{columns, rows} of a produced table for a template, Russian headers, formatted values."""
    if df is None or len(df) == 0:
        return {"columns": [], "rows": []}
    recs = _records(df)
    if columns:
        cols = [c for c in columns if c in df.columns]
        recs = [{c: r[c] for c in cols} for r in recs]
    return _generic_rows(recs, year=year, max_cols=99)


def _category_counts(schools: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Schools per category now and a year before (n_prev «—» when there is no previous year)."""
    total = len(schools) or 1
    counts: dict[str, int] = defaultdict(int)
    before: dict[str, int] = defaultdict(int)
    have_prev = any(s.get("category_prev") for s in schools)
    for s in schools:
        counts[s["category"] or "none"] += 1
        if s.get("category_prev"):
            before[s["category_prev"]] += 1
    out = []
    for code in CATEGORY_ORDER + ["none"]:
        if counts.get(code) or before.get(code):
            out.append({"code": code, "label": CATEGORIES.get(code, NO_DATA), "n": counts[code],
                        "share": fmt_pct(counts[code] / total),
                        "n_prev": str(before[code]) if have_prev and code != "none" else "—",
                        "colour": CATEGORY_COLOURS.get(code, "#ddd")})
    return out


def municipality_view(p: Prepared, mun: str, schools: list[dict[str, Any]],
                      params: BriefingsParams, xlsx_name: str | None) -> dict[str, Any]:
    ids = {s["school_id"] for s in schools}
    counts = _category_counts(schools)
    listed = [s for s in schools if s["listed"]]
    clusters: dict[Any, dict[str, Any]] = {}
    for s in schools:
        c = s["cluster"]
        if c:
            d = clusters.setdefault(c.get("cluster"), {"cluster": c.get("cluster"),
                                                       "name": c.get("cluster_name"), "n": 0,
                                                       "listed": 0})
            d["n"] += 1
            d["listed"] += int(s["listed"])
    pairs = []
    for s in listed:
        for r in p.by_school[s["school_id"]]["partners"]:
            if r.get("year", p.year) == p.year and _bool(r.get("assigned", True)):
                ps = p.school_by_id.get(str(r.get("partner_id")), {})
                pairs.append({"school": s, "partner_id": str(r.get("partner_id")),
                              "partner_name": ps.get("school_name", r.get("partner_id")),
                              "partner_mun": ps.get("municipality", "—"),
                              "exists": _has_page(ps, params),
                              "distance": fmt_num(r.get("distance_km"), 0)})
    compl = [r for sid in sorted(ids) for r in p.by_school[sid]["monitoring_completeness"]]
    dyn = [r for sid in sorted(ids) for r in p.by_school[sid]["dynamics"]]
    if dyn:
        ylast = max(r["year"] for r in dyn)
        dyn = [r for r in dyn if r["year"] == ylast]
    trend_counts: dict[tuple, int] = defaultdict(int)
    for r in dyn:
        trend_counts[(DOMAINS_RU.get(r.get("domain"), r.get("domain")),
                      r.get("trend_ru") or TREND_RU.get(r.get("trend"), r.get("trend") or "—"))] += 1
    changes = []
    for sid in sorted(ids):
        for r in p.by_school[sid]["list_changes"]:
            if r.get("year") == p.year:
                changes.append({"school": p.school_by_id[sid], "change": r.get("change"),
                                "before": CATEGORIES.get(r.get("category_before"),
                                                         r.get("category_before") or "—"),
                                "now": CATEGORIES.get(r.get("category_now"),
                                                      r.get("category_now") or "—")})
    compl_tbl = completeness_summary(compl, with_school=True,
                                     names={sid: p.school_by_id[sid].get("school_name", sid)
                                            for sid in ids})
    return {
        "mun": mun, "schools": schools, "counts": counts, "listed": listed,
        "n_listed_prev": sum(s.get("listed_prev", False) for s in schools),
        "has_prev": any(s.get("category_prev") for s in schools),
        "chart_counts": svg_bars([{"label": c["label"], "value": c["n"], "colour": c["colour"]}
                                  for c in counts], label="Школы по категориям", value_fmt="int"),
        "clusters": sorted(clusters.values(), key=lambda d: (_num(d["cluster"]) or 0)),
        "pairs": pairs, "completeness": compl_tbl,
        "trend_counts": [{"domain": k[0], "trend": k[1], "n": v}
                         for k, v in sorted(trend_counts.items(), key=lambda t: (str(t[0][0]), str(t[0][1])))],
        "changes": changes, "xlsx": xlsx_name,
    }


def region_view(p: Prepared, municipalities: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    counts = _category_counts(p.schools)
    mun_rows = []
    for mun, ss in municipalities.items():
        c = defaultdict(int)
        for s in ss:
            c[s["category"] or "none"] += 1
        listed = sum(s["listed"] for s in ss)
        mun_rows.append({"mun": mun, "slug": ss[0]["mun_slug"], "n": len(ss), "listed": listed,
                         "share": fmt_pct(listed / len(ss)) if ss else "—",
                         "by_cat": [c.get(code, 0) for code in CATEGORY_ORDER]})
    t = p.tables
    prof = t.get("cluster_profiles")
    if prof is not None and len(prof) and "year" in prof and p.year in set(prof["year"]):
        prof = prof[prof["year"] == p.year]
    prof_cols = None
    if prof is not None and len(prof):
        prof_cols = ["cluster", "cluster_name", "n_schools", "social_index", "stability"] + [
            c for c in prof.columns if c in STANDARD_INDICATORS][:6]
    prof_tbl = frame_table(prof, prof_cols)
    if prof is not None and len(prof):
        prof_tbl["columns"] = [COLUMN_RU.get(c, INDICATOR_LABELS_RU.get(c, c))
                               for c in prof_cols if c in prof.columns]
    eff = t.get("effectiveness")
    forest, eff_tbl = None, {"columns": [], "rows": []}
    if eff is not None and len(eff):
        e = eff
        recs = _records(e)
        main = [r for r in recs if str(r.get("estimate", "DiD")) == "DiD"] or recs
        items = [{"label": f"{year_label(r.get('year'))} · "
                           f"{r.get('domain_ru') or DOMAINS_RU.get(r.get('domain'), '')}: "
                           f"{r.get('indicator', '')}",
                  "effect": _num(r.get("effect")), "lo": _num(r.get("ci_low")),
                  "hi": _num(r.get("ci_high"))} for r in main]
        forest = svg_forest(items[:20]) if any(i["effect"] is not None for i in items) else None
        eff_tbl = frame_table(e, ["year", "estimate_ru", "domain_ru", "indicator", "effect",
                                  "ci_low", "ci_high", "n_treated", "n_control", "conclusion"]
                              if "estimate_ru" in e else None)
    dyn = t.get("dynamics")
    dyn_rows = []
    if dyn is not None and len(dyn) and "trend" in dyn and "domain" in dyn:
        d = dyn[dyn["year"] == dyn["year"].max()] if "year" in dyn else dyn
        tcol = "trend_ru" if "trend_ru" in d else "trend"
        g = d.groupby(["domain", tcol]).size()
        for (dom, tr), n in g.items():
            dyn_rows.append({"domain": DOMAINS_RU.get(dom, dom), "trend": TREND_RU.get(tr, tr),
                             "n": int(n)})
    listed = [s for s in p.schools if s["listed"]]
    exits = t.get("exits")
    return {
        "counts": counts, "n_schools": len(p.schools), "n_listed": len(listed),
        "n_listed_prev": sum(s.get("listed_prev", False) for s in p.schools),
        "has_prev": any(s.get("category_prev") for s in p.schools),
        "chart_counts": svg_bars([{"label": c["label"], "value": c["n"], "colour": c["colour"]}
                                  for c in counts], label="Школы по категориям", value_fmt="int"),
        "mun_rows": mun_rows, "cat_heads": [CATEGORIES[c] for c in CATEGORY_ORDER],
        "profiles": prof_tbl, "forest": forest, "effectiveness": eff_tbl, "dyn_rows": dyn_rows,
        "listed": listed, "exits": exits_summary(exits) if exits is not None else None,
        "chart_mun": svg_bars([{"label": r["mun"], "value": r["listed"], "colour": "#b2182b"}
                               for r in mun_rows], label="Школы из списка ШНОР по муниципалитетам",
                              value_fmt="int"),
    }


# ============================================================================ rendering
def environment() -> Environment:
    """Jinja2 environment over the package templates with autoescape on for every template."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)), autoescape=True,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(num=fmt_num, pct=fmt_pct, int=fmt_int, yl=year_label, safe_name=_safe_name)
    env.globals.update(NO_DATA=NO_DATA, SUPPRESSED=SUPPRESSED, WAVES_RU=WAVES_RU,
                       CATEGORIES=CATEGORIES)
    return env


def copy_assets(out_dir: Path) -> None:
    dst = Path(out_dir) / "assets"
    dst.mkdir(parents=True, exist_ok=True)
    for f in ASSETS_DIR.iterdir():
        if f.is_file():
            shutil.copyfile(f, dst / f.name)


def render_all(p: Prepared, out_dir: Path, params: BriefingsParams,
               xlsx_files: dict[str, str] | None = None) -> dict[str, Any]:
    """Render index, region, municipality and school pages into out_dir. Returns timings."""
    from tqdm import tqdm

    out_dir = Path(out_dir)
    (out_dir / "school").mkdir(parents=True, exist_ok=True)
    (out_dir / "municipality").mkdir(parents=True, exist_ok=True)
    copy_assets(out_dir)
    env = environment()
    common = {"region": p.region, "run_id": p.run_id, "year": p.year,
              "year_label": year_label(p.year) if p.year is not None else NO_DATA,
              "missing": [PRODUCED_RU[m] for m in p.missing if m not in ("risk_profiles", "tech_map")]}
    municipalities: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in p.schools:
        municipalities[str(s.get("municipality", ""))].append(s)
    municipalities = dict(sorted(municipalities.items(), key=lambda kv: natural_key(kv[0])))
    school_ids = [s["school_id"] for s in p.schools
                  if params.school_pages == "all" or s["listed"]]
    timings: list[float] = []
    t_school = env.get_template("school.html")
    # disable=None: tqdm shows the bar on a terminal and stays silent in notebooks and logs
    for sid in tqdm(school_ids, desc="Паспорта школ", disable=None if params.progress else True,
                    leave=False):
        t0 = time.perf_counter()
        page = t_school.render(root="../", title=f"Паспорт школы: {p.school_by_id[sid]['school_name']}",
                               **common, **school_view(p, sid, params))
        (out_dir / "school" / f"{_safe_name(sid)}.html").write_text(page, encoding="utf-8")
        timings.append(time.perf_counter() - t0)
    t_mun = env.get_template("municipality.html")
    for mun, ss in municipalities.items():
        slug = ss[0]["mun_slug"]
        page = t_mun.render(root="../", title=f"Справка: {mun}", **common,
                            **municipality_view(p, mun, ss, params,
                                                (xlsx_files or {}).get(slug)),
                            school_pages=params.school_pages)
        (out_dir / "municipality" / f"{slug}.html").write_text(page, encoding="utf-8")
    page = env.get_template("region.html").render(root="", title=f"Справка по региону: {p.region}",
                                                  **common, **region_view(p, municipalities),
                                                  school_pages=params.school_pages)
    (out_dir / "region.html").write_text(page, encoding="utf-8")
    page = env.get_template("index.html").render(
        root="", title=f"Справки: {p.region}", **common, schools=p.schools,
        municipalities=[(m, ss[0]["mun_slug"]) for m, ss in municipalities.items()],
        categories=[(c, CATEGORIES[c]) for c in CATEGORY_ORDER], school_pages=params.school_pages)
    (out_dir / "index.html").write_text(page, encoding="utf-8")
    return {"n_school": len(school_ids), "n_municipality": len(municipalities),
            "school_seconds": timings,
            "median_school_ms": float(np.median(timings) * 1000) if timings else 0.0}


def _safe_name(school_id: str) -> str:
    """A school id as a file name (ids are usually digits; anything unsafe becomes «_»)."""
    s = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in str(school_id)).strip(".")
    return s or "_"


def school_href(school_id: str) -> str:
    return f"school/{_safe_name(school_id)}.html"


# ============================================================================ stage
def read_tables(ctx: Any) -> dict[str, pd.DataFrame | None]:
    """Canonical tables and whatever produced tables exist in this run (None when absent)."""
    from workbench.canon import CANONICAL_TABLES

    out: dict[str, pd.DataFrame | None] = {n: ctx.table(n) for n in CANONICAL_TABLES}
    for n in PRODUCED:
        out[n] = ctx.table(n) if ctx.has_table(n) else None
    return out


def compute_risks(tables: dict[str, pd.DataFrame | None], rparams: risks_mod.RisksParams,
                  year: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """risk_profiles and tech_map of the listed schools of `year`."""
    ident = tables.get("identification")
    if ident is None or year is None:
        return (pd.DataFrame(columns=risks_mod.RISK_PROFILE_COLUMNS),
                pd.DataFrame(columns=risks_mod.TECH_MAP_COLUMNS))
    ids = risks_mod.listed_schools(ident, year, rparams.categories)
    share_low = None
    if "share_low" in ident:
        cur = ident[ident["year"] == year]
        share_low = pd.Series(cur["share_low"].astype(float).values,
                              index=cur["school_id"].astype(str))
    prof = risks_mod.risk_profiles(ids, year, tables.get("risk_survey"), tables.get("context"),
                                   tables.get("results"), rparams, share_low=share_low,
                                   monitoring=tables.get("monitoring"))
    return prof, risks_mod.tech_map(prof, rparams)


def stage(ctx: Any) -> dict[str, Any]:
    """Risk profiles + technological maps (tables and xlsx), then all HTML briefings."""
    t0 = time.perf_counter()
    params: BriefingsParams = ctx.params.briefings
    rparams: risks_mod.RisksParams = ctx.params.risks
    tables = read_tables(ctx)
    year = current_year(tables)
    prof, tmap = compute_risks(tables, rparams, year)
    ctx.write_table("risk_profiles", prof, key=["school_id", "year", "risk_factor"])
    ctx.write_table("tech_map", tmap, key=["school_id", "year", "priority"])
    tables["risk_profiles"], tables["tech_map"] = prof, tmap
    out_dir = ctx.run_dir / "briefings"
    xlsx: dict[str, str] = {}
    if params.xlsx_tech_maps and len(tmap):
        files = risks_mod.write_tech_map_xlsx(tmap, tables["schools"], out_dir / "tech_maps",
                                              rparams.risk_factors)
        xlsx = {f.stem: f"../tech_maps/{f.name}" for f in files}
    if tables.get("identification") is None:
        ctx.note("Справки: нет таблицы идентификации — категории и профили рисков не показаны.")
    p = prepare(tables, region=ctx.params.region, run_id=ctx.params.run_id,
                risk_names=rparams.risk_factors)
    t1 = time.perf_counter()
    info = render_all(p, out_dir, params, xlsx)
    t2 = time.perf_counter()
    n_derived = int(prof["derived"].sum()) if len(prof) else 0
    if n_derived:
        ctx.note(f"Профили рисков: {n_derived} значений факторов рассчитаны по данным контекста "
                 f"и результатов (нет анкет).")
    summary = pd.DataFrame({
        "Показатель": ["Паспортов школ", "Справок муниципалитетов", "Школ с профилем рисков",
                       "Строк технологических карт", "Медиана на паспорт, мс",
                       "Подготовка данных, с", "Рендеринг, с"],
        "Значение": [str(v) for v in (
            info["n_school"], info["n_municipality"],
            int(prof["school_id"].nunique()) if len(prof) else 0, len(tmap),
            fmt_num(info["median_school_ms"], 1), fmt_num(t1 - t0, 2), fmt_num(t2 - t1, 2))]})
    return {"summary": summary, "risk_profiles": prof, "tech_map": tmap,
            "region_html": out_dir / "region.html", "index_html": out_dir / "index.html",
            "seconds": t2 - t0, "median_school_ms": info["median_school_ms"],
            "n_briefings": info["n_school"] + info["n_municipality"] + 2}


def inline_page(path: str | Path) -> str:
    """A briefing page with its CSS inlined and links disabled (to show it inside a notebook)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    css = (ASSETS_DIR / "briefings.css").read_text(encoding="utf-8")
    js = (ASSETS_DIR / "briefings.js").read_text(encoding="utf-8")
    for root in ("", "../"):
        text = text.replace(f'<link rel="stylesheet" href="{root}assets/briefings.css">',
                            f"<style>{css}</style>")
        text = text.replace(f'<script src="{root}assets/briefings.js"></script>',
                            f"<script>{js}</script>")
    return text


def iframe_html(path: str | Path, height: int = 900) -> str:
    """An <iframe srcdoc> showing a briefing inline in a notebook (works offline)."""
    return (f'<div class="briefing-frame"><iframe srcdoc="{html.escape(inline_page(path), quote=True)}" '
            f'style="width:100%;height:{height}px;border:1px solid #ccc"></iframe></div>')
