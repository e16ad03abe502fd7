"""Partner candidates: constraints (stronger, same or neighbouring cluster, capacity), scores by
rank, Russian reasons; the demo region."""
from __future__ import annotations

import numpy as np
import pytest
from support.clusters import region, run_partners

from workbench.clusters import cluster_schools, find_partners, haversine_km, neighbour_clusters
from workbench.config.clusters import ClustersParams, PartnersParams


def test_haversine_and_neighbours():
    assert haversine_km(55.0, 37.0, 56.0, 37.0) == pytest.approx(111.2, abs=0.1)
    assert np.isnan(haversine_km(np.nan, 37.0, 56.0, 37.0))
    C = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]])
    nb = neighbour_clusters(C, [1, 2, 3], 1)
    assert nb == {1: {1, 2}, 2: {1, 2}, 3: {2, 3}}


def test_partner_constraints_capacity_and_reasons():
    res, cl, ident, schools = run_partners()
    pr = res.partners
    assert res.n_low == int(ident["low_results"].sum()) and res.n_with_candidates == res.n_low
    assert set(pr["school_id"]) <= set(ident.loc[ident["low_results"], "school_id"])
    # ranks 1..3, every partner stronger, same or neighbouring cluster
    assert pr.groupby("school_id")["rank"].min().eq(1).all()
    assert (pr["partner_result_index"] > pr["result_index"]).all()
    cz = cl.centroids_z.sort_values("cluster")
    nb = neighbour_clusters(cz[cl.features].to_numpy(), cz["cluster"].tolist(), 1)
    assert all(pc in nb[sc] for sc, pc in zip(pr["school_cluster"], pr["partner_cluster"]))
    assert not pr["partner_category"].isin(["low_results", "low_results_adverse"]).any()
    a = pr[pr["assigned"]]
    assert a["school_id"].is_unique
    assert a["partner_id"].value_counts().max() <= 2
    assert res.n_assigned == len(a) > 0
    # scores decrease with rank
    for _, g in pr.groupby("school_id"):
        assert g.sort_values("rank")["score"].is_monotonic_decreasing
    # reasons: cluster, results, distance in km, municipality when the same
    r = pr.iloc[0]
    assert "кластер" in r["reasons"] and "индекс результатов" in r["reasons"]
    assert all(" км" in s for s in pr["reasons"])
    same = pr[pr["same_municipality"]]
    assert len(same) and all("тот же муниципалитет" in s for s in same["reasons"])
    assert pr["distance_km"].notna().all()


def test_reasons_hand_example_and_no_distance_without_coordinates():
    res, *_ = run_partners(coords=False)
    pr = res.partners
    assert pr["distance_km"].isna().all()
    assert not any(" км" in s for s in pr["reasons"])
    r = pr.iloc[0]
    ri = f"{r['partner_result_index']:+.1f}".replace(".", ",").replace("-", "−")
    own = f"{r['result_index']:+.1f}".replace(".", ",").replace("-", "−")
    assert f"индекс результатов {ri} против {own}" in r["reasons"]


def test_capacity_one_and_more_candidates():
    res, *_ = run_partners(capacity=1, n_candidates=5)
    pr = res.partners
    assert pr[pr["assigned"]]["partner_id"].value_counts().max() == 1
    assert pr["rank"].max() >= 5


def test_no_low_schools_gives_empty_table_and_note():
    ctx, ident, schools = region()
    ident["low_results"] = False
    cl = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=3))
    res = find_partners(ident, cl, schools, PartnersParams())
    assert len(res.partners) == 0 and "нет школ с низкими результатами" in res.notes[0]


@pytest.fixture(scope="module")
def demo_pairs(demo600):
    reg = demo600
    ty = reg.truth_years
    rng = np.random.default_rng(0)
    ident = ty[["school_id", "year"]].copy()
    ident["result_index"] = ty["true_result"].to_numpy() + rng.normal(0, 0.1, len(ty))
    q = ident.groupby("year")["result_index"]
    ident["low_results"] = ident["result_index"] < q.transform(lambda s: s.quantile(0.1))
    ident["category"] = np.where(ident["low_results"], "low_results",
                                 np.where(ident["result_index"] > q.transform(lambda s: s.quantile(0.85)),
                                          "high_performing", "typical"))
    ident["result_ci_low"] = ident["result_index"] - 0.2
    ident["result_ci_high"] = ident["result_index"] + 0.2
    cl = cluster_schools(reg.tables["context"], ClustersParams(n_bootstrap=0), identification=ident,
                         schools=reg.tables["schools"])
    res = find_partners(ident, cl, reg.tables["schools"], PartnersParams())
    return res, cl, ident


def test_demo_partners(demo_pairs):
    """Measured on the demo region (600 schools, seed 2026): 60 low-results schools in 2025; within
    the default 150 km most have candidates and a partner, the others a note with the distance of
    the nearest resource school; every pair with distance in the reasons."""
    res, cl, ident = demo_pairs
    pr = res.partners
    assert res.n_low >= 40 and res.n_with_candidates + len(res.unmatched) == res.n_low
    assert res.n_with_candidates >= 0.7 * res.n_low and res.n_assigned >= 0.6 * res.n_low
    assert all("км" in n for n in res.unmatched["note"])
    assert (pr["distance_km"] <= 150).all()
    assert (pr["partner_result_index"] > pr["result_index"]).all()
    a = pr[pr["assigned"]]
    assert a["partner_id"].value_counts().max() <= 2 and a["school_id"].is_unique
    cz = cl.centroids_z[cl.centroids_z["year"] == 2025].sort_values("cluster")
    nb = neighbour_clusters(cz[cl.features].to_numpy(), cz["cluster"].tolist(), 1)
    assert all(pc in nb[sc] for sc, pc in zip(pr["school_cluster"], pr["partner_cluster"]))
    assert all(" км" in s for s in pr["reasons"])
    assert a["distance_km"].median() < 150
