"""Step 1: cell scores on hand-worked rows."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench import identify as I
from workbench.identify import IdentifyParams


def test_mean_mark_uses_pooled_within_school_variance():
    rows = [
        {"school_id": "A", "year": 2024, "procedure": "ВПР", "subject": "Математика", "grade": 4,
         "n_participants": 4, "n_mark2": 0, "n_mark3": 0, "n_mark4": 4, "n_mark5": 0},
        {"school_id": "B", "year": 2024, "procedure": "ВПР", "subject": "Математика", "grade": 4,
         "n_participants": 6, "n_mark2": 1, "n_mark3": 2, "n_mark4": 2, "n_mark5": 1},
    ]
    p = IdentifyParams(indicators=["mean_mark"], min_class_n=1)  # classes of 4: in the index
    cells = I.cell_scores(pd.DataFrame(rows), p).set_index("school_id")
    # means 4.0 and 3.5; region mean (weighted) = (16 + 21)/10 = 3.7
    assert cells.loc["A", "mean_mark"] == pytest.approx(4.0)
    assert cells.loc["B", "mean_mark_region"] == pytest.approx(3.7)
    sd_b = math.sqrt((4 * 0.3 ** 2 + 6 * 0.2 ** 2) / 10)
    # pooled within variance: A has none (all «4»), B: Σ(k − 3.5)² = 2.25+2·0.25+2·0.25+2.25 = 5.5
    within = 5.5 / (3 + 5)
    assert cells.loc["A", "z"] == pytest.approx(0.3 / sd_b)
    # the tiny school with identical marks still gets the region's within-school spread
    assert cells.loc["A", "z_se"] == pytest.approx(math.sqrt(within / 4) / sd_b)

