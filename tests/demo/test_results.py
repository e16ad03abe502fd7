"""ВПР and the results table: mark counts, grades and subjects, share of «2», class sizes,
`share_low`."""
from __future__ import annotations

import numpy as np

YEARS = [2021, 2022, 2023, 2024, 2025]


def test_results_ranges(demo600):
    res = demo600.tables["results"]
    vpr = res[res["procedure"] == "ВПР"]
    marks = vpr[["n_mark2", "n_mark3", "n_mark4", "n_mark5"]]
    assert (marks.sum(axis=1) == vpr["n_participants"]).all()
    assert (marks >= 0).all().all() and (vpr["n_participants"] > 0).all()
    assert sorted(vpr["grade"].unique()) == [4, 5, 6, 7, 8]
    assert sorted(vpr["year"].unique()) == YEARS
    assert set(vpr[vpr["grade"] == 4]["subject"]) == {"Русский язык", "Математика", "Окружающий мир"}
    assert set(vpr[vpr["grade"] == 8]["subject"]) == {"Русский язык", "Математика"}
    share2 = marks["n_mark2"].sum() / vpr["n_participants"].sum()
    assert 0.06 < share2 < 0.15
    assert np.allclose(res["share_low"], res["n_low"] / res["n_participants"])
    # rural classes are small
    rural = demo600.truth.loc[demo600.truth["context_type"] == 4, "school_id"]
    med = vpr[vpr["school_id"].isin(rural)]["n_participants"].median()
    assert 5 <= med <= 20
