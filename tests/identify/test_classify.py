"""Step 6: ranks, the list, the watch list, insufficient data, categories; thresholds change the
lists."""
from __future__ import annotations

import numpy as np
import pandas as pd

from support.identify import synth_region
from workbench import identify as I
from workbench.identify import IdentifyParams


def _frame(rows, years=(2023, 2024), se=0.05):
    """Twenty ordinary schools (levels 0.0 … 1.9, se given) every year plus the special rows
    (school, year, level, se[, n_pupils]) → a frame of precomputed estimates."""
    recs = [(f"N{k:02d}", y, 0.1 * k, se, 100) for y in years for k in range(20)]
    recs += [r if len(r) == 5 else (*r, 100) for r in rows]
    df = pd.DataFrame(recs, columns=["school_id", "year", "quality_index", "quality_se",
                                     "n_pupils"])
    df["quality_ci_low"] = df["quality_index"] - 1.96 * df["quality_se"]
    df["quality_ci_high"] = df["quality_index"] + 1.96 * df["quality_se"]
    for a, b in (("result_index", "quality_index"), ("result_se", "quality_se"),
                 ("result_ci_low", "quality_ci_low"), ("result_ci_high", "quality_ci_high"),
                 ("pooled_index", "quality_index"), ("pooled_se", "quality_se")):
        df[a] = df[b]
    df["n_years"] = 2
    df["window_from"] = min(years)
    df["n_pooled"] = df["n_pupils"] * 2
    df["social_index"] = 0.0
    df["social_percentile"] = 50.0
    for c in ("value_added", "va_ci_low", "va_ci_high"):
        df[c] = np.nan
    df["objectivity_flag"] = False
    return df


def test_entry_watch_and_reasons():
    df = _frame([("L", 2024, -2.0, 0.1), ("W", 2024, -1.0, 0.8), ("S", 2024, -0.1, 0.3)],
                years=(2024,), se=0.5)
    p = IdentifyParams(bottom_share=0.15, short_history="available")
    out = I.classify(df, p).set_index("school_id")
    # the bottom group: 15% of 23 schools by rank = L, W, S
    assert set(out.index[out["in_bottom"]]) == {"L", "W", "S"}
    assert out.loc["L", "category"] == "low_results" and out.loc["L", "prob_bottom"] > 0.99
    # W: probability high enough, but its interval reaches the regional level → watch
    assert out.loc["W", "category"] == "watch" and out.loc["W", "prob_bottom"] >= 0.5
    assert ("95% ДИ устойчивого уровня (−2,6…0,6) не целиком ниже регионального уровня"
            in out.loc["W", "reasons"])
    assert out.loc["W", "category_ru"] == "Зона риска (нижняя группа, не включена в список)"
    # S: in the bottom group by rank, but more likely than not above the cut → watch
    assert out.loc["S", "category"] == "watch" and out.loc["S", "prob_bottom"] < 0.5
    assert "вероятность входить в нижние 15% — 35% (нужно не менее 50%)" in out.loc["S", "reasons"]
    assert out.loc["L", "reasons"].startswith(
        "устойчивый уровень результатов за 2024 г. −2,0 (95% ДИ −2,2…−1,8), ниже регионального "
        "уровня; в нижних 15% региона: 4-й процентиль по региону (95% интервал места: 1–5-й), "
        "вероятность входить в нижние 15% — более 99%")
    assert out.loc["N10", "category"] == "typical" and out.loc["N10", "reasons"] == ""
    # nobody in the bottom group is typical
    assert not (out["in_bottom"] & (out["category"] == "typical")).any()


def test_first_year_strict_puts_the_bottom_group_on_watch():
    df = _frame([("L", 2024, -2.0, 0.1)], years=(2024,))
    df["n_years"] = 1
    out = I.classify(df, IdentifyParams(bottom_share=0.1)).set_index("school_id")
    assert out.loc["L", "category"] == "watch" and not out["low_results"].any()
    assert "результаты только за 2024 г. (нужно не менее 2 лет)" in out.loc["L", "reasons"]
    short = I.classify(df, IdentifyParams(bottom_share=0.1, short_history="available"))
    short = short.set_index("school_id")
    assert short.loc["L", "category"] == "low_results"
    assert short.loc["L", "reasons"].endswith(
        "включена по данным только за 2024 г. (обычно нужно не менее 2 лет)")


def test_insufficient_data_counts_pupils_over_the_window():
    df = _frame([("T", 2024, -3.0, 0.3, 6), ("U", 2024, -3.0, 0.3, 4), ("V", 2024, np.nan, np.nan, 12),
                 ("X", 2024, np.nan, np.nan, 0)], years=(2024,))
    df.loc[df["school_id"] == "T", "n_pooled"] = 12
    df.loc[df["school_id"] == "U", "n_pooled"] = 8
    df.loc[df["school_id"].isin(["V", "X"]), "n_pooled"] = [12, 0]
    df["window_from"] = 2023
    out = I.classify(df, IdentifyParams(min_n=10, bottom_share=0.2)).set_index("school_id")
    assert out.loc["T", "category"] != "insufficient_data" and out.loc["T", "in_bottom"]
    assert out.loc["U", "category"] == "insufficient_data" and not out.loc["U", "in_bottom"]
    assert out.loc["U", "reasons"] == ("недостаточно данных: 8 обучающихся писали работы за 2 года "
                                       "(2023–2024) (нужно не менее 10)")
    assert out.loc["V", "reasons"] == ("недостаточно данных: все классы меньше 5 обучающихся, "
                                       "индекс результатов за 2024 г. не рассчитывается")
    assert out.loc["X", "reasons"] == ("недостаточно данных: нет результатов оценочных процедур "
                                       "за 2024 год")
    # a count under the small-cell rule is not shown
    df.loc[df["school_id"] == "U", "n_pooled"] = 3
    u = I.classify(df, IdentifyParams(min_n=10)).set_index("school_id").loc["U", "reasons"]
    assert "менее 5 обучающихся писали работы" in u and "3 обучающихся" not in u


def test_categories_adverse_resilient_high():
    df = _frame([("L", 2024, -2.0, 0.1), ("H", 2024, 3.0, 0.1), ("R", 2024, 0.9, 0.2),
                 ("A", 2024, 0.3, 0.1), ("Q", 2024, 0.3, 0.1)], years=(2024,))
    df.loc[df["school_id"].isin(["L", "R", "A", "Q"]), "social_percentile"] = 10.0
    df.loc[df["school_id"].isin(["L", "R", "A", "Q"]), "social_index"] = -1.2
    df.loc[df["school_id"] == "R", ["value_added", "va_ci_low", "va_ci_high"]] = [1.0, 0.5, 1.5]
    df.loc[df["school_id"] == "Q", ["value_added", "va_ci_low", "va_ci_high"]] = [0.4, -0.1, 0.9]
    p = IdentifyParams(bottom_share=0.05, top_share=0.1, adverse_share=0.25, min_years=1)
    out = I.classify(df, p).set_index("school_id")
    assert out.loc["L", "category"] == "low_results_adverse"
    assert out.loc["L", "category_ru"] == "ШНОР в неблагоприятных социальных условиях"
    assert out.loc["H", "category"] == "high_performing"
    assert "выше регионального уровня" in out.loc["H", "reasons"]
    assert out.loc["R", "category"] == "resilient"
    assert out.loc["R", "reasons"] == (
        "неблагоприятные социальные условия: социальный индекс −1,2 (10-й процентиль, нижние 25% "
        "региона); результат выше ожидаемого в таких условиях на +1,0 (95% ДИ +0,5…+1,5)")
    assert out.loc["A", "category"] == "adverse_context" and out.loc["Q", "category"] == \
        "adverse_context"  # value added not significantly above 0, results not in the top 25%
    assert out.loc["A", "reasons"] == ("неблагоприятные социальные условия: социальный индекс −1,2 "
                                       "(10-й процентиль, нижние 25% региона)")


def test_a_single_bad_year_says_why_it_does_not_list():
    df = _frame([("E", 2024, 0.5, 0.3)], years=(2024,))
    df.loc[df["school_id"] == "E", ["result_index", "result_ci_low", "result_ci_high"]] = \
        [-3.0, -4.0, -2.0]
    df.loc[df["school_id"] == "E", ["n_years", "window_from"]] = [3, 2022]
    df["shrink_weight"] = 1.0
    df.loc[df["school_id"] == "E", "shrink_weight"] = 0.3
    df.loc[df["school_id"] == "E", "n_pupils"] = 30
    out = I.classify(df, IdentifyParams()).set_index("school_id")
    assert out.loc["E", "category"] == "typical" and not out.loc["E", "in_bottom"]
    assert out.loc["E", "reasons"] == (
        "индекс результатов 2024 г. −3,0 (95% ДИ −4,0…−2,0) — в нижних 10% региона за этот год, но "
        "в список и в зону риска не включена: это один год из 3, устойчивый уровень результатов за "
        "3 года (2022–2024) 0,5 (95% ДИ −0,1…1,1), 31-й процентиль по региону, результаты "
        "малочисленной школы (30 обучающихся) неточны, оценка сдвинута к ожидаемому в таких "
        "условиях")


def test_classify_tolerates_a_minimal_frame():
    df = pd.DataFrame({"school_id": ["A", "B", "C", "D"], "year": [2024] * 4,
                       "result_index": [-2.0, 0.0, 0.5, 1.0], "result_ci_low": [-2.5, -0.5, 0.0, 0.6],
                       "result_ci_high": [-1.5, 0.5, 1.0, 1.4], "n_pupils": [50, 50, 50, 50],
                       "social_index": [-1.0, 0.0, 0.5, 1.0]})
    out = I.classify(df, IdentifyParams(bottom_share=0.25, top_share=0.25, min_years=1))
    assert list(out["category"]) == ["low_results_adverse", "typical", "typical", "high_performing"]
    strict = I.classify(df, IdentifyParams(bottom_share=0.25, top_share=0.25))
    assert list(strict["category"])[0] == "watch"  # one year of data, short_history: strict


def test_bottom_share_up_list_grows(synth):
    res, ctx, schools, q = synth
    df, cells, _ = I.identify(res, ctx, schools, IdentifyParams(bottom_share=0.10))

    def listed(frame):
        return set(frame.loc[frame["low_results"], ["school_id", "year"]].itertuples(index=False))

    small = listed(df)
    assert listed(I.classify(df, IdentifyParams(bottom_share=0.25))) > small
    more_n = I.classify(df, IdentifyParams(bottom_share=0.10, min_n=400))
    assert more_n["insufficient_data"].sum() > df["insufficient_data"].sum()
    assert listed(I.classify(df, IdentifyParams(persist_years=2))) < small
    assert listed(I.classify(df, IdentifyParams(min_probability=0.9))) < small


def test_classify_with_a_wider_bottom_group_lists_more():
    res, ctx, schools, q = synth_region(n_schools=600, years=(2021, 2022, 2023, 2024, 2025), seed=3,
                                        with_exams=False)
    df, _, _ = I.identify(res, ctx, schools, IdentifyParams())
    assert len(df) == 3000
    out = I.classify(df, IdentifyParams(bottom_share=0.2))
    assert out["low_results"].sum() > df["low_results"].sum()  # speed: benchmarks/run.py


def test_tiny_extreme_schools_not_flagged(demo600_ident, demo600):
    """The demo's tiny schools (4–6 pupils per class, average latent quality, one year with all
    «2»): the extreme year is among the worst raw indices of the region, but it does not put a
    school on the list by itself — the year weighs less in the pooled level (Student-t school ×
    year term) and a small school is shrunk toward what schools in its conditions achieve. A
    tiny school listed in or after its extreme year is truly in the region's bottom 20%; every
    unlisted extreme year says why."""
    df, cells, notes, m = demo600_ident
    tiny = m[m["tiny_extreme"]]
    assert len(tiny["school_id"].unique()) == demo600.meta["n_tiny_extreme"] >= 2
    for sid, g in tiny.groupby("school_id"):
        g = g.set_index("year")
        ey = int(g["extreme_year"].iloc[0])
        assert g.loc[ey, "year_percentile"] < 2
        for y in (ey, ey + 1):
            if y in g.index and g.loc[y, "low_results"]:
                assert g.loc[y, "true_pct"] <= 0.20, (sid, y)
        if g.loc[ey, "category"] not in ("low_results", "low_results_adverse"):
            assert "не включена" in g.loc[ey, "reasons"], (sid, g.loc[ey, "reasons"])
    # without the pooling (one year, no down-weighting) the extreme year alone lists them
    one = I.classify(df.assign(quality_index=df["result_index"], quality_se=df["result_se"],
                               quality_ci_low=df["result_ci_low"],
                               quality_ci_high=df["result_ci_high"]), IdentifyParams())
    one = one.merge(demo600.truth[["school_id", "tiny_extreme", "extreme_year"]], on="school_id")
    ext = one[one["tiny_extreme"] & (one["year"] == one["extreme_year"])]
    assert ext["in_bottom"].all()
