"""Which schools may be resource schools, by the seeds' meaning (issue 16 item 1), and why not.

A school of the pairing year Y is a resource school when all of these hold:

- high results: category high_performing (its pooled level's interval lies above the benchmark),
  or a resilient school (or one in the top `top_cluster_percentile` % of its cluster peers) whose
  pooled level (`level_column`) is above the regional average of the year and whose 95% interval
  (`level_ci_low_column`) lies entirely above it;
- not flagged for non-objective ВПР in the last `objectivity_years` years (Y − 1 and Y by default);
- not listed (ШНОР, ШНОР в НСУ) and not on the watch list in the last `listed_years` years
  (Y − 2 … Y by default): a school that was itself low-results two years ago is not a resource.

The regional average is the mean level over the schools ranked that year (insufficient data
excluded). Each school gets its Russian reasons for failing, with the numbers, so that an agreed
partner that fails the criteria is flagged with a sentence true of it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.clusters import PartnersParams
from workbench.core.formatting import fmt_ci, fmt_num, year_label

LISTED = ("low_results", "low_results_adverse", "watch")
STATUS_COLUMNS = ["school_id", "resource", "why_not", "level", "level_ci_low", "level_ci_high",
                  "regional_mean"]


def _num(df: pd.DataFrame, *names: str) -> pd.Series:
    """The first of the named columns present, numeric (NaN when none is)."""
    for n in names:
        if n in df.columns:
            return pd.to_numeric(df[n], errors="coerce").astype(float)
    return pd.Series(np.nan, index=df.index, dtype=float)


def _flag(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        return pd.Series(False, index=df.index)
    return df[name].map(lambda v: bool(v) if v is not None and v == v else False).astype(bool)


def _years_where(ident: pd.DataFrame, mask: pd.Series, first: int, last: int) -> dict[str, list[int]]:
    """school_id → sorted years in [first, last] where mask holds."""
    yr = pd.to_numeric(ident["year"]).astype(int)
    sel = ident[mask.to_numpy() & (yr >= first).to_numpy() & (yr <= last).to_numpy()]
    out: dict[str, list[int]] = {}
    for sid, y in zip(sel["school_id"].astype(str), pd.to_numeric(sel["year"]).astype(int)):
        out.setdefault(sid, []).append(int(y))
    return {k: sorted(set(v)) for k, v in out.items()}


def _years_text(years: list[int]) -> str:
    return ", ".join(year_label(y) for y in years)


def resource_status(ident: pd.DataFrame, year: int, p: PartnersParams,
                    cluster_percentile: pd.Series | None = None) -> pd.DataFrame:
    """Per school of `year`: resource (bool), why_not (Russian, "" for a resource school), the
    pooled level with its interval and the regional average (STATUS_COLUMNS).
    `cluster_percentile`: similar_schools_percentile by school_id (the top-of-cluster route)."""
    ident = ident.assign(school_id=ident["school_id"].astype(str))
    yr = pd.to_numeric(ident["year"]).astype(int)
    d = ident[yr == year].reset_index(drop=True)
    level = _num(d, p.level_column, p.index_column)
    lo = _num(d, p.level_ci_low_column, "result_ci_low")
    hi = _num(d, p.level_ci_high_column, "result_ci_high")
    cat = d["category"].astype(str) if "category" in d.columns else pd.Series("", index=d.index)
    ranked = level.notna() & ~_flag(d, "insufficient_data")
    mean = float(level[ranked].mean()) if ranked.any() else float("nan")
    pct = (d["school_id"].map(cluster_percentile) if cluster_percentile is not None
           else pd.Series(np.nan, index=d.index)).astype(float)
    top = (pct >= p.top_cluster_percentile).fillna(False) if p.top_cluster_percentile is not None \
        else pd.Series(False, index=d.index)
    above = ((level > mean) & (lo > mean)).fillna(False)
    high = (cat == "high_performing") | ((cat.isin(p.resource_categories) | top) & above)
    listed_mask = ident["category"].astype(str).isin(LISTED) if "category" in ident.columns \
        else pd.Series(False, index=ident.index)
    listed_mask = listed_mask | _flag(ident, p.low_column) | _flag(ident, "watch")
    listed = _years_where(ident, listed_mask, year - p.listed_years + 1, year)
    flagged = _years_where(ident, _flag(ident, "objectivity_flag"),
                           year - p.objectivity_years + 1, year)
    why = [_why_not(sid, c, h, lv, a, b, mean, listed.get(sid), flagged.get(sid), year)
           for sid, c, h, lv, a, b in zip(d["school_id"], cat, high, level, lo, hi)]
    return pd.DataFrame({"school_id": d["school_id"], "resource": [w == "" for w in why],
                         "why_not": why, "level": level, "level_ci_low": lo, "level_ci_high": hi,
                         "regional_mean": mean})


def _why_not(sid: str, cat: str, high: bool, level: float, lo: float, hi: float, mean: float,
             listed: list[int] | None, flagged: list[int] | None, year: int) -> str:
    """The Russian reasons a school is not a resource school ("" when it is one)."""
    parts = []
    if level != level:
        parts.append(f"нет устойчивого уровня результатов за {year_label(year)} учебный год")
    elif not high:
        ci = f" (95% ДИ {fmt_ci(lo, hi, 2)})" if lo == lo and hi == hi else ""
        if lo == lo and lo > mean and level > mean:
            parts.append(f"не школа с высокими результатами и не резильентная: устойчивый уровень "
                         f"{fmt_num(level, 2, sign=True)}{ci}")
        else:
            parts.append(f"результаты не выше среднего по региону с уверенностью: устойчивый "
                         f"уровень {fmt_num(level, 2, sign=True)}{ci} при среднем "
                         f"{fmt_num(mean, 2, sign=True)}")
    if listed:
        parts.append(f"сама была в списке ШНОР или в зоне риска в {_years_text(listed)} уч. г.")
    if flagged:
        parts.append(f"признаки необъективности результатов ВПР в {_years_text(flagged)} уч. г.")
    return "; ".join(parts)
