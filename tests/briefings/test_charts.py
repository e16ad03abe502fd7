"""The inline SVG charts: labels escaped, missing values shown as «нет данных», a precomputed
spread gives the same chart."""
from __future__ import annotations

import numpy as np

from workbench.briefings.charts import Spread, svg_bars, svg_interval, svg_trend


def test_svg_helpers_escape_and_scale():
    svg = svg_bars([{"label": "<b>x</b>", "value": 0.5}, {"label": "нет", "value": None}],
                   vmax=1.0)
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "нет данных" in svg
    iv = svg_interval(0.0, -1.0, 1.0, np.linspace(-2, 2, 50), [0.1, 0.2, 0.3])
    assert iv.count("<rect") == 4 and "<circle" in iv
    assert "нет данных" in svg_trend([])


def test_interval_chart_from_a_precomputed_spread_is_the_same():
    """Passports get the region's and the cluster's spread computed once (not per page: that was
    O(schools²) nationally); the chart must not change."""
    region = list(np.random.default_rng(1).normal(size=400)) + [None, float("nan")]
    peers = [0.1, 0.2, 0.3, None]
    for args in ((0.0, -1.0, 1.0), (2.5, None, None), (None, None, None)):
        assert svg_interval(*args, region, peers) == svg_interval(
            *args, Spread.of(region), Spread.of(peers))
    one = Spread.of([3.0])
    assert (one.n, one.lo, one.hi, one.pct) == (1, 3.0, 3.0, ())
    assert "нет данных" in svg_interval(None, None, None, [], Spread(0))
