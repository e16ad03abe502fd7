"""The pure views as the app shows them: the municipality, cluster, year and category filters
over the list and the chart, Russian numbers in the rows, the small-cell rule of lists.xlsx."""
from __future__ import annotations

import pandas as pd

import support.explorer as ws
from workbench import explorer
from workbench.explorer import views
from workbench.identify.lists import N_PUPILS


def test_municipality_filter_shows_only_that_municipality(app, data):
    muni = ws.MUNICIPALITIES[2]
    app.category.value = explorer.ALL
    app.municipality.value = muni
    assert set(app.listed["municipality"]) == {muni}
    n_muni = int(((data.identification["year"] == app.year.value)
                  & (data.identification["municipality"] == muni)).sum())
    assert len(app.listed) == n_muni == 100
    assert f"из {n_muni} школ" in app.count.value
    assert len(app.table_df) == n_muni and len(app.table.rows) == app.p.max_table_rows < n_muni
    assert {r["cells"][2] for r in app.table.rows} == set(app.table_df["Муниципалитет"]) == {muni}
    # the chart next to the list shows the same schools
    from workbench.explorer.figures import resolve

    traces = resolve(app.scatter.figure, app.scatter.points)
    assert sum(len(t["x"]) for t in traces) == n_muni == len(app.scatter.points["x"])
    assert {i for t in traces for i in t["customdata"]} == set(app.view["school_id"])


def test_cluster_year_and_category_filters(app, data):
    year = 2023
    app.year.value = year
    app.cluster.value = 1
    cl = data.clusters
    ids = set(cl[(cl["year"] == year) & (cl["cluster"] == 1)]["school_id"])
    assert set(app.view["school_id"]) == ids
    app.category.value = "adverse_context"
    assert set(app.listed["category"]) <= {"adverse_context"}
    assert set(app.listed["school_id"]) <= ids
    assert (app.listed["year"] == year).all()


def test_rows_are_russian_and_follow_the_lists_small_cell_rule(app):
    app.category.value = explorer.ALL
    t = app.table_df
    assert list(t.columns[:4]) == ["Код ОО", "Наименование ОО", "Муниципалитет", "Категория"]
    by_id = {r["id"]: r["cells"] for r in app.table.rows}
    big = t[t[N_PUPILS] != "<5"].iloc[0]
    cells = by_id[big["Код ОО"]]
    assert cells[4].startswith(views.fmt_num(big["Устойчивый уровень"]) + " (")
    assert "," in cells[4] and "." not in cells[4]  # decimal commas
    small = t[t[N_PUPILS] == "<5"]
    assert len(small)  # the synthetic run has schools of 2–8 pupils
    for sid in small["Код ОО"]:
        if sid in by_id:
            assert by_id[sid][4] == "<5 уч." and by_id[sid][5] == "<5 уч."
    assert small["Устойчивый уровень"].isna().all()  # blank in the xlsx too


def test_sort_rows_orders_categories_by_importance_and_puts_missing_and_small_last():
    t = pd.DataFrame({"school_id": ["a", "b", "c", "d"],
                      "category": ["typical", "low_results_adverse", "resilient", "typical"],
                      "quality_index": [0.5, None, -1.0, -2.0], "n_pupils": [30, 30, 30, 3]})
    ids = lambda df: df["school_id"].tolist()  # noqa: E731
    assert ids(views.sort_rows(t, "category")) == ["b", "c", "a", "d"]  # ties by code
    assert ids(views.sort_rows(t, "index")) == ["c", "a", "b", "d"]  # d: 3 pupils, blank
    assert ids(views.sort_rows(t, "index", True)) == ["a", "c", "b", "d"]
    assert ids(views.sort_rows(t, "index", min_cell=2)) == ["d", "c", "a", "b"]
