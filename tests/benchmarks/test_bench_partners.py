"""The partners benchmark (benchmarks/bench_partners.py) on one small demo region through
ingest → identify → clusters: the invariants of the resource criteria hold for every proposed
partner, and the pooled counts add up."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

SPEC = importlib.util.spec_from_file_location(
    "bench_partners", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_partners.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def test_proposed_partners_meet_the_criteria(tmp_path):
    pairs, counts = bench.partner_rows(bench.run_region(3, 150, tmp_path))
    proposed = pairs[pairs["basis"] == "proposed"]
    assert len(proposed) > 0 and counts["n_listed"] > 0
    # no proposed partner below the regional mean of the pooled level, its interval above it
    assert not proposed["below_mean_quality"].any()
    assert proposed["ci_above_mean"].all()
    assert (proposed["partner_quality"] > counts["mean_quality"]).all()
    # none flagged for objectivity in the last two years, none listed or watched in three
    assert not proposed["flagged"].any() and not proposed["was_listed"].any()
    # a proposed partner is stronger than its school and within the default 150 km
    assert (proposed["distance_km"] <= 150).all()
    assert proposed["school_id"].is_unique
    assert proposed.groupby("partner_id").size().max() <= 2  # capacity
    assert counts["n_without_partner"] == counts["n_without_candidate"] + counts["n_without_capacity"]
    s = bench.summarise(pairs.assign(seed=3), pd.DataFrame([counts]))
    assert s["proposed"]["pairs"] == len(proposed)
    assert s["agreed"]["pairs"] == int((pairs["basis"] == "agreed").sum())
    assert s["proposed"]["below_mean_quality"] == 0 and s["proposed"]["flagged"] == 0
