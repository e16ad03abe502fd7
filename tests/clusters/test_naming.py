"""Step 7: Russian cluster names from the centroid profile, unique, never contradicting the means
of the profiles table (in every year)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from support.clusters import blobs

from workbench.clusters import cluster_schools
from workbench.clusters.naming import PHRASES_RU, Evidence, evidence, name_clusters
from workbench.config.clusters import ClustersParams


def test_names_russian_unique_and_from_profile():
    ctx, types = blobs()
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0))
    names = res.profiles.drop_duplicates("cluster").set_index("cluster")["cluster_name"]
    assert names.is_unique
    assert names[1].startswith("Сельские малокомплектные")
    assert "дефицит педагогов" in names[1] or "высокая доля малообеспеченных семей" in names[1]
    assert names[4].startswith("Городские")
    assert all(any("а" <= ch <= "я" for ch in n.lower()) for n in names)


def test_small_school_word_needs_mean_and_median_below_the_threshold():
    """A cluster averaging 147 pupils (median 140) is not «малокомплектные» (issue 15); one of
    about 60 pupils is."""
    ctx, types = blobs()
    rng = np.random.default_rng(3)
    n = len(types)
    sizes = np.where(types == 1, 140.0 * np.exp(0.35 * rng.standard_normal(n)), 60.0)
    ctx["n_students"] = np.tile(sizes, ctx["year"].nunique())
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0))
    prof = res.profiles
    for c, g in prof.groupby("cluster"):
        name = g["cluster_name"].iloc[0]
        if "малокомплектные" in name:
            assert (g["n_students"] < 100).all(), (name, g["n_students"].tolist())
    named = prof.drop_duplicates("cluster").set_index("cluster")["cluster_name"]
    big_small = prof.loc[prof["n_students"].between(120, 200), "cluster"].unique()
    assert len(big_small) == 1 and "малокомплектные" not in named[big_small[0]]
    assert "малокомплектные" in named[1]


def test_phrase_dropped_when_the_raw_mean_disagrees_with_the_log_scale_centroid():
    """Internet on the log scale: cluster 1 has the higher log-mean, but one very fast school
    lifts cluster 2's raw mean above the region's; «быстрый интернет» must not name cluster 1."""
    raw = pd.DataFrame({"school_id": list("abcdef"), "year": 2025, "cluster": [1, 1, 1, 2, 2, 2],
                        "internet_mbps": [30.0, 30.0, 30.0, 5.0, 5.0, 500.0]})
    ev = evidence(raw, raw, ["internet_mbps"], None)
    assert ev[1].sides["internet_mbps"] == -1 and ev[2].sides["internet_mbps"] == 1
    logv = np.log1p(raw["internet_mbps"])
    z = (logv - logv.mean()) / logv.std(ddof=0)
    cz = z.groupby(raw["cluster"]).mean().to_frame("internet_mbps")
    assert cz.loc[1, "internet_mbps"] > 0  # the centroid alone would say «быстрый интернет»
    names = name_clusters(cz, ["internet_mbps"], ev, ClustersParams(name_z=0.01))
    assert "быстрый интернет" not in names[1] and "медленный интернет" not in names[1]


def test_locality_words_follow_the_share_of_rural_schools_in_every_year():
    p = ClustersParams()
    cz = pd.DataFrame({"share_low_income": [0.0, 0.0, 0.0, 0.0]}, index=[1, 2, 3, 4])
    ev = {1: Evidence(rural=(0.95, 1.0)), 2: Evidence(rural=(0.75, 0.92)),
          3: Evidence(rural=(0.2, 0.45)), 4: Evidence(rural=(0.0, 0.05), size=(850, 990))}
    names = name_clusters(cz, ["share_low_income"], ev, p)
    assert names[1].startswith("Сельские") and names[2].startswith("Преимущественно сельские")
    assert names[3].startswith("Смешанные (город и село)")
    assert names[4].startswith("Городские крупные")


def _claims(name: str) -> list[tuple[str, int]]:
    """(feature, +1/−1) of every indicator phrase in a name."""
    out = []
    for f, (hi, lo) in PHRASES_RU.items():
        if f in ("is_rural", "n_students"):
            continue
        out += [(f, 1)] if hi in name else [(f, -1)] if lo in name else []
    return out


def test_demo_names_never_contradict_the_profile_means(demo600):
    """Every word of every cluster name of the demo region, checked against that cluster's
    means in the cluster_profiles table of every year and the region's mean of that year."""
    ctx = demo600.tables["context"]
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0), schools=demo600.tables["schools"])
    prof = res.profiles
    region = ctx.groupby("year").mean(numeric_only=True)
    checked = 0
    for _, r in prof.iterrows():
        name = r["cluster_name"].lower()
        if name.startswith("сельские"):
            assert r["is_rural"] >= 0.9, (name, r["is_rural"])
        if name.startswith("городские"):
            assert r["is_rural"] <= 0.1, (name, r["is_rural"])
        if name.startswith("преимущественно сельские"):
            assert r["is_rural"] >= 0.7
        if "малокомплектные" in name:
            assert r["n_students"] < 100, (name, r["n_students"])
        if "крупные" in name:
            assert r["n_students"] > 800, (name, r["n_students"])
        for f, sign in _claims(name):
            assert (r[f] - region.loc[r["year"], f]) * sign > 0, (name, f, r[f])
            checked += 1
    assert checked >= len(prof)  # names carry indicator phrases, not only locality and size
