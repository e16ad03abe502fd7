"""Step 6 — classify: ranks, the list with its entry and exit rules, categories and reasons.

From the precomputed estimates (the persistent quality of step 4): insufficient data (too few
pupils over the window, or no index this year), the percentile of the year with its 95% rank
interval and the probability of the bottom group (`ranks`), the bottom group, the list (`listing`:
entry with evidence, exit by criteria), the watch list (bottom group, not listed), the adverse
context, the category of every school × year and the reasons. Pure and fast, so the explorer
calls it on every slider move.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import CATEGORIES
from workbench.identify.grid import grid, wide
from workbench.identify.listing import entry_evidence, listing
from workbench.identify.ranks import year_ranks
from workbench.identify.reasons import build_reasons

DERIVED = ("result_percentile", "low_results", "years_low", "category", "category_ru", "reasons")


def _window_years(df: pd.DataFrame, window: int) -> np.ndarray:
    """Years with an index in the window ending at each row's year (for frames without n_years)."""
    years = sorted(int(y) for y in df["year"].unique())
    _, rows, cols = grid(df, years)
    has = wide(df, df["result_index"].notna().astype(float), years, 0.0).to_numpy()
    yr = np.array(years)
    counts = np.stack([has[:, (yr <= y) & (yr > y - window)].sum(axis=1) for y in years], axis=1)
    return counts[rows, cols]


def _complete(df: pd.DataFrame, params: IdentifyParams) -> None:
    """Tolerate frames with fewer columns (an explorer's own table, a run of an older version):
    the year's index stands in for the persistent quality. In place."""
    if "result_se" not in df.columns:
        df["result_se"] = (df["result_ci_high"] - df["result_index"]) / params.z_crit
    if "quality_index" not in df.columns:
        df["quality_index"] = df.get("result_index_shrunk", df["result_index"])
        df["quality_se"] = df.get("result_se_shrunk", df["result_se"])
        df["quality_ci_low"] = df.get("result_ci_low", df["quality_index"] - params.z_crit
                                      * df["quality_se"])
        df["quality_ci_high"] = df.get("result_ci_high", df["quality_index"] + params.z_crit
                                       * df["quality_se"])
    if "pooled_index" not in df.columns:
        df["pooled_index"] = df["result_index"]
        df["pooled_se"] = df["result_se"]
    if "n_years" not in df.columns:
        df["n_years"] = _window_years(df, params.window_years)
    if "n_pooled" not in df.columns:
        df["n_pooled"] = df["n_pupils"]
    if "social_percentile" not in df.columns:
        soc = df["social_index"] if "social_index" in df.columns else \
            pd.Series(np.nan, index=df.index)
        df["social_index"] = soc
        df["social_percentile"] = soc.groupby(df["year"]).rank(pct=True) * 100
    for col in ("value_added", "va_ci_low", "va_ci_high", "social_index", "expected_index",
                "window_from", "n_pupils_index"):
        if col not in df.columns:
            df[col] = np.nan
    if "objectivity_flag" not in df.columns:
        df["objectivity_flag"] = False
    df["objectivity_flag"] = df["objectivity_flag"].fillna(False).astype(bool)


def _ranks(df: pd.DataFrame, params: IdentifyParams) -> None:
    """insufficient_data, result_percentile, rank interval, prob_bottom, bottom_cut, in_bottom,
    benchmark and year_percentile (the year's own index ranked), in place."""
    df["insufficient_data"] = ((df["n_pooled"].fillna(0) < params.min_n)
                               | df["result_index"].isna() | df["quality_index"].isna())
    shrunk = params.rank_on == "shrunk"
    est = df["quality_index"] if shrunk else df["pooled_index"]
    se = df["quality_se"] if shrunk else df["pooled_se"]
    ranked = ~df["insufficient_data"]
    r = year_ranks(est, se, df["year"], ranked, params.bottom_share, params.z_crit)
    for c in r.columns:
        df[c] = r[c]
    df["in_bottom"] = (df["result_percentile"] <= params.bottom_share * 100).fillna(False)
    if params.benchmark == "mean":
        df["benchmark"] = 0.0
    else:
        q = est[ranked].groupby(df["year"][ranked]).quantile(params.benchmark_percentile / 100)
        df["benchmark"] = df["year"].map(q)
    yr = df["result_index"].where(ranked)
    df["year_percentile"] = yr.groupby(df["year"]).rank(pct=True) * 100


def _categories(df: pd.DataFrame, params: IdentifyParams) -> None:
    """watch, adverse_context, category, category_ru (in place)."""
    insufficient = df["insufficient_data"]
    low = df["low_results"]
    watch = df["in_bottom"] & ~low & ~insufficient
    df["watch"] = watch
    adverse = df["social_percentile"].le(params.adverse_share * 100).fillna(False)
    df["adverse_context"] = adverse
    resilient = adverse & ~insufficient & (
        (df["va_ci_low"] > 0).fillna(False)
        | (df["result_percentile"] >= params.resilient_percentile).fillna(False))
    high = ((df["result_percentile"] > (1 - params.top_share) * 100)
            & (df["quality_ci_low"] > df["benchmark"])).fillna(False) & ~insufficient
    cat = np.select(
        [low & adverse, low, watch, resilient, adverse, insufficient, high],
        ["low_results_adverse", "low_results", "watch", "resilient", "adverse_context",
         "insufficient_data", "high_performing"], default="typical")
    df["category"] = cat
    df["category_ru"] = df["category"].map(CATEGORIES)


def _reasons(df: pd.DataFrame, params: IdentifyParams, cells: pd.DataFrame | None,
             reasons_years: Iterable[int] | None, min_cell: int) -> pd.Series:
    """The reasons of every row, or of the rows of reasons_years only ("" elsewhere)."""
    if reasons_years is None:
        return build_reasons(df, params, cells, min_cell)
    some = df["year"].isin([int(y) for y in reasons_years]).to_numpy()
    reasons = pd.Series("", index=df.index, dtype=object)
    if some.any():
        reasons[some] = build_reasons(df[some], params, cells, min_cell).to_numpy()
    return reasons


def classify(identification: pd.DataFrame, params: IdentifyParams,
             cells: pd.DataFrame | None = None,
             reasons_years: Iterable[int] | None = None,
             min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Re-derive ranks, the list, categories and reasons from precomputed estimates.

    Needs the columns of `identification` up to the persistent quality (result_index,
    result_ci_low/high, quality_index, quality_se, quality_ci_low/high, pooled_index, n_years,
    n_pooled, n_pupils, social_index, social_percentile, va_ci_*, objectivity_flag); a frame
    with only the year's index works too (it stands in for the quality). Pure and fast (the
    explorer calls it on every threshold change). When `cells` (the per-subject details) is
    given, reasons name the worst subjects. `reasons_years`: write the Russian reasons only for
    these years (flags and categories are always derived for every year), "" elsewhere.
    """
    df = identification.copy()
    if len(df) == 0:
        for c in DERIVED:
            df[c] = pd.Series(dtype=object)
        return df
    df["year"] = df["year"].astype(int)
    _complete(df, params)
    _ranks(df, params)
    df["entry_evidence"] = entry_evidence(df, params)
    lst = listing(df, params)
    for c in lst.columns:
        df[c] = lst[c]
    _categories(df, params)
    df["reasons"] = _reasons(df, params, cells, reasons_years, min_cell)
    return df
