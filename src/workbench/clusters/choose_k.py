"""Step 5: the number of clusters k (the argument for the criterion: docs/clusters_method.md).

Default (`method: gmm`): Gaussian mixtures with a diagonal covariance per cluster are fitted for
k = 1 and for k_min..k_max, and k = the one with the lowest BIC (ties to the smaller k). They are
fitted to ONE row per school — its standardised features averaged over the years (at most
`selection_fit_sample` schools, a seeded sample) — because the evidence for a typology comes
from the schools, not from the same school counted once a year: with school-years the BIC
penalty would be far too small and every drift of a share would look like a new group. The
chosen mixture is also the starting point of each year's fit (`fit`). Beside BIC the table holds
ICL (BIC plus the classification entropy), the mean probability of a school's own cluster
(`certainty`) and the silhouette, for the reader; k = 1 is fitted as the reference «no groups».

`method: kmeans` keeps the former rule: k-means per k, the best silhouette on a seeded sample,
the elbow alongside. With `p.k` set, that k is used and the curves are still computed.
A year with fewer than `min_schools` schools puts every school in one cluster.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import silhouette_score
from sklearn.mixture import GaussianMixture

from workbench.config.clusters import ClustersParams

SELECTION_COLUMNS = ["k", "bic", "icl", "certainty", "silhouette", "inertia_per_school", "chosen"]


@dataclass
class Components:
    """A fitted mixture's parameters in cluster order: means (k × d), weights (k), precisions
    (k × d, diagonal). Starting point of the next fit."""

    means: np.ndarray
    weights: np.ndarray
    precisions: np.ndarray

    def permuted(self, perm: np.ndarray) -> "Components":
        """Components reordered so that fitted component j becomes number perm[j]."""
        out = [np.empty_like(a) for a in (self.means, self.weights, self.precisions)]
        for a, b in zip(out, (self.means, self.weights, self.precisions)):
            a[perm] = b
        return Components(*out)


@dataclass
class KChoice:
    """The selection table, the k used, the chosen mixture (gmm; its components are the start of
    the yearly fits), the BIC of one group, and Russian notes."""

    selection: pd.DataFrame
    k: int
    start: Components | None = None
    bic_one: float = float("nan")
    notes: list[str] = field(default_factory=list)


def make_kmeans(k: int, n_rows: int, p: ClustersParams, seed: int | None = None,
                init: Any = "k-means++", n_init: int | None = None):
    """k-means with the params' starts and seed; MiniBatchKMeans above `minibatch_above` rows."""
    seed = p.seed if seed is None else seed
    if n_rows > p.minibatch_above:
        return MiniBatchKMeans(n_clusters=k, init=init, n_init=n_init or p.n_init, random_state=seed,
                               batch_size=4096)
    return KMeans(n_clusters=k, init=init, n_init=n_init or p.n_init, random_state=seed)


def make_mixture(k: int, p: ClustersParams, seed: int | None = None,
                 start: Components | None = None, n_init: int | None = None) -> GaussianMixture:
    """A diagonal Gaussian mixture with the params' variance floor and seed; started from
    `start` (one start) or from `n_init` k-means initialisations."""
    kw: dict[str, Any] = {}
    if start is not None:
        kw = {"means_init": start.means, "weights_init": start.weights / start.weights.sum(),
              "precisions_init": start.precisions}
    return GaussianMixture(n_components=k, covariance_type="diag", reg_covar=p.reg_covar,
                           n_init=1 if start is not None else (n_init or p.n_init),
                           random_state=p.seed if seed is None else seed, max_iter=300, **kw)


def components_of(model: GaussianMixture) -> Components:
    return Components(np.asarray(model.means_, float), np.asarray(model.weights_, float),
                      np.asarray(model.precisions_, float))


def school_means(school_ids: np.ndarray, Z: np.ndarray, p: ClustersParams) -> np.ndarray:
    """One row per school: its standardised features averaged over the years (a seeded sample of
    at most `selection_fit_sample` schools)."""
    codes, _ = pd.factorize(pd.Series(school_ids), sort=True)
    sums = np.zeros((codes.max() + 1, Z.shape[1]))
    np.add.at(sums, codes, Z)
    X = sums / np.bincount(codes)[:, None]
    if len(X) > p.selection_fit_sample:
        X = X[np.sort(np.random.default_rng(p.seed).choice(len(X), p.selection_fit_sample, replace=False))]
    return X


def _silhouette(X: np.ndarray, labels: np.ndarray, idx: np.ndarray) -> float:
    lab = labels[idx]
    return float(silhouette_score(X[idx], lab)) if len(np.unique(lab)) > 1 else np.nan


def _inertia(X: np.ndarray, labels: np.ndarray) -> float:
    """Within-cluster sum of squares per school of a hard partition (the elbow curve)."""
    total = 0.0
    for c in np.unique(labels):
        xc = X[labels == c]
        total += float(((xc - xc.mean(axis=0)) ** 2).sum())
    return total / len(X)


def _mixture_row(X: np.ndarray, k: int, p: ClustersParams, sil_idx: np.ndarray
                 ) -> tuple[dict[str, Any], GaussianMixture]:
    model = make_mixture(k, p).fit(X)
    prob = model.predict_proba(X)
    labels = prob.argmax(axis=1)
    bic = float(model.bic(X))
    entropy = -float(np.sum(prob * np.log(np.clip(prob, 1e-300, 1.0))))
    return {"k": k, "bic": bic, "icl": bic + 2 * entropy, "certainty": float(prob.max(axis=1).mean()),
            "silhouette": _silhouette(X, labels, sil_idx) if k > 1 else np.nan,
            "inertia_per_school": _inertia(X, labels)}, model


def _choose_mixture(X: np.ndarray, ks: list[int], p: ClustersParams, sil_idx: np.ndarray) -> KChoice:
    rows, models = [], {}
    for k in ks:
        row, models[k] = _mixture_row(X, k, p, sil_idx)
        rows.append(row)
    sel = pd.DataFrame(rows, columns=SELECTION_COLUMNS[:-1])
    bic_one = float(_mixture_row(X, 1, p, sil_idx)[0]["bic"])
    if p.k is not None:
        chosen = p.k
        start = components_of(models[chosen]) if chosen in models else None
    else:
        best = sel["bic"].min()  # ties (to 0.5 BIC units) go to the smaller k
        chosen = int(sel.loc[sel["bic"] <= best + 0.5, "k"].min())
        start = components_of(models[chosen])
    return KChoice(selection=sel, k=chosen, start=start, bic_one=bic_one)


def _choose_kmeans(X: np.ndarray, ks: list[int], p: ClustersParams, sil_idx: np.ndarray) -> KChoice:
    rows = []
    for k in ks:
        labels = make_kmeans(k, len(X), p).fit(X).labels_
        rows.append({"k": k, "bic": np.nan, "icl": np.nan, "certainty": np.nan,
                     "silhouette": _silhouette(X, labels, sil_idx),
                     "inertia_per_school": _inertia(X, labels)})
    sel = pd.DataFrame(rows, columns=SELECTION_COLUMNS[:-1])
    if p.k is not None:
        chosen = p.k
    elif len(sel) and sel["silhouette"].notna().any():
        # ties (to 3 decimals) go to the smaller k: simpler, more stable partitions
        best = sel["silhouette"].round(3).max()
        chosen = int(sel.loc[sel["silhouette"].round(3) == best, "k"].min())
    else:
        chosen = 1
    return KChoice(selection=sel, k=chosen)


def choose_k(X: np.ndarray, p: ClustersParams) -> KChoice:
    """The selection table (k, bic, icl, certainty, silhouette, inertia_per_school, chosen) for k
    in k_min..k_max on the school rows X, and the k used (see the module docstring)."""
    rng = np.random.default_rng(p.seed)
    sil_idx = np.sort(rng.choice(len(X), p.silhouette_sample, replace=False)) \
        if len(X) > p.silhouette_sample else np.arange(len(X))
    n_distinct = len(np.unique(X.round(9), axis=0))
    cap = len(X) // p.min_cluster_schools
    ks = [k for k in range(min(p.k_min, cap), min(p.k_max, cap) + 1) if 1 < k < n_distinct]
    if not ks and p.k is None:
        return KChoice(selection=pd.DataFrame(columns=SELECTION_COLUMNS), k=1, notes=[
            f"Кластеры: {len(X)} школ — меньше, чем на два кластера по "
            f"{p.min_cluster_schools} школ (clusters.min_cluster_schools): все школы в одном "
            f"кластере."])
    choice = (_choose_mixture if p.method == "gmm" else _choose_kmeans)(X, ks, p, sil_idx)
    choice.selection["chosen"] = choice.selection["k"] == choice.k
    if cap < p.k_max and p.k is None:
        choice.notes.append(
            f"Кластеры: школ {len(X)}, поэтому кластеров не больше {cap} — в каждом должно быть "
            f"в среднем не меньше {p.min_cluster_schools} школ (clusters.min_cluster_schools), "
            f"чтобы было с кем сравнивать «среди похожих».")
    return choice


def select_k(years: pd.Series, school_ids: np.ndarray, Z: np.ndarray, p: ClustersParams) -> KChoice:
    """The choice of k (never more than the schools of the smallest year), with a Russian note
    when a year is too small to cluster. `years`, `school_ids`: of each row of Z."""
    per_year_n = years.groupby(years).size()
    if per_year_n.min() < p.min_schools:
        return KChoice(selection=pd.DataFrame(columns=SELECTION_COLUMNS), k=1, notes=[
            f"Кластеры: мало школ в году ({int(per_year_n.min())}), все школы в одном кластере."])
    X = school_means(school_ids, Z, p)
    if len(X) < 3:
        return KChoice(selection=pd.DataFrame(columns=SELECTION_COLUMNS), k=1)
    choice = choose_k(X, p)
    k = min(choice.k, int(per_year_n.min()))
    if k != choice.k:
        choice.k, choice.start = k, None
    return choice
