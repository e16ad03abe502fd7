"""What the monitoring notebook shows as tables: counts of trends, the schools picked for the
trajectory chart, and the stage's tables with Russian column names."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.formatting import MISSING, fmt_int, fmt_num, year_label
from workbench.core.vocabulary import DOMAINS_RU

COMPLETENESS_SUMMARY_RU = {"municipality": "Муниципалитет", "year": "Год", "n_schools": "Школ",
                           "n_complete": "Все замеры проведены", "share_complete": "Доля полных",
                           "n_missing_waves": "Пропущено замеров"}
MISSING_RU = {"school_id": "Код ОО", "year": "Год", "municipality": "Муниципалитет",
              "n_missing": "Пропущено", "missing": "Пропущенные замеры"}
EXIT_SHARES_RU = {"municipality": "Муниципалитет", "cluster": "Кластер", "year": "Год в списке",
                  "n_listed": "В списке", "n_known": "Есть данные через год", "n_left": "Вышли",
                  "share_left": "Доля вышедших"}
# the columns of `effectiveness` shown, in this order
EFFECTIVENESS_RU = {"cohort_ru": "Когорта", "estimate_ru": "Метод", "year": "Год",
                    "base_year": "База", "domain_ru": "Направление", "indicator_ru": "Показатель",
                    "effect": "Оценка", "ci_low": "95% ДИ от", "ci_high": "95% ДИ до",
                    "mde": "Минимальный обнаружимый эффект", "n_treated": "Участников",
                    "n_control": "Школ сравнения", "n_outliers": "Исключено (аномалии)",
                    "conclusion": "Вывод"}
_SIGNED = ("effect", "ci_low", "ci_high")


def trend_counts(dynamics: pd.DataFrame) -> pd.DataFrame:
    """Per year, domain and indicator: how many schools improved / stayed / declined (Russian)."""
    if len(dynamics) == 0:
        return pd.DataFrame()
    t = dynamics.pivot_table(index=["year", "domain", "indicator"], columns="trend_ru",
                             values="school_id", aggfunc="count", fill_value=0).reset_index()
    t.columns.name = None
    t["domain"] = t["domain"].map(DOMAINS_RU).fillna(t["domain"])
    return t.rename(columns={"year": "год", "domain": "направление", "indicator": "показатель"})


def pick_schools_to_show(dynamics: pd.DataFrame, year: int | None = None, n: int = 3) -> list[str]:
    """A few participants for the trajectory chart: the largest improvement, the largest decline
    and a median one in results (deterministic)."""
    d = dynamics[(dynamics["domain"] == "results")].dropna(subset=["change"])
    if year is None and len(d):
        year = int(d["year"].max())
    d = d[d["year"] == year]
    if len(d) == 0:
        return []
    sign = np.where(d["higher_is_better"].astype(bool), 1.0, -1.0)
    s = (d.assign(_g=d["change"] * sign).groupby("school_id")["_g"].mean().sort_values(kind="mergesort"))
    picks = [s.index[-1], s.index[len(s) // 2], s.index[0]]
    out: list[str] = []
    for p in picks:
        if p not in out:
            out.append(p)
    return out[:n]


def completeness_table(summary: pd.DataFrame) -> pd.DataFrame:
    """`completeness_summary` with Russian column names."""
    return summary.rename(columns=COMPLETENESS_SUMMARY_RU)


def missing_table(missing: pd.DataFrame) -> pd.DataFrame:
    """`missing_waves` with Russian column names."""
    return missing.rename(columns=MISSING_RU)


def exit_shares_table(shares: pd.DataFrame) -> pd.DataFrame:
    """`exit_shares` (by municipality or by cluster) with Russian column names."""
    return shares.rename(columns=EXIT_SHARES_RU)


def effectiveness_table(effectiveness: pd.DataFrame) -> pd.DataFrame:
    """The columns of `effectiveness` a reader needs, with Russian names and Russian numbers
    (decimal comma, real minus, school years «2024/25»), every cell text; a cohort column, the
    indicators by their Russian names."""
    if effectiveness is None or len(effectiveness) == 0:
        return pd.DataFrame(columns=list(EFFECTIVENESS_RU.values()))
    e = effectiveness[[c for c in EFFECTIVENESS_RU if c in effectiveness.columns]].copy()
    for c in e.columns:
        if c in ("year", "base_year"):
            e[c] = [year_label(v, MISSING) for v in e[c]]
        elif c in _SIGNED:
            e[c] = [fmt_num(v, 2, sign=True) for v in e[c]]
        elif c == "mde":
            e[c] = [fmt_num(v, 2) for v in e[c]]
        elif c.startswith("n_"):
            e[c] = [fmt_int(v) for v in e[c]]
    return e.rename(columns=EFFECTIVENESS_RU).reset_index(drop=True)
