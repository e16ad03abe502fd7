"""The standard error of a matched ATT: the Abadie–Imbens (2006) variance of matching with
replacement.

A control matched to several participants enters each of their counterfactuals, so its noise
enters the estimate with its total weight W_j = Σ_i w_ij (K_j/M in the paper: the number of
participants it is matched to over the M matches each), and its contribution to the variance
is W_j²·σ²_j, not Σ_i w_ij²·σ²_j as if each use were a fresh control. With D_i the contrast of
participant i (its change minus its bias-corrected counterfactual) and N₁ matched participants:

    V = Σ_i (D_i − D̄)² / (N₁(N₁ − 1))  +  Σ_j (W_j² − Q_j)·σ̂²_j / N₁²,     Q_j = Σ_i w_ij².

The first term is the variance of the mean contrast as if the controls were fresh for every
participant; it already holds each control's noise once per use (Q_j·σ²_j) and the spread of
the participants' own effects. The second adds what reuse leaves out — K_j(K_j − 1)/M²·σ²_j
with M matches each (Abadie, Drukker, Herr & Imbens 2004, the population ATT), zero when
no control is reused. The first term is divided by N₁(N₁ − 1) (the unbiased variance of a
mean) instead of the paper's N₁², which matters for a cohort of a few schools only.

σ̂²_j, the conditional variance of a control's change, is estimated within the control group by
matching each control to its J nearest other controls (Abadie & Imbens 2006, §4.1):
σ̂²_j = J/(J + 1)·(e_j − ē_{J(j)})², with e the change less the bias-correction regression
(β·x), the same adjustment the counterfactual gets, so that differences in the features of
the J neighbours do not inflate it."""
from __future__ import annotations

import numpy as np

from workbench.monitoring.matching import Matched, neighbour_lists


def control_weights(m: Matched, n_controls: int) -> tuple[np.ndarray, np.ndarray]:
    """Per control of the pool: its total weight W_j = Σ_i w_ij over the matched participants
    and the sum of its squared weights Q_j = Σ_i w_ij²."""
    idx, w = m.near.ravel(), m.weights.ravel()
    return (np.bincount(idx, weights=w, minlength=n_controls),
            np.bincount(idx, weights=w ** 2, minlength=n_controls))


def conditional_variance(cx: np.ndarray, cy: np.ndarray, beta: np.ndarray, j: int) -> np.ndarray:
    """σ̂²_j of every control (see the module docstring): J/(J+1)·(e_j − mean e of its J nearest
    other controls)², e = cy − cx·β. NaN for all with fewer than J + 1 controls."""
    n = len(cy)
    if n < j + 1:
        return np.full(n, np.nan)
    e = cy - cx @ beta
    _, near = neighbour_lists(cx, cx, j + 1)
    # the nearest of a control is normally itself; drop itself wherever it is listed
    rows = np.arange(n)[:, None]
    others = np.where(near == rows, -1, near)
    keep = np.argsort(others < 0, axis=1, kind="stable")[:, :j]
    nb = np.take_along_axis(others, keep, axis=1)
    return j / (j + 1) * (e - e[nb].mean(axis=1)) ** 2


def abadie_imbens_variance(m: Matched, sigma2: np.ndarray) -> float:
    """V of the module docstring from the matched sample and the controls' σ̂²; NaN with fewer
    than two matched participants."""
    n1 = len(m.contrasts)
    if n1 < 2:
        return np.nan
    d = m.contrasts
    own = float(np.sum((d - d.mean()) ** 2)) / (n1 * (n1 - 1))
    w, q = control_weights(m, len(sigma2))
    reuse = w ** 2 - q
    used = reuse > 0
    if np.isnan(sigma2[used]).any():
        return np.nan
    return own + float(np.sum(reuse[used] * sigma2[used])) / n1 ** 2


def matched_se(m: Matched, cx: np.ndarray, cy: np.ndarray, j: int) -> float:
    """The Abadie–Imbens standard error of the matched ATT ``m`` (controls ``cx``, ``cy``;
    ``j`` controls for each σ̂²)."""
    return float(np.sqrt(abadie_imbens_variance(m, conditional_variance(cx, cy, m.beta, j))))
