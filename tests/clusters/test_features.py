"""Steps 1–4: indicators kept or dropped, log scale, imputation by the year's median, notes."""
from __future__ import annotations

import numpy as np
from support.clusters import FEATS, blobs

from workbench.clusters import cluster_schools, prepare_features
from workbench.config.clusters import ClustersParams


def test_imputation_and_dropped_features_reported_in_russian():
    ctx, _ = blobs(years=(2024, 2025))
    ctx.loc[[0, 5, 7], "share_low_income"] = np.nan
    ctx.loc[ctx["year"] == 2024, "internet_mbps"] = np.nan  # a whole year: pooled median
    ctx["share_ovz"] = 0.05  # constant: dropped
    df, kept, imputed, dropped = prepare_features(ctx, FEATS + ["share_ovz"], ["internet_mbps", "distance_km"])
    assert imputed == {"share_low_income": 3, "internet_mbps": 400}
    assert not df[kept].isna().any().any()
    assert "share_ovz" not in kept and dropped[0].startswith("share_ovz")
    # the 2024 Mbps are the pooled median (= the 2025 median), log1p-transformed
    med25 = np.log1p(ctx.loc[ctx["year"] == 2025, "internet_mbps"]).median()
    assert df.loc[df["year"] == 2024, "internet_mbps"].eq(med25).all()
    res = cluster_schools(ctx, ClustersParams(features=FEATS + ["share_ovz"], n_bootstrap=0))
    text = " ".join(res.notes)
    assert "пропуски заменены медианой года" in text and "малообеспеченных семей — 3" in text
    assert "исключены показатели: share_ovz" in text
