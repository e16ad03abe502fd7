"""The app: thresholds → lists exactly as identify.classify says, a click on a point or a row
opens the card, a lasso selection filters the list, the search and the sortable columns, the
recompute time and the busy mark, reasons worded for the rows shown and the list in pages, «режим презентации», a
Russian message when there is no run."""
from __future__ import annotations

import support.explorer as ws
from workbench import explorer


def test_slider_changes_list_exactly_as_classify_says(app, data):
    from workbench.identify import IdentifyParams, classify

    year = app.year.value
    base = ws.listed_ids(classify(data.identification, IdentifyParams()), year)
    assert set(app.listed["school_id"]) == base and ws.listed_count(app) == len(base)

    app.sliders["bottom_share"].value = 25  # percent
    want = classify(data.identification, IdentifyParams(bottom_share=0.25))
    ids = ws.listed_ids(want, year)
    assert set(app.listed["school_id"]) == ids
    assert ws.listed_count(app) == len(ids) > len(base)
    n_adv = int(((want["year"] == year) & (want["category"] == "low_results_adverse")).sum())
    assert f"ШНОР в НСУ: {n_adv}," in app.count.value
    assert f"вошли {len(ids - base)}" in app.changes.value
    assert len(app.table_df) == len(ids)  # the list is exactly the counted one, in pages
    assert len(app.table.rows) == min(len(ids), app.p.max_table_rows)

    app.sliders["persist_years"].value = 4
    want = classify(data.identification, IdentifyParams(bottom_share=0.25, persist_years=4))
    assert set(app.listed["school_id"]) == ws.listed_ids(want, year)
    assert ws.listed_count(app) < len(ids)

    app.sliders["min_n"].value = 50  # small schools become insufficient_data
    want = classify(data.identification,
                    IdentifyParams(bottom_share=0.25, persist_years=4, min_n=50))
    assert set(app.listed["school_id"]) == ws.listed_ids(want, year)
    n_ins = int(((want["year"] == year) & (want["category"] == "insufficient_data")).sum())
    assert n_ins > 0 and f"недостаточно данных: {n_ins}." in app.count.value

    app._on_reset()
    assert set(app.listed["school_id"]) == base
    assert "совпадает" in app.changes.value


def test_click_on_a_point_or_a_row_opens_the_card(app):
    from workbench.explorer.figures import resolve

    listed = resolve(app.scatter.figure, app.scatter.points)[-1]  # listed: drawn last, on top
    sid = listed["customdata"][0]
    app.scatter._handle(app.scatter, {"type": "click", "ids": [sid]}, None)
    assert app.selected == sid and f"код {sid}" in app.card.value
    assert app.tabs.selected_index == explorer.TAB_CARD
    other = app.table.rows[1]["id"]
    app.tabs.selected_index = explorer.TAB_LIST
    app.table._handle(app.table, {"type": "open", "id": other}, None)
    assert app.selected == other and f"код {other}" in app.card.value
    assert app.tabs.selected_index == explorer.TAB_CARD


def test_a_lasso_selection_filters_the_list_and_is_cleared(app):
    app.category.value = explorer.ALL
    picked = [r["id"] for r in app.table.rows[:7]]
    app.scatter._handle(app.scatter, {"type": "select", "ids": picked}, None)
    assert set(app.listed["school_id"]) == set(picked) and len(app.table.rows) == 7
    assert "Выделено на графике: 7 шк." in app.selection_info.value
    assert app.clear_selection.layout.display == ""
    # the chart marks the same points as selected
    from workbench.explorer.figures import resolve

    marked = {t["customdata"][i] for t in resolve(app.scatter.figure, app.scatter.points)
              for i in t["selectedpoints"]}
    assert marked == set(picked)
    app.scatter._handle(app.scatter, {"type": "select", "ids": []}, None)  # double click
    assert app.selection is None and len(app.listed) == len(app.view)
    assert "selectedpoints" not in app.scatter.figure["data"][0]
    assert app.scatter.figure["layout"]["selections"] == []  # the box goes too


def test_search_by_name_or_code(app, data):
    app.category.value = explorer.ALL
    app.search.value = "школа № 12"  # every word: «Школа № 12», «№ 112», «№ 120»…
    names = set(app.listed["school_name"])
    assert {"Школа № 12", "Школа № 112", "Школа № 120"} <= names
    assert all("12" in n or "12" in i for n, i in zip(app.listed["school_name"],
                                                      app.listed["school_id"]))
    assert len(names) < len(app.view)
    app.search.value = "S0007"
    assert list(app.listed["school_id"]) == ["S0007"]
    app.search.value = "ШКОЛА № 8 s0007"  # every word, any case
    assert list(app.listed["school_id"]) == ["S0007"]
    app.search.value = ""
    assert len(app.listed) == len(app.view)


def test_headers_sort_the_list_and_the_download_keeps_that_order(app):
    app.category.value = explorer.ALL
    idx = [r["cells"][4] for r in app.table.rows]
    assert app.table.sort_key == "index"
    values = app.table_df["Устойчивый уровень"].dropna().tolist()
    assert values == sorted(values) and idx  # worst first
    app.table.sort_key = "name"
    names = app.table_df["Наименование ОО"].str.lower().tolist()
    assert names == sorted(names)
    app.table.sort_desc = True
    assert app.table_df["Наименование ОО"].str.lower().tolist() == sorted(names, reverse=True)
    assert app.table.rows[0]["cells"][1] == app.table_df["Наименование ОО"].iloc[0]


def test_recompute_reports_its_time_and_clears_the_busy_mark(app):
    """The widget shows how long a recompute took; the speed target itself is checked by
    benchmarks (explorer recompute, bench_present), never by a timed test."""
    seen = []
    app.busy.observe(lambda ch: seen.append(ch["new"]), names="value")
    for v in (12, 15, 20):  # the run's own value (10) would not move the slider
        app.sliders["bottom_share"].value = v
        assert app.last_recompute_s > 0
        assert "пересчёт:" in app.timing.value and " мс" in app.timing.value
    assert any("wb-busy" in s for s in seen) and app.busy.value == ""


def test_reasons_are_worded_for_the_rows_shown_as_classify_words_them(app, data):
    """After a threshold change only the rows on screen get their reasons (a page of the list,
    a card), in any year, equal to identify.classify's over everything; the others wait."""
    from workbench.identify import IdentifyParams, classify

    app.category.value = explorer.ALL
    app.sliders["bottom_share"].value = 25
    want = classify(data.identification, IdentifyParams(bottom_share=0.25))
    for year in (app.year.options[-1][1], app.year.options[0][1]):
        app.year.value = year
        got = app.current[app.current["year"] == year].set_index("school_id")["reasons"]
        exp = want[want["year"] == year].set_index("school_id")["reasons"]
        shown = [r["id"] for r in app.table.rows]
        assert shown and (got[shown] == exp[shown]).all() and (got[shown] != "").any()
        assert [r["cells"][-1] for r in app.table.rows] == exp[shown].tolist()
        rest = exp.index.difference(shown)
        assert (got[rest] == "").sum() > 0  # not worded: no one looks at them
        assert (got[rest].ne("") <= got[rest].eq(exp[rest])).all()  # worded ones: the same


def test_the_list_comes_in_pages_each_worded_when_shown(app, data):
    from workbench.identify import IdentifyParams, classify

    app.category.value = explorer.ALL
    size, n = app.p.max_table_rows, len(app.table_df)
    assert n > 2 * size and app.pager.layout.display == ""
    assert f"Строки 1–{size} из {n} (страница 1 из {(n - 1) // size + 1})" in app.table.note
    assert app.prev_page.disabled and not app.next_page.disabled
    want = classify(data.identification, IdentifyParams()).set_index(["school_id", "year"])
    seen: list[str] = []
    while True:
        ids = [r["id"] for r in app.table.rows]
        assert ids == app.table_df["Код ОО"].iloc[len(seen):len(seen) + size].tolist()
        exp = [want.loc[(i, app.year.value), "reasons"] for i in ids]
        assert [r["cells"][-1] for r in app.table.rows] == exp
        seen += ids
        if app.next_page.disabled:
            break
        app.next_page.click()
    assert seen == app.table_df["Код ОО"].tolist() and len(seen) == n  # every row, in order
    app.prev_page.click()
    assert app.table.rows[0]["id"] == seen[len(seen) - len(seen) % size - size
                                           if len(seen) % size else len(seen) - 2 * size]
    app.search.value = "S000"  # any change of the list: back to its first page
    assert app.page == 0 and app.pager.layout.display == "none" and app.table.note == ""


def test_presentation_mode_enlarges_the_type_and_the_charts(app):
    small = app.scatter.figure["layout"]["font"]["size"]
    app.present.value = True
    assert "wb-present" in app.widget._dom_classes
    assert app.scatter.figure["layout"]["font"]["size"] > small
    app.present.value = False
    assert "wb-present" not in app.widget._dom_classes
    assert app.scatter.figure["layout"]["font"]["size"] == small


def test_map_tab_draws_the_view_on_coordinates_or_says_why_not(app, data):
    app.tabs.selected_index = explorer.TAB_MAP
    assert "нет координат" in app.map_note.value  # the synthetic run has none
    assert app.map.layout.display == "none"


def test_explorer_widget_shows_russian_message_without_a_run(tmp_path, monkeypatch):
    monkeypatch.delenv(explorer.RUN_DIR_ENV, raising=False)
    w = explorer.explorer_widget(str(tmp_path / "nope"))
    assert "Папка результатов не найдена" in w.value
    monkeypatch.setenv(explorer.RUN_DIR_ENV, str(tmp_path / "nope2"))
    assert "nope2" in explorer.explorer_widget("ignored").value
