"""Step 4b — the context-expected result and the value added.

Per year the pooled index (step 4a) is regressed on the social index (weighted least squares,
weights 1/(pooled_se² + τ²)); τ², the variance of the schools' persistent levels around the line,
is estimated with the weights by the method of moments (iterated, Paule–Mandel style). The
fitted line is the expected result in such conditions; the value added is the pooled index
minus it, with its interval (the pooled standard error plus the prediction error of the line).
Schools without a social index are compared with the line at the region's mean conditions
(social index 0).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams

VA_COLUMNS = ["expected_index", "expected_var", "value_added", "va_se", "va_ci_low", "va_ci_high",
              "tau2"]
TAU2_ITERATIONS = 30


def _wls(X: np.ndarray, y: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """WLS of y on X with weights 1/(v + τ²) and τ² by the weighted method of moments.
    Returns (beta, covariance of beta, τ²)."""
    n, k = X.shape
    tau2 = max(0.0, float(np.var(y)) - float(np.mean(v)))
    beta, cov = np.zeros(k), np.eye(k)
    for _ in range(TAU2_ITERATIONS):
        w = 1.0 / (v + tau2)
        XtW = X.T * w
        cov = np.linalg.inv(XtW @ X)
        beta = cov @ (XtW @ y)
        res2 = (y - X @ beta) ** 2
        new = max(0.0, float((w * (res2 - v)).sum() / w.sum()) * n / max(n - k, 1))
        if abs(new - tau2) < 1e-10:
            tau2 = new
            break
        tau2 = new
    w = 1.0 / (v + tau2)
    XtW = X.T * w
    cov = np.linalg.inv(XtW @ X)
    return cov @ (XtW @ y), cov, tau2


def value_added(df: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """Per year: WLS of pooled_index on social_index; adds expected_index, expected_var (variance
    of the fitted line at the school), value_added (pooled − expected), va_se, va_ci_low,
    va_ci_high and tau2 (per year)."""
    df = df.copy()
    for c in VA_COLUMNS:
        df[c] = np.nan
    z = params.z_crit
    for _, g in df.groupby("year"):
        y_all = g["pooled_index"]
        ok = y_all.notna() & g["social_index"].notna() & (g["pooled_se"] > 0)
        with_y = y_all.notna() & (g["pooled_se"] > 0)
        if ok.sum() >= 3:
            X = np.column_stack([np.ones(ok.sum()), g.loc[ok, "social_index"].to_numpy(float)])
        elif with_y.sum() >= 3:  # no context at all: the line is the region's mean
            ok = with_y
            X = np.ones((ok.sum(), 1))
        else:
            continue
        try:
            beta, cov, tau2 = _wls(X, y_all[ok].to_numpy(float), g.loc[ok, "pooled_se"].to_numpy(
                float) ** 2)
        except np.linalg.LinAlgError:
            continue
        s = g["social_index"].fillna(0.0).to_numpy(float)
        Xa = np.column_stack([np.ones(len(g)), s])[:, :X.shape[1]]
        exp = Xa @ beta
        pred_var = np.einsum("ij,jk,ik->i", Xa, cov, Xa)
        va = g["pooled_index"].to_numpy(float) - exp
        va_se = np.sqrt(g["pooled_se"].to_numpy(float) ** 2 + pred_var)
        df.loc[g.index, "expected_index"] = exp
        df.loc[g.index, "expected_var"] = pred_var
        df.loc[g.index, "value_added"] = va
        df.loc[g.index, "va_se"] = va_se
        df.loc[g.index, "va_ci_low"] = va - z * va_se
        df.loc[g.index, "va_ci_high"] = va + z * va_se
        df.loc[g.index, "tau2"] = tau2
    return df
