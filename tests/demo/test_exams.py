"""ОГЭ and ЕГЭ rows: grades, below-minimum counts, score ranges, no ЕГЭ in basic schools."""
from __future__ import annotations


def test_exam_ranges(demo600):
    res = demo600.tables["results"]
    exams = res[res["procedure"].isin(["ОГЭ", "ЕГЭ"])]
    assert set(zip(exams["procedure"], exams["grade"])) == {("ОГЭ", 9), ("ЕГЭ", 11)}
    assert (exams["n_low"] <= exams["n_participants"]).all() and exams["n_mark2"].isna().all()
    assert exams["mean_score"].between(0, 100).all()
    oge = exams[(exams["procedure"] == "ОГЭ") & (exams["subject"] == "Русский язык")]
    assert oge["mean_score"].between(0, 33).all() and 22 < oge["mean_score"].mean() < 28
    # basic (9-year) schools have no ЕГЭ
    small = demo600.truth.loc[demo600.truth["context_type"] == 5, "school_id"]
    assert not exams[(exams["procedure"] == "ЕГЭ") & exams["school_id"].isin(small)].size
