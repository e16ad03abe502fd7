"""Step 3: exits from the list (hand-made identification and the demo)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import monitoring as mon


def test_exits_and_shares():
    idn = pd.DataFrame({
        "school_id": ["A", "A", "B", "B", "C", "C", "D", "E", "E"],
        "year": [2023, 2024, 2023, 2024, 2023, 2024, 2023, 2023, 2024],
        "low_results": [True, False, True, True, True, False, True, False, True],
        "category": ["low_results", "typical", "low_results_adverse", "low_results_adverse",
                     "low_results", "insufficient_data", "low_results", "typical", "low_results"],
    })
    schools = pd.DataFrame({"school_id": list("ABCDE"), "municipality": ["М1", "М1", "М2", "М2", "М2"]})
    clusters = pd.DataFrame({"school_id": list("ABCD"), "year": 2023, "cluster": [1, 1, 2, 2]})
    e = mon.compute_exits(idn, schools, clusters).set_index("school_id")
    assert list(e.index) == ["A", "B", "C", "D"]  # E listed only in the last year
    assert e.loc["A", "left"] == True and e.loc["A", "status"] == "выполнены критерии выхода"  # noqa: E712
    assert e.loc["B", "left"] == False and e.loc["B", "status"] == "осталась в списке"  # noqa: E712
    assert pd.isna(e.loc["C", "left"]) and pd.isna(e.loc["D", "left"])  # no judgement next year
    assert e.loc["D", "status"] == "нет данных в следующем году"
    by_m = mon.exit_shares(e.reset_index(), "municipality").set_index("municipality")
    assert by_m.loc["М1", "share_left"] == 0.5 and by_m.loc["М1", "n_listed"] == 2
    assert by_m.loc["М2", "n_known"] == 0 and np.isnan(by_m.loc["М2", "share_left"])
    by_c = mon.exit_shares(e.reset_index(), "cluster").set_index("cluster")
    assert by_c.loc[1, "n_left"] == 1


def test_exits_on_demo(demo_effect):
    region, idn, _dyn, _eff = demo_effect
    ex = mon.compute_exits(idn, region.tables["schools"])
    assert len(ex) > 0 and set(ex["status"]) <= {"выполнены критерии выхода", "осталась в списке",
                                                 "нет данных в следующем году"}
    listed = idn[idn["low_results"].astype(bool) & (idn["year"] < idn["year"].max())]
    assert len(ex) == len(listed)
    sh = mon.exit_shares(ex, "municipality")
    assert sh["n_listed"].sum() == len(ex)
    assert ((sh["share_left"] >= 0) & (sh["share_left"] <= 1) | sh["share_left"].isna()).all()
