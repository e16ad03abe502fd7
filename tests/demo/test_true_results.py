"""True results: observed ВПР follows them, bottom 10% per year, context effect by type."""
from __future__ import annotations

from support.demo import vpr_mean_mark


def test_observed_results_follow_truth(demo600):
    mm = vpr_mean_mark(demo600.tables["results"]).rename("mm").reset_index()
    m = mm.merge(demo600.truth_years, on=["school_id", "year"])
    m = m[~m["school_id"].isin(demo600.truth.query("inflated_vpr or tiny_extreme")["school_id"])]
    assert m["mm"].corr(m["true_result"]) > 0.8
    ty = demo600.truth_years
    assert ty.groupby("year")["true_low"].mean().round(2).eq(0.10).all()
    base = ty[ty["year"] == 2021]["true_result"]
    assert abs(base.mean()) < 1e-6 and 0.55 < base.std() < 0.95
    # more adverse context types have lower true results
    te = demo600.truth.groupby("context_type")["context_effect"].mean()
    assert te.is_monotonic_decreasing
