"""Step 6: numbering by social index, identical reruns, stable labels under noise, numbering kept
from a former run's profiles."""
from __future__ import annotations

import numpy as np
import pandas as pd
from support.clusters import FEATS, blobs

from workbench.clusters import cluster_schools
from workbench.config.clusters import ClustersParams


def test_numbering_uses_identification_social_index():
    ctx, types = blobs(years=(2025,))
    ids = [f"S{i:04d}" for i in range(len(types))]
    # reversed social index: type 3 now the most adverse
    ident = pd.DataFrame({"school_id": ids, "year": 2025, "social_index": -types.astype(float),
                          "result_index": np.linspace(-1, 1, len(types))})
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=4), identification=ident)
    lab = res.clusters.sort_values("school_id")["cluster"].to_numpy()
    assert set(lab[types == 0]) == {4} and set(lab[types == 3]) == {1}
    prof = res.profiles.sort_values("cluster")
    assert prof["social_index"].is_monotonic_increasing


def test_rerun_identical_and_labels_stable_under_small_noise():
    ctx, _ = blobs(n=600, seed=3, sd=0.12)
    p = ClustersParams(n_bootstrap=0)
    a = cluster_schools(ctx, p)
    b = cluster_schools(ctx.copy(), p)
    pd.testing.assert_frame_equal(a.clusters, b.clusters)
    pd.testing.assert_frame_equal(a.profiles, b.profiles)
    rng = np.random.default_rng(11)
    noisy = ctx.copy()
    ids = rng.choice(ctx["school_id"].unique(), size=12, replace=False)  # 2% of 600 schools
    m = noisy["school_id"].isin(ids).to_numpy()
    for f in FEATS[:5]:
        noisy.loc[m, f] = noisy.loc[m, f] * np.exp(0.03 * rng.standard_normal(m.sum()))
    c = cluster_schools(noisy, p)
    assert c.k == a.k
    same = (c.clusters["cluster"] == a.clusters["cluster"]).mean()
    assert same == 1.0
    assert list(c.profiles["cluster_name"]) == list(a.profiles["cluster_name"])


def test_previous_profiles_keep_numbering(tmp_path):
    ctx, types = blobs(years=(2024,))
    first = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=4))
    path = tmp_path / "cluster_profiles.csv"
    # a former run with permuted numbering: the new run must follow it
    prof = first.profiles.copy()
    prof["cluster"] = prof["cluster"].map({1: 3, 2: 1, 3: 4, 4: 2})
    prof.to_csv(path, index=False)
    ctx2, _ = blobs(years=(2025,), seed=0)
    again = cluster_schools(ctx2, ClustersParams(n_bootstrap=0, k=4, previous_profiles=str(path)))
    m = {1: 3, 2: 1, 3: 4, 4: 2}
    old = first.clusters.set_index("school_id")["cluster"].map(m)
    new = again.clusters.set_index("school_id")["cluster"]
    assert (old.loc[new.index] == new).mean() == 1.0
