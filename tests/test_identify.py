"""Unit tests of workbench.identify on small hand-made data (fast)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import identify as I
from workbench.identify import IdentifyParams


def _share_rows(spec, year=2024, procedure="ВПР", subject="Математика", grade=5):
    """spec: {school_id: (n_participants, n_low)} → canonical share-only results rows."""
    return pd.DataFrame([
        {"school_id": s, "year": year, "procedure": procedure, "subject": subject, "grade": grade,
         "n_participants": n, "n_low": low, "share_low": low / n}
        for s, (n, low) in spec.items()])


# ------------------------------------------------------------------ hand-worked index example
def test_hand_worked_index_interval_and_shrinkage():
    # four schools, one cell, share of «2» only
    spec = {"A": (20, 2), "B": (40, 4), "C": (10, 5), "D": (30, 0)}
    res = _share_rows(spec)
    p = IdentifyParams(indicators=["share_low"])
    cells = I.cell_scores(res, p)
    idx = I.result_index(cells, p).set_index("school_id")

    # by hand: region share = 11/100 = 0.11 (participant-weighted)
    p_reg = 11 / 100
    # participant-weighted school-level variance of the share
    var_b = (20 * (0.10 - 0.11) ** 2 + 40 * (0.10 - 0.11) ** 2 + 10 * (0.50 - 0.11) ** 2
             + 30 * (0.0 - 0.11) ** 2) / 100          # = 0.0189
    assert var_b == pytest.approx(0.0189)
    sd = math.sqrt(var_b)                               # 0.137477
    z = {"A": -(0.10 - p_reg) / sd, "B": -(0.10 - p_reg) / sd, "C": -(0.50 - p_reg) / sd,
         "D": -(0.0 - p_reg) / sd}                      # lower share = better
    se = {s: math.sqrt(p_reg * (1 - p_reg) / n) / sd for s, (n, _) in spec.items()}
    assert z["C"] == pytest.approx(-2.8368, abs=1e-4)
    assert se["A"] == pytest.approx(0.50893, abs=1e-4)
    for s in spec:
        assert idx.loc[s, "result_index"] == pytest.approx(z[s])
        assert idx.loc[s, "result_se"] == pytest.approx(se[s])
        assert idx.loc[s, "result_ci_low"] == pytest.approx(z[s] - 1.959964 * se[s], abs=1e-5)
        assert idx.loc[s, "result_ci_high"] == pytest.approx(z[s] + 1.959964 * se[s], abs=1e-5)
        assert idx.loc[s, "n_pupils"] == spec[s][0]
        assert idx.loc[s, "share_low"] == pytest.approx(spec[s][1] / spec[s][0])
    assert idx["share_low_region"].iloc[0] == pytest.approx(0.11)
    # participant-weighted region mean of the index is 0
    n = pd.Series({s: v[0] for s, v in spec.items()})
    assert (idx["result_index"] * n).sum() / n.sum() == pytest.approx(0, abs=1e-12)

    # empirical Bayes by hand: mu = mean over schools, tau² = var − mean(se²) (method of moments)
    zs = np.array([z[s] for s in "ABCD"])
    ses = np.array([se[s] for s in "ABCD"])
    mu = zs.mean()
    tau2 = max(0.0, ((zs - mu) ** 2).sum() / 3 - (ses ** 2).mean())
    assert tau2 > 0
    for k, s in enumerate("ABCD"):
        lam = tau2 / (tau2 + ses[k] ** 2)
        assert idx.loc[s, "result_index_shrunk"] == pytest.approx(mu + lam * (zs[k] - mu))
        assert idx.loc[s, "result_se_shrunk"] == pytest.approx(math.sqrt(lam) * ses[k])
    # the small extreme school moves most toward the mean
    moved = (idx["result_index"] - idx["result_index_shrunk"]).abs()
    assert moved.idxmax() == "C"


def test_within_grade_correlation_in_standard_error():
    # school X: two subjects in grade 5 (same pupils) and one in grade 6
    rows = []
    for sid, lows in {"X": (3, 2, 1), "Y": (1, 1, 1), "Z": (2, 3, 4), "W": (0, 1, 0)}.items():
        for (subj, grade), low in zip([("Математика", 5), ("Русский язык", 5), ("Математика", 6)], lows):
            rows.append({"school_id": sid, "year": 2024, "procedure": "ВПР", "subject": subj,
                         "grade": grade, "n_participants": 10, "n_low": low})
    res = pd.DataFrame(rows)
    for rho in (0.0, 0.5, 1.0):
        p = IdentifyParams(indicators=["share_low"], within_grade_correlation=rho)
        cells = I.cell_scores(res, p)
        x = cells[cells["school_id"] == "X"].sort_values(["grade", "subject"])
        n, s = x["n"].to_numpy(), x["z_se"].to_numpy()
        # grade 5 rows share pupils: Var = [(1-ρ)Σn²v + ρ((n1s1+n2s2)² + (n3s3)²)] / N²
        var = ((1 - rho) * (n ** 2 * s ** 2).sum()
               + rho * ((n[0] * s[0] + n[1] * s[1]) ** 2 + (n[2] * s[2]) ** 2)) / n.sum() ** 2
        idx = I.result_index(cells, p).set_index("school_id")
        assert idx.loc["X", "result_se"] == pytest.approx(math.sqrt(var))
        assert idx.loc["X", "result_index"] == pytest.approx((n * x["z"].to_numpy()).sum() / n.sum())


def test_mean_mark_uses_pooled_within_school_variance():
    rows = [
        {"school_id": "A", "year": 2024, "procedure": "ВПР", "subject": "Математика", "grade": 4,
         "n_participants": 4, "n_mark2": 0, "n_mark3": 0, "n_mark4": 4, "n_mark5": 0},
        {"school_id": "B", "year": 2024, "procedure": "ВПР", "subject": "Математика", "grade": 4,
         "n_participants": 6, "n_mark2": 1, "n_mark3": 2, "n_mark4": 2, "n_mark5": 1},
    ]
    p = IdentifyParams(indicators=["mean_mark"])
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


# ------------------------------------------------------------------ persistence and categories
def _ident(rows):
    """Rows: (school, year, index, ci_high, n) → a minimal identification frame."""
    df = pd.DataFrame(rows, columns=["school_id", "year", "result_index", "result_ci_high", "n_pupils"])
    df["result_index_shrunk"] = df["result_index"]
    df["result_se"] = (df["result_ci_high"] - df["result_index"]) / 1.96
    df["result_ci_low"] = 2 * df["result_index"] - df["result_ci_high"]
    df["social_index"] = 0.0
    df["social_percentile"] = 50.0
    df["value_added"] = np.nan
    df["va_ci_low"] = np.nan
    df["va_ci_high"] = np.nan
    df["objectivity_flag"] = False
    return df


def _region(years, special):
    """Ten ordinary schools per year plus the special ones (dict school → {year: (idx, ci_high)})."""
    rows = []
    for y in years:
        for k in range(10):
            rows.append((f"N{k}", y, 0.1 * k, 0.1 * k + 0.5, 100))
        for sid, per in special.items():
            if y in per:
                rows.append((sid, y, *per[y], 100))
    return _ident(rows)


def test_persistence_rule():
    years = [2021, 2022, 2023, 2024]
    low = (-2.0, -1.5)       # bottom of the region and the interval below 0
    low_ns = (-2.0, 0.3)     # bottom but the interval reaches the benchmark
    df = _region(years, {
        "P": {2021: low, 2022: low, 2023: low, 2024: low},          # always low
        "Q": {2021: low, 2022: (0.5, 1.0), 2023: low, 2024: (0.5, 1.0)},   # alternating
        "R": {2023: low, 2024: low},                                  # low two last years
        "S": {2021: low, 2022: low_ns, 2023: low, 2024: low_ns},     # not significant every 2nd
        "G": {2021: low, 2023: low, 2024: low},                       # a missing year breaks the run
    })
    p = IdentifyParams(bottom_share=0.2, persist_years=2, min_n=10)
    out = I.classify(df, p).set_index(["school_id", "year"])
    assert out.loc[("P", 2024), "years_low"] == 4
    assert out.loc[("P", 2024), "low_results"]
    assert out.loc[("P", 2022), "low_results"]
    assert out.loc[("P", 2021), "low_results"]  # first year: rule applied to the available year
    assert not out.loc[("Q", 2023), "low_results"] and out.loc[("Q", 2023), "years_low"] == 1
    assert out.loc[("R", 2024), "low_results"] and not out.loc[("R", 2023), "low_results"]
    assert not out.loc[("S", 2023), "low_results"] and not out.loc[("S", 2024), "low_results"]
    assert not out.loc[("G", 2023), "low_results"] and out.loc[("G", 2024), "low_results"]
    assert out.loc[("P", 2024), "category"] == "low_results"
    assert "2 года подряд" in out.loc[("R", 2024), "reasons"]
    assert "4 года подряд" in out.loc[("P", 2024), "reasons"]
    # three years in a row required
    p3 = p.model_copy(update={"persist_years": 3})
    out3 = I.classify(df, p3).set_index(["school_id", "year"])
    assert out3.loc[("P", 2023), "low_results"] and not out3.loc[("R", 2024), "low_results"]
    # strict: nobody listed before persist_years of history exist
    ps = p.model_copy(update={"short_history": "strict"})
    outs = I.classify(df, ps).set_index(["school_id", "year"])
    assert not outs.loc[("P", 2021), "low_results"] and outs.loc[("P", 2022), "low_results"]


def test_insufficient_data_pooled_over_years():
    rows = [("T", 2023, -3.0, -2.0, 6), ("T", 2024, -3.0, -2.0, 6),   # 12 pooled ≥ 10
            ("U", 2023, -3.0, -2.0, 4), ("U", 2024, -3.0, -2.0, 4)]   # 8 pooled < 10
    df = _ident(rows + [(f"N{k}", y, 0.1 * k, 0.1 * k + 0.5, 100) for k in range(10)
                        for y in (2023, 2024)])
    p = IdentifyParams(bottom_share=0.2, min_n=10)
    out = I.classify(df, p).set_index(["school_id", "year"])
    assert out.loc[("T", 2024), "category"] == "low_results"
    assert out.loc[("U", 2024), "category"] == "insufficient_data"
    assert not out.loc[("U", 2024), "low_results"]
    assert out.loc[("U", 2024), "reasons"] == ("недостаточно данных: 8 участников оценочных "
                                               "процедур за 2 года (нужно не менее 10)")
    # without pooling T is too small too
    out2 = I.classify(df, p.model_copy(update={"pool_years": False})).set_index(["school_id", "year"])
    assert out2.loc[("T", 2024), "category"] == "insufficient_data"


def test_categories_adverse_resilient_high():
    df = _region([2024], {"L": {2024: (-2.0, -1.5)}, "H": {2024: (3.0, 3.5)},
                          "R": {2024: (0.8, 1.2)}, "A": {2024: (0.0, 0.4)}})
    df["result_ci_low"] = 2 * df["result_index"] - df["result_ci_high"]
    df.loc[df["school_id"].isin(["L", "R", "A"]), "social_percentile"] = 10.0
    df.loc[df["school_id"] == "R", ["value_added", "va_ci_low", "va_ci_high"]] = [1.0, 0.5, 1.5]
    p = IdentifyParams(bottom_share=0.1, top_share=0.1, adverse_share=0.25)
    out = I.classify(df, p).set_index("school_id")
    assert out.loc["L", "category"] == "low_results_adverse"
    assert out.loc["L", "category_ru"] == "ШНОР в неблагоприятных социальных условиях"
    assert out.loc["H", "category"] == "high_performing"
    assert out.loc["R", "category"] == "resilient"
    assert out.loc["A", "category"] == "adverse_context"
    assert out.loc["N5", "category"] == "typical" and out.loc["N5", "reasons"] == ""
    assert "результат выше ожидаемого в таких условиях на +1,0 (95% ДИ +0,5…+1,5)" in out.loc["R", "reasons"]
    assert "социальный индекс 0,0 (10-й процентиль, нижние 25% региона)" in out.loc["A", "reasons"]
    assert "индекс результатов −2,0 (95% ДИ −2,5…−1,5)" in out.loc["L", "reasons"]


# ------------------------------------------------------------------ formatting
def test_russian_number_formatting():
    assert I.fmt_num(-1.44) == "−1,4"
    assert I.fmt_num(0.55, 1, sign=True) == "+0,6" or I.fmt_num(0.55, 1, sign=True) == "+0,5"
    assert I.fmt_num(-0.04) == "0,0"
    assert I.fmt_pct(0.384) == "38%" and I.fmt_pct(0.125) == "13%"
    assert [I.years_ru(k) for k in (1, 2, 5, 11, 21, 22)] == [
        "1 год", "2 года", "5 лет", "11 лет", "21 год", "22 года"]


# ------------------------------------------------------------------ synthetic region
def synth_region(n_schools=120, years=(2021, 2022, 2023, 2024), seed=7, with_exams=True):
    """Small synthetic region: latent quality + context, ВПР mark counts and ОГЭ scores."""
    rng = np.random.default_rng(seed)
    sid = [f"S{i:03d}" for i in range(n_schools)]
    size = rng.choice([12, 20, 35], n_schools)
    soc = rng.normal(size=n_schools)
    q = 0.4 * soc + rng.normal(scale=0.5, size=n_schools)
    rows, ctx = [], []
    for y in years:
        for i, s in enumerate(sid):
            ctx.append({"school_id": s, "year": y, "share_low_income": 1 / (1 + np.exp(soc[i] + 1)),
                        "distance_km": float(np.exp(1 - 0.5 * soc[i]))})
            procs = [("ВПР", (4, 5, 6))] + ([("ОГЭ", (9,))] if with_exams else [])
            for proc, grades in procs:
                for subj in ("Математика", "Русский язык"):
                    for g in grades:
                        n = max(2, int(rng.poisson(size[i])))
                        lat = 0.8 * q[i] + rng.normal(size=n)
                        if proc == "ВПР":
                            marks = np.digitize(lat, [-1.1, 0.0, 1.0]) + 2
                            c = [int((marks == k).sum()) for k in (2, 3, 4, 5)]
                            rows.append({"school_id": s, "year": y, "procedure": proc, "subject": subj,
                                         "grade": g, "n_participants": n, "n_mark2": c[0],
                                         "n_mark3": c[1], "n_mark4": c[2], "n_mark5": c[3],
                                         "n_low": c[0], "share_low": c[0] / n})
                        else:
                            sc = 15 + 5 * lat
                            rows.append({"school_id": s, "year": y, "procedure": proc, "subject": subj,
                                         "grade": g, "n_participants": n, "mean_score": sc.mean(),
                                         "sd_score": sc.std(ddof=1), "n_low": int((sc < 8).sum()),
                                         "share_low": float((sc < 8).mean())})
    schools = pd.DataFrame({"school_id": sid, "school_name": [f"Школа № {i}" for i in range(n_schools)],
                            "municipality": [f"Район {i % 4}" for i in range(n_schools)]})
    return pd.DataFrame(rows), pd.DataFrame(ctx), schools, pd.Series(q, index=sid)


@pytest.fixture(scope="module")
def synth():
    return synth_region()


def _add_tiny_extreme(results, years, extreme_year, sid="TINY"):
    """A tiny school of average quality (marks like the region) with one year of all «2»."""
    rows = []
    for y in years:
        for subj in ("Математика", "Русский язык"):
            for g in (4, 5, 6):
                n = 3
                c = [n, 0, 0, 0] if y == extreme_year else [0, 1, 1, 1]
                rows.append({"school_id": sid, "year": y, "procedure": "ВПР", "subject": subj,
                             "grade": g, "n_participants": n, "n_mark2": c[0], "n_mark3": c[1],
                             "n_mark4": c[2], "n_mark5": c[3], "n_low": c[0], "share_low": c[0] / n})
    return pd.concat([results, pd.DataFrame(rows)], ignore_index=True)


def test_synthetic_tiny_extreme_school_not_flagged(synth):
    res, ctx, schools, q = synth
    years = sorted(res["year"].unique())
    res2 = _add_tiny_extreme(res, years, extreme_year=years[-1])
    ctx2 = pd.concat([ctx, pd.DataFrame([{"school_id": "TINY", "year": y, "share_low_income": 0.2,
                                           "distance_km": 3.0} for y in years])])
    df, cells, notes = I.identify(res2, ctx2, schools, IdentifyParams())
    t = df[df["school_id"] == "TINY"].set_index("year")
    # its raw index in the extreme year is the lowest in the region ...
    last = df[df["year"] == years[-1]]
    assert t.loc[years[-1], "result_index"] == last["result_index"].min()
    # ... but it is on no list in any year
    assert not t["low_results"].any()
    assert set(t["category"]) <= {"typical", "adverse_context", "high_performing", "resilient"}
    # shrinkage pulls the 18-pupil school much more than big ones
    assert t.loc[years[-1], "result_index_shrunk"] > t.loc[years[-1], "result_index"] + 0.2


def test_synthetic_flags_agree_with_latent_quality(synth):
    res, ctx, schools, q = synth
    df, cells, notes = I.identify(res, ctx, schools, IdentifyParams())
    last = df[df["year"] == df["year"].max()].set_index("school_id")
    flagged = last.index[last["low_results"]]
    assert len(flagged) >= 5
    q_pct = q.rank(pct=True)
    assert (q_pct[flagged] <= 0.2).mean() >= 0.8
    assert np.corrcoef(last["result_index"], q[last.index])[0, 1] > 0.8
    # social index: higher = more favourable; share of low-income counts negatively
    ci = ctx[ctx["year"] == df["year"].max()].set_index("school_id")
    assert np.corrcoef(last["social_index"], ci.loc[last.index, "share_low_income"])[0, 1] < -0.8
    assert last["social_index"].mean() == pytest.approx(0, abs=1e-9)
    assert (last["adverse_context"].mean()) == pytest.approx(0.25, abs=0.01)
    # expected line: results rise with the social index, value added = index − expected
    assert (last["value_added"] == last["result_index"] - last["expected_index"]).all()
    assert np.corrcoef(last["expected_index"], last["social_index"])[0, 1] > 0.99


def test_bottom_share_up_list_grows(synth):
    res, ctx, schools, q = synth
    df, cells, _ = I.identify(res, ctx, schools, IdentifyParams(bottom_share=0.10))
    small = set(df.loc[df["low_results"], ["school_id", "year"]].itertuples(index=False))
    big_df = I.classify(df, IdentifyParams(bottom_share=0.25))
    big = set(big_df.loc[big_df["low_results"], ["school_id", "year"]].itertuples(index=False))
    assert small < big
    more_n = I.classify(df, IdentifyParams(bottom_share=0.10, min_n=400))
    assert more_n["insufficient_data"].sum() > df["insufficient_data"].sum()
    longer = I.classify(df, IdentifyParams(bottom_share=0.10, persist_years=3))
    assert set(longer.loc[longer["low_results"], ["school_id", "year"]].itertuples(index=False)) < small


def test_only_one_procedure_and_share_only_inputs(synth):
    res, ctx, schools, q = synth
    full, _, _ = I.identify(res, ctx, schools, IdentifyParams())
    vpr_only = res[res["procedure"] == "ВПР"]
    a, _, _ = I.identify(vpr_only, ctx, schools, IdentifyParams())
    assert a["result_index"].notna().all() and not a["objectivity_flag"].any()
    assert a["low_results"].any()
    share_only = res[["school_id", "year", "procedure", "subject", "grade", "n_participants",
                      "share_low"]]
    b, cells_b, _ = I.identify(share_only, ctx, schools, IdentifyParams())
    assert b["result_index"].notna().all() and b["low_results"].any()
    m = full.merge(b, on=["school_id", "year"], suffixes=("", "_b"))
    assert np.corrcoef(m["result_index"], m["result_index_b"])[0, 1] > 0.85
    # exam-only (scores without sd) works too
    exam = res[res["procedure"] == "ОГЭ"].drop(columns=["sd_score", "n_low", "share_low"])
    c, _, _ = I.identify(exam, ctx, schools, IdentifyParams())
    assert c["result_se"].gt(0).all()


def test_missing_context_imputed_and_reported(synth):
    res, ctx, schools, q = synth
    ctx2 = ctx.copy()
    ctx2.loc[ctx2.index[:7], "share_low_income"] = np.nan
    df, _, notes = I.identify(res, ctx2, schools, IdentifyParams())
    assert df["social_index"].notna().all()
    assert any("пропуски заменены медианой региона (Доля обучающихся из малообеспеченных семей — 7)"
               in n for n in notes)
    # override of the social index set
    soc, info = I.social_index(ctx2, {}, None, IdentifyParams(social_indicators={"distance_km": "adverse"}))
    assert info["indicators"] == ["distance_km"]
    with pytest.raises(I.WorkbenchError, match="социальный индекс"):
        I.social_index(ctx2[["school_id", "year"]], {"share_low_income": "adverse"})


def test_reasons_name_worst_subject_numbers(synth):
    res, ctx, schools, q = synth
    df, cells, _ = I.identify(res, ctx, schools, IdentifyParams())
    row = df[df["low_results"]].iloc[0]
    c = cells[(cells["school_id"] == row["school_id"]) & (cells["year"] == row["year"])
              & (cells["n"] >= 5)].sort_values("z").iloc[0]
    subj = c["subject"][0].lower() + c["subject"][1:]
    what = "доля «2»" if c["mark_based"] else "доля не набравших минимальный балл"
    expected = (f"{what} по {c['procedure']}, {subj} {c['grade']} кл.: "
                f"{round(100 * c['share_low'])}% (регион {round(100 * c['share_low_region'])}%)")
    assert row["reasons"].startswith(expected)
    ci = (f"индекс результатов {I.fmt_num(row['result_index'])} (95% ДИ "
          f"{I.fmt_num(row['result_ci_low'])}…{I.fmt_num(row['result_ci_high'])})")
    assert ci in row["reasons"]
    assert "−" in row["reasons"] and "-" not in row["reasons"].replace("-й", "")


def test_list_changes(synth):
    df = pd.DataFrame({"school_id": ["A", "A", "B", "B", "C"], "year": [2023, 2024, 2023, 2024, 2024],
                       "category": ["low_results", "typical", "typical", "low_results_adverse",
                                    "low_results"]})
    ch = I.list_changes(df).set_index("school_id")
    assert ch.loc["A", "change"] == "вышла из списка" and ch.loc["A", "category_now"] == "Типичная"
    assert ch.loc["B", "change"] == "вошла в список"
    assert ch.loc["C", "category_before"] == "нет данных"
    assert (ch["year"] == 2024).all() and len(ch) == 3


def test_classify_with_a_wider_bottom_group_lists_more():
    res, ctx, schools, q = synth_region(n_schools=600, years=(2021, 2022, 2023, 2024, 2025), seed=3,
                                        with_exams=False)
    df, _, _ = I.identify(res, ctx, schools, IdentifyParams())
    assert len(df) == 3000
    out = I.classify(df, IdentifyParams(bottom_share=0.2))
    assert out["low_results"].sum() > df["low_results"].sum()  # speed: benchmarks/run.py


def test_no_context_and_single_year(synth):
    res, ctx, schools, q = synth
    one = res[res["year"] == 2024]
    empty_ctx = pd.DataFrame(columns=["school_id", "year"])
    df, _, notes = I.identify(one, empty_ctx, schools, IdentifyParams())
    assert df["social_index"].isna().all() and not df["adverse_context"].any()
    assert df["low_results"].any()  # one year of data: the rule applies to the year available
    assert any("нет данных о контексте" in n for n in notes)
    assert any("только за 1 год" in n for n in notes)
    assert set(df["category"]) <= {"low_results", "typical", "high_performing", "insufficient_data"}


def test_empty_results_is_a_russian_error():
    with pytest.raises(I.WorkbenchError, match="Нет результатов оценочных процедур"):
        I.identify(pd.DataFrame(columns=["school_id", "year", "procedure", "subject", "grade",
                                         "n_participants"]), pd.DataFrame(), None, IdentifyParams())


def test_context_of_a_neighbouring_year_is_used(synth):
    res, ctx, schools, q = synth
    ctx_old = ctx[ctx["year"] == 2021]  # context known for the first year only
    df, _, notes = I.identify(res, ctx_old, schools, IdentifyParams())
    assert df["social_index"].notna().all()
    a = df[df["year"] == 2024].set_index("school_id")["social_index"]
    b = df[df["year"] == 2021].set_index("school_id")["social_index"]
    assert (a == b.reindex(a.index)).all()
    assert any("соседнего года" in n for n in notes)


def test_classify_tolerates_a_minimal_frame():
    df = pd.DataFrame({"school_id": ["A", "B", "C", "D"], "year": [2024] * 4,
                       "result_index": [-2.0, 0.0, 0.5, 1.0], "result_ci_low": [-2.5, -0.5, 0.0, 0.6],
                       "result_ci_high": [-1.5, 0.5, 1.0, 1.4], "n_pupils": [50, 50, 50, 50],
                       "social_index": [-1.0, 0.0, 0.5, 1.0]})
    out = I.classify(df, IdentifyParams(bottom_share=0.25, top_share=0.25))
    assert list(out["category"]) == ["low_results_adverse", "typical", "typical", "high_performing"]


def test_percentile_in_reasons_is_never_zeroth():
    assert I.pctl(0.0) == "1-й процентиль" and I.pctl(99.9) == "99-й процентиль"
    assert I.pctl(7.4) == "7-й процентиль"
