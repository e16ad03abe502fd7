"""The monitoring view: the school's trajectory against its cluster peers."""
from __future__ import annotations

import pytest

from workbench import explorer


def test_monitoring_view_against_cluster_peers(app, data):
    year = app.year.value
    sid = app.listed["school_id"].iloc[0]
    app.show_school(sid)
    app.tabs.selected_index = explorer.TAB_MONITORING
    s = app.mon_series
    dyn, cl = data.dynamics, data.clusters
    cy = cl[cl["year"] == year]
    mycl = cy.loc[cy["school_id"] == sid, "cluster"].iloc[0]
    peers = set(cy.loc[cy["cluster"] == mycl, "school_id"]) - {sid}
    d = dyn[(dyn["year"] == year) & (dyn["indicator"] == s["indicator"])
            & dyn["school_id"].isin(peers)]
    assert s["n_peers"] == len(d) > 0
    assert s["peers"] == pytest.approx([d["entry"].mean(), d["intermediate"].mean(),
                                        d["final"].mean()])
    mine = dyn[(dyn["year"] == year) & (dyn["indicator"] == s["indicator"])
               & (dyn["school_id"] == sid)].iloc[0]
    school = app.mon_chart.figure["data"][0]
    assert school["y"] == pytest.approx([mine["entry"], mine["intermediate"], mine["final"]])
    assert school["x"] == ["входной", "промежуточный", "итоговый"]
    assert "школы того же кластера" in app.mon_note.value
    other = [i for i in s["indicators"] if i != s["indicator"]][0]
    app.indicator.value = other
    assert app.mon_series["indicator"] == other
