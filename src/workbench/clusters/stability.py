"""Step 8: how stable the clustering of a year is.

Mean adjusted Rand index between the year's clustering and the same method (mixture or k-means,
one fresh start) fitted on bootstrap resamples (on a sample of at most `bootstrap_sample`
schools), plus per-cluster mean Jaccard (Hennig's clusterboot idea: a cluster above 0.75 is
stable, below 0.5 its borders are blurred).
"""
from __future__ import annotations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from workbench.clusters.choose_k import make_mixture
from workbench.config.clusters import ClustersParams


def bootstrap_stability(Z: np.ndarray, labels: np.ndarray, k: int, p: ClustersParams,
                        seed: int) -> tuple[float, dict[int, float]]:
    """Mean ARI between `labels` and the method refitted on bootstrap resamples, and mean Jaccard per
    cluster (best-matching bootstrap cluster), on a seeded sample of at most bootstrap_sample rows."""
    if p.n_bootstrap == 0 or k < 2 or len(Z) < 2 * k:
        return float("nan"), {}
    rng = np.random.default_rng(seed)
    n = len(Z)
    idx = rng.choice(n, p.bootstrap_sample, replace=False) if n > p.bootstrap_sample else np.arange(n)
    Zs, ls = Z[idx], labels[idx]
    m = len(Zs)
    aris: list[float] = []
    jac: dict[int, list[float]] = {int(c): [] for c in np.unique(ls)}
    for b in range(p.n_bootstrap):
        boot = rng.integers(0, m, m)
        model = make_mixture(k, p, seed=seed + b + 1, n_init=1) if p.method == "gmm" else \
            KMeans(n_clusters=k, n_init=1, random_state=seed + b + 1)
        pred = model.fit(Zs[boot]).predict(Zs)
        aris.append(adjusted_rand_score(ls, pred))
        for c in jac:
            jac[c].append(best_jaccard(ls == c, pred, k))
    return float(np.mean(aris)), {c: float(np.mean(v)) for c, v in jac.items()}


def best_jaccard(members: np.ndarray, pred: np.ndarray, k: int) -> float:
    """Jaccard index of a cluster (bool mask) with its best-matching predicted cluster 0..k−1."""
    best = 0.0
    for c2 in range(k):
        bmask = pred == c2
        union = np.count_nonzero(members | bmask)
        if union:
            best = max(best, np.count_nonzero(members & bmask) / union)
    return best
