"""The whole chain on the demo region: the generator's context types recovered, stable labels."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import adjusted_rand_score

from workbench.clusters import cluster_schools
from workbench.config.clusters import ClustersParams


def _ari_by_year(res, truth):
    c = res.clusters.merge(truth[["school_id", "context_type"]], on="school_id")
    return [adjusted_rand_score(g["context_type"], g["cluster"]) for _, g in c.groupby("year")]


def test_demo_clusters_recover_context_types(demo600):
    """Default params (no k): the BIC of the mixtures fitted to the schools' means picks the
    generator's five types. Measured on generate_region(600, seed=2026): k = 5, ARI per year
    0.92, 0.94, 0.92, 0.91, 0.91 (over 20 seeds: benchmarks/bench_clusters.py, docs/clusters_method.md);
    k-means with the silhouette (the former default) picks k = 3, ARI ≈ 0.6."""
    ctx = demo600.tables["context"]
    auto = cluster_schools(ctx, ClustersParams(n_bootstrap=5), schools=demo600.tables["schools"])
    assert auto.k == 5
    sel = auto.selection
    assert sel.loc[sel["bic"].idxmin(), "k"] == 5 and sel.loc[sel["chosen"], "k"].item() == 5
    aris = _ari_by_year(auto, demo600.truth)
    assert min(aris) >= 0.85, aris
    assert auto.separation_warning is None
    assert (auto.profiles["certainty"] > 0.9).all() and (auto.profiles["stability"] > 0.6).all()
    km = cluster_schools(ctx, ClustersParams(method="kmeans", n_bootstrap=0))
    assert km.k == 3 and np.mean(_ari_by_year(km, demo600.truth)) < 0.65
    # the most adverse cluster is made of rural types (4, 5), the most favourable of city types
    c = auto.clusters.merge(demo600.truth[["school_id", "context_type"]], on="school_id")
    assert c.loc[c["cluster"] == 1, "context_type"].isin([4, 5]).mean() > 0.9
    assert c.loc[c["cluster"] == 5, "context_type"].isin([1, 2]).mean() > 0.9
    # year to year a school keeps its cluster
    w = auto.clusters.pivot(index="school_id", columns="year", values="cluster")
    kept = [(w[y] == w[y + 1]).mean() for y in w.columns[:-1]]
    assert min(kept) >= 0.94, kept


def test_demo_labels_unchanged_when_2pct_schools_get_noise(demo600):
    ctx = demo600.tables["context"]
    p = ClustersParams(n_bootstrap=0)
    a = cluster_schools(ctx, p)
    rng = np.random.default_rng(5)
    ids = rng.choice(ctx["school_id"].unique(), size=12, replace=False)
    noisy = ctx.copy()
    m = noisy["school_id"].isin(ids).to_numpy()
    for f in ["share_low_income", "share_single_parent", "teacher_vacancy_rate", "internet_mbps"]:
        noisy.loc[m, f] = noisy.loc[m, f] * (1 + 0.02 * rng.standard_normal(m.sum()))
    b = cluster_schools(noisy, p)
    assert a.k == b.k
    assert list(a.profiles["cluster_name"]) == list(b.profiles["cluster_name"])
    same = (a.clusters["cluster"] == b.clusters["cluster"]).mean()
    assert same >= 0.99, same
