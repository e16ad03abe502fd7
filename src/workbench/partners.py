"""Resource (partner) schools for low-results schools (design §4 «Partners»).

For each school with low results in the current year (the latest year of `identification`
unless `PartnersParams.year` is set):

- candidate resource schools are those of category high_performing or resilient (`resource_categories`),
  or in the top `top_cluster_percentile` % of results among their cluster peers, never a school
  that itself has low results or insufficient data;
- a candidate must have a higher result index than the school (by more than `min_gap`) and lie
  in the same cluster or one of the `n_neighbour_clusters` nearest clusters (centroid distance);
- score = w_context·exp(−d_ctx/context_scale) + w_gap·min(gap/gap_scale, 1)
  + w_distance·exp(−km/distance_scale_km) + w_municipality·[same municipality]
  + w_same_cluster·[same cluster], where d_ctx is the RMS distance between the two schools'
  standardised context features and km the haversine distance (0 contribution when coordinates
  are missing);
- the `n_candidates` best candidates are kept, ranked; `assigned` marks the optimal assignment in
  which each resource school takes at most `capacity` schools: the maximum number of schools get a
  partner and, among such assignments, the total score is maximal. It is solved exactly with
  `scipy.optimize.linear_sum_assignment` over capacity slots (cost = −score, forbidden pairs get a
  prohibitive cost and are dropped), component by component of the candidate graph; a component
  too large for a dense matrix uses the sparse exact solver
  `scipy.sparse.csgraph.min_weight_full_bipartite_matching` with the same objective. Each school's
  `assignment_pool` best candidates take part (exact optimum over that pool); a school left without
  a partner gets its pool doubled (up to `assignment_pool_max`) and the problem is solved again. An assigned pair
  ranked below `n_candidates` is kept in the table too.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from pydantic import Field
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching

from workbench.canon import StrictModel

if TYPE_CHECKING:  # pragma: no cover
    from workbench.clusters import ClusterResult


class PartnersParams(StrictModel):
    """Settings of the partner search (params section `partners:`)."""

    year: int | None = Field(default=None, description="year of the pairing; None = latest year")
    low_column: str = Field(default="low_results", description="bool column of identification")
    index_column: str = Field(default="result_index", description="result index compared")
    resource_categories: list[str] = Field(default_factory=lambda: ["high_performing", "resilient"])
    top_cluster_percentile: float | None = Field(
        default=90.0, ge=0, le=100,
        description="also resource: similar_schools_percentile ≥ this; None = categories only")
    n_candidates: int = Field(default=3, ge=1, le=20)
    capacity: int = Field(default=2, ge=1, le=20)
    n_neighbour_clusters: int = Field(default=1, ge=0, description="nearest clusters also allowed")
    min_gap: float = Field(default=0.0, ge=0, description="partner index must exceed by more than this")
    max_distance_km: float | None = Field(default=None, gt=0, description="hard limit; None = none")
    assignment_pool: int = Field(default=20, ge=1, description="best candidates per school in the assignment")
    assignment_pool_max: int = Field(
        default=160, ge=1, description="a school left without a partner gets its pool doubled up to this")
    max_dense_cells: int = Field(default=4_000_000, ge=1, description="dense cost matrix limit per component")
    w_context: float = Field(default=1.0, ge=0)
    w_gap: float = Field(default=0.5, ge=0)
    w_distance: float = Field(default=0.5, ge=0)
    w_municipality: float = Field(default=0.3, ge=0)
    w_same_cluster: float = Field(default=0.2, ge=0)
    context_scale: float = Field(default=0.5, gt=0, description="RMS z-distance scale of similarity")
    gap_scale: float = Field(default=1.0, gt=0, description="index gap giving the full gap score")
    distance_scale_km: float = Field(default=50.0, gt=0)


PARTNERS_COLUMNS = ["school_id", "year", "partner_id", "rank", "score", "assigned", "distance_km",
                    "same_municipality", "reasons", "school_cluster", "partner_cluster", "result_index",
                    "partner_result_index", "partner_category"]


@dataclass
class PartnersResult:
    partners: pd.DataFrame
    n_low: int = 0
    n_with_candidates: int = 0
    n_assigned: int = 0
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------- helpers
def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km (arrays broadcast); NaN where a coordinate is missing."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def neighbour_clusters(centroids: np.ndarray, labels: list[int], n_neighbours: int) -> dict[int, set[int]]:
    """Each cluster with its n nearest clusters by centroid distance (allowed partner clusters)."""
    C = np.asarray(centroids, dtype=float)
    d = np.sqrt(((C[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))
    out: dict[int, set[int]] = {}
    for i, c in enumerate(labels):
        order = [j for j in np.argsort(d[i], kind="stable") if j != i][:n_neighbours]
        out[int(c)] = {int(c)} | {int(labels[j]) for j in order}
    return out


def fmt_num(x: float, digits: int = 1, sign: bool = False) -> str:
    """Russian number: decimal comma, typographic minus, optional plus sign."""
    s = f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"
    return s.replace(".", ",").replace("-", "−")


# ---------------------------------------------------------------------------- assignment
def optimal_assignment(pairs: pd.DataFrame, capacity: int, max_dense_cells: int = 4_000_000) -> np.ndarray:
    """Exact capacity-constrained assignment over candidate pairs.

    `pairs`: columns school_id, partner_id, score (one row per allowed pair). Returns a bool
    array aligned with `pairs`: the pairs chosen so that every school has at most one partner,
    every partner at most `capacity` schools, the number of paired schools is maximal and, among
    those, the total score is maximal.
    """
    n = len(pairs)
    chosen = np.zeros(n, dtype=bool)
    if n == 0:
        return chosen
    s_codes, s_uni = pd.factorize(pairs["school_id"].astype(str), sort=True)
    p_codes, p_uni = pd.factorize(pairs["partner_id"].astype(str), sort=True)
    score = pairs["score"].to_numpy(dtype=float)
    S, P = len(s_uni), len(p_uni)
    graph = coo_matrix((np.ones(n), (s_codes, S + p_codes)), shape=(S + P, S + P))
    _, comp = connected_components(graph, directed=False)
    pair_comp = comp[s_codes]
    order = np.argsort(pair_comp, kind="stable")
    bounds = np.flatnonzero(np.diff(pair_comp[order])) + 1
    smax = float(np.abs(score).max()) + 1.0
    for idx in np.split(order, bounds):
        sc, sc_uni = pd.factorize(s_codes[idx], sort=True)
        pc, pc_uni = pd.factorize(p_codes[idx], sort=True)
        R, Pn = len(sc_uni), len(pc_uni)
        cols = Pn * capacity
        big = smax * (R + 1) * 2 + 1.0
        if R * cols <= max_dense_cells:
            cost = np.full((R, cols), big)
            for slot in range(capacity):
                cost[sc, pc * capacity + slot] = -score[idx]
            r, c = linear_sum_assignment(cost)
            ok = cost[r, c] < big
            lookup = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(sc, pc))}
            for a, b in zip(r[ok], c[ok] // capacity):
                chosen[idx[lookup[(int(a), int(b))]]] = True
        else:
            # sparse exact solver; every school has a private dummy column (cost `big`) so that a
            # full matching of the schools always exists; real pairs cost smax − score > 0
            rows = np.concatenate([np.repeat(sc, capacity), np.arange(R)])
            colz = np.concatenate([(pc[:, None] * capacity + np.arange(capacity)[None, :]).ravel(),
                                   cols + np.arange(R)])
            vals = np.concatenate([np.repeat(smax - score[idx], capacity), np.full(R, big)])
            m = csr_matrix((vals, (rows, colz)), shape=(R, cols + R))
            r_ind, c_ind = min_weight_full_bipartite_matching(m)
            lookup = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(sc, pc))}
            for a, cidx in zip(r_ind, c_ind):
                if cidx < cols:
                    chosen[idx[lookup[(int(a), int(cidx) // capacity)]]] = True
    return chosen


def assign_with_pools(cand: pd.DataFrame, capacity: int, pool: int, pool_max: int,
                      max_dense_cells: int = 4_000_000) -> np.ndarray:
    """Optimal assignment over each school's `pool` best candidates (column `rank`); the pool of a
    school left without a partner that has more candidates is doubled (up to `pool_max`) and the
    problem solved again, until no such school remains. Returns a bool array aligned with `cand`."""
    codes, uni = pd.factorize(cand["school_id"], sort=True)
    n_cand = np.bincount(codes, minlength=len(uni))
    limit = np.full(len(uni), pool)
    rank = cand["rank"].to_numpy()
    while True:
        sel = np.flatnonzero(rank <= limit[codes])
        chosen_sub = optimal_assignment(cand.iloc[sel][["school_id", "partner_id", "score"]], capacity,
                                        max_dense_cells)
        chosen = np.zeros(len(cand), dtype=bool)
        chosen[sel[chosen_sub]] = True
        has = np.bincount(codes[chosen], minlength=len(uni)) > 0
        grow = ~has & (n_cand > limit) & (limit < pool_max)
        if not grow.any():
            return chosen
        limit[grow] = np.minimum(limit[grow] * 2, pool_max)


# ---------------------------------------------------------------------------- candidates
def _as_bool(s: pd.Series) -> np.ndarray:
    return s.fillna(False).astype(bool).to_numpy() if s.dtype == bool or s.dtype == object or \
        str(s.dtype) == "boolean" else s.fillna(0).astype(float).to_numpy() > 0


def find_partners(identification: pd.DataFrame, clusters: "ClusterResult", schools: pd.DataFrame,
                  p: PartnersParams) -> PartnersResult:
    """Candidates, scores, ranks, optimal assignment and Russian reasons (see module docstring)."""
    notes: list[str] = []
    empty = pd.DataFrame(columns=PARTNERS_COLUMNS)
    if identification is None or len(identification) == 0:
        return PartnersResult(empty, notes=["Партнёры: нет результатов идентификации."])
    ident = identification.copy()
    ident["school_id"] = ident["school_id"].astype(str)
    ident["year"] = pd.to_numeric(ident["year"]).astype(int)
    year = int(ident["year"].max()) if p.year is None else int(p.year)
    iy = ident[ident["year"] == year]
    feats = clusters.features
    xz = clusters.X_z[clusters.X_z["year"] == year]
    cl = clusters.clusters[clusters.clusters["year"] == year][["school_id", "cluster", "cluster_name",
                                                              "similar_schools_percentile"]]
    d = iy.merge(cl, on="school_id", how="inner").merge(xz[["school_id"] + feats], on="school_id", how="inner")
    sch = schools.copy()
    sch["school_id"] = sch["school_id"].astype(str)
    keep = ["school_id"] + [c for c in ("municipality", "latitude", "longitude") if c in sch.columns]
    d = d.merge(sch[keep], on="school_id", how="left")
    for c in ("municipality", "latitude", "longitude"):
        if c not in d.columns:
            d[c] = np.nan
    idx_col = p.index_column
    d["_r"] = pd.to_numeric(d[idx_col], errors="coerce").astype(float)
    low_mask = _as_bool(d[p.low_column]) if p.low_column in d.columns else np.zeros(len(d), dtype=bool)
    cat = d["category"].astype(str) if "category" in d.columns else pd.Series([""] * len(d))
    excluded = cat.isin(["low_results", "low_results_adverse", "insufficient_data"]).to_numpy() | low_mask
    res_mask = np.array(cat.isin(p.resource_categories).to_numpy(), dtype=bool)
    if p.top_cluster_percentile is not None:
        res_mask = res_mask | np.array((pd.to_numeric(d["similar_schools_percentile"], errors="coerce")
                                        >= p.top_cluster_percentile).fillna(False), dtype=bool)
    res_mask = res_mask & ~excluded & d["_r"].notna().to_numpy()
    low = d[low_mask & d["_r"].notna().to_numpy()].reset_index(drop=True)
    res = d[res_mask].reset_index(drop=True)
    n_low_all = int(low_mask.sum())
    if n_low_all == 0:
        return PartnersResult(empty, notes=[f"Партнёры: в {year} г. нет школ с низкими результатами."])

    cz = clusters.centroids_z[clusters.centroids_z["year"] == year].sort_values("cluster")
    allowed = neighbour_clusters(cz[feats].to_numpy(), cz["cluster"].astype(int).tolist(),
                                 p.n_neighbour_clusters) if len(cz) else {}
    names = dict(zip(clusters.profiles["cluster"], clusters.profiles["cluster_name"]))

    res = res.sort_values("school_id", kind="mergesort").reset_index(drop=True)  # position = id order
    R_z = res[feats].to_numpy(dtype=float)
    R_r = res["_r"].to_numpy()
    R_cl = res["cluster"].astype(int).to_numpy()
    R_lat = pd.to_numeric(res["latitude"], errors="coerce").to_numpy(dtype=float)
    R_lon = pd.to_numeric(res["longitude"], errors="coerce").to_numpy(dtype=float)
    R_id = res["school_id"].to_numpy()
    L_z = low[feats].to_numpy(dtype=float)
    L_r = low["_r"].to_numpy()
    L_cl = low["cluster"].astype(int).to_numpy()
    L_lat = pd.to_numeric(low["latitude"], errors="coerce").to_numpy(dtype=float)
    L_lon = pd.to_numeric(low["longitude"], errors="coerce").to_numpy(dtype=float)
    L_id = low["school_id"].to_numpy()
    # integer codes: comparing strings in the loop is the slow part at national scale
    id_codes, _ = pd.factorize(pd.concat([res["school_id"], low["school_id"]], ignore_index=True))
    R_idc, L_idc = id_codes[:len(res)], id_codes[len(res):]
    mun_codes, _ = pd.factorize(pd.concat([res["municipality"], low["municipality"]], ignore_index=True),
                                use_na_sentinel=True)
    R_mun, L_mun = mun_codes[:len(res)], mun_codes[len(res):]
    allowed_pos = {c: np.flatnonzero(np.isin(R_cl, sorted(allowed.get(c, {c}))))
                   for c in np.unique(L_cl).tolist()}
    sqrt_p = np.sqrt(max(len(feats), 1))
    pool = max(p.n_candidates, p.assignment_pool, p.assignment_pool_max)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in (
        "low", "res", "score", "rank", "km", "same_mun", "same_cl", "d_ctx")}
    for i in range(len(low)):
        c = int(L_cl[i])
        j = allowed_pos[c]
        j = j[(R_r[j] > L_r[i] + p.min_gap) & (R_idc[j] != L_idc[i])]
        if len(j) == 0:
            continue
        km = haversine_km(L_lat[i], L_lon[i], R_lat[j], R_lon[j])
        if p.max_distance_km is not None:
            keep_j = ~(km > p.max_distance_km)
            j, km = j[keep_j], km[keep_j]
            if len(j) == 0:
                continue
        d_ctx = np.sqrt(((R_z[j] - L_z[i]) ** 2).sum(axis=1)) / sqrt_p
        gap = R_r[j] - L_r[i]
        same_mun = (R_mun[j] == L_mun[i]) & (L_mun[i] >= 0)
        same_cl = R_cl[j] == c
        score = (p.w_context * np.exp(-d_ctx / p.context_scale)
                 + p.w_gap * np.minimum(gap / p.gap_scale, 1.0)
                 + p.w_distance * np.nan_to_num(np.exp(-km / p.distance_scale_km), nan=0.0)
                 + p.w_municipality * same_mun + p.w_same_cluster * same_cl)
        score = np.round(score, 6)
        if len(j) > pool:
            top = np.argpartition(-score, pool - 1)[:pool]
            # keep ties at the cut deterministic: take all with score ≥ the pool-th best, then cut
            thr = score[top].min()
            top = np.flatnonzero(score >= thr)
        else:
            top = np.arange(len(j))
        order = top[np.lexsort((j[top], -score[top]))][:pool]
        n_o = len(order)
        cols["low"].append(np.full(n_o, i))
        cols["res"].append(j[order])
        cols["score"].append(score[order])
        cols["rank"].append(np.arange(1, n_o + 1))
        cols["km"].append(km[order])
        cols["same_mun"].append(same_mun[order])
        cols["same_cl"].append(same_cl[order])
        cols["d_ctx"].append(d_ctx[order])
    if not cols["low"]:
        notes.append(f"Партнёры: ни для одной из {n_low_all} школ с низкими результатами не нашлось "
                     "ресурсной школы в том же или соседнем кластере.")
        return PartnersResult(empty, n_low=n_low_all, notes=notes)
    li = np.concatenate(cols["low"])
    rj = np.concatenate(cols["res"])
    cand = pd.DataFrame({
        "school_id": L_id[li], "partner_id": R_id[rj], "score": np.concatenate(cols["score"]),
        "rank": np.concatenate(cols["rank"]), "distance_km": np.round(np.concatenate(cols["km"]), 1),
        "same_municipality": np.concatenate(cols["same_mun"]),
        "same_cluster": np.concatenate(cols["same_cl"]),
        "school_cluster": L_cl[li], "partner_cluster": R_cl[rj], "result_index": L_r[li],
        "partner_result_index": R_r[rj], "d_ctx": np.concatenate(cols["d_ctx"]), "_res_pos": rj})
    cand["assigned"] = assign_with_pools(cand, p.capacity, max(p.n_candidates, p.assignment_pool),
                                         max(p.assignment_pool_max, p.assignment_pool), p.max_dense_cells)
    cand = cand[(cand["rank"] <= p.n_candidates) | cand["assigned"]].reset_index(drop=True)
    cand["year"] = year
    cand["partner_category"] = res["category"].astype(str).to_numpy()[cand["_res_pos"].to_numpy()] \
        if "category" in res.columns else ""
    cand["reasons"] = [_reasons(r, names, cand_pct) for r, cand_pct in
                       zip(cand.itertuples(index=False),
                           res["similar_schools_percentile"].to_numpy()[cand["_res_pos"].to_numpy()])]
    cand["score"] = cand["score"].round(3)
    cand["partner_result_index"] = cand["partner_result_index"].round(3)
    cand["result_index"] = cand["result_index"].round(3)
    out = cand[PARTNERS_COLUMNS].sort_values(["school_id", "rank"], kind="mergesort").reset_index(drop=True)
    n_cand = out["school_id"].nunique()
    n_ass = int(out["assigned"].sum())
    if n_cand < n_low_all:
        notes.append(f"Партнёры: для {n_low_all - n_cand} из {n_low_all} школ с низкими результатами "
                     "нет подходящей ресурсной школы в том же или соседнем кластере.")
    if n_ass < n_cand:
        notes.append(f"Партнёры: {n_cand - n_ass} школ остались без назначенного партнёра: ресурсные "
                     f"школы уже взяли по {p.capacity} школы; кандидаты указаны в таблице.")
    return PartnersResult(out, n_low=n_low_all, n_with_candidates=n_cand, n_assigned=n_ass, notes=notes)


def _reasons(r, names: dict, partner_pct: float) -> str:
    """Russian explanation of one pair."""
    parts = []
    if r.same_cluster:
        parts.append(f"похожие условия: кластер {r.partner_cluster} «{names.get(r.partner_cluster, '')}»")
    else:
        parts.append(f"близкие условия: соседний кластер {r.partner_cluster} "
                     f"«{names.get(r.partner_cluster, '')}» (школа — в кластере {r.school_cluster})")
    parts.append(f"индекс результатов {fmt_num(r.partner_result_index, sign=True)} "
                 f"против {fmt_num(r.result_index, sign=True)}")
    if r.partner_category == "resilient":
        parts.append("резильентная школа")
    elif r.partner_category == "high_performing":
        parts.append("высокие результаты")
    elif partner_pct == partner_pct:
        parts.append(f"лучше {fmt_num(partner_pct, 0)}% похожих школ")
    if r.distance_km == r.distance_km:
        parts.append(f"{fmt_num(r.distance_km, 0)} км")
    if r.same_municipality:
        parts.append("тот же муниципалитет")
    return "; ".join(parts)


# ---------------------------------------------------------------------------- outputs for people
def partners_sheet(partners: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """The pairs sheet of lists.xlsx (Russian headers): one row per low-results school with
    candidates — its assigned partner, or «не назначен» with the best candidate."""
    cols = ["Муниципалитет", "Код ОО", "Наименование ОО", "Код школы-партнёра",
            "Наименование школы-партнёра", "Муниципалитет партнёра", "Расстояние, км",
            "Оценка соответствия", "Обоснование"]
    if partners is None or len(partners) == 0:
        return pd.DataFrame(columns=cols)
    sch = schools.copy()
    sch["school_id"] = sch["school_id"].astype(str)
    name = dict(zip(sch["school_id"], sch["school_name"].astype(str))) if "school_name" in sch else {}
    mun = dict(zip(sch["school_id"], sch["municipality"].astype(str))) if "municipality" in sch else {}
    pr = partners.copy()
    pr["school_id"] = pr["school_id"].astype(str)
    pr["partner_id"] = pr["partner_id"].astype(str)
    pr["_assigned"] = pr["assigned"].astype(bool)
    # per school: its assigned partner (the best ranked if several), else its best candidate
    first = pr.assign(_free=~pr["_assigned"]).sort_values(
        ["school_id", "_free", "rank"], kind="mergesort").drop_duplicates("school_id")
    got = first["_assigned"].to_numpy()
    pid = first["partner_id"].to_numpy(dtype=object)
    reasons = first["reasons"].astype(str).to_numpy(dtype=object)
    sid = first["school_id"].to_numpy(dtype=object)
    out = pd.DataFrame({
        "Муниципалитет": [mun.get(x, "") for x in sid], "Код ОО": sid,
        "Наименование ОО": [name.get(x, "") for x in sid],
        "Код школы-партнёра": np.where(got, pid, ""),
        "Наименование школы-партнёра": [name.get(q, "") if g else "" for q, g in zip(pid, got)],
        "Муниципалитет партнёра": [mun.get(q, "") if g else "" for q, g in zip(pid, got)],
        "Расстояние, км": np.where(got, first["distance_km"].to_numpy(dtype=float), np.nan),
        "Оценка соответствия": np.where(got, first["score"].to_numpy(dtype=float), np.nan),
        "Обоснование": np.where(got, reasons, "партнёр не назначен (ресурсные школы заняты); "
                                              "лучший кандидат: " + reasons.astype(str)),
    }, columns=cols)
    return out.sort_values(["Муниципалитет", "Код ОО"], kind="mergesort").reset_index(drop=True)


def pairs_by_municipality(partners: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """Per municipality: ШНОР with candidates, with an assigned partner, partner in the same
    municipality, median distance (Russian headers)."""
    cols = ["Муниципалитет", "ШНОР с кандидатами", "Назначен партнёр", "Партнёр в своём муниципалитете",
            "Медианное расстояние, км"]
    if partners is None or len(partners) == 0:
        return pd.DataFrame(columns=cols)
    sch = schools[["school_id", "municipality"]].copy()
    sch["school_id"] = sch["school_id"].astype(str)
    pr = partners.copy()
    pr["school_id"] = pr["school_id"].astype(str)
    pr = pr.merge(sch, on="school_id", how="left")
    g = pr.groupby("municipality", dropna=False)
    ass = pr[pr["assigned"].astype(bool)]
    ga = ass.groupby("municipality", dropna=False)
    out = pd.DataFrame({
        "ШНОР с кандидатами": g["school_id"].nunique(),
        "Назначен партнёр": ga["school_id"].nunique(),
        "Партнёр в своём муниципалитете": ga["same_municipality"].sum(),
        "Медианное расстояние, км": ga["distance_km"].median().round(1),
    }).fillna({"Назначен партнёр": 0, "Партнёр в своём муниципалитете": 0})
    out = out.reset_index().rename(columns={"municipality": "Муниципалитет"})
    out["Назначен партнёр"] = out["Назначен партнёр"].astype(int)
    out["Партнёр в своём муниципалитете"] = out["Партнёр в своём муниципалитете"].astype(int)
    return out[cols].sort_values("Муниципалитет", kind="mergesort").reset_index(drop=True)


def fig_pairs_by_municipality(partners: pd.DataFrame, schools: pd.DataFrame):
    """Stacked bars per municipality: partner in the same municipality / elsewhere / not assigned."""
    t = pairs_by_municipality(partners, schools)
    if len(t) == 0:
        return None
    import plotly.graph_objects as go

    same = t["Партнёр в своём муниципалитете"]
    other = t["Назначен партнёр"] - same
    none = t["ШНОР с кандидатами"] - t["Назначен партнёр"]
    fig = go.Figure([
        go.Bar(name="партнёр в своём муниципалитете", x=t["Муниципалитет"], y=same),
        go.Bar(name="партнёр в другом муниципалитете", x=t["Муниципалитет"], y=other),
        go.Bar(name="партнёр не назначен", x=t["Муниципалитет"], y=none),
    ])
    fig.update_layout(barmode="stack", title="Пары «ШНОР — ресурсная школа» по муниципалитетам",
                      yaxis_title="число ШНОР", height=440, xaxis_tickangle=-30)
    return fig


def fig_pairs_map(partners: pd.DataFrame, schools: pd.DataFrame):
    """Schematic map (longitude/latitude, no tiles: works offline): assigned pairs as lines."""
    if partners is None or len(partners) == 0 or not {"latitude", "longitude"} <= set(schools.columns):
        return None
    import plotly.graph_objects as go

    sch = schools.copy()
    sch["school_id"] = sch["school_id"].astype(str)
    sch = sch.set_index("school_id")
    a = partners[partners["assigned"].astype(bool)]
    lat = pd.to_numeric(sch["latitude"], errors="coerce")
    lon = pd.to_numeric(sch["longitude"], errors="coerce")
    if len(a) == 0 or lat.notna().sum() == 0:
        return None
    xs, ys = [], []
    for s, q in zip(a["school_id"].astype(str), a["partner_id"].astype(str)):
        if s in lat.index and q in lat.index and pd.notna(lat[s]) and pd.notna(lat[q]):
            xs += [lon[s], lon[q], None]
            ys += [lat[s], lat[q], None]
    low_ids = a["school_id"].astype(str).unique()
    res_ids = a["partner_id"].astype(str).unique()
    fig = go.Figure([
        go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="grey", width=1), name="пара"),
        go.Scatter(x=lon.reindex(low_ids), y=lat.reindex(low_ids), mode="markers", name="ШНОР",
                   text=low_ids, marker=dict(color="crimson", size=8)),
        go.Scatter(x=lon.reindex(res_ids), y=lat.reindex(res_ids), mode="markers", name="ресурсная школа",
                   text=res_ids, marker=dict(color="seagreen", size=9, symbol="diamond")),
    ])
    fig.update_layout(title="Назначенные пары на схеме региона", xaxis_title="долгота", yaxis_title="широта",
                      height=520, yaxis=dict(scaleanchor="x", scaleratio=1.6))
    return fig


def school_partner_text(partners: pd.DataFrame, school_id: str) -> str | None:
    """One Russian line for a school passport: its assigned partner and why (None when none)."""
    if partners is None or len(partners) == 0:
        return None
    a = partners[(partners["school_id"].astype(str) == str(school_id)) & partners["assigned"].astype(bool)]
    if len(a) == 0:
        return None
    r = a.iloc[0]
    return f"Школа-партнёр {r['partner_id']}: {r['reasons']}"


__all__ = ["PartnersParams", "PARTNERS_COLUMNS", "find_partners", "optimal_assignment", "partners_sheet",
           "pairs_by_municipality", "fig_pairs_by_municipality", "fig_pairs_map", "haversine_km",
           "neighbour_clusters", "assign_with_pools", "school_partner_text"]
