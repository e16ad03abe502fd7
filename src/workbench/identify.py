"""Stage module: identification of ШНОР (low results) and ШФНСУ (adverse social conditions).

Design §4. The chain, each step a plain function over DataFrames:

1. `cell_scores`   — every `results` row (school × year × procedure × subject × grade) becomes a
   standardised score z (higher = better, participant-weighted region mean = 0) with its sampling
   variance: share of «2»/below-minimum (binomial variance at the region's share), mean mark
   (pooled within-school variance of marks / n), mean score (pooled within-school sd² / n).
2. `result_index`  — participant-weighted mean of the cell scores per school × year, its standard
   error (subjects of one grade share pupils: correlation `within_grade_correlation`), the 95%
   interval (Progress 8 style) and the empirical-Bayes shrunken value (SEDA style, between-school
   variance by the method of moments).
3. `social_index`  — standardised composite of the context indicators (adverse ones count
   negatively), missing values imputed by the region median and counted.
4. `value_added`   — result index regressed on the social index per year (weighted least squares),
   the residual and its interval.
5. `objectivity`   — ВПР far above what the school's own ОГЭ/ЕГЭ predict (regression residual
   in noise units, pooled over two years), or ВПР share of «5» far above the region while the
   exams are low: a flag for review, never an exclusion.
6. `classify`      — flags, persistence, categories and reasons; fast, so the explorer can call
   it on every slider move.

`stage(ctx)` wires them, writes `identification`, `identification_details`, `list_changes` and
`lists.xlsx`.
"""
from __future__ import annotations

import math
from typing import Any, Iterable, Literal

import numpy as np
import pandas as pd
from pydantic import Field, model_validator

from workbench.canon import (
    ADVERSE,
    CATEGORIES,
    FAVOURABLE,
    INDICATOR_LABELS_RU,
    LISTED_CATEGORIES,
    MIN_CELL,
    STANDARD_INDICATORS,
    StrictModel,
    WorkbenchError,
)
from workbench.lists import write_lists  # noqa: F401  (re-exported: the pipeline calls identify.write_lists)

Direction = Literal["adverse", "favourable", "neutral"]
Indicator = Literal["share_low", "mean_mark", "mean_score"]
EXAM_PROCEDURES = ("ОГЭ", "ЕГЭ")
VPR = "ВПР"


class IdentifyParams(StrictModel):
    """Settings of the identify stage (params section `identification`)."""

    # --- result index
    indicators: list[Indicator] = Field(
        default_factory=lambda: ["share_low", "mean_mark", "mean_score"],
        description="cell indicators combined into the result index (those present are used)")
    indicator_correlation: float = Field(
        0.8, ge=0, le=1, description="assumed correlation of the sampling errors of the indicators "
        "of one cell (share of «2» and mean mark come from the same pupils)")
    within_grade_correlation: float = Field(
        0.5, ge=0, le=1, description="assumed correlation of sampling errors between subjects of one "
        "grade (the same pupils sit them)")
    assumed_icc: float = Field(
        0.2, gt=0, lt=1, description="intra-school correlation used to guess the pupil-level spread "
        "of scores when no sd_score is given")
    confidence: float = Field(0.95, gt=0.5, lt=1)
    shrink: bool = True
    # --- flags
    rank_on: Literal["shrunk", "raw"] = Field(
        "shrunk", description="which index places a school in the bottom/top group")
    bottom_share: float = Field(0.12, gt=0, lt=1, description="bottom group of the region")
    benchmark: Literal["mean", "percentile"] = "mean"
    benchmark_percentile: float = Field(
        25.0, ge=0, le=100, description="used when benchmark = percentile (of the raw index)")
    persist_years: int = Field(2, ge=1, description="consecutive years low to be listed")
    short_history: Literal["available", "strict"] = Field(
        "available", description="years with less history than persist_years: apply the rule to "
        "the years available (available) or list nobody (strict)")
    min_n: int = Field(10, ge=1, description="fewer pupils (pooled over persist_years) → "
                       "insufficient_data")
    pool_years: bool = True
    top_share: float = Field(0.15, gt=0, lt=1, description="top group: high_performing")
    resilient_percentile: float = Field(
        75.0, ge=0, le=100, description="adverse context and result percentile at least this → "
        "resilient (or value added significantly above 0)")
    # --- social index
    social_indicators: dict[str, Direction] | None = Field(
        None, description="indicators and directions of the social index; default: every standard "
        "and declared indicator present in context")
    adverse_share: float = Field(0.25, gt=0, lt=1, description="bottom share by social index")
    rural_from_locality: bool = Field(
        True, description="derive is_rural from schools.locality («село») when context lacks it")
    # --- objectivity
    objectivity_z: float = Field(
        2.5, gt=0, description="ВПР above what the school's ОГЭ/ЕГЭ predict by this many "
        "standard deviations of the noise (pooled over objectivity_pool_years) → flag")
    objectivity_pool_years: int = Field(2, ge=1)
    objectivity_gap: float = Field(
        0.75, ge=0, description="... and ВПР is above that prediction by at least this much "
        "(index units ≈ SD of school results): a large gap, not merely a significant one")
    objectivity_min_vpr_index: float = Field(
        0.0, description="the gap sign counts only when the school's ВПР index is at least this "
        "(ВПР results high for the region, not merely less low than its exams)")
    objectivity_min_n: int = Field(8, ge=1, description="participants needed on each side")
    objectivity_share5_excess: float = Field(
        0.25, gt=0, lt=1, description="ВПР share of «5» above the region's by this much → flag")
    objectivity_share5_z: float = Field(3.0, ge=0)
    objectivity_share5_exam_ceiling: float = Field(
        0.0, description="share-of-«5» sign counts only when the school's ОГЭ/ЕГЭ index is below "
        "this: high ВПР backed by high exams is not suspicious; without exams it is not judged")
    # --- reasons
    reasons_max_subjects: int = Field(2, ge=0, le=10)

    @model_validator(mode="after")
    def _top_bottom(self) -> "IdentifyParams":
        if self.bottom_share + self.top_share > 1:
            raise ValueError("bottom_share + top_share должно быть не больше 1")
        return self

    @property
    def z_crit(self) -> float:
        from scipy.stats import norm

        return float(norm.ppf(0.5 + self.confidence / 2))


# =============================================================================== formatting
MINUS = "\u2212"


def fmt_num(x: float, digits: int = 1, sign: bool = False) -> str:
    """Russian number: decimal comma, real minus sign; «+» for positive values when sign."""
    if x is None or not np.isfinite(x):
        return "—"
    s = f"{x:.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
        return s.replace(".", ",")
    s = s.replace(".", ",").replace("-", MINUS)
    return ("+" + s) if sign and x > 0 else s


def fmt_pct(p: float) -> str:
    """A share as a whole percent: 0.384 → «38%»."""
    if p is None or not np.isfinite(p):
        return "—"
    return f"{int(math.floor(100 * p + 0.5))}%"


def pctl(p: float) -> str:
    """«7-й процентиль»; a rank is shown between the 1st and the 99th (never «0-й»)."""
    return f"{int(min(99, max(1, round(float(p)))))}-й процентиль"


def years_ru(n: int) -> str:
    """«1 год», «2 года», «5 лет»."""
    n = int(n)
    if n % 10 == 1 and n % 100 != 11:
        word = "год"
    elif n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        word = "года"
    else:
        word = "лет"
    return f"{n} {word}"


def _lower_first(s: str) -> str:
    s = str(s).strip()
    if len(s) > 1 and s[1:2].islower():
        return s[:1].lower() + s[1:]
    return s


# =============================================================================== 1. cell scores
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


def cell_scores(results: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """Standardised score of every result row (school × year × procedure × subject × grade).

    Returns one row per results row with: n, share_low, share_low_region, mean_mark,
    mean_mark_region, mean_score, mean_score_region, share5, mark_based (bool), z (higher =
    better, participant-weighted region mean 0), z_var (sampling variance of z), z_se.
    Per cell (year, procedure, subject, grade) each indicator is centred at the participant-
    weighted region value and divided by the participant-weighted school-level SD.
    """
    cols = ["school_id", "year", "procedure", "subject", "grade"]
    if results is None or len(results) == 0:
        return pd.DataFrame(columns=cols + ["n", "z", "z_var", "z_se"])
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

    cell = df.groupby(["year", "procedure", "subject", "grade"], sort=False).ngroup().to_numpy()
    zs: list[pd.Series] = []
    ses: list[pd.Series] = []
    for ind in params.indicators:
        x = df[ind]
        if x.notna().sum() == 0:
            continue
        w = n.where(x.notna())
        centre = _wmean(x, w, cell)
        var_between = _wmean((x - centre) ** 2, w, cell)
        cnt = _gsum(x.notna().astype(float), cell)
        sd_between = np.sqrt(var_between).where((cnt >= 2) & (var_between > 1e-12))
        if ind == "share_low":
            sampling_var = centre * (1 - centre) / n
            df["share_low_region"] = centre
            sign = -1.0
        elif ind == "mean_mark":
            ss = _gsum(df["_ss_mark"], cell)
            dof = _gsum(df["_df_mark"], cell)
            within = ss / dof.where(dof > 0)
            sampling_var = within / n
            df["mean_mark_region"] = centre
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
            df["mean_score_region"] = centre
            sign = 1.0
        z = sign * (x - centre) / sd_between
        zs.append(z)
        ses.append(np.sqrt(sampling_var) / sd_between)
        df[f"z_{ind}"] = z
    for col in ("share_low_region", "mean_mark_region", "mean_score_region"):
        if col not in df.columns:
            df[col] = np.nan
    if not zs:
        df["z"] = np.nan
        df["z_var"] = np.nan
    else:
        zmat = pd.concat(zs, axis=1)
        smat = pd.concat(ses, axis=1).where(zmat.notna().values)
        k = zmat.notna().sum(axis=1)
        rho = params.indicator_correlation
        sum_var = (smat ** 2).sum(axis=1)
        sum_se = smat.sum(axis=1)
        df["z"] = zmat.mean(axis=1).where(k > 0)
        df["z_var"] = (((1 - rho) * sum_var + rho * sum_se ** 2) / (k ** 2)).where(k > 0)
    df["z_se"] = np.sqrt(df["z_var"])
    keep = cols + ["n", "mark_based", "share_low", "share_low_region", "mean_mark",
                   "mean_mark_region", "mean_score", "mean_score_region", "share5", "z", "z_var",
                   "z_se"] + [c for c in df.columns if c.startswith("z_") and c not in ("z_var", "z_se")]
    out = df[keep].reset_index(drop=True)
    out["year"] = out["year"].astype(int)
    out["grade"] = out["grade"].astype(int)
    return out


# =============================================================================== 2. result index
def aggregate_index(cells: pd.DataFrame, params: IdentifyParams,
                    by: tuple[str, ...] = ("school_id", "year")) -> pd.DataFrame:
    """Participant-weighted mean of the cell scores per group with its standard error.

    Var = [(1-ρ)·Σ n²v + ρ·Σ_grades (Σ n·se)²] / N², ρ = within_grade_correlation (subjects of
    one grade are sat by the same pupils). Returns by + index, se, n_pupils.
    """
    by = list(by)
    need = list(dict.fromkeys(by + ["grade", "n", "z", "z_var", "z_se"]))
    c = cells.loc[cells["z"].notna(), need]
    if len(c) == 0:
        return pd.DataFrame(columns=by + ["index", "se", "n_pupils"])
    c["_wz"] = c["n"] * c["z"]
    c["_wv"] = c["n"] ** 2 * c["z_var"]
    c["_ws"] = c["n"] * c["z_se"]
    per_grade = c.groupby(by + ["grade"], sort=False).agg(_ws=("_ws", "sum")).reset_index()
    per_grade["_g2"] = per_grade["_ws"] ** 2
    g2 = per_grade.groupby(by, sort=False)["_g2"].sum()
    agg = c.groupby(by, sort=False).agg(n_pupils=("n", "sum"), _wz=("_wz", "sum"),
                                        _wv=("_wv", "sum"))
    rho = params.within_grade_correlation
    agg["index"] = agg["_wz"] / agg["n_pupils"]
    agg["se"] = np.sqrt(((1 - rho) * agg["_wv"] + rho * g2.reindex(agg.index)) / agg["n_pupils"] ** 2)
    return agg[["index", "se", "n_pupils"]].reset_index()


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


def result_index(cells: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """School × year: n_pupils, result_index, result_se, 95% interval, shrunk index, share_low,
    share_low_region (pooled over the region's result rows of that year), tau2 (per year)."""
    idx = aggregate_index(cells, params)
    idx = idx.rename(columns={"index": "result_index", "se": "result_se"})
    z = params.z_crit
    idx["result_ci_low"] = idx["result_index"] - z * idx["result_se"]
    idx["result_ci_high"] = idx["result_index"] + z * idx["result_se"]
    idx["result_index_shrunk"] = idx["result_index"]
    idx["result_se_shrunk"] = idx["result_se"]
    idx["tau2"] = np.nan
    for year, g in idx.groupby("year"):
        if params.shrink:
            shr, sse, _, tau2 = shrink_index(g["result_index"], g["result_se"])
            idx.loc[g.index, "result_index_shrunk"] = shr
            idx.loc[g.index, "result_se_shrunk"] = sse
            idx.loc[g.index, "tau2"] = tau2
    # shares of «2» / below minimum
    c = cells[cells["share_low"].notna()]
    if len(c):
        c = c.assign(_low=c["share_low"] * c["n"])
        s = c.groupby(["school_id", "year"]).agg(_low=("_low", "sum"), _n=("n", "sum"))
        s["share_low"] = s["_low"] / s["_n"]
        r = c.groupby("year").agg(_low=("_low", "sum"), _n=("n", "sum"))
        r["share_low_region"] = r["_low"] / r["_n"]
        idx = idx.merge(s[["share_low"]].reset_index(), on=["school_id", "year"], how="left")
        idx = idx.merge(r[["share_low_region"]].reset_index(), on="year", how="left")
    else:
        idx["share_low"] = np.nan
        idx["share_low_region"] = np.nan
    return idx


# =============================================================================== 3. social index
def social_directions(directions: dict[str, str], override: dict[str, str] | None,
                      available: list[str]) -> dict[str, str]:
    """Indicators of the social index: override or all adverse/favourable ones present."""
    chosen = dict(override) if override else dict(directions)
    return {k: v for k, v in chosen.items() if v in (ADVERSE, FAVOURABLE) and k in available}


def social_index(context: pd.DataFrame, directions: dict[str, str],
                 schools: pd.DataFrame | None = None, params: IdentifyParams | None = None
                 ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """School × year social index (higher = more favourable), standardised per year.

    Each indicator is z-scored per year across schools (missing values → the year's region
    median, counted), signed (adverse −, favourable +), averaged, and the composite z-scored
    again. Returns (table: school_id, year, social_index, social_percentile, adverse_context,
    and the indicator values used; info: indicators, directions, n_imputed per indicator).
    """
    params = params or IdentifyParams()
    info: dict[str, Any] = {"indicators": [], "n_imputed": {}, "dropped": []}
    cols = ["school_id", "year", "social_index", "social_percentile", "adverse_context"]
    if context is None or len(context) == 0:
        return pd.DataFrame(columns=cols), info
    ctx = context.copy()
    ctx["school_id"] = ctx["school_id"].astype(str)
    ctx["year"] = pd.to_numeric(ctx["year"], errors="coerce").astype("Int64")
    ctx = ctx[ctx["year"].notna()].copy()
    ctx["year"] = ctx["year"].astype(int)
    if (params.rural_from_locality and "is_rural" not in ctx.columns and schools is not None
            and "locality" in schools.columns and "is_rural" in (params.social_indicators or directions)):
        loc = schools.set_index(schools["school_id"].astype(str))["locality"].astype(str)
        rural = loc.str.strip().str.lower().map(lambda v: 1.0 if v.startswith("сел") else
                                                (0.0 if v.startswith("город") else np.nan))
        ctx["is_rural"] = ctx["school_id"].map(rural).astype(float)
    available = [c for c in ctx.columns if c not in ("school_id", "year")
                 and pd.to_numeric(ctx[c], errors="coerce").notna().any()]
    dirs = social_directions(directions, params.social_indicators, available)
    if not dirs:
        raise WorkbenchError(
            "Не удалось рассчитать социальный индекс: в данных о контексте нет ни одного показателя "
            "с направлением (например, share_low_income, share_ovz, distance_km). Добавьте их в "
            "таблицу контекста или укажите identification.social_indicators в параметрах.")
    parts = []
    for ind, direction in dirs.items():
        x = pd.to_numeric(ctx[ind], errors="coerce").astype(float)
        med = x.groupby(ctx["year"]).transform("median")
        info["n_imputed"][ind] = int((x.isna() & med.notna()).sum())
        x = x.fillna(med)
        mean = x.groupby(ctx["year"]).transform("mean")
        sd = x.groupby(ctx["year"]).transform("std")
        z = (x - mean) / sd.where(sd > 1e-12)
        if z.notna().sum() == 0:
            info["dropped"].append(ind)
            continue
        parts.append((1.0 if direction == FAVOURABLE else -1.0) * z)
        info["indicators"].append(ind)
        ctx[ind] = x
    info["directions"] = {k: dirs[k] for k in info["indicators"]}
    comp = pd.concat(parts, axis=1).mean(axis=1) if parts else pd.Series(np.nan, index=ctx.index)
    mean = comp.groupby(ctx["year"]).transform("mean")
    sd = comp.groupby(ctx["year"]).transform("std")
    ctx["social_index"] = ((comp - mean) / sd.where(sd > 1e-12)).fillna(0.0).where(comp.notna())
    ctx["social_percentile"] = ctx.groupby("year")["social_index"].rank(pct=True) * 100
    ctx["adverse_context"] = (ctx["social_percentile"] <= params.adverse_share * 100).fillna(False)
    return ctx[cols + info["indicators"]].reset_index(drop=True), info


# =============================================================================== 4. value added
def value_added(df: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """Per year: WLS of result_index on social_index (weights 1/(se² + τ²)); adds expected_index,
    value_added (residual), va_se, va_ci_low, va_ci_high."""
    df = df.copy()
    for c in ("expected_index", "value_added", "va_se", "va_ci_low", "va_ci_high"):
        df[c] = np.nan
    z = params.z_crit
    for year, g in df.groupby("year"):
        ok = g["result_index"].notna() & g["social_index"].notna() & (g["result_se"] > 0)
        if ok.sum() < 3:
            continue
        tau2 = g["tau2"].dropna()
        tau2 = float(tau2.iloc[0]) if len(tau2) else 0.0
        w = 1.0 / (g.loc[ok, "result_se"] ** 2 + tau2)
        X = np.column_stack([np.ones(ok.sum()), g.loc[ok, "social_index"].to_numpy(float)])
        y = g.loc[ok, "result_index"].to_numpy(float)
        XtW = X.T * w.to_numpy()
        try:
            cov = np.linalg.inv(XtW @ X)
        except np.linalg.LinAlgError:
            continue
        beta = cov @ (XtW @ y)
        has_s = g["social_index"].notna()
        Xa = np.column_stack([np.ones(has_s.sum()), g.loc[has_s, "social_index"].to_numpy(float)])
        exp = Xa @ beta
        pred_var = np.einsum("ij,jk,ik->i", Xa, cov, Xa)
        rows = g.index[has_s]
        df.loc[rows, "expected_index"] = exp
        va = df.loc[rows, "result_index"] - exp
        va_se = np.sqrt(df.loc[rows, "result_se"] ** 2 + pred_var)
        df.loc[rows, "value_added"] = va
        df.loc[rows, "va_se"] = va_se
        df.loc[rows, "va_ci_low"] = va - z * va_se
        df.loc[rows, "va_ci_high"] = va + z * va_se
    return df


# =============================================================================== 5. objectivity
def objectivity(cells: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """School × year signs of non-objective ВПР results (for review, never exclusion).

    1. ВПР against the school's own ОГЭ/ЕГЭ: per year the ВПР index is regressed on the exam
       index over the schools with at least `objectivity_min_n` participants on both sides; the
       residual (ВПР above what its exams predict) is divided by its noise (sampling error of both
       indices plus the region's robust residual spread) and summed over the last
       `objectivity_pool_years` consecutive years (÷√k); flagged when ≥ `objectivity_z` and
       the year's gap is at least `objectivity_gap` and the ВПР index at least
       `objectivity_min_vpr_index`.
    2. ВПР share of «5» above the region's by `objectivity_share5_excess` (binomial z ≥
       `objectivity_share5_z`) while the school's own exams do not back it (exam index below
       `objectivity_share5_exam_ceiling`; a school without exams is not judged on this sign).
    """
    cols = ["school_id", "year", "vpr_index", "exam_index", "objectivity_gap", "objectivity_z",
            "vpr_share5", "vpr_share5_region", "objectivity_flag", "objectivity_reason"]
    if len(cells) == 0:
        return pd.DataFrame(columns=cols)
    side = np.where(cells["procedure"] == VPR, "vpr",
                    np.where(cells["procedure"].isin(EXAM_PROCEDURES), "exam", ""))
    keep = side != ""
    need = ["school_id", "year", "grade", "n", "z", "z_var", "z_se", "share5"]
    c = cells.loc[keep, need].assign(_side=side[keep])  # only the columns used below
    if len(c) == 0:
        return pd.DataFrame(columns=cols)
    side = aggregate_index(c, params, by=("school_id", "year", "_side"))
    wide = side.pivot_table(index=["school_id", "year"], columns="_side",
                            values=["index", "se", "n_pupils"], aggfunc="first")
    wide.columns = [f"{a}_{b}" for a, b in wide.columns]
    for col in ("index_vpr", "index_exam", "se_vpr", "se_exam", "n_pupils_vpr", "n_pupils_exam"):
        if col not in wide.columns:
            wide[col] = np.nan
    out = wide.reset_index()
    out["vpr_index"] = out["index_vpr"]
    out["exam_index"] = out["index_exam"]
    out["objectivity_gap"] = np.nan
    out["objectivity_z"] = np.nan
    enough = ((out["n_pupils_vpr"] >= params.objectivity_min_n)
              & (out["n_pupils_exam"] >= params.objectivity_min_n)
              & out["vpr_index"].notna() & out["exam_index"].notna())
    for year, g in out[enough].groupby("year"):
        if len(g) < 10:
            continue
        b1, b0 = np.polyfit(g["exam_index"], g["vpr_index"], 1)
        res = g["vpr_index"] - (b0 + b1 * g["exam_index"])
        centre = float(res.median())
        mad = 1.4826 * float((res - centre).abs().median())
        noise2 = g["se_vpr"] ** 2 + (b1 * g["se_exam"]) ** 2
        spread2 = max(0.0, mad ** 2 - float(noise2.median()))
        out.loc[g.index, "objectivity_gap"] = res - centre
        out.loc[g.index, "objectivity_z"] = (res - centre) / np.sqrt(spread2 + noise2)
    # pool z over consecutive years
    years = sorted(out["year"].unique().tolist())
    zw = _wide(out, out["objectivity_z"], years, np.nan).to_numpy()
    pooled = np.full_like(zw, np.nan)
    k_years = params.objectivity_pool_years
    for j in range(len(years)):
        acc = np.zeros(zw.shape[0])
        cnt = np.zeros(zw.shape[0])
        alive = np.ones(zw.shape[0], bool)
        for lag in range(k_years):
            jj = j - lag
            if jj < 0 or years[jj] != years[j] - lag:
                break
            v = zw[:, jj]
            alive &= np.isfinite(v)
            acc = np.where(alive, acc + np.nan_to_num(v), acc)
            cnt = np.where(alive, cnt + 1, cnt)
        pooled[:, j] = np.where(cnt > 0, acc / np.sqrt(np.maximum(cnt, 1)), np.nan)
    _, pos_s, pos_y = _grid(out, years)
    out["objectivity_z"] = pooled[pos_s, pos_y]
    flag_gap = (enough & (out["objectivity_z"] >= params.objectivity_z)
                & (out["objectivity_gap"] >= params.objectivity_gap)
                & (out["vpr_index"] >= params.objectivity_min_vpr_index)).fillna(False)
    # share of «5» in ВПР
    v = c[(c["_side"] == "vpr") & c["share5"].notna()]
    v = v.assign(_n5=v["share5"] * v["n"])
    s5 = v.groupby(["school_id", "year"]).agg(_n5=("_n5", "sum"), _n=("n", "sum"))
    reg = v.groupby("year").agg(_n5=("_n5", "sum"), _n=("n", "sum"))
    s5["vpr_share5"] = s5["_n5"] / s5["_n"]
    s5["n5_base"] = s5["_n"]
    out = out.merge(s5[["vpr_share5", "n5_base"]].reset_index(), on=["school_id", "year"], how="left")
    out["vpr_share5_region"] = out["year"].map(reg["_n5"] / reg["_n"])
    p = out["vpr_share5_region"]
    excess = out["vpr_share5"] - p
    zz = excess / np.sqrt(p * (1 - p) / out["n5_base"])
    exam_low = (out["n_pupils_exam"] >= params.objectivity_min_n) & (
        out["exam_index"] < params.objectivity_share5_exam_ceiling)
    flag5 = ((out["n5_base"] >= params.objectivity_min_n)
             & (excess > params.objectivity_share5_excess)
             & (zz >= params.objectivity_share5_z) & exam_low).fillna(False)
    out["objectivity_flag"] = flag_gap | flag5
    reasons = []
    for fg, f5, r in zip(flag_gap, flag5, out.itertuples()):
        parts = []
        if fg:
            parts.append(f"индекс ВПР {fmt_num(r.vpr_index, 1, True)} при индексе ОГЭ/ЕГЭ "
                         f"{fmt_num(r.exam_index, 1, True)}: ВПР выше ожидаемого по ОГЭ/ЕГЭ на "
                         f"{fmt_num(r.objectivity_gap, 1)}")
        if f5:
            parts.append(f"доля «5» по ВПР {fmt_pct(r.vpr_share5)} (регион "
                         f"{fmt_pct(r.vpr_share5_region)})")
        reasons.append("признаки необъективности результатов ВПР, требуется проверка: "
                       + "; ".join(parts) if parts else "")
    out["objectivity_reason"] = reasons
    return out[cols]


# =============================================================================== 6. classify
def _grid(df: pd.DataFrame, years: list[int]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Positions of the rows in a school × year matrix: (schools, row positions, column positions)."""
    codes, schools = pd.factorize(df["school_id"].astype(str), sort=True)
    cols = pd.Index(years).get_indexer(df["year"].to_numpy())
    return pd.Index(schools), codes, cols


def _wide(df: pd.DataFrame, values: pd.Series, years: list[int], fill: Any) -> pd.DataFrame:
    """School × year matrix of values (first value of a duplicated cell wins), fill elsewhere."""
    schools, rows, cols = _grid(df, years)
    mat = np.full((len(schools), len(years)), fill, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = cols >= 0
    mat[rows[ok][::-1], cols[ok][::-1]] = v[ok][::-1]
    if not pd.isna(fill):  # missing values inside the data take the fill too
        mat = np.where(np.isnan(mat), fill, mat)
    return pd.DataFrame(mat, index=schools, columns=years)


def classify(identification: pd.DataFrame, params: IdentifyParams,
             cells: pd.DataFrame | None = None,
             reasons_years: Iterable[int] | None = None) -> pd.DataFrame:
    """Re-derive percentiles, flags, categories and reasons from precomputed indices.

    Needs the columns of `identification` up to the value added (result_index, result_se,
    result_ci_low/high, result_index_shrunk, n_pupils, social_index, social_percentile, va_ci_*,
    objectivity_flag). Pure and fast (the explorer calls it on every threshold change).
    When `cells` (the per-subject details) is given, reasons name the worst subjects.
    `reasons_years`: write the Russian reasons only for these years (the explorer shows one
    year; flags and categories are always derived for every year), "" elsewhere.
    """
    df = identification.copy()
    if len(df) == 0:
        for c in ("result_percentile", "low_results", "years_low", "category", "category_ru",
                  "reasons"):
            df[c] = pd.Series(dtype=object)
        return df
    df["year"] = df["year"].astype(int)
    # tolerate frames with fewer columns (e.g. an explorer's own table)
    if "result_index_shrunk" not in df.columns:
        df["result_index_shrunk"] = df["result_index"]
    if "social_percentile" not in df.columns:
        soc = df["social_index"] if "social_index" in df.columns else pd.Series(np.nan, index=df.index)
        df["social_index"] = soc
        df["social_percentile"] = soc.groupby(df["year"]).rank(pct=True) * 100
    for col in ("value_added", "va_ci_low", "va_ci_high", "social_index"):
        if col not in df.columns:
            df[col] = np.nan
    years = sorted(df["year"].unique().tolist())
    rank_col = "result_index_shrunk" if params.rank_on == "shrunk" else "result_index"
    sufficient_now = df["n_pupils"].fillna(0) > 0
    ranked = df[rank_col].where(sufficient_now & df[rank_col].notna())
    df["result_percentile"] = ranked.groupby(df["year"]).rank(pct=True) * 100
    if params.benchmark == "mean":
        bench = pd.Series(0.0, index=df.index)
    else:
        q = df.groupby("year")["result_index"].quantile(params.benchmark_percentile / 100)
        bench = df["year"].map(q)
    df["benchmark"] = bench
    low_now = ((df["result_percentile"] <= params.bottom_share * 100)
               & (df["result_ci_high"] < bench)).fillna(False)
    high_now = ((df["result_percentile"] > (1 - params.top_share) * 100)
                & (df["result_ci_low"] > bench)).fillna(False)
    # persistence and pooled size over the window (wide matrices: school × year)
    schools_idx, pos_s, pos_y = _grid(df, years)
    lw = _wide(df, low_now.astype(float), years, 0.0).to_numpy()
    nw = _wide(df, df["n_pupils"].fillna(0).astype(float), years, 0.0).to_numpy()
    streak = np.zeros_like(lw)
    pooled = np.zeros_like(nw)
    win = params.persist_years if params.pool_years else 1
    yr = np.array(years)
    for j in range(len(years)):
        prev = streak[:, j - 1] if j > 0 and years[j - 1] == years[j] - 1 else 0
        streak[:, j] = (prev + 1) * lw[:, j]
        in_window = (yr <= years[j]) & (yr > years[j] - win)
        pooled[:, j] = nw[:, in_window].sum(axis=1)
    need = np.array([min(params.persist_years, j + 1) if params.short_history == "available"
                     else params.persist_years for j in range(len(years))])
    df["years_low"] = streak[pos_s, pos_y].astype(int)
    df["n_pooled"] = pooled[pos_s, pos_y]
    insufficient = (df["n_pooled"] < params.min_n) | df["result_index"].isna()
    df["insufficient_data"] = insufficient
    low = (df["years_low"] >= need[pos_y]) & ~insufficient
    df["low_results"] = low
    adverse = df["social_percentile"].le(params.adverse_share * 100).fillna(False)
    df["adverse_context"] = adverse
    resilient = adverse & ~insufficient & (
        (df["va_ci_low"] > 0).fillna(False)
        | (df["result_percentile"] >= params.resilient_percentile).fillna(False))
    high = high_now & ~insufficient
    cat = np.select(
        [low & adverse, low, resilient, adverse, insufficient, high],
        ["low_results_adverse", "low_results", "resilient", "adverse_context",
         "insufficient_data", "high_performing"], default="typical")
    df["category"] = cat
    df["category_ru"] = df["category"].map(CATEGORIES)
    if "objectivity_flag" not in df.columns:
        df["objectivity_flag"] = False
    df["objectivity_flag"] = df["objectivity_flag"].fillna(False).astype(bool)
    if reasons_years is None:
        df["reasons"] = build_reasons(df, params, cells)
    else:
        some = df["year"].isin([int(y) for y in reasons_years]).to_numpy()
        reasons = pd.Series("", index=df.index, dtype=object)
        if some.any():
            reasons[some] = build_reasons(df[some], params, cells).to_numpy()
        df["reasons"] = reasons
    return df


# =============================================================================== reasons
def _cell_phrase(r: Any) -> str:
    subj = _lower_first(r.subject)
    where = f"{subj} {int(r.grade)} кл."
    if pd.notna(r.share_low):
        what = "доля «2»" if r.mark_based else "доля не набравших минимальный балл"
        return f"{what} по {r.procedure}, {where}: {fmt_pct(r.share_low)} (регион {fmt_pct(r.share_low_region)})"
    if pd.notna(r.mean_mark):
        return (f"средняя отметка по {r.procedure}, {where}: {fmt_num(r.mean_mark, 2)} "
                f"(регион {fmt_num(r.mean_mark_region, 2)})")
    return (f"средний балл {r.procedure}, {where}: {fmt_num(r.mean_score, 1)} "
            f"(регион {fmt_num(r.mean_score_region, 1)})")


def worst_cells(cells: pd.DataFrame, params: IdentifyParams,
                keys: pd.DataFrame | None = None) -> dict[tuple[str, int], list[str]]:
    """(school_id, year) → phrases of its worst subjects (z < 0, at least MIN_CELL pupils), with
    «N года подряд» when the same procedure/subject/grade was below the region several years."""
    if cells is None or len(cells) == 0 or params.reasons_max_subjects == 0:
        return {}
    c = cells[cells["z"].notna()]
    if keys is not None:  # only the schools that need reasons (runs are per school, so exact)
        c = c[c["school_id"].isin(pd.unique(keys["school_id"]))]
    c = c.copy()
    # consecutive years below the region in the same cell
    c = c.sort_values(["school_id", "procedure", "subject", "grade", "year"])
    below = (c["z"] < 0).astype(int)
    grp = [c["school_id"], c["procedure"], c["subject"], c["grade"]]
    gap = c.groupby(grp)["year"].diff().ne(1)
    block = (gap | below.eq(0)).cumsum()
    c["run_len"] = below.groupby(block).cumsum() * below
    if keys is not None:
        c = c.merge(keys[["school_id", "year"]], on=["school_id", "year"])
    # fallback for schools whose every class is under MIN_CELL: the procedure as a whole
    agg = c[c["share_low"].notna()].assign(_low=lambda x: x["share_low"] * x["n"])
    agg = agg.groupby(["school_id", "year", "procedure"], sort=False).agg(
        _low=("_low", "sum"), n=("n", "sum"), mark_based=("mark_based", "all"))
    agg["share_low"] = agg["_low"] / agg["n"]
    reg = c[c["share_low"].notna()].assign(_low=lambda x: x["share_low_region"] * x["n"])
    reg = reg.groupby(["school_id", "year", "procedure"], sort=False)["_low"].sum() / agg["n"]
    agg["share_low_region"] = reg
    agg = agg[(agg["n"] >= MIN_CELL) & (agg["share_low"] > agg["share_low_region"])].reset_index()
    agg["gap"] = agg["share_low"] - agg["share_low_region"]
    agg = agg.sort_values(["school_id", "year", "gap"], ascending=[True, True, False])
    c = c[(c["z"] < 0) & (c["n"] >= MIN_CELL)]
    c = c.sort_values(["school_id", "year", "z"])
    c = c.groupby(["school_id", "year"], sort=False).head(params.reasons_max_subjects)
    out: dict[tuple[str, int], list[str]] = {}
    for r in c.itertuples(index=False):
        phrase = _cell_phrase(r)
        if r.run_len >= 2:
            phrase += f", {years_ru(r.run_len)} подряд"
        out.setdefault((r.school_id, int(r.year)), []).append(phrase)
    for r in agg.itertuples(index=False):
        key = (r.school_id, int(r.year))
        if key in out:
            continue
        what = "доля «2»" if r.mark_based else "доля не набравших минимальный балл"
        out[key] = [f"{what} по {r.procedure}, все предметы и классы: {fmt_pct(r.share_low)} "
                    f"(регион {fmt_pct(r.share_low_region)})"]
    return out


def build_reasons(df: pd.DataFrame, params: IdentifyParams,
                  cells: pd.DataFrame | None = None) -> pd.Series:
    """Russian reasons ("; "-joined) for every non-typical or objectivity-flagged row."""
    todo = (df["category"] != "typical") | df["objectivity_flag"]
    detail = worst_cells(cells, params, df.loc[todo & df["category"].isin(LISTED_CATEGORIES),
                                               ["school_id", "year"]]) if cells is not None else {}
    out = pd.Series("", index=df.index, dtype=object)
    has_obj = "objectivity_reason" in df.columns
    need = ["school_id", "year", "category", "result_index", "result_ci_low", "result_ci_high",
            "years_low", "result_percentile", "social_index", "social_percentile", "value_added",
            "va_ci_low", "va_ci_high", "adverse_context", "n_pooled", "objectivity_flag"]
    need += ["objectivity_reason"] if has_obj else []
    sub = df.loc[todo, [c for c in need if c in df.columns]]
    texts: list[str] = []
    for r in sub.to_dict("records"):
        parts: list[str] = []
        cat = r["category"]
        ci = (f"индекс результатов {fmt_num(r['result_index'], 1)} (95% ДИ "
              f"{fmt_num(r['result_ci_low'], 1)}…{fmt_num(r['result_ci_high'], 1)})")
        if cat in LISTED_CATEGORIES:
            parts += detail.get((r["school_id"], int(r["year"])), [])
            yl = int(r["years_low"])
            tail = f", ниже регионального уровня {years_ru(yl)} подряд" if yl >= 2 else \
                ", ниже регионального уровня"
            parts.append(ci + tail)
            parts.append(f"{pctl(r['result_percentile'])} по региону "
                         f"(нижние {fmt_num(params.bottom_share * 100, 0)}%)")
        if cat == "high_performing":
            parts.append(ci + f", {pctl(r['result_percentile'])} по региону")
        if cat == "resilient":
            parts.append(f"неблагоприятные социальные условия (социальный индекс "
                         f"{fmt_num(r['social_index'], 1)}), но результаты высокие: {ci}")
            if pd.notna(r.get("va_ci_low")) and r["va_ci_low"] > 0:
                parts.append(f"результат выше ожидаемого в таких условиях на "
                             f"{fmt_num(r['value_added'], 1, True)} (95% ДИ "
                             f"{fmt_num(r['va_ci_low'], 1, True)}…{fmt_num(r['va_ci_high'], 1, True)})")
        if r["adverse_context"] and cat != "resilient":
            parts.append(f"неблагоприятные социальные условия: социальный индекс "
                         f"{fmt_num(r['social_index'], 1)} ({pctl(r['social_percentile'])}, "
                         f"нижние {fmt_num(params.adverse_share * 100, 0)}% региона)")
        if cat in LISTED_CATEGORIES and pd.notna(r.get("value_added")):
            va = r["value_added"]
            word = "ниже" if va < 0 else "выше"
            parts.append(f"с учётом социальных условий результат {word} ожидаемого на "
                         f"{fmt_num(abs(va), 1)} (95% ДИ {fmt_num(r['va_ci_low'], 1, True)}…"
                         f"{fmt_num(r['va_ci_high'], 1, True)})")
        if cat == "insufficient_data" and not pd.notna(r["result_index"]):
            parts.append(f"недостаточно данных: нет результатов оценочных процедур за "
                         f"{int(r['year'])} год")
        elif cat == "insufficient_data":
            window = f" за {years_ru(params.persist_years)}" if params.pool_years and \
                params.persist_years > 1 else ""
            parts.append(f"недостаточно данных: {int(r['n_pooled'])} участников оценочных процедур"
                         f"{window} (нужно не менее {params.min_n})")
        if r["objectivity_flag"]:
            txt = r["objectivity_reason"] if has_obj and isinstance(r["objectivity_reason"], str) \
                and r["objectivity_reason"] else "признаки необъективности результатов ВПР, " \
                "требуется проверка"
            parts.append(txt)
        texts.append("; ".join(parts))
    out.loc[sub.index] = texts
    return out


# =============================================================================== 7. whole chain
def identify(results: pd.DataFrame, context: pd.DataFrame, schools: pd.DataFrame | None,
             params: IdentifyParams, directions: dict[str, str] | None = None
             ) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """All of identification. Returns (identification, cells, notes in Russian)."""
    notes: list[str] = []
    directions = directions or dict(STANDARD_INDICATORS)
    cells = cell_scores(results, params)
    if len(cells) == 0 or cells["z"].notna().sum() == 0:
        raise WorkbenchError(
            "Нет результатов оценочных процедур для расчёта индекса результатов: таблица results "
            "пуста или в ней нет ни долей «2», ни отметок, ни средних баллов.")
    idx = result_index(cells, params)
    years = sorted(idx["year"].unique().tolist())
    soc, info = social_index(context, directions, schools, params)
    # rows: every school with results in a results year, plus schools with context in those years
    keys = idx[["school_id", "year"]]
    extra = soc.loc[soc["year"].isin(years), ["school_id", "year"]]
    keys = pd.concat([keys, extra]).drop_duplicates().reset_index(drop=True)
    df = keys.merge(idx, on=["school_id", "year"], how="left")
    df["n_pupils"] = df["n_pupils"].fillna(0)
    df["tau2"] = df["year"].map(idx.groupby("year")["tau2"].first())
    df["share_low_region"] = df["year"].map(idx.groupby("year")["share_low_region"].first())
    # context of the same year, else the nearest earlier, else the nearest later year
    soc_cols = ["social_index", "social_percentile"]
    df = df.merge(soc[["school_id", "year"] + soc_cols], on=["school_id", "year"], how="left")
    miss = df["social_index"].isna()
    if miss.any() and len(soc):
        right = soc.dropna(subset=["social_index"])[["school_id", "year"] + soc_cols]
        right = right.astype({"year": "int64"}).sort_values("year")
        left = df.loc[miss, ["school_id", "year"]].astype({"year": "int64"}).reset_index()
        left = left.sort_values("year")
        for direction in ("backward", "forward"):
            got = pd.merge_asof(left, right, on="year", by="school_id", direction=direction)
            got = got.dropna(subset=["social_index"]).set_index("index")
            todo = got.index[df.loc[got.index, "social_index"].isna()]
            df.loc[todo, soc_cols] = got.loc[todo, soc_cols].to_numpy()
        n_moved = int(miss.sum() - df["social_index"].isna().sum())
        if n_moved:
            notes.append(f"Социальный индекс {n_moved} школ взят из данных о контексте соседнего "
                         "года (за год результатов контекста нет).")
    n_no_ctx = int(df["social_index"].isna().sum())
    if n_no_ctx:
        notes.append(f"Для {n_no_ctx} строк «школа × год» нет данных о контексте: социальный индекс "
                     "не рассчитан, школа не относится к ШФНСУ.")
    imputed = {k: v for k, v in info.get("n_imputed", {}).items() if v}
    if imputed:
        listed = ", ".join(f"{INDICATOR_LABELS_RU.get(k, k)} — {v}" for k, v in imputed.items())
        notes.append(f"Социальный индекс: пропуски заменены медианой региона ({listed}).")
    if info.get("indicators"):
        notes.append("Социальный индекс рассчитан по показателям: " + ", ".join(
            INDICATOR_LABELS_RU.get(k, k) for k in info["indicators"]) + ".")
    if len(years) < params.persist_years:
        notes.append(f"Данные о результатах есть только за {years_ru(len(years))}: правило "
                     f"«{years_ru(params.persist_years)} подряд» применено к имеющимся годам.")
    df = value_added(df, params)
    obj = objectivity(cells, params)
    df = df.merge(obj, on=["school_id", "year"], how="left")
    df["objectivity_flag"] = df["objectivity_flag"].fillna(False).astype(bool)
    df = classify(df, params, cells)
    order = ["school_id", "year", "n_pupils", "result_index", "result_se", "result_ci_low",
             "result_ci_high", "result_index_shrunk", "result_se_shrunk", "result_percentile",
             "share_low", "share_low_region", "social_index", "social_percentile",
             "expected_index", "value_added", "va_se", "va_ci_low", "va_ci_high", "low_results",
             "adverse_context", "insufficient_data", "category", "category_ru", "objectivity_flag",
             "reasons", "years_low", "n_pooled", "benchmark", "tau2", "vpr_index", "exam_index",
             "objectivity_gap", "objectivity_z", "vpr_share5", "vpr_share5_region",
             "objectivity_reason"]
    df = df[order].sort_values(["school_id", "year"], kind="mergesort").reset_index(drop=True)
    return df, cells, notes


def list_changes(identification: pd.DataFrame,
                 listed: list[str] | None = None) -> pd.DataFrame:
    """Who entered and who left the ШНОР list (LISTED_CATEGORIES) compared with the previous
    year present in the data: school_id, year, change, category_before, category_now."""
    listed = listed or LISTED_CATEGORIES
    cols = ["school_id", "year", "change", "category_before", "category_now"]
    df = identification[["school_id", "year", "category"]].copy()
    years = sorted(df["year"].unique().tolist())
    rows = []
    for prev, cur in zip(years[:-1], years[1:]):
        a = df[df["year"] == prev].set_index("school_id")["category"]
        b = df[df["year"] == cur].set_index("school_id")["category"]
        ids = a.index.union(b.index)
        a, b = a.reindex(ids), b.reindex(ids)
        was, now = a.isin(listed), b.isin(listed)
        for sid in ids[now & ~was]:
            rows.append((sid, cur, "вошла в список", a.get(sid), b.get(sid)))
        for sid in ids[was & ~now]:
            rows.append((sid, cur, "вышла из списка", a.get(sid), b.get(sid)))
    out = pd.DataFrame(rows, columns=cols)
    for c in ("category_before", "category_now"):
        out[c] = out[c].map(lambda v: CATEGORIES.get(v, "нет данных") if isinstance(v, str) else
                            "нет данных")
    return out.sort_values(["year", "change", "school_id"], kind="mergesort").reset_index(drop=True)


# =============================================================================== figures
CATEGORY_COLOURS = {
    "low_results_adverse": "#b2182b", "low_results": "#ef8a62", "adverse_context": "#8073ac",
    "resilient": "#1b7837", "high_performing": "#2166ac", "typical": "#bababa",
    "insufficient_data": "#e0e0e0",
}


def latest_year(df: pd.DataFrame) -> int:
    return int(df["year"].max())


def _category_scatter(d: pd.DataFrame, x: str, hovertemplate: str):
    """Result index against column x, one trace per category in its colour (hover: school id)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for cat, label in CATEGORIES.items():
        g = d[d["category"] == cat]
        if len(g) == 0:
            continue
        fig.add_trace(go.Scatter(
            x=g[x], y=g["result_index"], mode="markers", name=label,
            marker=dict(color=CATEGORY_COLOURS[cat], size=7, line=dict(width=0.5, color="#555")),
            text=g["school_id"], hovertemplate=hovertemplate))
    return fig


def funnel_figure(df: pd.DataFrame, year: int | None = None, params: IdentifyParams | None = None):
    """Funnel plot: result index against the number of participants, ±z·σ/√n bounds around the
    benchmark (σ estimated as the median of se·√n), coloured by category."""
    import plotly.graph_objects as go

    params = params or IdentifyParams()
    year = year or latest_year(df)
    d = df[(df["year"] == year) & df["result_index"].notna() & (df["n_pupils"] > 0)]
    fig = _category_scatter(d, "n_pupils", "%{text}<br>участников: %{x}<br>индекс: %{y:.2f}")
    if len(d):
        sigma = float(np.nanmedian(d["result_se"] * np.sqrt(d["n_pupils"])))
        bench = float(d["benchmark"].iloc[0]) if "benchmark" in d else 0.0
        xs = np.geomspace(max(1, d["n_pupils"].min()), d["n_pupils"].max(), 100)
        for k, dash, name in ((params.z_crit, "dash", "95% границы"), (3.09, "dot", "99,8% границы")):
            for sgn in (1, -1):
                fig.add_trace(go.Scatter(
                    x=xs, y=bench + sgn * k * sigma / np.sqrt(xs), mode="lines",
                    line=dict(color="#444", dash=dash, width=1), name=name,
                    showlegend=sgn == 1, hoverinfo="skip"))
        fig.add_hline(y=bench, line=dict(color="#444", width=1))
    fig.update_layout(title=f"Воронка: индекс результатов и число участников, {year} г.",
                      xaxis_title="Число участников оценочных процедур (логарифмическая шкала)",
                      yaxis_title="Индекс результатов", xaxis_type="log", template="plotly_white",
                      legend=dict(orientation="h", y=-0.25), height=560)
    return fig


def social_figure(df: pd.DataFrame, year: int | None = None):
    """Social index against result index with the expected line; categories coloured."""
    import plotly.graph_objects as go

    year = year or latest_year(df)
    d = df[(df["year"] == year) & df["result_index"].notna() & df["social_index"].notna()]
    fig = _category_scatter(
        d, "social_index", "%{text}<br>социальный индекс: %{x:.2f}<br>индекс результатов: %{y:.2f}")
    e = d.dropna(subset=["expected_index"]).sort_values("social_index")
    if len(e):
        fig.add_trace(go.Scatter(x=e["social_index"], y=e["expected_index"], mode="lines",
                                 name="Ожидаемый результат", line=dict(color="#000", width=2)))
    fig.update_layout(title=f"Результаты и социальные условия, {year} г.",
                      xaxis_title="Социальный индекс (выше — благоприятнее)",
                      yaxis_title="Индекс результатов", template="plotly_white",
                      legend=dict(orientation="h", y=-0.25), height=560)
    return fig


def counts_by_municipality(df: pd.DataFrame, schools: pd.DataFrame,
                           year: int | None = None) -> pd.DataFrame:
    """Municipality × category counts (Russian labels) for one year, with totals."""
    year = year or latest_year(df)
    d = df[df["year"] == year].merge(
        schools[["school_id", "municipality"]].astype({"school_id": str}), on="school_id",
        how="left")
    d["municipality"] = d["municipality"].fillna("не указан")
    t = pd.crosstab(d["municipality"], d["category"]).reindex(columns=list(CATEGORIES), fill_value=0)
    t.columns = [CATEGORIES[c] for c in t.columns]
    t["Всего"] = t.sum(axis=1)
    t.loc["Итого"] = t.sum(axis=0)
    t.index.name = "Муниципалитет"
    return t.reset_index()


def counts_figure(df: pd.DataFrame, schools: pd.DataFrame, year: int | None = None):
    """Stacked bars: schools of each category by municipality."""
    import plotly.graph_objects as go

    year = year or latest_year(df)
    t = counts_by_municipality(df, schools, year)
    t = t[t["Муниципалитет"] != "Итого"]
    fig = go.Figure()
    for cat, label in CATEGORIES.items():
        if cat == "typical":
            continue
        fig.add_trace(go.Bar(x=t["Муниципалитет"], y=t[label], name=label,
                             marker_color=CATEGORY_COLOURS[cat]))
    fig.update_layout(barmode="stack", title=f"Категории школ по муниципалитетам, {year} г. "
                      "(без типичных)", yaxis_title="Число школ", template="plotly_white",
                      legend=dict(orientation="h", y=-0.35), height=520)
    return fig


def category_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Year × category counts with Russian labels."""
    t = pd.crosstab(df["category"], df["year"]).reindex(list(CATEGORIES), fill_value=0)
    t.index = [CATEGORIES[c] for c in t.index]
    t.index.name = "Категория"
    t.columns = [f"{int(y)} г." for y in t.columns]
    return t.reset_index()


def listed_for_display(rows: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Identification rows as the lists show them (Russian headers, small cells suppressed)."""
    from workbench.lists import list_table

    if len(rows) == 0:
        return pd.DataFrame()
    t = list_table(rows, schools).drop(columns="category")
    t["Индекс результатов"] = [fmt_num(v, 2) if pd.notna(v) else "" for v in t["Индекс результатов"]]
    t["Социальный индекс"] = [fmt_num(v, 2) if pd.notna(v) else "" for v in t["Социальный индекс"]]
    t["Доля «2»"] = [fmt_pct(v) if pd.notna(v) else "" for v in t["Доля «2»"]]
    return t


def changes_for_display(changes: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """list_changes with school names and Russian headers."""
    sc = schools[[c for c in ("school_id", "school_name", "municipality") if c in schools.columns]]
    d = changes.merge(sc.astype({"school_id": str}), on="school_id", how="left")
    return pd.DataFrame({
        "Код ОО": d["school_id"], "Наименование ОО": d.get("school_name"),
        "Муниципалитет": d.get("municipality"), "Год": d["year"], "Изменение": d["change"],
        "Категория в прошлом году": d["category_before"], "Категория сейчас": d["category_now"]})


# =============================================================================== stage
def stage(ctx) -> dict:
    """Identification stage: writes identification, identification_details, list_changes and
    lists.xlsx; returns figures and tables for the notebook."""
    from workbench.lists import write_lists as _write_lists

    params: IdentifyParams = ctx.params.identification
    schools = ctx.table("schools")
    schools["school_id"] = schools["school_id"].astype(str)
    ident, cells, notes = identify(ctx.table("results"), ctx.table("context"), schools, params,
                                   ctx.params.indicator_directions())
    year = latest_year(ident)
    cur = ident[ident["year"] == year]
    n_obj = int(cur["objectivity_flag"].sum())
    if n_obj:
        notes.append(f"Признаки необъективности результатов ВПР в {year} году: {n_obj} школ — "
                     "для проверки (из расчёта не исключены; лист «Проверка объективности» в "
                     "lists.xlsx).")
    for n in notes:
        ctx.note(n)
    changes = list_changes(ident)
    ctx.write_table("identification", ident)
    details = cells[["school_id", "year", "procedure", "subject", "grade", "n", "share_low",
                     "share_low_region", "mean_mark", "mean_mark_region", "mean_score",
                     "mean_score_region", "z", "z_se"]]
    ctx.write_table("identification_details", details,  # one row per results row: Parquet only
                    key=["school_id", "year", "procedure", "subject", "grade"], csv=False)
    ctx.write_table("list_changes", changes, key=["year", "school_id"])
    _write_lists(ctx.path("lists.xlsx"), ident, schools, changes=changes)
    return {
        "year": year,
        "identification": ident,
        "notes": notes,
        "funnel": funnel_figure(ident, year, params),
        "social": social_figure(ident, year),
        "counts": category_counts(ident),
        "by_municipality": counts_by_municipality(ident, schools, year),
        "counts_figure": counts_figure(ident, schools, year),
        "listed": cur[cur["category"].isin(LISTED_CATEGORIES)],
        "objectivity": cur[cur["objectivity_flag"]],
        "changes": changes[changes["year"] == year],
    }
