"""Matching for the programme effect (step 4): features, nearest controls, the matched ATT and
its bootstrap.

Each participant is matched with replacement to its k nearest non-participants within a
caliper, on standardised features (social index, the result index of the selection window and
of every year up to the base year, size);
the counterfactual change is the controls' mean change, bias-corrected by their regression
of change on the features (Abadie–Imbens). The match itself (`Matched`: each participant's
contrast, its controls and their weights) is what the Abadie–Imbens variance (`variance`) is
computed from; the bootstrap resamples participants and the control pool independently and
redoes the matching, without copying matrices per replicate."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.monitoring.prepare import wide_by_year

NEIGHBOUR_POOL = 30  # nearest controls kept per participant for the point estimate
# in a bootstrap replicate each control is drawn with probability ≈ 0.63: among the nearest 20,
# fewer than 3 are drawn with probability ≈ 1e-6, so 20 candidates suffice for k = 3
BOOT_POOL = 20
BOOT_BATCH = 50  # bootstrap replicates whose regression slopes are solved together


# ------------------------------------------------------------------ features
def matching_features(identification: pd.DataFrame, base_year: int, years: list[int],
                      column: str = "result_index", size: bool = False,
                      extra: tuple[str, ...] = (), extra_years: tuple[int, ...] = ()
                      ) -> pd.DataFrame:
    """Per school: social index of the base year (the school's mean over earlier years when
    missing), ``column`` in each of ``years`` (those that exist; the selection window and the
    years up to the base year), with ``size`` log(1 + pupils) of the base year, and each
    ``extra`` column (present in the table) in each of ``extra_years``, a missing value filled
    with that year's mean (a school without ВПР is still matched, on the rest)."""
    y = wide_by_year(identification, column)
    s = wide_by_year(identification, "social_index")
    feats = pd.DataFrame(index=y.index.union(s.index) if len(s) else y.index)
    if len(s):
        past = s[[c for c in s.columns if c <= base_year]]
        soc = s[base_year] if base_year in s.columns else pd.Series(np.nan, index=s.index)
        feats["social_index"] = soc.fillna(past.mean(axis=1)).reindex(feats.index)
    for yr in sorted(years, reverse=True):
        if yr in y.columns:
            feats[f"{column}_{yr}"] = y[yr].reindex(feats.index)
    if size:
        n = wide_by_year(identification, "n_pupils")
        if base_year in n.columns:
            feats["log_pupils"] = np.log1p(n[base_year].reindex(feats.index))
    for col in extra:
        w = wide_by_year(identification, col)
        for yr in sorted(extra_years, reverse=True):
            if yr in w.columns and w[yr].notna().any():
                v = w[yr].reindex(feats.index)
                feats[f"{col}_{yr}"] = v.fillna(float(w[yr].mean()))
    return feats


def standardise(f: pd.DataFrame) -> pd.DataFrame:
    """Each feature centred and divided by its SD (constant or undefined SD: 1)."""
    sd = f.std(ddof=1).replace(0, 1.0).fillna(1.0)
    return (f - f.mean()) / sd


# ------------------------------------------------------------------ regression of change on features
def _ols_slopes_batch(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`_ols_slope` for many weight vectors at once (rows of ``weights``, e.g. bootstrap
    multiplicities): the normal equations of every replicate from two matrix products over
    the per-row outer products, instead of one pass over the rows per replicate."""
    a = np.column_stack([np.ones(len(y)), x])
    p = a.shape[1]
    outer = (a[:, :, None] * a[:, None, :]).reshape(len(y), p * p)
    xtx = (weights @ outer).reshape(len(weights), p, p)
    xty = weights @ (a * y[:, None])
    out = np.zeros((len(weights), p - 1))
    for b in range(len(weights)):
        if weights[b].sum() > p:
            coef, *_ = np.linalg.lstsq(xtx[b], xty[b], rcond=None)
            out[b] = coef[1:]
    return out


def _ols_slope(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Slopes (no intercept returned) of y on x by (weighted) least squares; zeros when not
    estimable. ``w`` are row multiplicities (a bootstrap resample without copying rows)."""
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    if w.sum() <= x.shape[1] + 1:
        return np.zeros(x.shape[1])
    a = np.column_stack([np.ones(len(y)), x])
    aw = a * w[:, None]
    coef, *_ = np.linalg.lstsq(aw.T @ a, aw.T @ y, rcond=None)
    return coef[1:]


# ------------------------------------------------------------------ nearest controls, matched ATT
def neighbour_lists(tx: np.ndarray, cx: np.ndarray, pool: int = NEIGHBOUR_POOL
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For each treated row, its `pool` nearest control rows (distances ascending, indices).

    A KD-tree query: O(n log n), never the full treated × control matrix. A bootstrap resample
    of controls keeps each control with probability ≈ 0.63, so the k nearest drawn controls lie
    in the nearest max(30, 10·k) all but surely (P(fewer than 3 of 30 drawn) < 1e-9)."""
    # scikit-learn takes about 2 s to import; only the effect estimate needs it
    from sklearn.neighbors import NearestNeighbors

    m = min(pool, len(cx))
    if m == 0 or len(tx) == 0:
        return np.zeros((len(tx), 0)), np.zeros((len(tx), 0), dtype=int)
    d, idx = NearestNeighbors(n_neighbors=m).fit(cx).kneighbors(tx)
    return d, idx


@dataclass(frozen=True)
class Matched:
    """The matched sample of one estimate: per matched participant i its contrast
    D_i = y_i − Σ_j w_ij·(y_j + β·(x_i − x_j)), its listed controls ``near`` (indices into the
    control pool) with weights ``weights`` (w_ij = 1/(number of its matches) for a match, 0
    otherwise; each row sums to 1), and the bias-correction slopes ``beta``."""

    contrasts: np.ndarray
    near: np.ndarray
    weights: np.ndarray
    beta: np.ndarray

    @property
    def att(self) -> float:
        """The estimate: the mean contrast (NaN without a matched participant)."""
        return float(np.mean(self.contrasts)) if len(self.contrasts) else np.nan

    def n_controls_used(self) -> int:
        """How many distinct controls are matched to some participant."""
        return int(len(np.unique(self.near[self.weights > 0])))


def match_weights(nd: np.ndarray, k: int, caliper: float) -> np.ndarray:
    """Weights of each treated row's listed controls (``nd``: distances ascending): 1/m for
    each of its m = min(k, within the caliper) nearest, 0 for the rest; a row without a control
    within the caliper is all zeros."""
    take = (np.arange(nd.shape[1]) < k)[None, :] & (nd <= caliper)
    total = take.sum(axis=1, keepdims=True)
    return np.where(take, 1.0 / np.maximum(total, 1), 0.0)


def match_sample(tx: np.ndarray, cx: np.ndarray, ty: np.ndarray, cy: np.ndarray, k: int,
                 caliper: float, bias_correction: bool) -> Matched:
    """Each treated row's k nearest controls (with replacement) within the caliper; its
    counterfactual change is their mean change, bias-corrected (Abadie–Imbens) by the
    controls' linear regression of change on the features: y_j + β·(x_i − x_j). Treated rows
    without a control within the caliper are left out of the sample."""
    nd, near = neighbour_lists(tx, cx, max(10 * k, NEIGHBOUR_POOL))
    p = cx.shape[1] if cx.ndim == 2 else 0
    beta = _ols_slope(cx, cy) if bias_correction and len(cx) else np.zeros(p)
    if near.shape[1] == 0:
        return Matched(np.zeros(0), near[:0], np.zeros((0, 0)), beta)
    w = match_weights(nd, k, caliper)
    has = w.sum(axis=1) > 0
    cyv = cy[near] + (tx[:, None, :] - cx[near]) @ beta
    contrasts = ty[has] - (w * cyv).sum(axis=1)[has]
    return Matched(contrasts, near[has], w[has], beta)


def _matched_att(nd: np.ndarray, near: np.ndarray, tx: np.ndarray, cx: np.ndarray, ty: np.ndarray,
                 cy: np.ndarray, k: int, caliper: float, bias_correction: bool,
                 cw: np.ndarray | None = None, dx: np.ndarray | None = None,
                 cyn: np.ndarray | None = None, beta: np.ndarray | None = None
                 ) -> tuple[float, int, int]:
    """ATT of matched DiD from each treated row's nearest controls (``nd`` distances ascending,
    ``near`` control indices; ``cw`` control multiplicities in a bootstrap resample, 1 if None).

    Each treated school gets its k nearest controls (counting multiplicity) within the caliper;
    its counterfactual change is their mean change, bias-corrected (Abadie–Imbens) by the
    controls' linear regression of change on the features: cy_j + β·(x_i − x_j).
    ``dx`` (treated − neighbour features) and ``cyn`` (neighbour changes) may be passed
    precomputed, so a bootstrap replicate only gathers rows; so may the bias-correction slopes
    ``beta`` (see `_ols_slopes_batch`).
    Returns (att, n matched treated, n distinct controls used; 0 when cw is given)."""
    if near.shape[1] == 0 or near.shape[0] == 0:
        return np.nan, 0, 0
    replicate = cw is not None
    cw = np.ones(len(cx)) if cw is None else cw
    counts = cw[near]                                   # multiplicity of each listed neighbour
    before = np.cumsum(counts, axis=1) - counts         # units taken by nearer neighbours
    take = np.clip(k - before, 0, counts) * (nd <= caliper)
    has = take.sum(axis=1) > 0
    if not has.any():
        return np.nan, 0, 0
    cyv = cy[near] if cyn is None else cyn
    if bias_correction:
        beta = _ols_slope(cx, cy, cw) if beta is None else beta
        cyv = cyv + ((tx[:, None, :] - cx[near]) if dx is None else dx) @ beta
    total = take.sum(axis=1)
    cmean = (take * cyv).sum(axis=1)[has] / total[has]
    used = 0 if replicate else len(np.unique(near[take > 0]))
    return float(np.mean(ty[has] - cmean)), int(has.sum()), int(used)


def did_estimate(y_change: pd.Series, feats: pd.DataFrame, treated: list[str], controls: list[str],
                 k: int, caliper: float, bias_correction: bool = True) -> tuple[float, int, int, int]:
    """Matched difference-in-differences (ATT): mean over matched participants of their change
    minus the (bias-corrected) mean change of their k nearest controls, with replacement,
    within the caliper.

    ``y_change``: outcome change (post − base) per school; ``feats``: matching features (already
    standardised). Returns (effect, n_treated matched, n_control distinct used, n_unmatched)."""
    t = [s for s in treated if s in feats.index]
    c = [s for s in controls if s in feats.index]
    m = match_sample(feats.loc[t].to_numpy(float), feats.loc[c].to_numpy(float),
                     y_change.reindex(t).to_numpy(float), y_change.reindex(c).to_numpy(float),
                     k, caliper, bias_correction)
    return m.att, len(m.contrasts), m.n_controls_used(), len(t) - len(m.contrasts)


# ------------------------------------------------------------------ bootstrap
def bootstrap_att(tx: np.ndarray, cx: np.ndarray, ty: np.ndarray, cy: np.ndarray, k: int,
                  caliper: float, bias_correction: bool, n_boot: int,
                  rng: np.random.Generator) -> list[float]:
    """The matched ATT of ``n_boot`` bootstrap replicates (those with a matched participant).

    The nearest controls are found once; a replicate = resampled participants and control
    multiplicities (how often each control is drawn), so no matrix is copied per replicate,
    and the bias-correction slopes of ``BOOT_BATCH`` replicates are solved together."""
    nd, near = neighbour_lists(tx, cx, max(7 * k, BOOT_POOL))
    dx_all, cyn_all = tx[:, None, :] - cx[near], cy[near]
    boots: list[float] = []
    for start in range(0, n_boot, BOOT_BATCH):
        draws = []
        for _ in range(min(BOOT_BATCH, n_boot - start)):
            ti = rng.integers(0, len(tx), len(tx))
            cw = np.bincount(rng.integers(0, len(cx), len(cx)), minlength=len(cx)).astype(float)
            draws.append((ti, cw))
        betas = _ols_slopes_batch(cx, cy, np.stack([cw for _, cw in draws])) \
            if bias_correction else [None] * len(draws)
        for (ti, cw), beta in zip(draws, betas):
            b, nb, _ = _matched_att(nd[ti], near[ti], tx[ti], cx, ty[ti], cy, k, caliper,
                                    bias_correction, cw, dx=dx_all[ti], cyn=cyn_all[ti], beta=beta)
            if nb:
                boots.append(b)
    return boots
