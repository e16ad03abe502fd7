"""Security: the small-cell rule in the passport and the municipality page (issue 17, item 20)
counts pupils, not pupil-results, and nothing on those pages gives a small school's figures
away — neither «Участников: 3» nor «низкие результаты лет подряд»."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from support.briefings import YEAR, canonical, params, produced, text
from workbench.briefings.stage import run as run_briefings
from workbench.context import RunContext
from workbench.core.privacy import pupil_count


def test_pupils_are_counted_once_per_grade():
    rows = [{"procedure": "ВПР", "grade": 5, "subject": "Математика", "n_participants": 3},
            {"procedure": "ВПР", "grade": 5, "subject": "Русский язык", "n_participants": 3},
            {"procedure": "ВПР", "grade": 6, "subject": "Математика", "n_participants": 2},
            {"procedure": "ОГЭ", "grade": 9, "subject": "Математика", "n_participants": None}]
    assert pupil_count(rows) == 5  # 3 in grade 5 (two subjects, the same pupils) + 2 in grade 6
    assert pupil_count([]) is None


@pytest.fixture(scope="module")
def small_school_run(tmp_path_factory):
    """The hand-made run plus S5: three pupils who sat two subjects (six pupil-results), low
    results five years running."""
    rd = tmp_path_factory.mktemp("small")
    tables = canonical()
    tables["schools"] = pd.concat([tables["schools"], pd.DataFrame(
        {"school_id": ["S5"], "school_name": ["Малокомплектная школа"],
         "municipality": ["Северный район"], "locality": ["село"], "school_type": [None]})])
    extra = pd.DataFrame({"school_id": ["S5", "S5"], "year": [YEAR, YEAR],
                          "procedure": ["ВПР", "ВПР"], "subject": ["Математика", "Русский язык"],
                          "grade": [5, 5], "n_participants": [3, 3], "n_low": [2.0, 2.0],
                          "mean_score": [2.7, 2.8]})
    extra["share_low"] = extra["n_low"] / extra["n_participants"]
    tables["results"] = pd.concat([tables["results"], extra], ignore_index=True)
    out = produced()
    row = out["identification"].iloc[[0]].assign(
        school_id="S5", n_pupils=6.0, years_low=5, category="low_results",
        category_ru="low_results", reasons="индекс результатов ниже региона")
    out["identification"] = pd.concat([out["identification"], row], ignore_index=True)
    ctx = RunContext(params(), rd)
    for k, v in tables.items():
        ctx.write_canonical(k, v)
    for k, v in out.items():
        ctx.write_table(k, v)
    run_briefings(ctx)
    return rd / "briefings"


@pytest.mark.parametrize("sid", ["S5", "S4"])
def test_small_school_passport_shows_no_count_and_no_years_low(small_school_run, sid):
    page = text(small_school_run / "school" / f"{sid}.html")
    assert not re.search(r"Участников: \d", page), sid
    assert "лет подряд" not in page
    assert "Участников: менее 5" in page


def test_ordinary_school_still_shows_its_count_and_years_low(small_school_run):
    page = text(small_school_run / "school" / "S1.html")
    assert "Участников: 20" in page  # 20 pupils (+ 3 in the other subject: the same pupils)
    assert "низкие результаты лет подряд: 2" in page


def test_municipality_page_gives_no_small_count_away(small_school_run):
    page = text(small_school_run / "municipality" / "severnyy-rayon.html")
    assert "Малокомплектная школа" in page
    assert not re.search(r"Участников: [1-4]\b", page)
