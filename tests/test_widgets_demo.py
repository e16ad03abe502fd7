"""The explorer on a real run of the pipeline over the demo region (n=200, seed 2026)."""
from __future__ import annotations

import html
import re

import pytest

import widgets_support as ws
from workbench import widgets
from workbench.canon import LISTED_CATEGORIES

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def params_path(tmp_path_factory):
    return ws.build_demo_run(tmp_path_factory.mktemp("wdemo"), n_schools=200)


@pytest.fixture(scope="module")
def data(params_path):
    return widgets.load_run(params_path)


def test_loads_the_run_of_a_params_file(data, params_path):
    assert data.run_dir == params_path.parent.parent / "outputs" / "demo"
    assert data.region == "Демонстрационный край"
    assert data.identification["school_name"].notna().all()
    assert data.identification["school_name"].ne(data.identification["school_id"]).all()
    assert data.identify_params["bottom_share"] == 0.12  # thresholds of the run → sliders


def test_thresholds_reproduce_the_run_and_follow_classify(data):
    from workbench.identify import IdentifyParams, classify

    app = widgets.Explorer(data)
    year = app.year.value
    run = data.identification
    run_ids = set(run[(run["year"] == year) & run["category"].isin(LISTED_CATEGORIES)]["school_id"])
    assert set(app.listed["school_id"]) == run_ids  # run's thresholds give the run's list
    for share in (0.05, 0.20, 0.30):
        app.sliders["bottom_share"].value = share * 100  # the slider is in percent
        want = classify(run, IdentifyParams(**{**data.identify_params, "bottom_share": share}))
        want_ids = set(want[(want["year"] == year) & want["category"].isin(LISTED_CATEGORIES)]
                       ["school_id"])
        assert set(app.listed["school_id"]) == want_ids
    assert len(app.listed) >= len(run_ids)


def test_card_has_what_the_passport_says(data):
    app = widgets.Explorer(data)
    row = app.listed.iloc[0]
    app.show_school(row["school_id"])
    card = html.unescape(app.card.value)
    passport = data.passport_path(row["school_id"])
    assert passport is not None
    text = html.unescape(re.sub(r"<[^>]+>", " ", passport.read_text(encoding="utf-8")))
    text = re.sub(r"\s+", " ", text)
    reasons = [r.strip() for r in row["reasons"].split(";") if r.strip()]
    assert reasons
    for r in reasons:
        assert r in card
        assert r in text  # the passport states the same reasons
    pa = data.partners
    assigned = pa[(pa["school_id"] == row["school_id"]) & pa["assigned"].astype(bool)]
    if len(assigned):
        name = data.schools.set_index("school_id").loc[assigned["partner_id"].iloc[0], "school_name"]
        assert f"Школа-партнёр: {name}" in re.sub(r"<[^>]+>", "", card)


def test_monitoring_view_for_a_participant(data):
    app = widgets.Explorer(data)
    sid = data.dynamics["school_id"].iloc[0]
    year = int(data.dynamics.loc[data.dynamics["school_id"] == sid, "year"].max())
    app.year.value = year
    app.show_school(sid)
    app.tabs.selected_index = widgets.TAB_MONITORING
    s = app.mon_series
    assert s["indicators"] and s["n_peers"] > 0
    d = data.dynamics
    mine = d[(d["school_id"] == sid) & (d["year"] == year) & (d["indicator"] == s["indicator"])]
    assert s["school"] == pytest.approx(mine[["entry", "intermediate", "final"]].iloc[0].tolist(),
                                        nan_ok=True)
    assert "траектория" in app.mon_note.value
