"""The one formatter: decimal comma, real minus, «—» for missing, half-up rounding on the
decimal value for numbers and percentages alike (hand-worked cases)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench.core import formatting as F


@pytest.mark.parametrize("x, digits, sign, expected", [
    (-1.44, 1, False, "−1,4"),
    (0.55, 1, True, "+0,6"),      # half-up on the decimal value (binary 0.55 is 0.5499…)
    (2.675, 2, False, "2,68"),    # the same: Python's round gives 2.67
    (0.25, 1, False, "0,3"),      # a binary tie rounds up, not to even
    (-0.25, 1, False, "−0,3"),    # half away from zero
    (-0.04, 1, False, "0,0"),     # never «−0,0»
    (0.04, 1, True, "0,0"),       # a value that rounds to zero has no sign
    (0.0, 2, True, "0,00"),
    (1234.5, 0, False, "1235"),
    (3.0, 2, False, "3,00"),
])
def test_fmt_num(x, digits, sign, expected):
    assert F.fmt_num(x, digits, sign) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), math.inf, -math.inf, np.nan, pd.NA, "x",
                                     True])
def test_missing_values_are_a_dash(missing):
    assert F.fmt_num(missing) == "—" and F.fmt_pct(missing) == "—" and F.fmt_int(missing) == "—"


def test_fmt_pct_rounds_half_up_like_the_numbers():
    assert F.fmt_pct(0.384) == "38%"
    assert F.fmt_pct(0.125) == "13%"       # the same share a passport and a reason both show
    assert F.fmt_pct(0.145) == "15%"       # 100 × 0.145 is 14.4999… in binary
    assert F.fmt_pct(0.045, 1) == "4,5%"
    assert F.fmt_pct(0.0) == "0%" and F.fmt_pct(1.0) == "100%"


def test_intervals_years_plurals_percentiles():
    assert F.fmt_ci(-1.904, -0.895) == "−1,90…−0,90"
    assert F.fmt_ci(0.1, 0.45, 1, sign=True) == "+0,1…+0,5"
    assert F.year_label(2024) == "2024/25" and F.year_label(2099) == "2099/00"
    assert F.year_label(None) == "нет данных"
    assert [F.years_ru(k) for k in (1, 2, 5, 11, 21, 22, 112)] == [
        "1 год", "2 года", "5 лет", "11 лет", "21 год", "22 года", "112 лет"]
    assert F.plural_ru(3, "школа", "школы", "школ") == "школы"
    assert F.plural_ru(14, "школа", "школы", "школ") == "школ"
    assert F.pctl(0.2) == "1-й процентиль" and F.pctl(99.7) == "99-й процентиль"
    assert F.pctl(12.5) == "13-й процентиль"  # the same half-up rule
    assert F.lower_first("Математика") == "математика" and F.lower_first("ВПР") == "ВПР"
