"""Step 2 — result index of one year.

The participant-weighted mean of the cell scores per school × year (rows of at least
`min_class_n` pupils), its standard error (subjects of one grade share pupils: correlation
`within_grade_correlation`), the 95% interval (Progress 8 style), the number of pupils who wrote
the works (per grade the largest participant count over its subjects, summed over grades) and the
year's empirical-Bayes value shrunk toward the region mean (`result_index_shrunk`, the outcome the
monitoring compares over years). The persistent quality that ranks schools is step 4 (`pooled`,
`quality`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams


def pupil_counts(cells: pd.DataFrame, by: tuple[str, ...] = ("school_id", "year")) -> pd.Series:
    """Pupils who wrote the works per group: per grade the largest participant count over its
    procedures and subjects (the same pupils sit them), summed over grades."""
    by = list(by)
    per_grade = cells.groupby(by + ["grade"], sort=False)["n"].max()
    return per_grade.groupby(level=list(range(len(by))), sort=False).sum().rename("n_pupils")


def aggregate_index(cells: pd.DataFrame, params: IdentifyParams,
                    by: tuple[str, ...] = ("school_id", "year")) -> pd.DataFrame:
    """Participant-weighted mean of the cell scores per group with its standard error, over the
    rows of the index (`in_index`: at least min_class_n pupils).

    Var = [(1-ρ)·Σ n²v + ρ·Σ_grades (Σ n·se)²] / N², ρ = within_grade_correlation (subjects of
    one grade are sat by the same pupils). Returns by + index, se, n_pupils (pupils, see
    `pupil_counts`, of the rows in the index), n_results (pupil-results: Σ n).
    """
    by = list(by)
    need = list(dict.fromkeys(by + ["grade", "n", "z", "z_var", "z_se"]))
    use = cells["z"].notna()
    if "in_index" in cells.columns:
        use &= cells["in_index"].astype(bool)
    c = cells.loc[use, need]
    if len(c) == 0:
        return pd.DataFrame(columns=by + ["index", "se", "n_pupils", "n_results"])
    c["_wz"] = c["n"] * c["z"]
    c["_wv"] = c["n"] ** 2 * c["z_var"]
    c["_ws"] = c["n"] * c["z_se"]
    per_grade = c.groupby(by + ["grade"], sort=False).agg(_ws=("_ws", "sum")).reset_index()
    per_grade["_g2"] = per_grade["_ws"] ** 2
    g2 = per_grade.groupby(by, sort=False)["_g2"].sum()
    agg = c.groupby(by, sort=False).agg(n_results=("n", "sum"), _wz=("_wz", "sum"),
                                        _wv=("_wv", "sum"))
    rho = params.within_grade_correlation
    agg["index"] = agg["_wz"] / agg["n_results"]
    agg["se"] = np.sqrt(((1 - rho) * agg["_wv"] + rho * g2.reindex(agg.index)) / agg["n_results"] ** 2)
    agg["n_pupils"] = pupil_counts(c, tuple(by)).reindex(agg.index)
    return agg[["index", "se", "n_pupils", "n_results"]].reset_index()


def shrink_index(index: pd.Series, se: pd.Series) -> tuple[pd.Series, pd.Series, float, float]:
    """Empirical-Bayes shrinkage of one year's indices toward their mean over schools.

    μ = mean of the indices, τ² = max(0, Σ(x−μ)²/(J−1) − mean(se²)) (method of moments),
    λ = τ²/(τ² + se²), shrunk = μ + λ(x − μ), posterior sd = √λ·se.
    Returns (shrunk, shrunk_se, mu, tau2).
    """
    ok = index.notna() & se.notna()
    x, s = index[ok], se[ok]
    if len(x) < 3:
        return index.copy(), se.copy(), float(x.mean()) if len(x) else 0.0, float("nan")
    mu = float(x.mean())
    tau2 = max(0.0, float(((x - mu) ** 2).sum() / (len(x) - 1) - (s ** 2).mean()))
    lam = tau2 / (tau2 + se ** 2)
    lam = lam.where(se > 0, 1.0)
    shrunk = mu + lam * (index - mu)
    return shrunk, np.sqrt(lam) * se, mu, tau2


def _shares_low(idx: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """share_low of each school × year and share_low_region of each year, pooled over the result
    rows (participant-weighted)."""
    c = cells[cells["share_low"].notna()]
    if len(c) == 0:
        idx["share_low"] = np.nan
        idx["share_low_region"] = np.nan
        return idx
    c = c.assign(_low=c["share_low"] * c["n"])
    s = c.groupby(["school_id", "year"]).agg(_low=("_low", "sum"), _n=("n", "sum"))
    s["share_low"] = s["_low"] / s["_n"]
    r = c.groupby("year").agg(_low=("_low", "sum"), _n=("n", "sum"))
    r["share_low_region"] = r["_low"] / r["_n"]
    idx = idx.merge(s[["share_low"]].reset_index(), on=["school_id", "year"], how="left")
    return idx.merge(r[["share_low_region"]].reset_index(), on="year", how="left")


def result_index(cells: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """School × year: n_pupils (all rows written, see `pupil_counts`), n_pupils_index (of the
    rows in the index), result_index, result_se, 95% interval, the year's shrunk index, share_low,
    share_low_region (pooled over the region's result rows of that year), tau2_year (per year).
    A school-year whose every row is under min_class_n pupils has n_pupils but no index."""
    idx = aggregate_index(cells, params)
    idx = idx.rename(columns={"index": "result_index", "se": "result_se",
                              "n_pupils": "n_pupils_index"}).drop(columns="n_results")
    everyone = pupil_counts(cells).reset_index()
    idx = everyone.merge(idx, on=["school_id", "year"], how="left")
    idx["n_pupils_index"] = idx["n_pupils_index"].fillna(0)
    z = params.z_crit
    idx["result_ci_low"] = idx["result_index"] - z * idx["result_se"]
    idx["result_ci_high"] = idx["result_index"] + z * idx["result_se"]
    idx["result_index_shrunk"] = idx["result_index"]
    idx["result_se_shrunk"] = idx["result_se"]
    idx["tau2_year"] = np.nan
    for year, g in idx.groupby("year"):
        if params.shrink:
            shr, sse, _, tau2 = shrink_index(g["result_index"], g["result_se"])
            idx.loc[g.index, "result_index_shrunk"] = shr
            idx.loc[g.index, "result_se_shrunk"] = sse
            idx.loc[g.index, "tau2_year"] = tau2
    return _shares_low(idx, cells)
