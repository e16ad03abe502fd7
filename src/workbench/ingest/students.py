"""Results in the canonical shape: pupil-level rows (`student_id` mapped) are aggregated to
school × year × procedure × subject × grade rows here and never leave the ingest stage; every
results row then gets mark counts (from percentages when only those are given), n_low and
share_low."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.ingest.columns import PCT_COLUMNS


def aggregate_students(df: pd.DataFrame, min_scores: dict[str, float] | None = None) -> pd.DataFrame:
    """Pupil rows → results rows: counts of marks, mean/sd of scores, n_low (mark «2», is_low or
    score below the subject's minimum), share_low; `_w` = pupil rows in the group."""
    min_scores = min_scores or {}
    key = ["school_id", "year", "procedure", "subject", "grade"]
    d = df.copy()
    low = pd.Series(np.nan, index=d.index, dtype="float64")
    if "score" in d.columns and min_scores:
        mins = pd.Series([min_scores.get(f"{p}/{s}", min_scores.get(s, np.nan))
                          for p, s in zip(d["procedure"], d["subject"])], index=d.index, dtype="float64")
        ok = d["score"].notna() & mins.notna()
        low = low.mask(ok, (d["score"] < mins).astype("float64"))
    if "mark" in d.columns:
        ok = d["mark"].notna()
        low = low.mask(ok, (d["mark"] == 2).astype("float64"))
    if "is_low" in d.columns:
        ok = d["is_low"].notna()
        low = low.mask(ok, d["is_low"].astype("float64"))
    d["_low"] = low
    agg: dict[str, Any] = {"n_participants": ("school_id", "size"), "n_low": ("_low", "sum"),
                           "_w": ("school_id", "size"), "_file": ("_file", "first"),
                           "_nlow_known": ("_low", "count")}
    if "mark" in d.columns:
        for k in range(2, 6):
            d[f"_m{k}"] = (d["mark"] == k).astype("float64").where(d["mark"].notna())
            agg[f"n_mark{k}"] = (f"_m{k}", "sum")
        agg["_marks_known"] = ("mark", "count")
    if "score" in d.columns:
        agg["mean_score"] = ("score", "mean")
        agg["sd_score"] = ("score", "std")
    out = d.groupby(key, sort=True, dropna=False).agg(**agg).reset_index()
    out.loc[out["_nlow_known"] == 0, "n_low"] = np.nan
    if "_marks_known" in out.columns:
        out.loc[out["_marks_known"] == 0, [f"n_mark{k}" for k in range(2, 6)]] = np.nan
        out = out.drop(columns=["_marks_known"])
    out["share_low"] = out["n_low"] / out["n_participants"]
    out["_row"] = pd.NA
    return out.drop(columns=["_nlow_known"])


def finish_results(df: pd.DataFrame) -> pd.DataFrame:
    """Percent distributions → counts, n_low from «2», share_low = n_low / n_participants."""
    d = df.copy()
    n = d["n_participants"]
    for k in range(2, 6):
        pc, nc = f"pct_mark{k}", f"n_mark{k}"
        if pc in d.columns:
            conv = (d[pc] / 100.0 * n).round()
            d[nc] = d[nc].fillna(conv) if nc in d.columns else conv
    marks = [f"n_mark{k}" for k in range(2, 6)]
    for c in marks:
        if c not in d.columns:
            d[c] = np.nan
    any_mark = d[marks].notna().any(axis=1)
    d.loc[any_mark, marks] = d.loc[any_mark, marks].fillna(0)
    if "n_low" not in d.columns:
        d["n_low"] = np.nan
    d["n_low"] = d["n_low"].fillna(d["n_mark2"])
    if "share_low" in d.columns:
        d["n_low"] = d["n_low"].fillna((d["share_low"] * n).round())
        share = (d["n_low"] / n.where(n > 0)).where(d["n_low"].notna(), d["share_low"])
    else:
        share = d["n_low"] / n.where(n > 0)
    d["share_low"] = share
    for c in ("mean_score", "sd_score"):
        if c not in d.columns:
            d[c] = np.nan
    return d.drop(columns=[c for c in PCT_COLUMNS if c in d.columns])
