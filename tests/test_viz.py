"""Notebook display helpers: offline plotly (plotly.js inline once) and escaped tables."""
from __future__ import annotations

import re
from unittest import mock

import pandas as pd
import plotly.graph_objects as go

from workbench import viz


def _shown(call) -> str:
    return call[0][0].data


def test_plotly_js_is_inline_once_and_never_from_a_cdn(monkeypatch):
    monkeypatch.setattr(viz, "_PLOTLY_LOADED", False)
    fig = go.Figure(go.Bar(x=["а"], y=[1]))
    with mock.patch("workbench.viz.display") as display:
        viz.show(fig)
        viz.show(fig)
    first, second = (_shown(c) for c in display.call_args_list)
    assert len(first) > 1_000_000 and "Plotly" in first  # the library itself, inline
    assert len(second) < 100_000
    # nothing is loaded from the internet (the bundle merely names a topojson default URL)
    assert not re.search(r"<script[^>]+src=[\"']https?://", first + second)


def test_table_escapes_and_says_when_cut():
    df = pd.DataFrame({"Школа": ["<script>alert(1)</script>"] * 60})
    with mock.patch("workbench.viz.display") as display:
        viz.table(df, max_rows=50)
    html = _shown(display.call_args)
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "показано 50 из 60 строк" in html and "text-align: left" in html


def test_numbers_in_tables_and_figures_have_decimal_commas():
    with mock.patch("workbench.viz.display") as display:
        viz.table(pd.DataFrame({"Индекс": [-1.234, 0.5]}))
    html = _shown(display.call_args)
    assert "\u22121,23" in html and "0,50" in html and "1.23" not in html
    fig = go.Figure(go.Bar(x=["а"], y=[0.5]))
    viz.figure_html(fig)
    assert fig.layout.separators == ", "
