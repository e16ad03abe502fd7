"""Scatter figures stay light at national size (a sample over a density, said in the title) and
show every school of a region."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.identify.figures import (DENSITY_BINS, MAX_POINTS, MIN_PER_GROUP, funnel_figure,
                                        sample_points, social_figure)


def _frame(n: int, seed: int = 3) -> pd.DataFrame:
    """n schools of one year: 30 «low_results_adverse», 10% «low_results», the rest typical."""
    rng = np.random.default_rng(seed)
    cat = np.array(["typical"] * n, dtype=object)
    cat[: n // 10] = "low_results"
    cat[n // 10: n // 10 + 30] = "low_results_adverse"
    social = rng.normal(0, 1, n)
    return pd.DataFrame({
        "school_id": [f"{i:06d}" for i in range(n)], "year": 2025, "category": cat,
        "n_pupils": rng.integers(5, 400, n), "result_index": rng.normal(0, 1, n),
        "result_se": rng.uniform(0.05, 0.3, n), "benchmark": 0.0, "social_index": social,
        "expected_index": 0.3 * social})


def _points(fig: go.Figure) -> int:
    return sum(len(t.x) for t in fig.data if isinstance(t, go.Scatter) and t.mode == "markers")


def test_national_funnel_is_a_bounded_sample_over_a_density_and_says_so():
    d = _frame(20_000)
    fig = funnel_figure(d, 2025)
    assert _points(fig) == MAX_POINTS
    heat = [t for t in fig.data if isinstance(t, go.Heatmap)]
    assert len(heat) == 1 and np.asarray(heat[0].z).shape == (DENSITY_BINS, DENSITY_BINS)
    assert np.nansum(np.asarray(heat[0].z, dtype=float)) == 20_000  # every school counted
    assert "показаны 4000 из 20000 школ" in fig.layout.title.text
    assert sum(len(t.x) for t in fig.data if isinstance(t, go.Scatter) and t.mode == "markers"
               and t.marker.color == "#b2182b") == 30  # a small category keeps all its schools
    assert len(fig.to_json()) < 250_000  # 20,000 schools one by one: 0,53 MB


def test_national_social_figure_bounded_expected_line_unchanged():
    d = _frame(20_000)
    fig = social_figure(d, 2025)
    assert _points(fig) == MAX_POINTS and "показаны 4000 из 20000 школ" in fig.layout.title.text
    line = next(t for t in fig.data if t.name == "Ожидаемый результат")
    assert len(line.x) <= 1001
    assert np.allclose(np.asarray(line.y), 0.3 * np.asarray(line.x))  # still the same line
    assert min(line.x) == d["social_index"].min() and max(line.x) == d["social_index"].max()


def test_region_figures_show_every_school_without_a_caption():
    d = _frame(600)
    for fig in (funnel_figure(d, 2025), social_figure(d, 2025)):
        assert _points(fig) == 600
        assert not any(isinstance(t, go.Heatmap) for t in fig.data)
        assert "показаны" not in fig.layout.title.text


def test_sample_keeps_each_group_its_share_and_a_minimum():
    d = pd.DataFrame({"g": ["a"] * 9000 + ["b"] * 970 + ["c"] * 30, "v": range(10_000)})
    s = sample_points(d, "g", max_points=1000)
    counts = s["g"].value_counts()
    assert len(s) == 1000
    assert counts["c"] == 30                 # below the minimum: all of it
    assert counts["b"] == 97                 # its share: 970 × 1000 / 10,000
    assert counts["a"] == 1000 - 97 - 30     # the largest gives up what the minimum took
    assert s.index.is_monotonic_increasing   # in the order of d
    assert len(sample_points(d.head(800), "g", max_points=1000)) == 800
    assert MIN_PER_GROUP == 50
    pd.testing.assert_frame_equal(s, sample_points(d, "g", max_points=1000))  # seeded
