"""Step 6: the clusters of each year, numbered so that a cluster keeps its number over years and
reruns.

`method: gmm` (default): each year's schools are fitted with the diagonal Gaussian mixture
started from the previous year's components (the first year from the mixture chosen in step 5
on the schools' means), one start: the typology is the region's, each year refines it; a school
belongs to the cluster of highest probability, and the mean of that probability is the year's
`certainty`.
`method: kmeans`: each year is clustered with k-means++ (`n_init` starts, fixed seed);
MiniBatchKMeans above `minibatch_above` rows in a year.
Clusters of the first year are numbered by mean social index
(identification's `social_index`, else a composite of the signed standardised features),
1 = most adverse; each later year's centroids are matched to the previous year's by the
Hungarian method on centroid distances, so a cluster keeps its number over years and reruns.
With k-means a later year is also fitted from the previous year's centroids; that fit is kept
unless the k-means++ one has an inertia lower by more than `warm_start_tolerance` (2%): when
schools form a continuum, k-means++ may otherwise cut it differently from one year to the next.
When `previous_profiles` (a former run's cluster_profiles) is given, the first year is matched
to that run's centroids instead.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from workbench.clusters.choose_k import Components, components_of, make_kmeans, make_mixture
from workbench.clusters.features import transform_values
from workbench.config.clusters import ClustersParams
from workbench.core.errors import WorkbenchError


def match_centroids(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Hungarian matching: perm[j] = index of the previous centroid matched to current centroid j."""
    cost = ((cur[:, None, :] - prev[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(cur), dtype=int)
    perm[rows] = cols
    return perm


def fit_year(Z: np.ndarray, k: int, p: ClustersParams, prev: np.ndarray | None = None
             ) -> tuple[np.ndarray, np.ndarray]:
    """k-means++ fit of one year; with the previous year's centroids also a fit started from them,
    kept when its inertia is within `warm_start_tolerance` of the k-means++ one (continuity: the
    same local optimum as last year rather than a different split of a continuum).
    Returns (labels, centroids)."""
    km = make_kmeans(k, len(Z), p).fit(Z)
    if prev is not None and len(prev) == k:
        warm = make_kmeans(k, len(Z), p, init=prev, n_init=1).fit(Z)
        if warm.inertia_ <= km.inertia_ * (1 + p.warm_start_tolerance):
            return warm.labels_.astype(int), np.asarray(warm.cluster_centers_, dtype=float)
    return km.labels_.astype(int), np.asarray(km.cluster_centers_, dtype=float)


def fit_year_mixture(Z: np.ndarray, k: int, p: ClustersParams, start: Components | None
                     ) -> tuple[np.ndarray, Components, float]:
    """The mixture of one year started from `start` (a fresh fit with `n_init` starts without
    one). Returns (labels, components, certainty = mean probability of the own cluster)."""
    model = make_mixture(k, p, start=start if start is not None and len(start.means) == k else None)
    model.fit(Z)
    prob = model.predict_proba(Z)
    return prob.argmax(axis=1).astype(int), components_of(model), float(prob.max(axis=1).mean())


def load_previous_centroids(path: str, features: list[str], transforms: dict[str, str],
                            mean: np.ndarray, sd: np.ndarray, k: int) -> np.ndarray | None:
    """Standardised centroids (ordered by cluster number) from a former run's cluster_profiles;
    None when that run used other indicators or another k."""
    pth = Path(path)
    if not pth.exists():
        raise WorkbenchError(f"clusters.previous_profiles: файл не найден: {pth}")
    prof = pd.read_parquet(pth) if pth.suffix == ".parquet" else pd.read_csv(pth)
    if not set(features) <= set(prof.columns) or "cluster" not in prof.columns:
        return None
    if "year" in prof.columns:
        prof = prof[prof["year"] == prof["year"].max()]
    prof = prof.sort_values("cluster")
    if len(prof) != k:
        return None
    C = prof[features].to_numpy(dtype=float)
    for j, f in enumerate(features):
        C[:, j] = transform_values(C[:, j], transforms.get(f))
    return (C - mean) / sd


def order_by_social_index(soc: np.ndarray, lab: np.ndarray, k: int) -> np.ndarray:
    """perm[j] = number − 1 of fitted cluster j: by mean social index, 0 = most adverse."""
    means = np.array([np.nanmean(soc[lab == j]) if np.any(lab == j) else np.inf for j in range(k)])
    order = np.argsort(means, kind="stable")
    perm = np.empty(k, dtype=int)
    perm[order] = np.arange(k)
    return perm


def _from_centroids(C: np.ndarray, start: Components | None) -> Components:
    """Components with a former run's centroids as means (weights equal, spreads of `start`)."""
    k, d = C.shape
    prec = start.precisions if start is not None and start.precisions.shape == (k, d) else np.ones((k, d))
    return Components(C.copy(), np.full(k, 1.0 / k), prec)


def cluster_years(year_of_row: np.ndarray, Z: np.ndarray, k: int, p: ClustersParams, soc: np.ndarray,
                  prev_C: np.ndarray | None = None, start: Components | None = None
                  ) -> tuple[np.ndarray, dict[int, np.ndarray], dict[int, float]]:
    """Labels 0..k−1 of every row (numbered as the module docstring says), the standardised
    centroids of each year ordered by cluster number and each year's certainty (gmm; NaN for
    kmeans). `prev_C`: a former run's centroids; `start`: the mixture chosen in step 5."""
    labels = np.zeros(len(Z), dtype=int)
    cents: dict[int, np.ndarray] = {}
    certainty: dict[int, float] = {}
    comp = _from_centroids(prev_C, start) if prev_C is not None and p.method == "gmm" else start
    for y in sorted(np.unique(year_of_row).tolist()):
        m = year_of_row == y
        Zy = Z[m]
        cert = np.nan
        if k == 1:
            lab, C = np.zeros(len(Zy), dtype=int), Zy.mean(axis=0, keepdims=True)
        elif p.method == "gmm":
            lab, fitted, cert = fit_year_mixture(Zy, k, p, comp)
            C = fitted.means
        else:
            lab, C = fit_year(Zy, k, p, prev_C)
        perm = order_by_social_index(soc[m], lab, k) if prev_C is None else match_centroids(prev_C, C)
        lab = perm[lab]
        C_sorted = np.empty_like(C)
        C_sorted[perm] = C
        if k > 1 and p.method == "gmm":
            comp = fitted.permuted(perm)
        labels[m] = lab
        cents[y] = C_sorted
        certainty[y] = cert
        prev_C = C_sorted
    return labels, cents, certainty
