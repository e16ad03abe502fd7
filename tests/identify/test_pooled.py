"""Step 4a: the index pooled over the window, by hand; a far-off year weighs less; a school
flagged for non-objective ВПР is pooled on its exams."""
from __future__ import annotations

import math

import pandas as pd
import pytest

from workbench.identify import IdentifyParams
from workbench.identify.pooled import pool_window, pooled_estimates


def _school(values, sid="A", se=0.1, first=2021, pupils=20):
    return pd.DataFrame({"school_id": sid, "year": range(first, first + len(values)),
                         "result_index": values, "result_se": se, "n_pupils": pupils,
                         "subject_weight2": 0.5})


def test_pooled_by_hand():
    df = _school([0.0, 0.2, 0.4])
    p = IdentifyParams(year_shock_df=0)
    out = pool_window(df, p, sigma_u2=0.01).set_index("year")
    # weights 1/(σ²_u + se²) = 50 each: the mean and √(1/150)
    assert out.loc[2023, "pooled_index"] == pytest.approx(0.2)
    assert out.loc[2023, "pooled_se"] == pytest.approx(math.sqrt(1 / 150))
    assert out.loc[2022, "pooled_index"] == pytest.approx(0.1)
    assert list(out["n_years"]) == [1, 2, 3] and list(out["window_from"]) == [2021, 2021, 2021]
    assert list(out["n_pooled"]) == [20, 40, 60]
    # the level may have moved since the window's first years: + σ²_drift·((2/3)² + (1/3)²);
    # the subject profile: + σ²_subj·Σω²
    out = pool_window(df, p, sigma_u2=0.01, sigma_subj2=0.04, sigma_drift2=0.02).set_index("year")
    assert out.loc[2023, "pooled_se"] ** 2 == pytest.approx(1 / 150 + 0.02 * 5 / 9 + 0.04 * 0.5)
    # a window of two years, the pupils of the year alone
    two = pool_window(df, p.model_copy(update={"window_years": 2, "pool_years": False}),
                      sigma_u2=0.01).set_index("year")
    assert two.loc[2023, "pooled_index"] == pytest.approx(0.3) and two.loc[2023, "n_years"] == 2
    assert two.loc[2023, "window_from"] == 2022 and two.loc[2023, "n_pooled"] == 20


def test_a_far_off_year_weighs_less():
    normal = IdentifyParams(year_shock_df=0)
    robust = IdentifyParams()
    three = _school([0.0, 0.1, -6.0])
    plain = pool_window(three, normal, 0.01).set_index("year").loc[2023]
    t = pool_window(three, robust, 0.01).set_index("year").loc[2023]
    assert plain["pooled_index"] == pytest.approx(-5.9 / 3)
    assert -0.5 < t["pooled_index"] < 0.1  # the all-«2» year no longer decides
    # two years that disagree: neither can be trusted more, the interval widens instead
    two = _school([0.0, -6.0])
    p2 = pool_window(two, normal, 0.01).set_index("year").loc[2022]
    t2 = pool_window(two, robust, 0.01).set_index("year").loc[2022]
    assert t2["pooled_index"] == pytest.approx(-3.0) and t2["pooled_se"] > 2 * p2["pooled_se"]
    # years that agree keep their full weight
    calm = _school([0.0, 0.1, 0.05])
    assert pool_window(calm, robust, 0.01)["pooled_se"].iloc[-1] == pytest.approx(
        pool_window(calm, normal, 0.01)["pooled_se"].iloc[-1])


def test_a_missing_year_and_a_school_flagged_for_objectivity():
    df = pd.concat([_school([0.0, None, 0.4], sid="G"), _school([1.0, 1.2, 1.1], sid="F")])
    df["objectivity_flag"] = df["school_id"].eq("F") & df["year"].eq(2023)
    df["exam_index"] = -1.0
    df["exam_se"] = 0.2
    out = pooled_estimates(df, IdentifyParams(year_shock_df=0), 0.01, 0.0, 0.0)
    out = out.set_index(["school_id", "year"])
    assert out.loc[("G", 2023), "n_years"] == 2 and out.loc[("G", 2023), "pooled_index"] == \
        pytest.approx(0.2)
    # F's ВПР look inflated in 2023: its level that year is pooled on its ОГЭ/ЕГЭ alone
    assert out.loc[("F", 2023), "ranked_on_exams"]
    assert out.loc[("F", 2023), "pooled_index"] == pytest.approx(-1.0)
    assert out.loc[("F", 2022), "pooled_index"] == pytest.approx(1.1)
    off = pooled_estimates(df, IdentifyParams(objectivity_exams_only=False), 0.01, 0.0, 0.0)
    assert not off["ranked_on_exams"].any()
