"""The optimal assignment of resource schools to low-results schools.

Each resource school takes at most `capacity` schools (one number, or one per partner: an
agreed pair already uses a slot of its partner; a curator has a capacity of their own): the maximum number of schools get a
partner and, among such assignments, the total score is maximal. It is solved exactly with
`scipy.optimize.linear_sum_assignment` over capacity slots (cost = −score, forbidden pairs get a
prohibitive cost and are dropped), component by component of the candidate graph; a component
too large for a dense matrix uses the sparse exact solver
`scipy.sparse.csgraph.min_weight_full_bipartite_matching` with the same objective. Each school's
`assignment_pool` best candidates take part (exact optimum over that pool); a school left without
a partner gets its pool doubled (up to `assignment_pool_max`) and the problem is solved again.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, min_weight_full_bipartite_matching


def optimal_assignment(pairs: pd.DataFrame, capacity: int | dict[str, int],
                       max_dense_cells: int = 4_000_000) -> np.ndarray:
    """Exact capacity-constrained assignment over candidate pairs.

    `pairs`: columns school_id, partner_id, score (one row per allowed pair). `capacity`: the
    same for every partner, or partner_id → its own capacity (a missing partner: 0). Returns a
    bool array aligned with `pairs`: the pairs chosen so that every school has at most one
    partner, every partner at most its capacity, the number of paired schools is maximal and,
    among those, the total score is maximal.
    """
    n = len(pairs)
    chosen = np.zeros(n, dtype=bool)
    if n == 0:
        return chosen
    s_codes, s_uni = pd.factorize(pairs["school_id"].astype(str), sort=True)
    p_codes, p_uni = pd.factorize(pairs["partner_id"].astype(str), sort=True)
    cap_all = (np.full(len(p_uni), int(capacity)) if not isinstance(capacity, dict) else
               np.array([max(int(capacity.get(x, 0)), 0) for x in p_uni], dtype=int))
    score = pairs["score"].to_numpy(dtype=float)
    S, P = len(s_uni), len(p_uni)
    graph = coo_matrix((np.ones(n), (s_codes, S + p_codes)), shape=(S + P, S + P))
    _, comp = connected_components(graph, directed=False)
    pair_comp = comp[s_codes]
    order = np.argsort(pair_comp, kind="stable")
    order = order[cap_all[p_codes[order]] > 0]  # a partner without capacity takes nobody
    if len(order) == 0:
        return chosen
    bounds = np.flatnonzero(np.diff(pair_comp[order])) + 1
    smax = float(np.abs(score).max()) + 1.0
    for idx in np.split(order, bounds):
        sc, sc_uni = pd.factorize(s_codes[idx], sort=True)
        pc, pc_uni = pd.factorize(p_codes[idx], sort=True)
        cap = cap_all[pc_uni]
        solve = _solve_dense if len(sc_uni) * int(cap.sum()) <= max_dense_cells else _solve_sparse
        for k in solve(sc, pc, score[idx], len(sc_uni), cap, smax):
            chosen[idx[k]] = True
    return chosen


def _slots(cap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first slot column of each partner, partner of each slot column)."""
    offset = np.concatenate([[0], np.cumsum(cap)[:-1]]).astype(int)
    return offset, np.repeat(np.arange(len(cap)), cap)


def _solve_dense(sc: np.ndarray, pc: np.ndarray, score: np.ndarray, R: int, cap: np.ndarray,
                 smax: float) -> list[int]:
    """Positions (in sc/pc) of the chosen pairs of one component: dense Hungarian over slots."""
    offset, owner = _slots(cap)
    big = smax * (R + 1) * 2 + 1.0
    cost = np.full((R, int(cap.sum())), big)
    for slot in range(int(cap.max())):
        m = slot < cap[pc]
        cost[sc[m], offset[pc[m]] + slot] = -score[m]
    r, c = linear_sum_assignment(cost)
    ok = cost[r, c] < big
    lookup = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(sc, pc))}
    return [lookup[(int(a), int(b))] for a, b in zip(r[ok], owner[c[ok]])]


def _solve_sparse(sc: np.ndarray, pc: np.ndarray, score: np.ndarray, R: int, cap: np.ndarray,
                  smax: float) -> list[int]:
    """The same optimum with the sparse exact solver; every school has a private dummy column
    (cost `big`) so that a full matching of the schools always exists; real pairs cost
    smax − score > 0."""
    offset, owner = _slots(cap)
    cols = int(cap.sum())
    big = smax * (R + 1) * 2 + 1.0
    reps = cap[pc]
    rows = np.concatenate([np.repeat(sc, reps), np.arange(R)])
    slot_cols = np.concatenate([offset[p] + np.arange(k) for p, k in zip(pc, reps)]) \
        if len(pc) else np.zeros(0, int)
    colz = np.concatenate([slot_cols, cols + np.arange(R)])
    vals = np.concatenate([np.repeat(smax - score, reps), np.full(R, big)])
    m = csr_matrix((vals, (rows, colz)), shape=(R, cols + R))
    r_ind, c_ind = min_weight_full_bipartite_matching(m)
    lookup = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(sc, pc))}
    return [lookup[(int(a), int(owner[cidx]))] for a, cidx in zip(r_ind, c_ind) if cidx < cols]


def assign_with_pools(cand: pd.DataFrame, capacity: int | dict[str, int], pool: int, pool_max: int,
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
