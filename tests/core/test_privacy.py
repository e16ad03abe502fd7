"""The one small-cell rule."""
from __future__ import annotations

import numpy as np

from workbench.core import privacy as P


def test_known_counts_below_min_cell_are_small():
    assert P.is_small(3) and P.is_small(4.0) and not P.is_small(5)
    assert P.is_small(9, min_cell=10) and not P.is_small(10, min_cell=10)
    assert not P.is_small(None) and not P.is_small(float("nan")) and not P.is_small("x")
    assert P.small_mask(np.array([1, 5, np.nan, 9]), 6).tolist() == [True, True, False, False]


def test_wording_follows_min_cell():
    assert P.suppressed_text(10) == "менее 10 участников"
    assert P.suppressed_text(5, "") == "менее 5"
    assert P.suppressed_short(7) == "<7"
