"""The school card is the passport's view model (briefings.school_view) with the explorer's
classification: what it says, what changes with the thresholds, the passport link that only
`workbench present` serves, markup from the data kept inert."""
from __future__ import annotations

import re

import support.explorer as ws
from workbench import explorer
from workbench.briefings.school_view import school_view
from workbench.core.formatting import fmt_num
from workbench.explorer.card import NOT_IN_RUN, passport_url
from workbench.explorer.escape import esc


def test_choosing_a_school_opens_its_card(app, data):
    row = app.listed.iloc[0]
    label = next(k for k, v in app._school_ids.items() if v == row["school_id"])
    app.school.value = label
    card = app.card.value
    assert esc(row["school_name"]) in card
    view = app.cards.view(app.current, row["school_id"], app.year.value, False)
    assert view["ri_fmt"]["value"] == fmt_num(row["result_index"])
    assert f"<b>{view['ri_fmt']['value']}</b>" in card and view["ri_fmt"]["lo"] in card
    reasons = [r.strip() for r in row["reasons"].split(";") if r.strip()]
    assert reasons and view["reasons"] == reasons
    assert all(f"<li>{esc(r)}</li>" in card for r in reasons)
    assert "Категория: <span class=\"cat cat-" in card and esc(row["category_ru"]) in card
    assert "Школа-партнёр:" in card and "Профиль рисков" in card and "кластер" in card
    trend = card.split("Динамика по годам", 1)[1].split("<h4>", 1)[0]
    assert len(re.findall(r"<tr><td>20\d\d/\d\d</td>", trend)) == 5  # the 5 years
    assert esc(NOT_IN_RUN) in card  # context and programme: only in the passport


def test_the_card_is_school_view_with_the_current_classification(app):
    """The same function as the passport, the school's rows replaced by the explorer's."""
    sid = app.listed["school_id"].iloc[0]
    p = app.cards.prepared(app.year.value)
    from workbench.briefings.prepare import school_input

    run_view = school_view(school_input(p, sid), app.cards.params)
    assert app.cards.view(app.current, sid, app.year.value, False)["reasons"] == \
        run_view["reasons"]


def test_card_says_when_thresholds_changed_the_category(app):
    app.sliders["bottom_share"].value = 30
    year = app.year.value
    new = app.listed[~app.listed["school_id"].isin(ws.listed_ids(app.base_classified, year))]
    app.show_school(new["school_id"].iloc[0])
    card = app.card.value
    assert "Расчёт «что если»" in card and "в расчёте категория: " in card
    assert "нижних 30%" in card or "нижние 30%" in card  # the reasons at the explorer's thresholds
    # the status change against the previous year follows the explorer's thresholds too
    entered = ws.listed_ids(app.current, year) - ws.listed_ids(app.current, year - 1)
    app.show_school(sorted(entered)[0])
    assert "Изменение статуса: вошла в список" in app.card.value


def test_passport_link_only_where_present_serves_it(data, tmp_path, monkeypatch):
    sid = data.identification["school_id"].iloc[0]
    monkeypatch.delenv(explorer.SERVED_ENV, raising=False)
    assert passport_url(data, sid) is None  # the synthetic run has no briefings
    page = data.run_dir / "briefings" / "school" / f"{sid}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("<html></html>", encoding="utf-8")
    try:
        assert passport_url(data, sid) is None  # JupyterLab: no server route, path as text
        monkeypatch.setenv(explorer.SERVED_ENV, "1")
        monkeypatch.setenv("VOILA_BASE_URL", "/")
        assert passport_url(data, sid) == f"/workbench/passport/school/{sid}.html"
        html = explorer.Explorer(data).cards.html(data.identification, sid,
                                                  data.years[-1], False)
        assert f'href="/workbench/passport/school/{sid}.html" target="_blank"' in html
    finally:
        page.unlink()
