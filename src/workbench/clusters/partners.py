"""Resource (partner) schools for low-results schools (design §4 «Partners»): agreed pairs,
candidates and scores.

For the pairing year (the latest year of `identification` unless `PartnersParams.year` is set):

- agreed pairs (`agreements.py`: the `agreements` table and `programme.partner_school_id`) are
  kept as they are (basis «agreed»), each checked against the criteria below: an agreed partner
  that fails them is flagged (`meets_criteria` false) with the Russian reason and its numbers;
- the optimiser proposes partners (basis «proposed») only to low-results schools without an
  agreed pair; an agreed pair uses one slot of its partner's `capacity`;
- candidate resource schools follow the seeds' meaning (`resource.py`): high results, not flagged
  for objectivity in the last two years, not listed or watch-listed in the last three;
- a candidate must have a higher result index than the school (by more than `min_gap`) and lie
  in the same cluster or one of the `n_neighbour_clusters` nearest clusters (centroid distance),
  and within `max_distance_km` where both schools have coordinates. The default, 150 km, is a
  day's return trip by road (about two hours each way): in the demo region (≈ 400 × 300 km) it
  leaves a candidate to nearly every school, and in real regions it spans a municipal district
  and its neighbours (most districts of European Russia are 40–100 km across), while the pairs
  of 400–500 km the issue found (Krasnoyarsk- or Yakutia-sized regions) are cut; a school with no
  candidate within it gets a Russian note with the distance of the nearest one;
- score = w_context·exp(−d_ctx/context_scale) + w_gap·min(gap/gap_scale, 1)
  + w_distance·exp(−km/distance_scale_km) + w_municipality·[same municipality]
  + w_same_cluster·[same cluster], where d_ctx is the RMS distance between the two schools'
  standardised context features and km the haversine distance (0 contribution when coordinates
  are missing); the default weights make the preference lexicographic: the same cluster first
  (w_same_cluster above all the others together), then the same municipality (w_municipality
  above context, gap and distance together), then distance, context and the gap;
- the `n_candidates` best candidates are kept, ranked; `assigned` marks the optimal assignment
  (`assignment`: each resource school takes at most `capacity` schools). An assigned pair ranked
  below `n_candidates` is kept in the table too. Each pair gets its Russian reasons.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.clusters.agreements import agreed_pairs, agreed_table
from workbench.clusters.assignment import assign_with_pools
from workbench.clusters.geo import haversine_km
from workbench.clusters.resource import resource_status
from workbench.clusters.result import ClusterResult
from workbench.config.clusters import PartnersParams
from workbench.core.formatting import fmt_num, year_label

PARTNERS_COLUMNS = ["school_id", "year", "partner_id", "rank", "score", "assigned", "basis",
                    "agreement", "meets_criteria", "criteria_note", "distance_km",
                    "same_municipality", "reasons", "school_cluster", "partner_cluster", "result_index",
                    "partner_result_index", "partner_category"]
_CANDIDATE_FIELDS = ("low", "res", "score", "rank", "km", "same_mun", "same_cl", "d_ctx")


@dataclass
class PartnersResult:
    partners: pd.DataFrame
    n_low: int = 0
    n_with_candidates: int = 0
    n_assigned: int = 0
    notes: list[str] = field(default_factory=list)
    unmatched: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["school_id", "note"]))


@dataclass
class _Side:
    """The arrays of one side of the pairing (low-results schools or resource schools)."""

    z: np.ndarray
    r: np.ndarray
    cl: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    id: np.ndarray
    idc: np.ndarray | None = None  # integer codes of school_id (shared by both sides)
    mun: np.ndarray | None = None  # integer codes of municipality (−1 = missing; shared by both sides)


def neighbour_clusters(centroids: np.ndarray, labels: list[int], n_neighbours: int) -> dict[int, set[int]]:
    """Each cluster with its n nearest clusters by centroid distance (allowed partner clusters)."""
    C = np.asarray(centroids, dtype=float)
    d = np.sqrt(((C[:, None, :] - C[None, :, :]) ** 2).sum(axis=2))
    out: dict[int, set[int]] = {}
    for i, c in enumerate(labels):
        order = [j for j in np.argsort(d[i], kind="stable") if j != i][:n_neighbours]
        out[int(c)] = {int(c)} | {int(labels[j]) for j in order}
    return out


def _as_bool(s: pd.Series) -> np.ndarray:
    return s.fillna(False).astype(bool).to_numpy() if s.dtype == bool or s.dtype == object or \
        str(s.dtype) == "boolean" else s.fillna(0).astype(float).to_numpy() > 0


def find_partners(identification: pd.DataFrame, clusters: ClusterResult, schools: pd.DataFrame,
                  p: PartnersParams, agreements: pd.DataFrame | None = None,
                  programme: pd.DataFrame | None = None) -> PartnersResult:
    """Agreed pairs checked, then candidates, scores, ranks, optimal assignment and Russian
    reasons for the schools without one (see module docstring)."""
    empty = pd.DataFrame(columns=PARTNERS_COLUMNS)
    if identification is None or len(identification) == 0:
        return PartnersResult(empty, notes=["Партнёры: нет результатов идентификации."])
    year, d = _school_frame(identification, clusters, schools, p.year)
    status = resource_status(identification, year, p,
                             d.set_index("school_id")["similar_schools_percentile"])
    agreed = agreed_pairs(agreements, programme, year, p)
    agreed_rows = agreed_table(agreed.pairs, d, status, identification, schools, clusters, year, p)
    low, res, n_low_all = _low_and_resource(d, p, status)
    low = low[~low["school_id"].isin(set(agreed.pairs["school_id"]))].reset_index(drop=True)
    notes = list(agreed.notes)
    if n_low_all == 0:  # no pairs to propose: why (agreed pairs are still kept and checked)
        notes.append(_no_low_note(identification, d, year, p))
        if not len(agreed_rows):
            return PartnersResult(empty, notes=notes)
    res = res.sort_values("school_id", kind="mergesort").reset_index(drop=True)  # position = id order
    far: dict[str, float] = {}
    cand = _candidates(low, res, clusters, year, p, far) if len(low) else None
    if cand is None:
        proposed = empty
    else:
        used = agreed.pairs["partner_id"].value_counts()
        capacity = {pid: p.capacity - int(used.get(pid, 0)) for pid in res["school_id"]}
        cand["assigned"] = assign_with_pools(cand, capacity, max(p.n_candidates, p.assignment_pool),
                                             max(p.assignment_pool_max, p.assignment_pool),
                                             p.max_dense_cells)
        proposed = _finish(cand, res, clusters, year, p.n_candidates)
    out = pd.concat([x for x in (agreed_rows, proposed) if len(x)], ignore_index=True) \
        if len(agreed_rows) or len(proposed) else empty
    unmatched = _unmatched(low, proposed, far, p)
    return _summarise(out[PARTNERS_COLUMNS], n_low_all, p.capacity, notes, unmatched, p)


def _unmatched(low: pd.DataFrame, proposed: pd.DataFrame, far: dict[str, float],
               p: PartnersParams) -> pd.DataFrame:
    """Low-results schools without an agreed pair and without any candidate, with the Russian
    note why (the nearest resource school beyond `max_distance_km`, or none in the clusters)."""
    have = set(proposed["school_id"]) if len(proposed) else set()
    rows = []
    for sid in low["school_id"]:
        if sid in have:
            continue
        if sid in far:
            note = (f"партнёр не найден: ближайшая подходящая ресурсная школа — в "
                    f"{fmt_num(far[sid], 0)} км, дальше предела {fmt_num(p.max_distance_km, 0)} км "
                    f"(partners.max_distance_km)")
        else:
            note = "партнёр не найден: нет подходящей ресурсной школы в том же или соседнем кластере"
        rows.append((sid, note))
    return pd.DataFrame(rows, columns=["school_id", "note"])


def _no_low_note(identification: pd.DataFrame, d: pd.DataFrame, year: int,
                 p: PartnersParams) -> str:
    """Why no pairs: no low-results school that year, or (true of the listed ones) none of them
    has a context cluster of that year."""
    iy = identification[pd.to_numeric(identification["year"]) == year]
    n_listed = int(_as_bool(iy[p.low_column]).sum()) if p.low_column in iy.columns else 0
    if n_listed and not len(d):
        return (f"Партнёры: для {n_listed} школ с низкими результатами {year_label(year)} учебного "
                f"года нет кластеров этого года (нет данных о контексте за этот год) — пары не "
                f"подобраны.")
    if n_listed:
        return (f"Партнёры: ни одна из {n_listed} школ с низкими результатами {year_label(year)} "
                f"учебного года не попала в кластеры этого года — пары не подобраны.")
    return f"Партнёры: в {year_label(year)} учебном году нет школ с низкими результатами."


def _school_frame(identification: pd.DataFrame, clusters: ClusterResult, schools: pd.DataFrame,
                  year: int | None) -> tuple[int, pd.DataFrame]:
    """The pairing year and its schools: identification, cluster, standardised features, place."""
    ident = identification.copy()
    ident["school_id"] = ident["school_id"].astype(str)
    ident["year"] = pd.to_numeric(ident["year"]).astype(int)
    year = int(ident["year"].max()) if year is None else int(year)
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
    return year, d


def _low_and_resource(d: pd.DataFrame, p: PartnersParams, status: pd.DataFrame
                      ) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """(low-results schools with an index, eligible resource schools (`resource.py`), number of
    low-results schools)."""
    d["_r"] = pd.to_numeric(d[p.index_column], errors="coerce").astype(float)
    low_mask = _as_bool(d[p.low_column]) if p.low_column in d.columns else np.zeros(len(d), dtype=bool)
    cat = d["category"].astype(str) if "category" in d.columns else pd.Series([""] * len(d))
    excluded = cat.isin(["low_results", "low_results_adverse", "insufficient_data"]).to_numpy() | low_mask
    ok = dict(zip(status["school_id"], status["resource"]))
    res_mask = np.array([bool(ok.get(x, False)) for x in d["school_id"]], dtype=bool)
    res_mask = res_mask & ~excluded & d["_r"].notna().to_numpy()
    low = d[low_mask & d["_r"].notna().to_numpy()].reset_index(drop=True)
    res = d[res_mask].reset_index(drop=True)
    return low, res, int(low_mask.sum())


def _sides(low: pd.DataFrame, res: pd.DataFrame, feats: list[str]) -> tuple[_Side, _Side]:
    """(low side, resource side) arrays, with shared integer codes of ids and municipalities:
    comparing strings in the scoring loop is the slow part at national scale."""
    def side(f: pd.DataFrame) -> _Side:
        return _Side(z=f[feats].to_numpy(dtype=float), r=f["_r"].to_numpy(),
                     cl=f["cluster"].astype(int).to_numpy(),
                     lat=pd.to_numeric(f["latitude"], errors="coerce").to_numpy(dtype=float),
                     lon=pd.to_numeric(f["longitude"], errors="coerce").to_numpy(dtype=float),
                     id=f["school_id"].to_numpy())

    R, L = side(res), side(low)
    id_codes, _ = pd.factorize(pd.concat([res["school_id"], low["school_id"]], ignore_index=True))
    R.idc, L.idc = id_codes[:len(res)], id_codes[len(res):]
    mun_codes, _ = pd.factorize(pd.concat([res["municipality"], low["municipality"]], ignore_index=True),
                                use_na_sentinel=True)
    R.mun, L.mun = mun_codes[:len(res)], mun_codes[len(res):]
    return L, R


def _candidates(low: pd.DataFrame, res: pd.DataFrame, clusters: ClusterResult, year: int,
                p: PartnersParams, far: dict[str, float]) -> pd.DataFrame | None:
    """Every low-results school's best `pool` candidates, scored and ranked (None: no candidate)."""
    feats = clusters.features
    cz = clusters.centroids_z[clusters.centroids_z["year"] == year].sort_values("cluster")
    allowed = neighbour_clusters(cz[feats].to_numpy(), cz["cluster"].astype(int).tolist(),
                                 p.n_neighbour_clusters) if len(cz) else {}
    L, R = _sides(low, res, feats)
    allowed_pos = {c: np.flatnonzero(np.isin(R.cl, sorted(allowed.get(c, {c}))))
                   for c in np.unique(L.cl).tolist()}
    cols = _score_candidates(L, R, allowed_pos, len(feats), p, far)
    if not cols["low"]:
        return None
    li = np.concatenate(cols["low"])
    rj = np.concatenate(cols["res"])
    return pd.DataFrame({
        "school_id": L.id[li], "partner_id": R.id[rj], "score": np.concatenate(cols["score"]),
        "rank": np.concatenate(cols["rank"]), "distance_km": np.round(np.concatenate(cols["km"]), 1),
        "same_municipality": np.concatenate(cols["same_mun"]),
        "same_cluster": np.concatenate(cols["same_cl"]),
        "school_cluster": L.cl[li], "partner_cluster": R.cl[rj], "result_index": L.r[li],
        "partner_result_index": R.r[rj], "d_ctx": np.concatenate(cols["d_ctx"]), "_res_pos": rj})


def _score_candidates(L: _Side, R: _Side, allowed_pos: dict[int, np.ndarray], n_feats: int,
                      p: PartnersParams, far: dict[str, float]) -> dict[str, list[np.ndarray]]:
    """The scoring loop over low-results schools: per school the allowed, stronger resource schools,
    their scores (module docstring) and the best `pool` of them in rank order (ties by id).
    `far` gets school_id → km of the nearest candidate for the schools whose candidates all lie
    beyond `max_distance_km`."""
    sqrt_p = np.sqrt(max(n_feats, 1))
    pool = max(p.n_candidates, p.assignment_pool, p.assignment_pool_max)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in _CANDIDATE_FIELDS}
    for i in range(len(L.id)):
        c = int(L.cl[i])
        j = allowed_pos[c]
        j = j[(R.r[j] > L.r[i] + p.min_gap) & (R.idc[j] != L.idc[i])]
        if len(j) == 0:
            continue
        km = haversine_km(L.lat[i], L.lon[i], R.lat[j], R.lon[j])
        if p.max_distance_km is not None:
            keep_j = ~(km > p.max_distance_km)
            if not keep_j.any():
                far[str(L.id[i])] = float(np.nanmin(km))
                continue
            j, km = j[keep_j], km[keep_j]
        d_ctx = np.sqrt(((R.z[j] - L.z[i]) ** 2).sum(axis=1)) / sqrt_p
        gap = R.r[j] - L.r[i]
        same_mun = (R.mun[j] == L.mun[i]) & (L.mun[i] >= 0)
        same_cl = R.cl[j] == c
        score = (p.w_context * np.exp(-d_ctx / p.context_scale)
                 + p.w_gap * np.minimum(gap / p.gap_scale, 1.0)
                 + p.w_distance * np.nan_to_num(np.exp(-km / p.distance_scale_km), nan=0.0)
                 + p.w_municipality * same_mun + p.w_same_cluster * same_cl)
        score = np.round(score, 6)
        order = _best(score, j, pool)
        for name, v in zip(_CANDIDATE_FIELDS, (np.full(len(order), i), j[order], score[order],
                                               np.arange(1, len(order) + 1), km[order], same_mun[order],
                                               same_cl[order], d_ctx[order])):
            cols[name].append(v)
    return cols


def _best(score: np.ndarray, j: np.ndarray, pool: int) -> np.ndarray:
    """Positions of the `pool` best scores, best first, ties by resource position (= id order)."""
    if len(j) > pool:
        top = np.argpartition(-score, pool - 1)[:pool]
        # keep ties at the cut deterministic: take all with score ≥ the pool-th best, then cut
        thr = score[top].min()
        top = np.flatnonzero(score >= thr)
    else:
        top = np.arange(len(j))
    return top[np.lexsort((j[top], -score[top]))][:pool]


def _finish(cand: pd.DataFrame, res: pd.DataFrame, clusters: ClusterResult, year: int,
            n_candidates: int) -> pd.DataFrame:
    """The `partners` table: ranked candidates (and assigned pairs beyond them), reasons, rounding."""
    names = dict(zip(clusters.profiles["cluster"], clusters.profiles["cluster_name"]))
    cand = cand[(cand["rank"] <= n_candidates) | cand["assigned"]].reset_index(drop=True)
    cand["year"] = year
    cand["basis"] = "proposed"
    cand["agreement"] = ""
    cand["meets_criteria"] = True
    cand["criteria_note"] = ""
    cand["partner_category"] = res["category"].astype(str).to_numpy()[cand["_res_pos"].to_numpy()] \
        if "category" in res.columns else ""
    cand["reasons"] = [_reasons(r, names, cand_pct) for r, cand_pct in
                       zip(cand.itertuples(index=False),
                           res["similar_schools_percentile"].to_numpy()[cand["_res_pos"].to_numpy()])]
    cand["score"] = cand["score"].round(3)
    cand["partner_result_index"] = cand["partner_result_index"].round(3)
    cand["result_index"] = cand["result_index"].round(3)
    return cand[PARTNERS_COLUMNS].sort_values(["school_id", "rank"], kind="mergesort").reset_index(drop=True)


def _summarise(out: pd.DataFrame, n_low_all: int, capacity: int, notes: list[str],
               unmatched: pd.DataFrame, p: PartnersParams) -> PartnersResult:
    """Counts and the Russian notes on agreed pairs, on schools left without candidates or
    without a partner."""
    notes = list(notes)
    agreed = out[out["basis"] == "agreed"]
    proposed = out[out["basis"] == "proposed"]
    if len(agreed):
        bad = agreed[~agreed["meets_criteria"].astype(bool)]
        notes.append(f"Партнёры: школ с действующим партнёрством — {agreed['school_id'].nunique()} "
                     f"(пар — {len(agreed)}), пары сохранены; партнёров, не соответствующих "
                     f"критериям ресурсной школы, — {len(bad)} (см. «Пары школ», столбец "
                     f"«Проверка критериев»).")
    n_far = int(unmatched["note"].str.contains("км", regex=False).sum()) if len(unmatched) else 0
    if n_far:
        notes.append(f"Партнёры: школ с низкими результатами, у которых нет подходящей ресурсной "
                     f"школы ближе {fmt_num(p.max_distance_km, 0)} км (partners.max_distance_km), — "
                     f"{n_far}; см. «Пары школ».")
    if len(unmatched) > n_far:
        notes.append(f"Партнёры: школ с низкими результатами, у которых нет подходящей ресурсной "
                     f"школы в том же или соседнем кластере, — {len(unmatched) - n_far}.")
    n_cand = proposed["school_id"].nunique()
    n_ass = int(proposed["assigned"].astype(bool).sum())
    if n_ass < n_cand:
        notes.append(f"Партнёры: {n_cand - n_ass} школ остались без назначенного партнёра: ресурсные "
                     f"школы уже взяли по {capacity} школы; кандидаты указаны в таблице.")
    return PartnersResult(out.reset_index(drop=True), n_low=n_low_all,
                          n_with_candidates=n_cand + agreed["school_id"].nunique(),
                          n_assigned=n_ass + agreed["school_id"].nunique(), notes=notes,
                          unmatched=unmatched)


def _reasons(r, names: dict, partner_pct: float) -> str:
    """Russian explanation of one pair."""
    parts = []
    if r.same_cluster:
        parts.append(f"похожие условия: кластер {r.partner_cluster} «{names.get(r.partner_cluster, '')}»")
    else:
        parts.append(f"близкие условия: соседний кластер {r.partner_cluster} "
                     f"«{names.get(r.partner_cluster, '')}» (школа — в кластере {r.school_cluster})")
    parts.append(f"индекс результатов {fmt_num(r.partner_result_index, 1, sign=True)} "
                 f"против {fmt_num(r.result_index, 1, sign=True)}")
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
