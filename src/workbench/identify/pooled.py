"""Step 4a — the index pooled over a window of years, with a school × year variance term.

A school's index of year t is its general level plus a school × year shock (cohort, teacher
turnover, a bad day), plus the school's persistent subject profile (strong in one subject, weak in
another), plus sampling error: y_st = μ_s + u_st + p_s + e_st, Var(u) = σ²_u, Var(p) = σ²_subj·Σω²,
Var(e) = se² (the variance components are estimated in `components`). The pooled index of year t
is the precision-weighted mean of the school's indices over the window t − window_years + 1 … t
(weights 1/(σ²_u + se²)); a year far from the school's other years weighs less (Student-t
school × year term, `year_shock_df`: the weight of a year whose leave-one-out residual r exceeds
1 is multiplied by (ν + 1)/(ν + r²)). Its variance 1/Σ weights + σ²_subj·Σω² includes the
year-to-year shocks and the subject profile (which more years do not average away), so the
interval of the general level is honest about both. A school whose ВПР show signs of
non-objectivity in the year (step 5) is pooled on its ОГЭ/ЕГЭ alone (`objectivity_exams_only`):
its ВПР would place it too high (`ranked_on_exams`; the reasons say so).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.identify.grid import grid, wide

ROBUST_ITERATIONS = 8
COLUMNS = ["pooled_index", "pooled_se", "n_years", "window_from", "n_pooled", "sigma_u2",
           "sigma_drift2", "sigma_subj2"]
EXAM_SIDE = ["pooled_index", "pooled_se", "n_years", "window_from"]


def _robust_weights(y: np.ndarray, base: np.ndarray, s2: float, v: np.ndarray,
                    df: float) -> np.ndarray:
    """Weights of the window's years (rows: schools, columns: years; 0 where no index):
    1/(σ²_u + se²), times (ν + 1)/(ν + r²) for years whose leave-one-out residual |r| > 1."""
    w = base.copy()
    if df <= 0:
        return w
    has = base > 0
    for _ in range(ROBUST_ITERATIONS):
        tot = w.sum(axis=1, keepdims=True)
        sy = (w * y).sum(axis=1, keepdims=True)
        rest = tot - w
        ok = has & (rest > 1e-12)
        mu_rest = np.divide(sy - w * y, rest, out=np.zeros_like(y), where=ok)
        var_rest = np.divide(1.0, rest, out=np.zeros_like(y), where=ok)
        den = s2 + v + var_rest
        r2 = np.divide((y - mu_rest) ** 2, den, out=np.zeros_like(y), where=ok & (den > 0))
        mult = np.where(r2 > 1, (df + 1) / (df + r2), 1.0)
        w = base * mult
    return w


def _drift_share(w: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """Σ_i (Σ_{lag ≥ i} ŵ_lag)² over i = 1 … max lag, ŵ the normalised weights: the variance of
    (this year's level − the weighted mean of the window's levels) in units of σ²_drift when the
    level moves as a random walk."""
    tot = w.sum(axis=1, keepdims=True)
    wn = np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)
    out = np.zeros(len(w))
    for i in range(1, int(lags.max(initial=0)) + 1):
        out += wn[:, lags >= i].sum(axis=1) ** 2
    return out


def pool_window(idx: pd.DataFrame, params: IdentifyParams, sigma_u2: float,
                sigma_subj2: float = 0.0, sigma_drift2: float = 0.0) -> pd.DataFrame:
    """School × year (the rows of `idx`, with result_index, result_se, n_pupils and
    subject_weight2 = Σω² of the year): pooled_index, pooled_se over the window of years ending
    in that year, n_years (years with an index in the window), window_from (first of them),
    n_pooled (pupils who wrote the works over the window, or of the year alone when
    `pool_years` is false), sigma_u2, sigma_subj2 and sigma_drift2. pooled_se is the error of
    the pooled index as an estimate of this year's general level: sampling and school × year
    shocks (1/Σ weights), how far the level may have moved since the earlier years of the window
    (σ²_drift) and the subject profile (σ²_subj·Σω²)."""
    years = sorted(int(y) for y in idx["year"].unique())
    _, rows, cols = grid(idx, years)
    y = wide(idx, idx["result_index"], years, np.nan).to_numpy()
    se = wide(idx, idx["result_se"], years, np.nan).to_numpy()
    npup = wide(idx, idx["n_pupils"].fillna(0), years, 0.0).to_numpy()
    has = ~np.isnan(y) & ~np.isnan(se)
    y0 = np.where(has, y, 0.0)
    v = np.where(has, se ** 2, 0.0)
    base_all = np.where(has, 1.0 / np.maximum(sigma_u2 + v, 1e-12), 0.0)
    yr = np.array(years)
    n = len(y)
    pooled = np.full((n, len(years)), np.nan)
    pooled_se = np.full((n, len(years)), np.nan)
    n_years = np.zeros((n, len(years)))
    first = np.full((n, len(years)), np.nan)
    n_pooled = np.zeros((n, len(years)))
    for j, year in enumerate(years):
        win = (yr <= year) & (yr > year - params.window_years)
        w = _robust_weights(y0[:, win], base_all[:, win], sigma_u2, v[:, win], params.year_shock_df)
        tot = w.sum(axis=1)
        ok = tot > 0
        pooled[ok, j] = (w * y0[:, win]).sum(axis=1)[ok] / tot[ok]
        drift = sigma_drift2 * _drift_share(w, year - yr[win])
        pooled_se[ok, j] = np.sqrt(1.0 / tot[ok] + drift[ok])
        n_years[:, j] = has[:, win].sum(axis=1)
        with np.errstate(invalid="ignore"):
            first[:, j] = np.where(has[:, win], yr[win][None, :], np.inf).min(axis=1)
        n_pooled[:, j] = npup[:, win].sum(axis=1) if params.pool_years else npup[:, j]
    out = idx[["school_id", "year"]].copy()
    out["pooled_index"] = pooled[rows, cols]
    profile = sigma_subj2 * idx["subject_weight2"].fillna(0).to_numpy(float) \
        if "subject_weight2" in idx.columns else 0.0
    out["pooled_se"] = np.sqrt(pooled_se[rows, cols] ** 2 + profile)
    out["n_years"] = n_years[rows, cols].astype(int)
    wf = first[rows, cols]
    out["window_from"] = pd.array(np.where(np.isfinite(wf), wf, np.nan), dtype="Float64").astype(
        "Int64")
    out["n_pooled"] = n_pooled[rows, cols]
    out["sigma_u2"] = sigma_u2
    out["sigma_subj2"] = sigma_subj2
    out["sigma_drift2"] = sigma_drift2
    return out


def pooled_estimates(df: pd.DataFrame, params: IdentifyParams, sigma_u2: float,
                     sigma_subj2: float, sigma_drift2: float) -> pd.DataFrame:
    """`pool_window` over the school-years of df, with the ОГЭ/ЕГЭ-only pool for the school-years
    flagged for non-objective ВПР (objectivity_flag, exam_index, exam_se in df) when
    `objectivity_exams_only`; adds ranked_on_exams (bool)."""
    out = pool_window(df, params, sigma_u2, sigma_subj2, sigma_drift2)
    out["ranked_on_exams"] = False
    flagged = df["objectivity_flag"].fillna(False).astype(bool).to_numpy() \
        if "objectivity_flag" in df.columns else np.zeros(len(df), bool)
    if not (params.objectivity_exams_only and flagged.any()):
        return out
    exams = df[["school_id", "year", "n_pupils", "subject_weight2", "exam_index", "exam_se"]]
    exams = exams.rename(columns={"exam_index": "result_index", "exam_se": "result_se"})
    ex = pool_window(exams, params, sigma_u2, sigma_subj2, sigma_drift2)
    use = flagged & ex["pooled_index"].notna().to_numpy()
    out.loc[use, EXAM_SIDE] = ex.loc[use, EXAM_SIDE].to_numpy()
    out["ranked_on_exams"] = use
    return out
