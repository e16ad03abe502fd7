"""Social context: ranges, missing values, drift; context types recoverable from it."""
from __future__ import annotations

import numpy as np

from workbench import demo

YEARS = [2021, 2022, 2023, 2024, 2025]


def test_context_ranges(demo600):
    ctx = demo600.tables["context"]
    assert sorted(ctx["year"].unique()) == YEARS
    for c in demo.SHARE_INDICATORS:
        v = ctx[c].dropna()
        assert v.between(0, 1).all(), c
    missing = ctx[demo.INDICATORS[1:]].isna().to_numpy().mean()
    assert 0.005 < missing < 0.02
    assert ctx["n_students"].notna().all() and ctx["is_rural"].isin([0.0, 1.0]).all()
    # small remote schools have 30-80 pupils (tiny ones ~45)
    small = demo600.truth.loc[demo600.truth["context_type"] == 5, "school_id"]
    first = ctx[(ctx["year"] == 2021) & ctx["school_id"].isin(small)]
    assert first["n_students"].between(30, 80).all()
    # year-to-year drift is small: same school correlates strongly across years
    wide = ctx.pivot(index="school_id", columns="year", values="share_low_income")
    assert wide[2021].corr(wide[2025]) > 0.9


def test_context_types_recoverable_but_not_trivially(demo600):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    c = demo600.tables["context"].query("year == 2025").set_index("school_id").drop(columns="year")
    c = c.fillna(c.median())
    c = c.assign(n_students=np.log(c["n_students"]), internet_mbps=np.log(c["internet_mbps"]),
                 distance_km=np.log1p(c["distance_km"]))
    x = StandardScaler().fit_transform(c)
    truth = demo600.truth.set_index("school_id").loc[c.index, "context_type"]
    ari = adjusted_rand_score(truth, KMeans(5, n_init=10, random_state=0).fit_predict(x))
    assert 0.55 < ari < 0.9
