"""The charts as plotly.js specs: WebGL markers, listed schools drawn on top, decimal commas, a
Russian toolbar with only the tools that work, escaped names, the map's proportions."""
from __future__ import annotations

import math

import pandas as pd

from workbench.core.vocabulary import LISTED_CATEGORIES
from workbench.explorer import figures


def _view() -> pd.DataFrame:
    return pd.DataFrame({
        "school_id": ["a", "b", "c", "d"], "school_name": ["A", "<img src=x>", "C", "D"],
        "municipality": ["M", "M", "N", "N"],
        "category": ["typical", "low_results_adverse", "low_results", "resilient"],
        "social_index": [0.1, -1.2, 0.3, -1.0], "result_index": [0.0, -2.0, -1.5, 1.0],
        "latitude": [60.0, 60.5, 61.0, None], "longitude": [30.0, 31.0, 32.0, 33.0]})


def test_scatter_is_webgl_with_the_listed_on_top():
    fig = figures.scatter_figure(_view(), rev=3)
    assert {t["type"] for t in fig["data"]} == {"scattergl"}
    codes = [t["legendrank"] for t in fig["data"]]
    assert len(codes) == len(set(codes))
    last_two = [t["customdata"] for t in fig["data"][-2:]]
    assert last_two == [["c"], ["b"]]  # ШНОР, then ШНОР в НСУ: drawn last, on top
    assert fig["layout"]["separators"] == ", " and fig["layout"]["datarevision"] == 3
    assert "%{x:.2f}" in fig["data"][-1]["hovertemplate"]
    svg = figures.scatter_figure(_view(), rev=3, webgl=False)
    assert {t["type"] for t in svg["data"]} == {"scatter"}
    assert [t["customdata"] for t in svg["data"]] == [t["customdata"] for t in fig["data"]]
    assert {t["type"] for t in figures.map_figure(_view(), webgl=False)["data"]} == {"scatter"}
    assert fig["data"][-1]["text"] == ["&lt;img src=x&gt; (M)"]  # plotly reads tags: escaped
    assert fig["data"][-1]["name"] == "ШНОР в НСУ: 1"


def test_selected_points_follow_the_selection():
    fig = figures.scatter_figure(_view(), selected={"b", "d"})
    sel = {t["customdata"][i] for t in fig["data"] for i in t["selectedpoints"]}
    assert sel == {"b", "d"}
    assert all("selectedpoints" not in t for t in figures.scatter_figure(_view())["data"])


def test_toolbar_is_russian_and_keeps_only_working_tools():
    cfg = figures.chart_config("x")
    ru = cfg["locales"][cfg["locale"]]["dictionary"]
    for tool in ("Zoom", "Pan", "Box Select", "Lasso Select", "Reset axes",
                 "Download plot as a PNG"):
        assert ru[tool] and all(ch not in "abcdefghijklmnopqrstuvwxyz" for ch in ru[tool])
    assert cfg["displaylogo"] is False
    for kept in ("select2d", "lasso2d", "zoom2d", "pan2d", "toImage", "resetScale2d"):
        assert kept not in cfg["modeBarButtonsToRemove"]
    assert "toggleSpikelines" in cfg["modeBarButtonsToRemove"]
    assert cfg["locales"][cfg["locale"]]["format"]["decimal"] == ","


def test_map_keeps_the_region_in_shape_and_skips_schools_without_coordinates():
    fig = figures.map_figure(_view())
    shown = [i for t in fig["data"] for i in t["customdata"]]
    assert sorted(shown) == ["a", "b", "c"]
    ratio = fig["layout"]["yaxis"]["scaleratio"]
    assert math.isclose(ratio, 1 / math.cos(math.radians(60.5)), rel_tol=1e-6)
    assert figures.has_coordinates(_view())
    assert not figures.has_coordinates(_view().drop(columns="latitude"))
    assert set(LISTED_CATEGORIES) <= {c for c in figures.LEGEND}
