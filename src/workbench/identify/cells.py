"""Step 1 — cell scores.

Every `results` row (school × year × procedure × subject × grade) becomes a standardised score z
(higher = better, participant-weighted region mean = 0) with its sampling variance: share of
«2»/below-minimum (binomial variance at the region's share), mean mark (pooled within-school
variance of marks / n), mean score (pooled within-school sd² / n). The indicators of one cell are
averaged into z; their sampling errors are correlated (`indicator_correlation`). Rows of fewer
than `min_class_n` pupils are scored (the passports show them) but kept out of the index
(`in_index` false) and out of the spread between schools that scales the scores.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams

CELL = ["year", "procedure", "subject", "grade"]
KEY = ["school_id"] + CELL
REGION_COLUMNS = ("share_low_region", "mean_mark_region", "mean_score_region")


def _num(df: pd.DataFrame, col: str) -> pd.Series:
    if col in df.columns:
        return pd.to_numeric(df[col], errors="coerce").astype(float)
    return pd.Series(np.nan, index=df.index, dtype=float)


def _gsum(x: pd.Series, codes: np.ndarray) -> pd.Series:
    """Sum of x within groups (NaN counts as 0), broadcast back to the rows: one bincount over
    precomputed group codes instead of a pandas group-by per call."""
    v = np.nan_to_num(x.to_numpy(dtype=float, na_value=np.nan), nan=0.0)
    return pd.Series(np.bincount(codes, weights=v)[codes], index=x.index, copy=False)


def _wmean(x: pd.Series, w: pd.Series, by: np.ndarray) -> pd.Series:
    """Weighted mean of x within groups (codes), broadcast back to the rows (NaN x ignored)."""
    ok = x.notna() & w.notna()
    num = _gsum((x * w).where(ok, 0.0), by)
    den = _gsum(w.where(ok, 0.0), by)
    return num / den.where(den > 0)


def _indicator_rows(results: pd.DataFrame, min_class_n: int) -> tuple[pd.DataFrame, pd.Series]:
    """The result rows with participants, typed keys and the school-level indicators (share of
    «2», mean mark, share of «5», mean score) with their within-school sums of squares.
    Returns (rows, participants)."""
    df = results.copy(deep=False)  # copy-on-write: the caller's frame is never changed
    df["school_id"] = df["school_id"].astype(str)
    df["year"] = pd.to_numeric(df["year"], errors="coerce").astype("Int64")
    df["grade"] = pd.to_numeric(df["grade"], errors="coerce").fillna(0).astype("Int64")
    df["procedure"] = df["procedure"].astype(str)
    df["subject"] = df["subject"].astype(str)
    n = _num(df, "n_participants")
    df = df[(n > 0) & df["year"].notna()]
    n = _num(df, "n_participants")
    df["n"] = n
    df["in_index"] = n >= min_class_n
    marks = [_num(df, f"n_mark{k}") for k in (2, 3, 4, 5)]
    n_marks = sum(m.fillna(0) for m in marks)
    has_marks = pd.concat(marks, axis=1).notna().any(axis=1) & (n_marks > 0)
    df["mark_based"] = has_marks
    # share of «2» / below minimum
    share = _num(df, "n_low") / n
    share = share.fillna(_num(df, "share_low"))
    share = share.fillna((marks[0] / n_marks).where(has_marks))
    df["share_low"] = share.clip(0, 1)
    # mean mark and its within-school sum of squares
    mean_mark = sum(k * m.fillna(0) for k, m in zip((2, 3, 4, 5), marks)) / n_marks
    df["mean_mark"] = mean_mark.where(has_marks)
    ss_mark = sum(m.fillna(0) * (k - mean_mark) ** 2 for k, m in zip((2, 3, 4, 5), marks))
    df["_ss_mark"] = ss_mark.where(has_marks)
    df["_df_mark"] = (n_marks - 1).clip(lower=0).where(has_marks)
    df["share5"] = (marks[3] / n_marks).where(has_marks)
    df["mean_score"] = _num(df, "mean_score")
    sd = _num(df, "sd_score")
    df["_ss_score"] = (sd ** 2 * (n - 1)).where(sd.notna() & df["mean_score"].notna())
    df["_df_score"] = (n - 1).where(df["_ss_score"].notna())
    return df, n


def _standardise(df: pd.DataFrame, ind: str, n: pd.Series, cell: np.ndarray,
                 params: IdentifyParams) -> tuple[pd.Series, pd.Series, pd.Series]:
    """One indicator per cell centred at the participant-weighted region value (all pupils) and
    divided by the participant-weighted school-level SD (rows of the index only: a class of 2
    pupils would inflate it). Returns (z, se of z, region value)."""
    x = df[ind]
    w = n.where(x.notna())
    centre = _wmean(x, w, cell)
    big = df["in_index"]
    var_between = _wmean(((x - centre) ** 2).where(big), w.where(big), cell)
    cnt = _gsum((x.notna() & big).astype(float), cell)
    sd_between = np.sqrt(var_between).where((cnt >= 2) & (var_between > 1e-12))
    if ind == "share_low":
        sampling_var = centre * (1 - centre) / n
        sign = -1.0
    elif ind == "mean_mark":
        ss = _gsum(df["_ss_mark"], cell)
        dof = _gsum(df["_df_mark"], cell)
        within = ss / dof.where(dof > 0)
        sampling_var = within / n
        sign = 1.0
    else:  # mean_score
        ss = _gsum(df["_ss_score"], cell)
        dof = _gsum(df["_df_score"], cell)
        within = ss / dof.where(dof > 0)
        # no pupil-level spread given: guess it from the spread of school means and the ICC
        icc = params.assumed_icc
        nbar = _gsum(w, cell) / _gsum(w.notna().astype(float), cell)
        guess = var_between / (icc / (1 - icc) + 1 / nbar)
        within = within.fillna(guess)
        sampling_var = within / n
        sign = 1.0
    z = sign * (x - centre) / sd_between
    return z, np.sqrt(sampling_var) / sd_between, centre


def _combine(zs: list[pd.Series], ses: list[pd.Series],
             params: IdentifyParams) -> tuple[pd.Series, pd.Series]:
    """Mean of the indicator scores of a row and its variance: Var = [(1-ρ)·Σse² + ρ·(Σse)²]/k²,
    ρ = indicator_correlation. Returns (z, z_var)."""
    zmat = pd.concat(zs, axis=1)
    smat = pd.concat(ses, axis=1).where(zmat.notna().values)
    k = zmat.notna().sum(axis=1)
    rho = params.indicator_correlation
    sum_var = (smat ** 2).sum(axis=1)
    sum_se = smat.sum(axis=1)
    z = zmat.mean(axis=1).where(k > 0)
    z_var = (((1 - rho) * sum_var + rho * sum_se ** 2) / (k ** 2)).where(k > 0)
    return z, z_var


def cell_scores(results: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """Standardised score of every result row (school × year × procedure × subject × grade).

    Returns one row per results row with: n, in_index (n ≥ min_class_n), share_low, share_low_region, mean_mark,
    mean_mark_region, mean_score, mean_score_region, share5, mark_based (bool), z (higher =
    better, participant-weighted region mean 0), z_var (sampling variance of z), z_se, and z_<indicator>.
    Per cell (year, procedure, subject, grade) each indicator is centred at the participant-
    weighted region value and divided by the participant-weighted school-level SD.
    """
    if results is None or len(results) == 0:
        return pd.DataFrame(columns=KEY + ["n", "in_index", "z", "z_var", "z_se"])
    df, n = _indicator_rows(results, params.min_class_n)
    cell = df.groupby(CELL, sort=False).ngroup().to_numpy()
    zs: list[pd.Series] = []
    ses: list[pd.Series] = []
    for ind in params.indicators:
        if df[ind].notna().sum() == 0:
            continue
        z, se, centre = _standardise(df, ind, n, cell, params)
        df[f"{ind}_region"] = centre
        zs.append(z)
        ses.append(se)
        df[f"z_{ind}"] = z
    for col in REGION_COLUMNS:
        if col not in df.columns:
            df[col] = np.nan
    if not zs:
        df["z"] = np.nan
        df["z_var"] = np.nan
    else:
        df["z"], df["z_var"] = _combine(zs, ses, params)
    df["z_se"] = np.sqrt(df["z_var"])
    keep = KEY + ["n", "in_index", "mark_based", "share_low", "share_low_region", "mean_mark",
                  "mean_mark_region", "mean_score", "mean_score_region", "share5", "z", "z_var",
                  "z_se"] + [c for c in df.columns if c.startswith("z_") and c not in ("z_var", "z_se")]
    out = df[keep].reset_index(drop=True)
    out["year"] = out["year"].astype(int)
    out["grade"] = out["grade"].astype(int)
    return out
