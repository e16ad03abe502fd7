"""Step 4a′ — the variance components of a school's index beyond sampling error, estimated
from the data.

- σ²_u, the school × year term (cohort, a bad day: gone the next year) and σ²_drift, the yearly
  change of the school's level that stays (new staff, a new head: a random walk), from the
  changes of the same school over one and over two years: their variance beyond sampling error is
  2σ²_u + σ²_drift and 2σ²_u + 2σ²_drift. Both are estimated robustly — the value at which the
  median of Δ²/(excess + se²_t + se²_{t−k}) equals the median of χ²₁ (a school with one all-«2»
  year does not inflate them).
- σ²_subj, the persistent school × subject term (a school strong in one subject, weak in
  another): a subject's deviation from the school's index, d = y_subject − y_school, has a
  sampling part that is new every year and a persistent part that is not, so the covariance of
  d between consecutive years estimates the persistent part: Cov = σ²_subj·(1 − 2ω + Σω²), ω the
  subject's share of the school's participants. Its contribution to the school's index,
  σ²_subj·Σω², is uncertainty about the school's general level that more years do not remove.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

CHI2_1_MEDIAN = 0.454936  # median of the χ² distribution with one degree of freedom
MIN_PAIRS = 10


def _lag_excess(idx: pd.DataFrame, lag: int) -> float:
    """Variance of the changes over `lag` years beyond sampling error, robustly: the value e at
    which the median of Δ²/(e + se²_t + se²_{t−lag}) equals the median of χ²₁ (0 when the
    changes are no larger than sampling error, or fewer than MIN_PAIRS pairs)."""
    d = idx.dropna(subset=["result_index", "result_se"])[["school_id", "year", "result_index",
                                                           "result_se"]]
    prev = d.assign(year=d["year"] + lag)
    pairs = d.merge(prev, on=["school_id", "year"], suffixes=("", "_prev"))
    if len(pairs) < MIN_PAIRS:
        return 0.0
    diff2 = ((pairs["result_index"] - pairs["result_index_prev"]) ** 2).to_numpy(float)
    v = (pairs["result_se"] ** 2 + pairs["result_se_prev"] ** 2).to_numpy(float)

    def excess(e: float) -> float:
        return float(np.median(diff2 / (e + v))) - CHI2_1_MEDIAN

    if excess(0.0) <= 0:
        return 0.0
    lo, hi = 0.0, max(float(np.median(diff2)), 1e-6)
    while excess(hi) > 0:
        hi *= 2
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if excess(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def school_year_variance(idx: pd.DataFrame) -> tuple[float, float]:
    """(σ²_u, σ²_drift) from the changes over one and two years (see the module docstring).
    `idx`: school_id, year, result_index, result_se."""
    e1 = _lag_excess(idx, 1)
    e2 = _lag_excess(idx, 2) if idx["year"].nunique() >= 3 else e1
    drift = max(0.0, e2 - e1)
    return max(0.0, (e1 - drift) / 2), drift


def _subject_rows(cells: pd.DataFrame) -> pd.DataFrame:
    """School × year × subject: participant-weighted score y, participants n, the subject's
    share ω of the school-year, the school-year's y and Σω² (rows of the index only)."""
    use = cells["z"].notna()
    if "in_index" in cells.columns:
        use &= cells["in_index"].astype(bool)
    c = cells.loc[use, ["school_id", "year", "subject", "n", "z"]]
    c = c.assign(_wz=c["n"] * c["z"])
    sk = c.groupby(["school_id", "year", "subject"], sort=False).agg(
        _wz=("_wz", "sum"), n=("n", "sum")).reset_index()
    tot = sk.groupby(["school_id", "year"], sort=False)[["_wz", "n"]].transform("sum")
    sk["y"] = sk["_wz"] / sk["n"]
    sk["omega"] = sk["n"] / tot["n"]
    sk["y_school"] = tot["_wz"] / tot["n"]
    sk["omega2"] = (sk["omega"] ** 2).groupby([sk["school_id"], sk["year"]], sort=False).transform(
        "sum")
    return sk


def subject_weight2(cells: pd.DataFrame) -> pd.DataFrame:
    """School × year: subject_weight2 = Σω² over its subjects (1 for a single subject)."""
    sk = _subject_rows(cells)
    return sk.groupby(["school_id", "year"], sort=False)["omega2"].first().rename(
        "subject_weight2").reset_index()


def school_subject_variance(cells: pd.DataFrame) -> float:
    """σ²_subj by the covariance of subject deviations in consecutive years (see the module
    docstring), participant-weighted; 0 when negative or fewer than MIN_PAIRS pairs."""
    sk = _subject_rows(cells)
    sk["d"] = sk["y"] - sk["y_school"]
    sk["k"] = 1 - 2 * sk["omega"] + sk["omega2"]
    prev = sk[["school_id", "year", "subject", "d"]].assign(year=sk["year"] + 1)
    pairs = sk.merge(prev, on=["school_id", "year", "subject"], suffixes=("", "_prev"))
    pairs = pairs[pairs["k"] > 1e-9]
    if len(pairs) < MIN_PAIRS:
        return 0.0
    w = pairs["n"].to_numpy(float)
    cov = float((w * pairs["d"] * pairs["d_prev"]).sum() / w.sum())
    k = float((w * pairs["k"]).sum() / w.sum())
    return max(0.0, cov / k)
