"""The identification benchmark (benchmarks/bench_identify.py) scores right: precision, recall,
churn, coverage and calibration counted on a hand-made frame; targets judged met or missed."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd

SPEC = importlib.util.spec_from_file_location(
    "bench_identify", Path(__file__).resolve().parents[2] / "benchmarks" / "bench_identify.py")
bench = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bench)


def _frame():
    # 2 years × 4 schools; A listed both years (truly low both), B listed in 2025 (not low),
    # C truly low in 2024 only, D nothing
    return pd.DataFrame({
        "school_id": list("ABCD") * 2, "year": [2024] * 4 + [2025] * 4,
        "listed": [True, False, False, False, True, True, False, False],
        "true_low": [True, False, True, False, True, False, False, False],
        "true_pct": [5.0, 50.0, 8.0, 90.0, 3.0, 15.0, 40.0, 95.0],
        "true_pct_window": [5.0, 50.0, 8.0, 90.0, 4.0, 30.0, 25.0, 95.0],
        "rank_ci_low": [1.0, 40, 10, 80, 1, 10, 30, 85],
        "rank_ci_high": [10.0, 60, 20, 99, 9, 20, 50, 99],
        "prob_bottom": [0.9, 0.0, 0.3, 0.0, 0.97, 0.6, 0.1, 0.0]})


def test_counts_of_the_scores():
    m = _frame()
    q = bench.list_quality(m, [2024, 2025])
    assert (q["n_listed"], q["n_true_low"], q["hits"], q["near"]) == (3, 3, 2, 3)
    assert bench.churn_counts(m, "listed", [2025]) == (0, 1)
    assert bench.churn_counts(m, "true_low", [2025]) == (1, 2)
    cov = bench.coverage_counts(m, [2024, 2025])
    # C in 2024 (8 < 10) is outside; in 2025 every interval holds the year's percentile
    assert (cov["n"], cov["inside"], cov["inside_window"]) == (8, 7, 5)
    # by the band of the true percentile (right-closed): C at 8 is the miss of 5–10
    assert (cov["n_0-5"], cov["inside_0-5"]) == (2, 2)
    assert (cov["n_5-10"], cov["inside_5-10"]) == (1, 0)
    assert (cov["n_20-50"], cov["n_50-100"], cov["inside_50-100"]) == (2, 2, 2)
    cal = bench.calibration_rows(m, [2024, 2025], 0.10)
    assert cal["n"].sum() == 8 and cal["observed"].sum() == 3


def test_targets_are_judged():
    assert bench.judge("precision", 0.85) == "met" and bench.judge("precision", 0.849) == \
        "**missed**"
    assert bench.judge("coverage", 0.929) == "**missed**" and bench.judge("coverage", 0.95) == "met"
    assert bench.judge("churn_ratio", 1.31) == "**missed**"
    assert bench.parse_sets(["min_probability=0.7", "short_history=strict"]) == {
        "min_probability": 0.7, "short_history": "strict"}


def test_window_truth_follows_the_generators_rule():
    # 10 schools, 3 years; the window (3 years) mean of S0 is the lowest although its last year
    # is not, S1 is lowest in the last year only: the window's bottom 10% (1 school) is S0
    ids = [f"S{i}" for i in range(10)]
    rows = []
    for i, s in enumerate(ids):
        for year, v in zip((2023, 2024, 2025), (float(i), float(i), float(i))):
            rows.append({"school_id": s, "year": year, "true_result": v, "true_low": False})
    ty = pd.DataFrame(rows)
    ty.loc[(ty.school_id == "S0") & (ty.year < 2025), "true_result"] = -5.0
    ty.loc[(ty.school_id == "S0") & (ty.year == 2025), "true_result"] = 0.5
    ty.loc[(ty.school_id == "S1") & (ty.year == 2025), "true_result"] = -1.0
    ident = ty[["school_id", "year"]].assign(category="typical", result_percentile=50.0)
    truth = pd.DataFrame({"school_id": ids, "context_type": 2, "tiny_extreme": False,
                          "inflated_vpr": False})
    m = bench.scored_frame(ident, ty, truth, window=3)
    last = m[m.year == 2025].set_index("school_id")
    # window means in 2025: S0 (−5 −5 +0.5)/3 = −3.17, S1 (1 + 1 − 1)/3 = 0.33 → S0 alone
    assert last["true_low_window"].sum() == 1 and bool(last.loc["S0", "true_low_window"])
    m["listed"] = m["school_id"].eq("S1") & m["year"].eq(2025)
    m["true_low"] = m["school_id"].eq("S1") & m["year"].eq(2025)
    q = bench.list_quality(m, [2025])
    assert (q["hits"], q["hits_window"], q["n_true_low_window"]) == (1, 0, 1)


def test_type_ratio_interval_resamples_seeds():
    # two seeds: type 2 listed 4 of 2 truly low, then 0 of 2 → ratios of a resample 2.0, 1.0, 0
    runs = [{"by_type": {2: {"listed": 4, "true_low": 2}, 3: {"listed": 1, "true_low": 1}}},
            {"by_type": {2: {"listed": 0, "true_low": 2}, 3: {"listed": 1, "true_low": 1}}}]
    ci = bench.type_ratio_interval(runs, n_boot=400)
    assert ci[2] == (0.0, 2.0)
    assert ci[3] == (1.0, 1.0)


def test_change_calibration_by_size():
    # two schools, two years: small A changes by 1.0 with predicted variance 0.5 + 0.5 = 1.0
    # (ratio 1, 1 ≥ 0.455: not below), big B by 0.1 with predicted 0.04 (ratio 0.25: below)
    ident = pd.DataFrame({"school_id": ["A", "A", "B", "B"], "year": [2024, 2025] * 2,
                          "result_index": [0.0, 1.0, 0.0, 0.1],
                          "result_se": [0.5 ** 0.5] * 2 + [0.02 ** 0.5] * 2,
                          "n_pupils": [30, 30, 500, 500], "sigma_u2": 0.0, "sigma_drift2": 0.0})
    c = bench.change_calibration(ident)
    assert c["n"] == [1, 0, 0, 0, 1]
    assert c["d2"][0] == 1.0 and abs(c["pred"][0] - 1.0) < 1e-12 and c["below"][0] == 0
    assert abs(c["d2"][4] - 0.01) < 1e-12 and abs(c["pred"][4] - 0.04) < 1e-12
    assert c["below"][4] == 1
