"""Resource-school partners: optimal assignment (brute force), constraints, reasons, sheet."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from workbench.clusters import ClustersParams, cluster_schools
from workbench.partners import (
    PartnersParams,
    assign_with_pools,
    find_partners,
    haversine_km,
    neighbour_clusters,
    optimal_assignment,
    pairs_by_municipality,
    partners_sheet,
)


# ---------------------------------------------------------------------------- assignment
def brute_force(pairs: pd.DataFrame, capacity: int) -> tuple[int, float]:
    """Best (number of paired schools, total score) over all feasible assignments."""
    schools = sorted(pairs["school_id"].unique())
    options = {s: [None] + list(pairs.loc[pairs["school_id"] == s, "partner_id"]) for s in schools}
    score = {(r.school_id, r.partner_id): r.score for r in pairs.itertuples()}
    best = (-1, -np.inf)
    for combo in itertools.product(*(options[s] for s in schools)):
        used = [c for c in combo if c is not None]
        if any(used.count(c) > capacity for c in set(used)):
            continue
        val = (len(used), round(sum(score[(s, c)] for s, c in zip(schools, combo) if c is not None), 9))
        best = max(best, val)
    return best


def small_case(seed: int, forbid: float = 0.3) -> pd.DataFrame:
    """4 low-results schools × 3 resource schools with random scores; some pairs not allowed."""
    rng = np.random.default_rng(seed)
    rows = [{"school_id": f"L{i}", "partner_id": f"R{j}", "score": float(rng.uniform(0.1, 2.0))}
            for i in range(4) for j in range(3) if rng.random() > forbid]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("capacity", [1, 2])
def test_assignment_equals_brute_force_optimum(seed, capacity):
    pairs = small_case(seed)
    chosen = optimal_assignment(pairs, capacity)
    got = pairs[chosen]
    assert got["school_id"].is_unique
    assert got["partner_id"].value_counts().le(capacity).all()
    assert (len(got), round(got["score"].sum(), 9)) == brute_force(pairs, capacity)
    # the sparse exact solver gives the same optimum
    chosen_sparse = optimal_assignment(pairs, capacity, max_dense_cells=1)
    assert (len(pairs[chosen_sparse]), round(pairs[chosen_sparse]["score"].sum(), 9)) == \
        brute_force(pairs, capacity)


def test_assignment_is_not_greedy():
    # greedy takes L0–R0 (best score 1.0) and leaves L1 without a partner (capacity 1);
    # the optimum pairs both schools: L0–R1 and L1–R0
    pairs = pd.DataFrame({"school_id": ["L0", "L0", "L1"], "partner_id": ["R0", "R1", "R0"],
                          "score": [1.0, 0.9, 0.8]})
    chosen = optimal_assignment(pairs, capacity=1)
    assert chosen.tolist() == [False, True, True]


def test_pool_extension_reaches_candidates_beyond_the_pool():
    # both schools prefer R0 (capacity 1); the second school's only other option is its rank 2
    cand = pd.DataFrame({"school_id": ["L0", "L1", "L1"], "partner_id": ["R0", "R0", "R1"],
                         "score": [1.0, 0.9, 0.2], "rank": [1, 1, 2]})
    chosen = assign_with_pools(cand, capacity=1, pool=1, pool_max=4)
    assert chosen.tolist() == [True, False, True]


def test_haversine_and_neighbours():
    assert haversine_km(55.0, 37.0, 56.0, 37.0) == pytest.approx(111.2, abs=0.1)
    assert np.isnan(haversine_km(np.nan, 37.0, 56.0, 37.0))
    C = np.array([[0.0, 0.0], [1.0, 0.0], [5.0, 0.0]])
    nb = neighbour_clusters(C, [1, 2, 3], 1)
    assert nb == {1: {1, 2}, 2: {1, 2}, 3: {2, 3}}


# ---------------------------------------------------------------------------- on a region
def region(n: int = 300, seed: int = 1, coords: bool = True):
    """Context of 3 types, identification-like table (current year 2025) and schools."""
    rng = np.random.default_rng(seed)
    types = np.arange(n) % 3
    prof = np.array([[0.45, 0.8, 8.0, 40.0, 1.0], [0.25, 0.6, 40.0, 12.0, 1.0], [0.08, 0.3, 150.0, 2.0, 0.0]])
    feats = ["share_low_income", "share_parents_no_higher_ed", "internet_mbps", "distance_km", "is_rural"]
    v = prof[types] * np.exp(0.1 * rng.standard_normal((n, 5)))
    v[:, 4] = prof[types, 4]
    ids = [f"S{i:04d}" for i in range(n)]
    ctx = pd.DataFrame(v, columns=feats)
    ctx.insert(0, "year", 2025)
    ctx.insert(0, "school_id", ids)
    ri = 0.6 * (types - 1) + rng.standard_normal(n)
    low = ri < np.quantile(ri, 0.12)
    high = ri > np.quantile(ri, 0.85)
    cat = np.where(low, "low_results", np.where(high, "high_performing", "typical"))
    ident = pd.DataFrame({"school_id": ids, "year": 2025, "result_index": ri, "low_results": low,
                          "category": cat, "social_index": -(types - 1.0)})
    mun = rng.integers(0, 8, n)
    schools = pd.DataFrame({"school_id": ids, "school_name": [f"Школа № {i}" for i in range(n)],
                            "municipality": [f"Муниципалитет {m}" for m in mun]})
    if coords:
        schools["latitude"] = 56 + mun * 0.3 + rng.normal(0, 0.1, n)
        schools["longitude"] = 40 + mun * 0.2 + rng.normal(0, 0.1, n)
    return ctx, ident, schools


def run(coords=True, **kw):
    ctx, ident, schools = region(coords=coords)
    cl = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=3), identification=ident, schools=schools)
    return find_partners(ident, cl, schools, PartnersParams(**kw)), cl, ident, schools


def test_partner_constraints_capacity_and_reasons():
    res, cl, ident, schools = run()
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
    res, *_ = run(coords=False)
    pr = res.partners
    assert pr["distance_km"].isna().all()
    assert not any(" км" in s for s in pr["reasons"])
    r = pr.iloc[0]
    ri = f"{r['partner_result_index']:+.1f}".replace(".", ",").replace("-", "−")
    own = f"{r['result_index']:+.1f}".replace(".", ",").replace("-", "−")
    assert f"индекс результатов {ri} против {own}" in r["reasons"]


def test_capacity_one_and_more_candidates():
    res, *_ = run(capacity=1, n_candidates=5)
    pr = res.partners
    assert pr[pr["assigned"]]["partner_id"].value_counts().max() == 1
    assert pr["rank"].max() >= 5


def test_partners_sheet_and_summary_in_russian():
    res, cl, ident, schools = run()
    sheet = partners_sheet(res.partners, schools)
    assert list(sheet.columns)[:3] == ["Муниципалитет", "Код ОО", "Наименование ОО"]
    assert "Обоснование" in sheet.columns and "Наименование школы-партнёра" in sheet.columns
    assert len(sheet) == res.n_with_candidates
    assigned = sheet[sheet["Код школы-партнёра"] != ""]
    assert len(assigned) == res.n_assigned
    assert assigned["Наименование школы-партнёра"].str.startswith("Школа № ").all()
    summ = pairs_by_municipality(res.partners, schools)
    assert summ["Назначен партнёр"].sum() == res.n_assigned


def test_no_low_schools_gives_empty_table_and_note():
    ctx, ident, schools = region()
    ident["low_results"] = False
    cl = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=3))
    res = find_partners(ident, cl, schools, PartnersParams())
    assert len(res.partners) == 0 and "нет школ с низкими результатами" in res.notes[0]


# ---------------------------------------------------------------------------- demo region
@pytest.fixture(scope="module")
def demo_pairs():
    demo_mod = pytest.importorskip("workbench.demo")
    reg = demo_mod.generate_region(600, seed=2026)
    ty = reg.truth_years
    rng = np.random.default_rng(0)
    ident = ty[["school_id", "year"]].copy()
    ident["result_index"] = ty["true_result"].to_numpy() + rng.normal(0, 0.1, len(ty))
    q = ident.groupby("year")["result_index"]
    ident["low_results"] = ident["result_index"] < q.transform(lambda s: s.quantile(0.1))
    ident["category"] = np.where(ident["low_results"], "low_results",
                                 np.where(ident["result_index"] > q.transform(lambda s: s.quantile(0.85)),
                                          "high_performing", "typical"))
    cl = cluster_schools(reg.tables["context"], ClustersParams(n_bootstrap=0), identification=ident,
                         schools=reg.tables["schools"])
    res = find_partners(ident, cl, reg.tables["schools"], PartnersParams())
    return res, cl, ident


def test_demo_partners(demo_pairs):
    """Measured on the demo region (600 schools, seed 2026): 60 low-results schools in 2025, all with
    candidates, all assigned, every pair with distance in the reasons."""
    res, cl, ident = demo_pairs
    pr = res.partners
    assert res.n_low >= 40 and res.n_with_candidates == res.n_low
    assert res.n_assigned >= 0.9 * res.n_low
    assert (pr["partner_result_index"] > pr["result_index"]).all()
    a = pr[pr["assigned"]]
    assert a["partner_id"].value_counts().max() <= 2 and a["school_id"].is_unique
    cz = cl.centroids_z[cl.centroids_z["year"] == 2025].sort_values("cluster")
    nb = neighbour_clusters(cz[cl.features].to_numpy(), cz["cluster"].tolist(), 1)
    assert all(pc in nb[sc] for sc, pc in zip(pr["school_cluster"], pr["partner_cluster"]))
    assert all(" км" in s for s in pr["reasons"])
    assert a["distance_km"].median() < 150


def test_partners_sheet_assigned_or_best_candidate():
    from workbench.partners import partners_sheet

    pr = pd.DataFrame({
        "school_id": ["A", "A", "B", "B"], "partner_id": ["R1", "R2", "R1", "R3"],
        "rank": [1, 2, 2, 1], "assigned": [False, True, False, False],
        "distance_km": [5.0, 12.5, 7.0, 3.0], "score": [0.9, 0.8, 0.7, 0.75],
        "reasons": ["r-A1", "r-A2", "r-B1", "r-B3"]})
    sch = pd.DataFrame({"school_id": ["A", "B", "R1", "R2", "R3"],
                        "school_name": ["Школа А", "Школа Б", "Р1", "Р2", "Р3"],
                        "municipality": ["М1", "М1", "М1", "М2", "М1"]})
    out = partners_sheet(pr, sch).set_index("Код ОО")
    assert out.loc["A", "Код школы-партнёра"] == "R2"           # the assigned one, not rank 1
    assert out.loc["A", "Муниципалитет партнёра"] == "М2"
    assert out.loc["A", "Расстояние, км"] == 12.5 and out.loc["A", "Обоснование"] == "r-A2"
    assert out.loc["B", "Код школы-партнёра"] == "" and np.isnan(out.loc["B", "Расстояние, км"])
    assert out.loc["B", "Обоснование"] == ("партнёр не назначен (ресурсные школы заняты); "
                                           "лучший кандидат: r-B3")  # best rank among candidates
