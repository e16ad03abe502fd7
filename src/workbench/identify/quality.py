"""Step 4c — the persistent quality: the pooled index shrunk toward the context-expected value.

Empirical Bayes as in SEDA, but toward the school's own expected result (step 4b), not the region
mean: quality = expected + λ·(pooled − expected), λ = τ²/(τ² + pooled_se²). A small school moves
toward what schools in its conditions achieve, not toward the region average (shrinking toward
the region mean over-flags urban schools and under-flags small rural ones). The posterior
standard error √(λ·pooled_se² + (1 − λ)²·expected_var) gives the 95% interval of the persistent
level; these are the numbers the ranks and the probability of the bottom group (step 6) use.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams

COLUMNS = ["quality_index", "quality_se", "quality_ci_low", "quality_ci_high", "shrink_weight"]


def quality(df: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """Adds quality_index, quality_se, quality_ci_low/high and shrink_weight (λ) to a frame with
    pooled_index, pooled_se, expected_index, expected_var and tau2. Where the line is missing
    (too few schools) the pooled index is used as it is."""
    df = df.copy()
    v = df["pooled_se"] ** 2
    tau2 = df["tau2"]
    lam = (tau2 / (tau2 + v)).where(v > 0, 1.0)
    has_line = df["expected_index"].notna() & tau2.notna()
    lam = lam.where(has_line, 1.0)
    exp = df["expected_index"].where(has_line, 0.0)
    ev = df["expected_var"].where(has_line, 0.0).fillna(0.0)
    df["shrink_weight"] = lam
    df["quality_index"] = exp + lam * (df["pooled_index"] - exp)
    df["quality_se"] = np.sqrt(lam * v + (1 - lam) ** 2 * ev)
    z = params.z_crit
    df["quality_ci_low"] = df["quality_index"] - z * df["quality_se"]
    df["quality_ci_high"] = df["quality_index"] + z * df["quality_se"]
    return df
