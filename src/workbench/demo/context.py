"""The social context: type-specific distributions of the standard context indicators
(design §3) per school, their small drift from year to year, a few missing values, and the
index of adverse conditions that drives the context effect on results."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.demo.helpers import beta_by_mean, expit, logit, zscore
from workbench.demo.params import INDICATORS, SHARE_INDICATORS, DemoParams
from workbench.demo.structure import Structure

# mean of each share indicator for context types 1..5
SHARE_MEANS: dict[str, list[float]] = {
    "share_low_income": [0.06, 0.14, 0.24, 0.34, 0.44],
    "share_single_parent": [0.15, 0.22, 0.25, 0.27, 0.30],
    "share_parents_no_higher_ed": [0.25, 0.50, 0.64, 0.77, 0.85],
    "share_ovz": [0.02, 0.045, 0.06, 0.07, 0.085],
    "share_non_native": [0.03, 0.05, 0.07, 0.10, 0.14],
    "share_at_risk_register": [0.004, 0.012, 0.018, 0.025, 0.032],
    "teacher_vacancy_rate": [0.02, 0.05, 0.08, 0.12, 0.18],
    "share_teachers_60plus": [0.12, 0.16, 0.21, 0.27, 0.33],
}


def draw_base_context(rng: np.random.Generator, st: Structure, p: DemoParams) -> dict[str, np.ndarray]:
    """Context of each school in the first year: indicator name → one value per school."""
    n, t0 = st.n, st.t0
    base: dict[str, np.ndarray] = {}
    n_med = np.array([950, 700, 420, 125, 52])[t0]
    n_sd = np.array([0.25, 0.3, 0.35, 0.4, 0.2])[t0]
    base["n_students"] = n_med * np.exp(rng.normal(0, 1, n) * n_sd)
    small = st.ctype == 5
    base["n_students"][small] = np.clip(base["n_students"][small], 30, 80)
    base["n_students"][st.tiny] = rng.integers(40, 50, st.tiny.sum())
    mun_non_native = np.exp(rng.normal(0, p.non_native_municipal_sd, len(st.mun)))[st.mun_idx]
    for name, m in SHARE_MEANS.items():
        mean = np.array(m)[t0]
        if name == "share_non_native":
            mean = np.clip(mean * mun_non_native, 0.005, 0.8)
        base[name] = beta_by_mean(rng, mean, p.concentration)
    base["internet_mbps"] = np.array([120, 90, 45, 18, 7])[t0] * np.exp(
        rng.normal(0, p.lognormal_sigma, n))
    base["distance_km"] = np.array([4, 5, 12, 26, 55])[t0] * np.exp(
        rng.normal(0, p.lognormal_sigma, n))
    base["is_rural"] = (rng.uniform(size=n) < np.array([0, 0, 0.25, 1, 1])[t0]).astype(float)
    return base


def adverse_index(base: dict[str, np.ndarray]) -> np.ndarray:
    """Weighted sum of z-scored indicators of adverse conditions (higher = more adverse)."""
    return (0.25 * zscore(base["share_low_income"]) + 0.25 * zscore(base["share_parents_no_higher_ed"])
            + 0.1 * zscore(base["share_at_risk_register"]) + 0.1 * zscore(base["share_non_native"])
            + 0.05 * zscore(base["share_ovz"]) + 0.1 * zscore(base["teacher_vacancy_rate"])
            + 0.05 * zscore(-np.log(base["internet_mbps"])) + 0.05 * zscore(np.log1p(base["distance_km"]))
            + 0.05 * zscore(base["share_single_parent"]))


def draw_context_years(rng: np.random.Generator, base: dict[str, np.ndarray], tiny: np.ndarray,
                       ny: int, p: DemoParams) -> dict[str, np.ndarray]:
    """Indicator name → school × year values: shares drift on the logit scale, enrolment a
    little, internet grows; about `share_missing_context` of the values are missing."""
    n = len(tiny)
    ctx_cols: dict[str, np.ndarray] = {}
    steps = np.cumsum(rng.normal(0, p.context_drift_sd, (len(SHARE_INDICATORS), n, ny)), axis=2)
    steps -= steps[:, :, :1]
    for k, name in enumerate(SHARE_INDICATORS):
        ctx_cols[name] = np.round(expit(logit(base[name])[:, None] + steps[k]), 3)
    n_steps = np.cumsum(rng.normal(0, 0.03, (n, ny)), axis=1)
    n_steps -= n_steps[:, :1]
    n_students_y = np.round(base["n_students"][:, None] * np.exp(n_steps))
    n_students_y[tiny] = base["n_students"][tiny][:, None]
    ctx_cols["n_students"] = n_students_y
    net_growth = 1.12 ** np.arange(ny)[None, :] * np.exp(rng.normal(0, 0.05, (n, ny)))
    ctx_cols["internet_mbps"] = np.round(base["internet_mbps"][:, None] * net_growth, 1)
    ctx_cols["distance_km"] = np.repeat(np.round(base["distance_km"], 1)[:, None], ny, axis=1)
    ctx_cols["is_rural"] = np.repeat(base["is_rural"][:, None], ny, axis=1)
    missable = [c for c in INDICATORS if c not in ("n_students", "is_rural")]
    for name in missable:
        mask = rng.uniform(size=(n, ny)) < p.share_missing_context
        ctx_cols[name] = np.where(mask, np.nan, ctx_cols[name])
    return ctx_cols


def context_table(school_id: np.ndarray, years: tuple[int, ...],
                  ctx_cols: dict[str, np.ndarray]) -> pd.DataFrame:
    """The canonical `context` table: school × year rows, indicators as floats."""
    n, ny = len(school_id), len(years)
    context = pd.DataFrame({"school_id": np.repeat(school_id, ny), "year": np.tile(np.array(years), n)})
    for name in INDICATORS:
        context[name] = ctx_cols[name].reshape(-1).astype(float)
    return context
