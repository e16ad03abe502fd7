"""Step 6a — ranks with their uncertainty: the percentile of a school, its 95% rank interval, the
cut of the bottom group and the probability of being in it.

Per year, over the schools with enough data, each school's persistent level has a posterior
N(estimate, se²) (step 4c). Their average F(x) = mean_j Φ((x − estimate_j)/se_j) estimates the
distribution of the true levels in the region; the cut of the bottom group c solves
F(c) = bottom_share; the probability that a school is in the bottom group is Φ((c − estimate)/se)
and its 95% rank interval is [F(estimate − z·se), F(estimate + z·se)] as percentiles (the rank its
interval's ends would have among the region's true levels). The calibration of the probability
and the coverage of the interval are measured by simulation (`benchmarks/bench_identify.py`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

GRID = 513  # points of F between the extremes of the intervals (interpolated in between)
BISECTIONS = 60


def mixture_cdf(points: np.ndarray, est: np.ndarray, se: np.ndarray) -> np.ndarray:
    """F at the points: mean over schools of Φ((point − estimate)/se) (se 0 → a step)."""
    s = np.maximum(se, 1e-9)
    return ndtr((points[:, None] - est[None, :]) / s[None, :]).mean(axis=1)


def bottom_cut(est: np.ndarray, se: np.ndarray, share: float) -> float:
    """The cut c with F(c) = share (bisection)."""
    lo = float(np.min(est - 10 * se)) - 1.0
    hi = float(np.max(est + 10 * se)) + 1.0
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2
        if mixture_cdf(np.array([mid]), est, se)[0] < share:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def rank_interval(est: np.ndarray, se: np.ndarray, z: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentiles (0–100) of estimate ∓ z·se under F (F on a grid, linear in between)."""
    lo_x, hi_x = est - z * se, est + z * se
    grid = np.linspace(float(lo_x.min()), float(hi_x.max()), GRID)
    f = mixture_cdf(grid, est, se)
    return 100 * np.interp(lo_x, grid, f), 100 * np.interp(hi_x, grid, f)


def year_ranks(est: pd.Series, se: pd.Series, year: pd.Series, ranked: pd.Series,
               share: float, z: float) -> pd.DataFrame:
    """Per year over the ranked rows: result_percentile (rank of the estimate, 0–100),
    rank_ci_low, rank_ci_high, prob_bottom and bottom_cut; NaN for the other rows."""
    out = pd.DataFrame(np.nan, index=est.index,
                       columns=["result_percentile", "rank_ci_low", "rank_ci_high", "prob_bottom",
                                "bottom_cut"])
    use = ranked & est.notna() & se.notna()
    for _, g in est[use].groupby(year[use]):
        e = g.to_numpy(float)
        s = se[g.index].to_numpy(float)
        out.loc[g.index, "result_percentile"] = g.rank(pct=True).to_numpy() * 100
        if len(g) < 3:
            continue
        cut = bottom_cut(e, s, share)
        lo, hi = rank_interval(e, s, z)
        out.loc[g.index, "rank_ci_low"] = lo
        out.loc[g.index, "rank_ci_high"] = hi
        out.loc[g.index, "prob_bottom"] = ndtr((cut - e) / np.maximum(s, 1e-9))
        out.loc[g.index, "bottom_cut"] = cut
    return out
