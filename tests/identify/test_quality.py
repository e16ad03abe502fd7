"""Steps 4b–4c: the expected line and the value added on the pooled index, and the persistent
level shrunk toward the context-expected value (by hand and on a synthetic region)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.identify import IdentifyParams
from workbench.identify.quality import quality
from workbench.identify.value_added import value_added


def test_shrinkage_toward_the_expected_value_by_hand():
    df = pd.DataFrame({"pooled_index": [-2.0, -2.0, 1.0], "pooled_se": [0.1, 1.0, 0.5],
                       "expected_index": [-1.0, -1.0, 0.5], "expected_var": [0.0, 0.01, 0.0],
                       "tau2": [0.25, 0.25, 0.25]})
    out = quality(df, IdentifyParams())
    lam = [0.25 / 0.26, 0.25 / 1.25, 0.5]
    for k in range(3):
        e, y = df.loc[k, "expected_index"], df.loc[k, "pooled_index"]
        assert out.loc[k, "shrink_weight"] == pytest.approx(lam[k])
        assert out.loc[k, "quality_index"] == pytest.approx(e + lam[k] * (y - e))
        v = lam[k] * df.loc[k, "pooled_se"] ** 2 + (1 - lam[k]) ** 2 * df.loc[k, "expected_var"]
        assert out.loc[k, "quality_se"] == pytest.approx(math.sqrt(v))
    # the small school moves toward what schools in its conditions achieve (−1), not toward 0
    assert out.loc[1, "quality_index"] == pytest.approx(-1.2)


def test_expected_line_and_tau2_recovered():
    rng = np.random.default_rng(3)
    n = 4000
    soc = rng.normal(0, 1, n)
    level = 0.1 + 0.5 * soc + rng.normal(0, 0.6, n)  # τ² = 0.36 around the line
    se = rng.uniform(0.1, 0.8, n)
    df = pd.DataFrame({"year": 2024, "social_index": soc, "pooled_index": level
                       + rng.normal(0, 1, n) * se, "pooled_se": se})
    df.loc[:9, "social_index"] = np.nan  # no context: compared with the line at 0
    out = value_added(df, IdentifyParams())
    assert out["tau2"].iloc[0] == pytest.approx(0.36, rel=0.1)
    slope = (out.loc[20, "expected_index"] - out.loc[21, "expected_index"]) / (
        soc[20] - soc[21])
    assert slope == pytest.approx(0.5, abs=0.05)
    assert out.loc[:9, "expected_index"].nunique() == 1
    assert np.allclose(out["value_added"], out["pooled_index"] - out["expected_index"])
    assert (out["va_se"] > out["pooled_se"]).all()
    inside = (out["va_ci_low"] <= level - out["expected_index"]) & \
        (level - out["expected_index"] <= out["va_ci_high"])
    assert 0.93 <= inside.mean() <= 0.97  # the interval covers the true value added
