"""Step 6a: the cut of the bottom group, the probability of being in it and the rank interval —
by hand, and calibrated by simulation when the model holds (the demo's calibration is the
benchmark's: benchmarks/bench_identify.py)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from workbench.identify.ranks import bottom_cut, rank_interval, year_ranks


def test_cut_probability_and_interval_by_hand():
    est, se = np.array([0.0, 2.0]), np.array([1.0, 1.0])
    # F(c) = ½[Φ(c) + Φ(c − 2)] = ½ at c = 1 (symmetry)
    assert bottom_cut(est, se, 0.5) == pytest.approx(1.0, abs=1e-9)
    c = bottom_cut(est, se, 0.1)
    assert 0.5 * (norm.cdf(c) + norm.cdf(c - 2)) == pytest.approx(0.1, abs=1e-9)
    # many identical posteriors N(0, 1): F = Φ, the interval of a school is [2.5, 97.5]
    lo, hi = rank_interval(np.zeros(50), np.ones(50), 1.959964)
    assert lo[0] == pytest.approx(2.5, abs=0.05) and hi[0] == pytest.approx(97.5, abs=0.05)
    four = pd.Series([0.0, 0.0, 2.0, 2.0])  # the same F as the two schools above
    out = year_ranks(four, pd.Series([1.0] * 4), pd.Series([2024] * 4), pd.Series([True] * 4),
                     0.5, 1.96)
    assert out["bottom_cut"].iloc[0] == pytest.approx(1.0, abs=1e-9)
    assert out["prob_bottom"].tolist() == pytest.approx([norm.cdf(1.0)] * 2 + [norm.cdf(-1.0)] * 2)
    assert out["result_percentile"].tolist() == [37.5, 37.5, 87.5, 87.5]
    # too few schools for a cut: ranks only; unranked rows stay empty
    few = year_ranks(pd.Series([0.0, 1.0, 2.0]), pd.Series([1.0] * 3), pd.Series([2024] * 3),
                     pd.Series([True, True, False]), 0.1, 1.96)
    assert few["prob_bottom"].isna().all() and np.isnan(few.loc[2, "result_percentile"])


def test_probability_and_interval_are_calibrated_when_the_model_holds():
    rng = np.random.default_rng(11)
    n = 20000
    theta = rng.normal(0, 1, n)
    se = rng.uniform(0.2, 1.0, n)
    y = theta + rng.normal(0, 1, n) * se
    lam = 1 / (1 + se ** 2)               # the exact posterior under the N(0, 1) prior
    est, post = lam * y, np.sqrt(lam) * se
    out = year_ranks(pd.Series(est), pd.Series(post), pd.Series(np.full(n, 2024)),
                     pd.Series(np.ones(n, bool)), 0.1, 1.959964)
    true_pct = pd.Series(theta).rank(pct=True) * 100
    truly = true_pct <= 10
    inside = (out["rank_ci_low"] <= true_pct) & (true_pct <= out["rank_ci_high"])
    assert 0.93 <= inside.mean() <= 0.97
    bins = pd.cut(out["prob_bottom"], [0, 0.2, 0.4, 0.6, 0.8, 1.0])
    cal = pd.DataFrame({"p": out["prob_bottom"], "hit": truly}).groupby(bins, observed=True).mean()
    assert (cal["p"] - cal["hit"]).abs().max() < 0.04
    assert out["prob_bottom"].sum() == pytest.approx(0.1 * n, rel=0.02)
