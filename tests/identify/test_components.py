"""Step 4a′: the school × year, drift and school × subject variance components, recovered from
simulated indices whose components are known."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.identify.components import (school_subject_variance, school_year_variance,
                                           subject_weight2)


def _indices(n=3000, years=5, s_u=0.2, s_drift=0.0, seed=1, outliers=0):
    """School × year indices: level + random walk (s_drift) + shock (s_u) + sampling error
    (se known, between 0.05 and 0.3)."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0, 1, n)
    se = rng.uniform(0.05, 0.3, n)
    walk = np.cumsum(rng.normal(0, s_drift, (n, years)), axis=1)
    y = level[:, None] + walk + rng.normal(0, s_u, (n, years)) + rng.normal(0, 1, (n, years)) * \
        se[:, None]
    y[:outliers, -1] = -8.0  # schools with one absurd year
    return pd.DataFrame({"school_id": np.repeat(np.arange(n).astype(str), years),
                         "year": np.tile(np.arange(2021, 2021 + years), n),
                         "result_index": y.reshape(-1), "result_se": np.repeat(se, years)})


def test_school_year_variance_recovers_the_shock_and_the_drift():
    # one-year changes carry 2σ²_u + σ²_drift beyond sampling error; two-year changes one more
    # σ²_drift, so the split is noisier than the sum
    s_u2, drift = school_year_variance(_indices(s_u=0.2))
    assert 2 * s_u2 + drift == pytest.approx(0.08, rel=0.08)
    assert s_u2 == pytest.approx(0.04, abs=0.006) and drift < 0.012
    s_u2, drift = school_year_variance(_indices(s_u=0.1, s_drift=0.15, seed=2))
    assert 2 * s_u2 + drift == pytest.approx(0.0425, rel=0.1)
    assert s_u2 == pytest.approx(0.01, abs=0.006) and drift == pytest.approx(0.0225, abs=0.01)
    # no excess over sampling error: both 0
    assert school_year_variance(_indices(s_u=0.0, seed=3)) == pytest.approx((0.0, 0.0), abs=2e-3)


def test_school_year_variance_is_robust_to_absurd_years():
    clean, _ = school_year_variance(_indices(s_u=0.2, seed=4))
    dirty, _ = school_year_variance(_indices(s_u=0.2, seed=4, outliers=30))  # 1% of schools
    assert dirty == pytest.approx(clean, rel=0.1)


def _cells(n=1500, years=3, s_subj=0.3, seed=5):
    """ВПР-like cells of two subjects with a persistent school × subject offset (s_subj)."""
    rng = np.random.default_rng(seed)
    rows = []
    offs = rng.normal(0, s_subj, (n, 2))
    size = rng.integers(10, 60, n)
    for s in range(n):
        for y in range(years):
            for k, subj in enumerate(("Математика", "Русский язык")):
                nn = int(size[s]) if k == 0 else int(size[s]) // 2  # unequal weights
                rows.append((str(s), 2021 + y, subj, 5, nn,
                             offs[s, k] + rng.normal(0, 1 / np.sqrt(nn))))
    return pd.DataFrame(rows, columns=["school_id", "year", "subject", "grade", "n", "z"])


def test_school_subject_variance_recovers_the_subject_profile():
    assert school_subject_variance(_cells(s_subj=0.3)) == pytest.approx(0.09, rel=0.2)
    assert school_subject_variance(_cells(s_subj=0.0, seed=6)) < 0.005
    w2 = subject_weight2(_cells(n=3, years=1)).set_index("school_id")["subject_weight2"]
    # shares 2/3 and 1/3 (one subject has half the pupils): Σω² = 5/9, up to integer halves
    assert ((w2 > 0.5) & (w2 < 0.6)).all()
