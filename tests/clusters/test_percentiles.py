"""Step 9: percentile among similar schools next to the regional one."""
from __future__ import annotations

import numpy as np
import pandas as pd
from support.clusters import blobs

from workbench.clusters import cluster_schools, group_percentile
from workbench.config.clusters import ClustersParams


def test_group_percentile_hand_example():
    v = pd.Series([1.0, 2.0, 3.0, 4.0, 10.0, np.nan, 5.0])
    g = pd.Series(["a", "a", "a", "a", "b", "b", "b"])
    pct = group_percentile(v, [g])
    assert pct.iloc[:4].tolist() == [12.5, 37.5, 62.5, 87.5]
    assert pct.iloc[4] == 75.0 and pct.iloc[6] == 25.0 and np.isnan(pct.iloc[5])


def test_similar_schools_percentile_next_to_regional():
    ctx, types = blobs(years=(2025,))
    ids = [f"S{i:04d}" for i in range(len(types))]
    ri = types + np.linspace(0, 0.5, len(types))  # favourable types have higher results
    ident = pd.DataFrame({"school_id": ids, "year": 2025, "result_index": ri})
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=4), identification=ident)
    c = res.clusters.merge(ident, on=["school_id", "year"])
    # within each cluster the percentile spans (0, 100) and is ordered like the index
    for _, g in c.groupby("cluster"):
        g = g.sort_values("result_index")
        assert g["similar_schools_percentile"].is_monotonic_increasing
        assert g["similar_schools_percentile"].min() < 1 and g["similar_schools_percentile"].max() > 99
    # the best school of the most adverse cluster is top of its peers but not of the region
    best1 = c[c["cluster"] == 1].sort_values("result_index").iloc[-1]
    assert best1["similar_schools_percentile"] > 99 and best1["regional_percentile"] < 40
