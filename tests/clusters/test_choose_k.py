"""Step 5: k by the BIC of mixtures on the schools' means (k-means: silhouette), k fixed by the
user, one cluster for a tiny region."""
from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score
from support.clusters import blobs

from workbench.clusters import cluster_schools
from workbench.clusters.choose_k import school_means
from workbench.config.clusters import ClustersParams
from workbench.core.errors import WorkbenchError


def test_choose_k_recovers_four_types_and_numbering_by_adversity():
    ctx, types = blobs()
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=5))
    assert res.k == 4
    sel = res.selection
    assert list(sel["k"]) == [3, 4, 5, 6, 7, 8]
    assert sel.loc[sel["chosen"], "k"].item() == 4
    assert sel["bic"].idxmin() == sel.index[sel["chosen"]][0]
    assert (sel["icl"] >= sel["bic"]).all() and sel["certainty"].between(0, 1).all()
    assert sel.loc[sel["chosen"], "certainty"].item() > 0.99
    # elbow: inertia decreases with k
    assert sel["inertia_per_school"].is_monotonic_decreasing
    for y, g in res.clusters.groupby("year"):
        assert adjusted_rand_score(types, g.sort_values("school_id")["cluster"]) == pytest.approx(1.0)
    # type 0 is the most adverse → cluster 1; type 3 the most favourable → cluster 4
    lab = res.clusters[res.clusters["year"] == 2025].sort_values("school_id")["cluster"].to_numpy()
    assert set(lab[types == 0]) == {1} and set(lab[types == 3]) == {4}
    # labels identical across years (matched centroids)
    wide = res.clusters.pivot(index="school_id", columns="year", values="cluster")
    assert (wide.nunique(axis=1) == 1).all()
    # stability on clear blobs is perfect
    assert (res.profiles["stability"] > 0.95).all()


def test_k_fixed_by_user_and_features_override():
    ctx, _ = blobs(years=(2025,))
    res = cluster_schools(ctx, ClustersParams(k=3, features=["share_low_income", "internet_mbps"],
                                              n_bootstrap=0))
    assert res.k == 3 and res.features == ["share_low_income", "internet_mbps"]
    assert res.clusters["cluster"].nunique() == 3
    with pytest.raises(WorkbenchError, match="нет показателей.*share_unknown"):
        cluster_schools(ctx, ClustersParams(features=["share_unknown"]))


def test_small_region_one_cluster():
    ctx, _ = blobs(n=8, years=(2025,))
    res = cluster_schools(ctx, ClustersParams())
    assert res.k == 1 and set(res.clusters["cluster"]) == {1}
    assert res.clusters["cluster_name"].iloc[0] == "Все школы"
    assert any("мало школ" in n for n in res.notes)


def test_k_never_leaves_fewer_than_min_cluster_schools_per_cluster():
    """36 schools of 4 clear types: 36 // 8 = 4 clusters at most (before, BIC on 36 rows could
    take k = 8, about four schools a cluster); 20 schools: at most 2; 12: one cluster."""
    ctx, types = blobs(n=36, years=(2025,))
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0))
    assert list(res.selection["k"]) == [3, 4] and res.k == 4
    assert any("кластеров не больше 4" in n for n in res.notes)
    ctx, _ = blobs(n=20, years=(2025,))
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0))
    assert list(res.selection["k"]) == [2] and res.k == 2
    ctx, _ = blobs(n=12, years=(2025,))
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0))
    assert res.k == 1 and any("меньше, чем на два кластера по 8 школ" in n for n in res.notes)
    big = cluster_schools(blobs(n=400, years=(2025,))[0], ClustersParams(n_bootstrap=0))
    assert not any("кластеров не больше" in n for n in big.notes)  # 400 // 8 = 50 > k_max


def test_kmeans_method_chooses_by_silhouette():
    ctx, types = blobs()
    res = cluster_schools(ctx, ClustersParams(method="kmeans", n_bootstrap=3))
    sel = res.selection
    assert res.k == 4 and sel["silhouette"].idxmax() == sel.index[sel["chosen"]][0]
    assert sel["bic"].isna().all()
    g = res.clusters[res.clusters["year"] == 2025].sort_values("school_id")
    assert adjusted_rand_score(types, g["cluster"]) == pytest.approx(1.0)


def test_school_means_one_row_per_school():
    """The choice of k sees each school once: its features averaged over the years."""
    ids = np.array(["b", "a", "b", "a", "c"])
    Z = np.array([[1.0, 0.0], [2.0, 2.0], [3.0, 0.0], [4.0, 4.0], [5.0, 5.0]])
    X = school_means(ids, Z, ClustersParams())
    assert X.tolist() == [[3.0, 3.0], [2.0, 0.0], [5.0, 5.0]]
    assert len(school_means(np.repeat(np.arange(300), 2), np.zeros((600, 2)),
                            ClustersParams(selection_fit_sample=100))) == 100


def test_selection_table_of_a_region_too_small_to_choose_k():
    from workbench.clusters.display import selection_table

    ctx, _ = blobs(n=12, years=(2025,))
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0))
    table = selection_table(res.selection)
    assert table.empty and "Выбрано" in table.columns  # shown as an empty table, no KeyError
