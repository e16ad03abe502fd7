"""Step 2: the result index, its standard error and interval, the empirical-Bayes shrinkage."""
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



def test_pupils_are_counted_once_per_grade_and_small_classes_stay_out():
    # grade 5: maths 20, Russian 18 (the same class); grade 9: ОГЭ maths 12, Russian 4
    rows = [("A", "ВПР", "Математика", 5, 20, 4), ("A", "ВПР", "Русский язык", 5, 18, 2),
            ("A", "ОГЭ", "Математика", 9, 12, 1), ("A", "ОГЭ", "Русский язык", 9, 4, 4),
            ("B", "ВПР", "Математика", 5, 30, 3), ("B", "ВПР", "Русский язык", 5, 30, 3),
            ("B", "ОГЭ", "Математика", 9, 20, 2), ("B", "ОГЭ", "Русский язык", 9, 20, 2),
            ("C", "ВПР", "Математика", 5, 25, 1), ("C", "ВПР", "Русский язык", 5, 25, 6),
            ("C", "ОГЭ", "Математика", 9, 10, 0), ("C", "ОГЭ", "Русский язык", 9, 10, 1)]
    res = pd.DataFrame([{"school_id": s, "year": 2024, "procedure": pr, "subject": su,
                         "grade": g, "n_participants": n, "n_low": low} for s, pr, su, g, n, low
                        in rows])
    p = IdentifyParams(indicators=["share_low"])
    cells = I.cell_scores(res, p)
    idx = I.result_index(cells, p).set_index("school_id")
    assert idx.loc["A", "n_pupils"] == 20 + 12 and idx.loc["B", "n_pupils"] == 50
    # A's ОГЭ Russian row has 4 pupils: out of the index (its all-«2» would dominate)
    assert not cells.loc[(cells["school_id"] == "A") & (cells["n"] == 4), "in_index"].any()
    kept = cells[(cells["school_id"] == "A") & cells["in_index"]]
    assert idx.loc["A", "result_index"] == pytest.approx((kept["n"] * kept["z"]).sum()
                                                         / kept["n"].sum())
    assert idx.loc["A", "n_pupils_index"] == 32
    everything = I.result_index(I.cell_scores(res, p.model_copy(update={"min_class_n": 1})),
                                p).set_index("school_id")
    assert everything.loc["A", "result_index"] < idx.loc["A", "result_index"]


def test_pupils_never_exceed_the_enrolment_on_the_demo(demo600_ident, demo600):
    """n_pupils counts pupils, not pupil-results: never more than the school's enrolment."""
    df, cells, notes, m = demo600_ident
    ctx = demo600.tables["context"][["school_id", "year", "n_students"]]
    j = df.merge(ctx, on=["school_id", "year"]).dropna(subset=["n_students"])
    assert len(j) > 2500 and (j["n_pupils"] <= j["n_students"]).all()
    # the rows whose every class is under min_class_n have pupils but no index
    assert df["insufficient_data"].sum() > 0
    assert (df.loc[df["n_pupils_index"] == 0, "insufficient_data"]).all()
