"""Step 9: each school's place among similar schools.

The percentile of a school's result index among its cluster peers of the same year
(`similar_schools_percentile`) next to its percentile in the region (`regional_percentile`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd


def group_percentile(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Percentile 0–100 of each value within its group: 100·(mid-rank − 0.5)/n; NaN stays NaN."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    key = pd.concat(groups, axis=1) if groups else None
    if key is None:
        r = v.rank(method="average")
        n = v.notna().sum()
        return 100 * (r - 0.5) / n
    g = v.groupby([s.to_numpy() for s in groups], dropna=False)
    r = g.rank(method="average")
    n = g.transform("count")
    return 100 * (r - 0.5) / n


def add_percentiles(out: pd.DataFrame, identification: pd.DataFrame | None) -> tuple[pd.DataFrame, list[str]]:
    """`out` (school_id, year, cluster, …) with both percentiles (one decimal), and a Russian note
    when there is no result index to rank (identify not run)."""
    notes = []
    if identification is not None and "result_index" in identification.columns and len(identification):
        ri = identification[["school_id", "year", "result_index"]].copy()
        ri["school_id"] = ri["school_id"].astype(str)
        ri["year"] = ri["year"].astype(int)
        out = out.merge(ri, on=["school_id", "year"], how="left")
        out["similar_schools_percentile"] = group_percentile(out["result_index"], [out["year"], out["cluster"]])
        out["regional_percentile"] = group_percentile(out["result_index"], [out["year"]])
        out = out.drop(columns=["result_index"])
    else:
        out["similar_schools_percentile"] = np.nan
        out["regional_percentile"] = np.nan
        notes.append("Кластеры: нет индекса результатов (этап identify не выполнен), "
                     "процентили среди похожих школ не рассчитаны.")
    out["similar_schools_percentile"] = out["similar_schools_percentile"].astype(float).round(1)
    out["regional_percentile"] = out["regional_percentile"].astype(float).round(1)
    return out, notes
