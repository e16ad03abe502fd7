"""The whole chain `identify`: a synthetic region (latent quality known), degenerate inputs, and
the demo region against the generator's ground truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import identify as I
from workbench.core.errors import WorkbenchError
from workbench.identify import IdentifyParams


def _add_tiny_extreme(results, years, extreme_year, sid="TINY", n=5):
    """A tiny school of average quality (marks like the region) with one year of all «2»."""
    rows = []
    for y in years:
        for subj in ("Математика", "Русский язык"):
            for g in (4, 5, 6):
                c = [n, 0, 0, 0] if y == extreme_year else [0, n - 3, 2, 1]
                rows.append({"school_id": sid, "year": y, "procedure": "ВПР", "subject": subj,
                             "grade": g, "n_participants": n, "n_mark2": c[0], "n_mark3": c[1],
                             "n_mark4": c[2], "n_mark5": c[3], "n_low": c[0], "share_low": c[0] / n})
    return pd.concat([results, pd.DataFrame(rows)], ignore_index=True)


def _with_context(ctx, years, sid):
    return pd.concat([ctx, pd.DataFrame([{"school_id": sid, "year": y, "share_low_income": 0.2,
                                          "distance_km": 3.0} for y in years])])


def test_synthetic_tiny_extreme_school_not_flagged(synth):
    res, ctx, schools, q = synth
    years = sorted(res["year"].unique())
    res2 = _add_tiny_extreme(res, years, extreme_year=years[-1])
    df, cells, notes = I.identify(res2, _with_context(ctx, years, "TINY"), schools,
                                  IdentifyParams())
    t = df[df["school_id"] == "TINY"].set_index("year")
    # 5 pupils per class, three grades: 15 pupils wrote the works each year (not 30 results)
    assert (t["n_pupils"] == 15).all() and t.loc[years[-1], "n_pooled"] == 45
    # its raw index in the extreme year is the lowest in the region ...
    last = df[df["year"] == years[-1]]
    assert t.loc[years[-1], "result_index"] == last["result_index"].min()
    # ... but it is on no list in any year, and the extreme year says why
    assert not t["low_results"].any() and not t["watch"].any()
    assert "в список и в зону риска не включена: это один год из 3" in t.loc[years[-1], "reasons"]
    # the extreme year weighs little in the pooled level, the small school is shrunk
    assert t.loc[years[-1], "pooled_index"] > t.loc[years[-1], "result_index"] / 3 + 0.3
    assert t.loc[years[-1], "result_index_shrunk"] > t.loc[years[-1], "result_index"] + 0.2


def test_classes_under_min_class_n_are_kept_out_of_the_index(synth):
    res, ctx, schools, q = synth
    years = sorted(res["year"].unique())
    res2 = _add_tiny_extreme(res, years, extreme_year=years[-1], sid="MICRO", n=3)
    df, cells, notes = I.identify(res2, _with_context(ctx, years, "MICRO"), schools,
                                  IdentifyParams())
    t = df[df["school_id"] == "MICRO"].set_index("year")
    assert t["result_index"].isna().all() and (t["category"] == "insufficient_data").all()
    assert (t["n_pupils"] == 9).all() and (t["n_pupils_index"] == 0).all()
    assert t.loc[years[-1], "reasons"] == ("недостаточно данных: все классы меньше 5 обучающихся, "
                                           f"индекс результатов за {years[-1]} г. не рассчитывается")
    assert any("все классы меньше 5 обучающихся" in n for n in notes)
    # with min_class_n = 3 its classes count
    df3, _, _ = I.identify(res2, _with_context(ctx, years, "MICRO"), schools,
                           IdentifyParams(min_class_n=3))
    assert df3.loc[df3["school_id"] == "MICRO", "result_index"].notna().all()


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
    # expected line: results rise with the social index, value added = pooled index − expected
    assert np.allclose(last["value_added"], last["pooled_index"] - last["expected_index"])
    # the persistent level is shrunk toward the expected value, not the region mean
    lam = last["shrink_weight"]
    assert np.allclose(last["quality_index"], last["expected_index"]
                       + lam * (last["pooled_index"] - last["expected_index"]))
    assert np.corrcoef(last["expected_index"], last["social_index"])[0, 1] > 0.99


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


def test_no_context_and_single_year(synth):
    res, ctx, schools, q = synth
    one = res[res["year"] == 2024]
    empty_ctx = pd.DataFrame(columns=["school_id", "year"])
    df, _, notes = I.identify(one, empty_ctx, schools, IdentifyParams())
    assert df["social_index"].isna().all() and not df["adverse_context"].any()
    # one year of data: nobody is listed (short_history: strict), the bottom group is watched
    assert not df["low_results"].any() and df["watch"].sum() == df["in_bottom"].sum() > 0
    assert any("нет данных о контексте" in n for n in notes)
    assert any("только за 1 год" in n and "зоне риска" in n for n in notes)
    assert set(df["category"]) <= {"watch", "typical", "high_performing", "insufficient_data"}
    # short_history: available lists them on the year available and says so
    df2, _, notes2 = I.identify(one, empty_ctx, schools, IdentifyParams(short_history="available"))
    listed = df2[df2["low_results"]]
    assert len(listed) > 0 and listed["reasons"].str.contains("включена по данным только").all()


def test_empty_results_is_a_russian_error():
    with pytest.raises(WorkbenchError, match="Нет результатов оценочных процедур"):
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


def test_low_results_flags_agree_with_truth(demo600_ident):
    """Latest year (2025). A flagged school counts as correct when its true result is in the
    region's bottom 15%; recall is against the generator's true_low (bottom 10%).
    Measured (demo generator of 22.11, 08:50 UTC): 50 flagged, precision 0.96 (bottom 15%;
    0.84 against bottom 10%), recall 0.70. With the independent random streams of the generator
    (issue 15 item 8) seed 2026 draws another region: precision 0.80, recall 0.62; over seeds
    1–12 precision 0.96 on average (min 0.875; 0.93 and 0.87 with the former generator), recall
    0.66 (0.63) — a single seed's precision is not the method's, see the identification
    benchmark."""
    df, cells, notes, m = demo600_ident
    d = m[m["year"] == m["year"].max()]
    flagged = d[d["low_results"]]
    precision = (flagged["true_pct"] <= 0.15).mean()
    recall = d.loc[d["true_low"], "low_results"].mean()
    assert len(flagged) >= 30
    assert precision >= 0.8, precision
    assert recall >= 0.55, recall
    # every year after the first keeps precision ≥ 0.8
    for year, g in m[m["year"] > m["year"].min()].groupby("year"):
        assert (g.loc[g["low_results"], "true_pct"] <= 0.15).mean() >= 0.8, year

