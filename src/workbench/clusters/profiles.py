"""The `cluster_profiles` table: per year and cluster, its size, the raw means of its indicators,
its mean social index, its stability (step 8) and the year's certainty (mean probability of a
school's own cluster, mixture only), plus the standardised centroids that the heatmap and the
partner search read."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.clusters.stability import bootstrap_stability
from workbench.config.clusters import ClustersParams


def build_profiles(df: pd.DataFrame, Z: np.ndarray, raw: pd.DataFrame, soc: np.ndarray,
                   features: list[str], cents: dict[int, np.ndarray], names: dict[int, str], k: int,
                   p: ClustersParams, certainty: dict[int, float] | None = None
                   ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(profiles, centroids_z). `df`: school_id, year, cluster of each row of Z; `raw`: the same
    rows' context on the original scale; `cents`: per year the centroids ordered by number."""
    prof_rows = []
    raw_feats = [f for f in features if f in raw.columns]
    # what the names describe besides the features: size and the share of rural schools
    extra_means = [c for c in ("n_students", "is_rural") if c in raw.columns and c not in raw_feats]
    cent_rows = []
    soc_s = pd.Series(soc, index=df.index)
    for y in sorted(df["year"].unique().tolist()):
        m = (df["year"] == y).to_numpy()
        lab_y = df.loc[m, "cluster"].to_numpy()
        ari, jac = bootstrap_stability(Z[m], lab_y, k, p, seed=p.seed + int(y))
        ry = raw[raw["year"] == y]
        for c in range(1, k + 1):
            mc = lab_y == c
            row: dict[str, Any] = {"year": int(y), "cluster": c, "cluster_name": names[c],
                                   "n_schools": int(mc.sum())}
            rc = ry[ry["cluster"] == c]
            for f in raw_feats + extra_means:
                row[f] = float(pd.to_numeric(rc[f], errors="coerce").mean()) if len(rc) else np.nan
            row["social_index"] = float(np.nanmean(soc_s[m].to_numpy()[mc])) if mc.any() else np.nan
            row["stability"] = round(ari, 3) if ari == ari else np.nan
            row["stability_cluster"] = round(jac.get(c, np.nan), 3)
            cert = (certainty or {}).get(int(y), np.nan)
            row["certainty"] = round(cert, 3) if cert == cert else np.nan
            prof_rows.append(row)
            cent_rows.append({"year": int(y), "cluster": c, **dict(zip(features, cents[y][c - 1]))})
    profiles = pd.DataFrame(prof_rows)
    lead = ["cluster", "cluster_name", "n_schools"]
    profiles = profiles[lead + [c for c in profiles.columns if c not in lead + ["year"]] + ["year"]]
    profiles = profiles.sort_values(["year", "cluster"], kind="mergesort").reset_index(drop=True)
    return profiles, pd.DataFrame(cent_rows)
