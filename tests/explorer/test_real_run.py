"""The explorer on a real run of the pipeline over the demo region (n=200, seed 2026): loading
the run of a params file, thresholds that reproduce the run (categories and every reason, the
subject-level ones included), the card against the school's passport section by section, the
monitoring view of a participant."""
from __future__ import annotations

import html
import re

import pytest

from workbench import explorer
from workbench.core.vocabulary import LISTED_CATEGORIES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def params_path(explorer_demo_run):
    return explorer_demo_run


@pytest.fixture(scope="module")
def data(params_path):
    return explorer.load_run(params_path)


@pytest.fixture(scope="module")
def app(data):
    return explorer.Explorer(data)


def test_loads_the_run_of_a_params_file(data, params_path):
    assert data.run_dir == params_path.parent.parent / "outputs" / "demo"
    assert data.region == "Демонстрационный край" and data.run_id == "demo"
    assert data.identification["school_name"].notna().all()
    assert data.identification["school_name"].ne(data.identification["school_id"]).all()
    assert data.identify_params["bottom_share"] == 0.10  # thresholds of the run → sliders
    assert data.cells is not None and len(data.cells) > len(data.identification)


def test_thresholds_reproduce_the_run_and_follow_classify(data):
    from workbench.explorer.classify_adapter import align, with_decisions
    from workbench.identify import IdentifyParams, classify

    app = explorer.Explorer(data)
    year = app.year.value
    run = data.identification
    run_ids = set(run[(run["year"] == year) & run["category"].isin(LISTED_CATEGORIES)]["school_id"])
    assert set(app.listed["school_id"]) == run_ids  # run's thresholds give the run's list
    for share in (0.05, 0.20, 0.30):
        app.sliders["bottom_share"].value = share * 100  # the slider is in percent
        want = classify(run, IdentifyParams(**{**data.identify_params, "bottom_share": share}))
        want = with_decisions(run, align(run, want))  # the experts' decisions hold at any threshold
        want_ids = set(want[(want["year"] == year) & want["category"].isin(LISTED_CATEGORIES)]
                       ["school_id"])
        assert set(app.listed["school_id"]) == want_ids
    assert len(app.listed) >= len(run_ids)


def test_reasons_at_the_run_thresholds_are_the_runs_word_for_word(app, data):
    """One source of the reasons: at the run's thresholds every school of the year on screen
    has exactly the run's reasons, the worst subjects included (issue 18)."""
    year = app.year.value
    app.live.word(app.current.index[app.current["year"] == year])  # as if all were shown
    run = data.identification[data.identification["year"] == year].set_index("school_id")
    got = app.current[app.current["year"] == year].set_index("school_id")["reasons"]
    assert (got.reindex(run.index).fillna("") == run["reasons"].fillna("")).all()
    listed = run[run["category"].isin(LISTED_CATEGORIES)]
    assert listed["reasons"].str.contains(" кл.: ").sum() > len(listed) / 2  # subject phrases


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def _section(page: str, title: str) -> str:
    """The text of a passport's or card's section, from its heading to the next heading."""
    part = page.split(title, 1)[1]
    return _text(re.split(r"<h[234]", part, maxsplit=1)[0])


def _reasons(page: str, css: str) -> list[str]:
    block = re.search(rf'<ul class="{css}">(.*?)</ul>', page, re.S)
    return [_text(li) for li in re.findall(r"<li>(.*?)</li>", block.group(1), re.S)] if block else []


def test_the_card_is_the_passport(app, data):
    year = app.year.value
    listed = app.listed["school_id"].tolist()
    assert listed
    for sid in listed[:12]:
        app.show_school(sid)
        card = app.card.value
        page = data.passport_path(sid).read_text(encoding="utf-8")
        assert _reasons(card, "wb-reasons") == _reasons(page, "reasons")
        decided = data.identification.query("school_id == @sid and year == @year")["decision"]
        if decided.notna().any():  # an expert's decision is said apart, in both
            assert "экспертной группы" in _text(card) and "экспертной группы" in _text(page)
        else:
            assert _reasons(page, "reasons") != []
        title = f"Результаты по предметам, {year}/{str(year + 1)[-2:]}"
        assert _section(card, title) == _section(page, title)
        card_trend = _section(card, "Динамика по годам").split("Год Участников", 1)[1]
        assert card_trend in _section(page, "Динамика по годам")
        mon = _section(card, "<h4>Мониторинг")
        assert mon in _section(page, "<h2>Мониторинг")  # rows, or the same «нет данных»
        ri = re.search(r'<p class="big">([^<]+)<span class="muted">\[([^\]]+)\]', page)
        assert f"<b>{ri.group(1).strip()}</b>" in card and f"[{ri.group(2)}]" in card
    rel = data.passport_relpath(listed[0])
    assert rel and (data.run_dir / "briefings" / rel).exists()


def test_monitoring_view_for_a_participant(data):
    app = explorer.Explorer(data)
    sid = data.dynamics["school_id"].iloc[0]
    year = int(data.dynamics.loc[data.dynamics["school_id"] == sid, "year"].max())
    app.year.value = year
    app.show_school(sid)
    app.tabs.selected_index = explorer.TAB_MONITORING
    s = app.mon_series
    assert s["indicators"] and s["n_peers"] > 0
    d = data.dynamics
    mine = d[(d["school_id"] == sid) & (d["year"] == year) & (d["indicator"] == s["indicator"])]
    got = [float("nan") if v is None else v for v in s["school"]]  # JSON: a missing wave is null
    assert got == pytest.approx(mine[["entry", "intermediate", "final"]].iloc[0].tolist(),
                                nan_ok=True)
    drawn = [float("nan") if v is None else v for v in app.mon_chart.figure["data"][0]["y"]]
    assert drawn == pytest.approx(got, nan_ok=True)
    assert "траектория" in app.mon_note.value


def test_the_map_shows_the_schools_on_their_coordinates(app, data):
    app.category.value = explorer.ALL
    app.tabs.selected_index = explorer.TAB_MAP
    shown = {i for t in app.map.figure["data"] for i in t["customdata"]}
    assert shown == set(app.view["school_id"]) and app.map.layout.display != "none"


def test_the_card_names_the_curator_of_the_year(app, data):
    ca = data.tables["curator_assignments"]
    year = int(ca["year"].max())
    row = ca[ca["year"] == year].iloc[0]
    app.year.value = year
    app.show_school(str(row["school_id"]))
    card = app.card.value
    assert "<h4>Куратор</h4>" in card and str(row["curator_name"]) in card
    assert ("назначен" if row["source"] == "assigned" else "указан в таблице участия") in card
