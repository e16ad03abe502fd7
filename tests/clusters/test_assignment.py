"""The optimal assignment: equal to the brute-force optimum (dense and sparse solvers), not greedy,
pools extended for schools left without a partner."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from workbench.clusters import assign_with_pools, optimal_assignment


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
