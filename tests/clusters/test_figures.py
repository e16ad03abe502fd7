"""Figures of notebook 03: the seaborn profile heatmap (annotated, decimal commas, a PNG) and the
plotly figures on a small clustered region."""
from __future__ import annotations

import pandas as pd
from support.clusters import blobs, run_partners

from workbench.clusters import cluster_schools
from workbench.clusters.figures import (fig_k_choice, fig_pairs_by_municipality, fig_pairs_map, fig_pca_map,
                                        fig_profiles_heatmap, fig_results_by_cluster, figure_png)
from workbench.config.clusters import ClustersParams
from workbench.core.formatting import fmt_num


def test_profiles_heatmap_is_an_annotated_static_figure():
    ctx, _ = blobs(n=200, years=(2024, 2025))
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=0, k=4))
    fig = fig_profiles_heatmap(res)
    ax = fig.axes[0]
    assert "Профили кластеров, 2025 г." in ax.get_title()
    # one row per cluster (1 = most adverse on top), one column per indicator
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == 4 and rows[0].startswith("1. ")
    assert len(ax.get_xticklabels()) == len(res.features)
    # every cell annotated with the Russian formatter (decimal comma, real minus)
    latest = res.centroids_z[res.centroids_z["year"] == 2025].sort_values("cluster")
    expected = [fmt_num(v, 1) for v in latest[res.features].to_numpy().ravel()]
    assert [t.get_text() for t in ax.texts] == expected
    assert any("," in s for s in expected) and not any("." in s for s in expected)
    png = figure_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) < 300_000
    # an earlier year on request; nothing to draw without centroids
    assert "2024 г." in fig_profiles_heatmap(res, year=2024).axes[0].get_title()
    assert fig_profiles_heatmap(res.__class__(**{**res.__dict__, "centroids_z": pd.DataFrame()})) is None


def test_plotly_figures_drawn_or_none_without_data():
    pres, cl, ident, schools = run_partners()
    assert fig_k_choice(cl.selection) is not None
    assert fig_k_choice(cl.selection.iloc[:0]) is None
    pca = fig_pca_map(cl, ident)
    assert "ГК1 (" in pca.layout.xaxis.title.text and "% разброса)" in pca.layout.xaxis.title.text
    assert fig_results_by_cluster(cl.clusters, ident) is not None
    assert fig_results_by_cluster(cl.clusters, None) is None
    assert fig_pairs_by_municipality(pres.partners, schools) is not None
    assert fig_pairs_map(pres.partners, schools) is not None
    assert fig_pairs_map(pres.partners, schools.drop(columns=["latitude", "longitude"])) is None


def test_box_summary_from_hand_worked_quartiles():
    from workbench.clusters.figures import _summary_boxes

    d = pd.DataFrame({"g": ["A"] * 10, "v": [1, 2, 3, 4, 5, 6, 7, 8, 9, 100]})
    box = _summary_boxes(d, "g", "v").data[0]
    # linear quartiles of 1…9, 100: positions 2,25 / 4,5 / 6,75 → 3,25 / 5,5 / 7,75; IQR 4,5;
    # whiskers at the furthest values within [3,25 − 6,75; 7,75 + 6,75] = [−3,5; 14,5]: 1 and 9
    assert list(box.q1) == [3.25] and list(box.median) == [5.5] and list(box.q3) == [7.75]
    assert list(box.lowerfence) == [1] and list(box.upperfence) == [9]


def _national_clusters(n: int = 20_000):
    import numpy as np

    rng = np.random.default_rng(5)
    ids = [f"S{i:05d}" for i in range(n)]
    clusters = pd.DataFrame({"school_id": ids, "year": 2025, "cluster": rng.integers(1, 6, n)})
    clusters["cluster_name"] = "тип " + clusters["cluster"].astype(str)
    ident = pd.DataFrame({"school_id": ids, "year": 2025, "result_index": rng.normal(0, 1, n)})
    return clusters, ident


def test_national_results_by_cluster_carries_five_numbers_per_cluster():
    clusters, ident = _national_clusters()
    fig = fig_results_by_cluster(clusters, ident)
    assert len(fig.data) == 1 and fig.data[0].y is None and len(fig.data[0].q1) == 5
    assert "ящики рассчитаны по всем 20000 школам" in fig.layout.title.text
    assert len(fig.to_json()) < 20_000
    small = fig_results_by_cluster(clusters.head(600), ident)  # a region: every value, outliers
    assert len(small.data[0].y) == 600 and "ящики" not in small.layout.title.text


def test_national_pca_sample_is_bounded_and_says_what_it_shows():
    from workbench.clusters.figures import _pca_sample
    from workbench.core.vocabulary import CATEGORIES

    n = 20_000
    cat = [CATEGORIES["low_results"]] * 1500 + [CATEGORIES["typical"]] * (n - 1500)
    d = pd.DataFrame({"school_id": range(n), "Категория": cat})
    shown, caption = _pca_sample(d, 5000)
    assert len(shown) == 5000 and (shown["Категория"] == CATEGORIES["low_results"]).sum() == 1500
    assert caption == "показаны 5000 из 20000 школ: все ШНОР и случайная выборка остальных"
    many = d.assign(Категория=[CATEGORIES["low_results_adverse"]] * 12_000 + cat[12_000:])
    shown, caption = _pca_sample(many, 5000)
    assert len(shown) == 5000 and shown["Категория"].isin(
        [CATEGORIES["low_results_adverse"], CATEGORIES["low_results"]]).sum() == 2500
    assert "случайная выборка ШНОР" in caption
    shown, caption = _pca_sample(d.head(600), 5000)  # a region: every school, no caption
    assert len(shown) == 600 and caption is None
