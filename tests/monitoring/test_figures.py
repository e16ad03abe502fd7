"""The event-study chart of the programme effect: per cohort the base year at 0, placebo years
before the shaded selection window, programme years after; nothing to draw → None."""
from __future__ import annotations

import pandas as pd

from workbench.monitoring.figures import fig_event_study


def _eff() -> pd.DataFrame:
    rows = []
    for P, n in ((2024, 40), (2025, 8)):
        rows.append({"programme_year": P, "cohort_ru": f"с {P}/{(P + 1) % 100} уч. г., {n} школ",
                     "estimate": "placebo DiD", "year": 2021, "base_year": P - 1, "effect": 0.02,
                     "ci_low": -0.2, "ci_high": 0.24})
        for t in range(P, 2026):
            rows.append({"programme_year": P, "cohort_ru": f"с {P}/{(P + 1) % 100} уч. г., {n} школ",
                         "estimate": "DiD", "year": t, "base_year": P - 1, "effect": 0.4,
                         "ci_low": 0.2, "ci_high": 0.6})
    rows.append({**rows[1], "estimate": "DiD pooled", "year": 2025})  # not a point of the chart
    return pd.DataFrame(rows)


def test_event_study_points_window_and_labels():
    fig = fig_event_study(_eff(), match_lags=2)
    assert len(fig.data) == 2  # one trace per cohort
    first = fig.data[0]
    assert first.name == "участники с 2024/25 уч. г., 40 школ"
    xs = [round(x) for x in first.x]
    assert xs == [2023, 2021, 2024, 2025] and first.y[0] == 0.0  # base year at 0, by definition
    assert list(first.marker.symbol) == ["diamond-open", "circle-open", "circle", "circle"]
    assert [round(v, 6) for v in first.error_y.array] == [0.0, 0.22, 0.2, 0.2]
    assert "плацебо, до отбора" in first.text[1] and "−0,20" in first.text[1]
    window = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(window) == 1 and (window[0].x0, window[0].x1) == (2021.5, 2023.5)  # 2022–2023
    assert list(fig.layout.xaxis.ticktext) == ["2021/22", "2022/23", "2023/24", "2024/25", "2025/26"]
    assert fig.layout.title.text.startswith("Событийный анализ")


def test_nothing_to_draw():
    e = _eff()
    assert fig_event_study(e[e["estimate"] == "DiD pooled"]) is None
    assert fig_event_study(e.assign(effect=float("nan"))) is None
