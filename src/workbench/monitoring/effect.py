"""Step 4 of monitoring: the effect of the support programme (table ``effectiveness``).

Per cohort (the participants whose first programme year is P), the comparisons of
`event_study` — the matched difference-in-differences of the result index for each programme
year and pooled over them, and the placebo on the years before the selection window — each
with its interval and standard error (`effect_se`: by default a bootstrap that redoes the
matching; or the Abadie–Imbens variance of matching with replacement, `variance`, with the
normal interval estimate ± z₁₋α/₂ · SE) and the minimum detectable effect (MDE: the true effect
the estimate would detect with `mde_power` power at the interval's level,
(z₁₋α/₂ + z_power) · SE); and, per monitoring domain and indicator, the mean entry → final
change among participants in year P («до/после участников», descriptive, not causal).

Every row carries its cohort (year and size, in Russian), the indicator's Russian name and its
Russian conclusion (`conclusions.conclusion_ru`)."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import norm

from workbench.config.monitoring import MonitoringParams
from workbench.core.formatting import plural_ru, year_label
from workbench.core.vocabulary import DOMAINS_RU
from workbench.monitoring.conclusions import conclusion_ru
from workbench.monitoring.estimates import (EST_BEFORE_AFTER, ESTIMATE_ORDER, ESTIMATE_RU,
                                            OUTCOME_RU)
from workbench.monitoring.event_study import Design, cohort_designs
from workbench.monitoring.matching import (Matched, bootstrap_att, match_sample, matching_features,
                                          standardise)
from workbench.monitoring.prepare import cohorts, empty_table, participants, wide_by_year
from workbench.monitoring.variance import matched_se

EFFECT_KEY = ["programme_year", "estimate", "year", "domain", "indicator"]
EFFECT_COLUMNS = ["programme_year", "cohort_ru", "n_cohort", "estimate", "estimate_ru", "year",
                  "base_year", "domain", "domain_ru", "indicator", "indicator_ru", "effect",
                  "ci_low", "ci_high", "se", "mde", "n_treated", "n_control", "n_unmatched",
                  "n_outliers", "conclusion"]


# ------------------------------------------------------------------ outcome change, outliers
def robust_inliers(x: pd.Series, k: float) -> pd.Series:
    """True where x is within k robust SDs (1.4826·MAD) of the median: excludes anomalies such
    as a tiny school whose every pupil got «2» in one year, which would dominate a mean.
    The effect estimate applies it to the change divided by its standard error, so small schools
    are not excluded merely for being noisy."""
    med = float(np.median(x)) if len(x) else 0.0
    mad = 1.4826 * float(np.median(np.abs(x - med))) if len(x) else 0.0
    if not np.isfinite(k) or mad <= 0:
        return pd.Series(True, index=x.index)
    return (x - med).abs() <= k * mad


def _outcome_change(y: pd.DataFrame, d: Design, params: MonitoringParams) -> pd.Series:
    """Outcome of the outcome years (their mean) minus the baseline, per school with both; the
    baseline is the base year, or (``baseline: pre_mean``) the mean of the matched years."""
    if params.baseline == "pre_mean":
        pre_cols = [c for c in d.match_years if c in y.columns]
        base_value = y[pre_cols].mean(axis=1).where(y[d.base_year].notna())
    else:
        base_value = y[d.base_year]
    return (y[list(d.outcome_years)].mean(axis=1, skipna=False) - base_value).dropna()


def _inliers(identification: pd.DataFrame, change: pd.Series, d: Design,
             params: MonitoringParams) -> pd.Series:
    """Schools whose change is not an anomaly: judged in units of its standard error when the
    outcome is the result index with ``result_se`` given, else on the change itself."""
    se = wide_by_year(identification, "result_se")
    years = list(d.outcome_years)
    if params.outcome == "result_index" and all(c in se.columns for c in [d.base_year] + years):
        se_post2 = (se[years] ** 2).sum(axis=1) / len(years) ** 2
        scale = np.sqrt(se_post2 + se[d.base_year] ** 2).reindex(change.index)
        scale = scale.where(scale > 0)
        return robust_inliers((change / scale).fillna(0.0), params.outlier_mad)
    return robust_inliers(change, params.outlier_mad)


def _interval(boots: list[float], params: MonitoringParams) -> dict[str, float]:
    """Percentile interval, standard error and MDE from the bootstrap replicates (NaN with fewer
    than 20)."""
    if len(boots) < 20:
        return {"ci_low": np.nan, "ci_high": np.nan, "se": np.nan, "mde": np.nan}
    a = (1 - params.ci_level) / 2
    se = float(np.std(boots, ddof=1))
    return {"ci_low": float(np.quantile(boots, a)), "ci_high": float(np.quantile(boots, 1 - a)),
            "se": se, "mde": mde(se, params)}


def _normal_interval(effect: float, se: float, params: MonitoringParams) -> dict[str, float]:
    """The interval effect ± z · SE at the interval's level, the SE and the MDE (NaN when the SE
    is not defined)."""
    if not np.isfinite(se):
        return {"ci_low": np.nan, "ci_high": np.nan, "se": np.nan, "mde": np.nan}
    z = float(norm.ppf(1 - (1 - params.ci_level) / 2))
    return {"ci_low": effect - z * se, "ci_high": effect + z * se, "se": se, "mde": mde(se, params)}


def mde(se: float, params: MonitoringParams) -> float:
    """The minimum detectable effect of an estimate with standard error `se`."""
    return float((norm.ppf(1 - (1 - params.ci_level) / 2) + norm.ppf(params.mde_power)) * se)


# ------------------------------------------------------------------ one DiD estimate
def _uncertainty(m: Matched, tx: np.ndarray, cx: np.ndarray, ty: np.ndarray, cy: np.ndarray,
                 design: Design, params: MonitoringParams) -> dict[str, float]:
    """Interval, SE and MDE of the matched ATT ``m`` (participants ``tx``, ``ty``; controls
    ``cx``, ``cy``) by the method of ``effect_se``: the Abadie–Imbens SE with the normal
    interval, or the percentile bootstrap that resamples participants and the control pool
    independently (fixed seed) and redoes the matching in each replicate."""
    if params.effect_se == "abadie_imbens":
        return _normal_interval(m.att, matched_se(m, cx, cy, params.variance_matches), params)
    d_years = [design.base_year, *design.outcome_years]
    rng = np.random.default_rng(params.seed + 7 * design.base_year + sum(d_years)
                                + 13 * (len(d_years) - 2))
    boots = bootstrap_att(tx, cx, ty, cy, params.n_neighbours, params.caliper,
                          params.bias_correction, params.n_boot, rng)
    return _interval(boots, params)


def estimate_programme_effect(identification: pd.DataFrame, treated_ids: list[str],
                              control_ids: list[str], design: Design,
                              params: MonitoringParams) -> dict[str, Any]:
    """The matched DiD of one design with its interval, SE and MDE (`_uncertainty`)."""
    y = wide_by_year(identification, params.outcome)
    res = {"effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "se": np.nan, "mde": np.nan,
           "n_treated": 0, "n_control": 0, "n_unmatched": len(treated_ids), "n_outliers": 0}
    if any(c not in y.columns for c in [design.base_year, *design.outcome_years]):
        return res
    change = _outcome_change(y, design, params)
    keep = _inliers(identification, change, design, params)
    res["n_outliers"] = int((~keep).reindex(treated_ids).fillna(False).sum())
    change = change[keep]
    column = params.match_column if params.match_column in identification.columns else params.outcome
    feats = matching_features(identification, design.base_year, list(design.match_years), column,
                              params.match_on_size, tuple(params.match_extra),
                              tuple(design.match_years)).dropna()
    feats = feats.loc[feats.index.intersection(change.index)]
    if len(feats) == 0:
        return res
    feats = standardise(feats)
    t = [s for s in treated_ids if s in feats.index]
    c = [s for s in control_ids if s in feats.index]
    tx, cx = feats.loc[t].to_numpy(float), feats.loc[c].to_numpy(float)
    ty, cy = change.reindex(t).to_numpy(float), change.reindex(c).to_numpy(float)
    m = match_sample(tx, cx, ty, cy, params.n_neighbours, params.caliper, params.bias_correction)
    n_t = len(m.contrasts)
    res.update(n_treated=n_t, n_control=m.n_controls_used(),
               n_unmatched=len(treated_ids) - n_t - res["n_outliers"])
    if n_t < params.min_treated or np.isnan(m.att):
        return res
    res["effect"] = m.att
    res.update(_uncertainty(m, tx, cx, ty, cy, design, params))
    return res


# ------------------------------------------------------------------ rows of a cohort
def cohort_label(P: int, n: int) -> str:
    """«с 2024/25 уч. г., 40 школ»: the cohort column of the table."""
    return f"с {year_label(P)} уч. г., {n} {plural_ru(n, 'школа', 'школы', 'школ')}"


def _did_rows(idn: pd.DataFrame, P: int, start: int, treated: list[str], controls: list[str],
              years: list[int], params: MonitoringParams) -> list[dict[str, Any]]:
    """The event-study rows of the cohort starting in P (programme start `start`)."""
    rows: list[dict[str, Any]] = []
    cohort = {"n_cohort": len(treated), "cohort_ru": cohort_label(P, len(treated))}
    for d in cohort_designs(P, start, years, params.match_lags) if treated else []:
        r = estimate_programme_effect(idn, treated, controls, d, params)
        rows.append({"programme_year": P, **cohort, "estimate": d.estimate, "year": d.year,
                     "base_year": d.base_year, "domain": "results", "indicator": params.outcome,
                     **r, "conclusion": conclusion_ru(d.estimate, r["effect"], r["ci_low"],
                                                      r["ci_high"], True, r["n_treated"],
                                                      params.min_treated)})
    return rows


def _bootstrap_mean_ci(x: np.ndarray, params: MonitoringParams, salt: int = 0) -> dict[str, float]:
    """Percentile bootstrap interval, SE and MDE of a mean (NaN with fewer than two values)."""
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return {"ci_low": np.nan, "ci_high": np.nan, "se": np.nan, "mde": np.nan}
    rng = np.random.default_rng(params.seed + salt)
    means = x[rng.integers(0, len(x), (params.n_boot, len(x)))].mean(axis=1)
    return _interval(list(means), params)


def _before_after_rows(dynamics: pd.DataFrame, P: int, current: list[str],
                       params: MonitoringParams) -> list[dict[str, Any]]:
    """Mean within-year monitoring change of the participants of year P, per indicator."""
    rows: list[dict[str, Any]] = []
    dd = dynamics[(dynamics["year"] == P) & dynamics["school_id"].isin(current)]
    # within-year changes only (a year-on-year basis names the years)
    dd = dd[dd["change"].notna() & ~dd["change_basis"].str.contains(r"\d", regex=True)]
    for (dom, ind), g in dd.groupby(["domain", "indicator"], sort=True):
        x = g["change"].to_numpy(float)
        x = x[~np.isnan(x)]
        hib = bool(g["higher_is_better"].iloc[0])
        iv = _bootstrap_mean_ci(x, params, salt=P)
        eff = float(np.mean(x)) if len(x) else np.nan
        rows.append({"programme_year": P, "n_cohort": len(current),
                     "cohort_ru": f"все участники {year_label(P)} уч. г., {len(current)} "
                                  f"{plural_ru(len(current), 'школа', 'школы', 'школ')}",
                     "estimate": EST_BEFORE_AFTER, "year": P,
                     "base_year": P, "domain": dom, "indicator": ind, "effect": eff, **iv,
                     "n_treated": int(len(x)), "n_control": 0, "n_unmatched": 0, "n_outliers": 0,
                     "conclusion": conclusion_ru(EST_BEFORE_AFTER, eff, iv["ci_low"], iv["ci_high"],
                                                 hib, len(x), params.min_treated)})
    return rows


# ------------------------------------------------------------------ the step
def _effect_table(rows: list[dict[str, Any]], params: MonitoringParams) -> pd.DataFrame:
    """The rows with their Russian names, in the order of cohort, estimate, year."""
    out = pd.DataFrame(rows)
    out["estimate_ru"] = out["estimate"].map(ESTIMATE_RU)
    out["domain_ru"] = out["domain"].map(DOMAINS_RU).fillna(out["domain"])
    outcome_ru = OUTCOME_RU.get(params.outcome, params.outcome)
    out["indicator_ru"] = out["indicator"].where(out["indicator"] != params.outcome, outcome_ru)
    out["_o"] = out["estimate"].map(ESTIMATE_ORDER)
    out = out.sort_values(["programme_year", "_o", "year", "domain", "indicator"], kind="mergesort")
    return out[EFFECT_COLUMNS].reset_index(drop=True)


def compute_effectiveness(identification: pd.DataFrame, programme: pd.DataFrame,
                          dynamics: pd.DataFrame | None = None,
                          params: MonitoringParams | None = None) -> pd.DataFrame:
    """Table ``effectiveness`` (see the module docstring): per cohort P, the DiD of each
    programme year (``year`` is the outcome year) and pooled, the placebo of each year before
    the selection window (and pooled), the before/after changes of monitoring."""
    params = params or MonitoringParams()
    part = participants(programme)
    if len(part) == 0 or identification is None or len(identification) == 0:
        return empty_table(EFFECT_COLUMNS)
    first = cohorts(programme)
    idn = identification.copy()
    idn["school_id"] = idn["school_id"].astype(str)
    idn["year"] = pd.to_numeric(idn["year"]).astype(int)
    years = sorted(int(y) for y in idn["year"].unique())
    start = int(first["year"].min())
    ever = set(part["school_id"])
    all_ids = sorted(set(idn["school_id"]))
    rows: list[dict[str, Any]] = []
    for P in sorted(int(y) for y in part["year"].unique()):
        treated = sorted(first.loc[first["year"] == P, "school_id"])  # cohort that starts in P
        # controls: never participants (or: not participants of P); earlier participants never
        excl = (ever if params.exclude_all_participants else set(treated)) | set(
            part.loc[part["year"] < P, "school_id"])
        controls = [s for s in all_ids if s not in excl]
        rows += _did_rows(idn, P, start, treated, controls, years, params)
        if dynamics is not None and len(dynamics):
            current = sorted(part.loc[part["year"] == P, "school_id"])
            rows += _before_after_rows(dynamics, P, current, params)
    if not rows:
        return empty_table(EFFECT_COLUMNS)
    return _effect_table(rows, params)
