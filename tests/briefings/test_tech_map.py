"""The technological map on hand-made profiles: priorities, modules, at least one problem."""
from __future__ import annotations

import pandas as pd
import pytest

from support.briefings import YEAR, risk_inputs
from workbench.briefings.risk_profiles import risk_profiles
from workbench.briefings.tech_map import TECH_LEVELS, full_form, tech_map
from workbench.briefings.tech_map_facts import school_facts
from workbench.config.briefings import RisksParams


@pytest.fixture
def hand_made():
    return risk_inputs()


def test_tech_map_priorities_and_modules(hand_made):
    survey, context, results = hand_made
    prof = risk_profiles(["S1", "S2"], YEAR, survey, context, results, RisksParams())
    tm = tech_map(prof, RisksParams())
    s1 = tm[tm["school_id"] == "S1"].sort_values("priority")
    # medium or above: R01 1.0, R02 0.7, R04 0.5, R06 0.5, R03 0.4 → top 4 (tie by table order)
    assert list(s1["risk_factors"]) == ["R01", "R02", "R04", "R06"]
    assert list(s1["priority"]) == [1, 2, 3, 4]
    assert list(s1["number"]) == [7, 1, 3, 6]  # the numbers of appendix 2
    assert list(s1["problem"])[:2] == [
        "Низкая скорость Интернета и другие материально-технические проблемы, влияющие на "
        "качество обучения (указать какие)", "Наличие вакансий в ОО (указать вакансии)"]
    assert list(s1["module"]) == ["Ресурсные возможности", "Мобильный педагог",
                                  "Управление качеством образования",
                                  "Управление качеством образования"]
    assert all(s1["level_ministry"].str.len() > 0) and all(s1["level_oo"].str.len() > 0)
    # S2: nothing reaches «medium» → exactly one problem (min_problems), the highest score
    s2 = tm[tm["school_id"] == "S2"]
    assert len(s2) == 1 and s2["priority"].iloc[0] == 1
    assert s2["score"].iloc[0] == pytest.approx(prof[prof.school_id == "S2"]["score"].max())


def _facts_tables():
    """A hand-made school S1: its partner S2 assigned, a curator assigned, two weak subjects."""
    survey, context, results = risk_inputs()
    schools = pd.DataFrame({"school_id": ["S1", "S2", "S3"],
                            "school_name": ["МБОУ Первая СОШ", "Гимназия № 2", "Школа № 3"],
                            "municipality": ["Северный район"] * 3})
    results = pd.DataFrame({
        "school_id": ["S1", "S1", "S2", "S2", "S3", "S3"], "year": [YEAR] * 6,
        "procedure": ["ВПР"] * 6, "subject": ["Математика", "Русский язык"] * 3,
        "grade": [5] * 6, "n_participants": [20, 20, 40, 40, 40, 40],
        "n_low": [8.0, 6.0, 2.0, 2.0, 6.0, 4.0]})
    partners = pd.DataFrame({"school_id": ["S1", "S1"], "year": [YEAR, YEAR],
                             "partner_id": ["S3", "S2"], "rank": [2, 1],
                             "assigned": [False, True]})
    people = pd.DataFrame({"curator_id": ["C1"], "name": ["Иванова А. П."]})
    assignments = pd.DataFrame({"school_id": ["S1"], "year": [YEAR], "curator_id": ["C1"]})
    return {"schools": schools, "context": context, "results": results, "partners": partners,
            "curators": people, "curator_assignments": assignments}, survey


def test_full_appendix2_form_of_a_hand_made_school():
    tables, survey = _facts_tables()
    facts = school_facts(tables, YEAR)
    # weakest subject-grades against the region: maths 40% vs (8+2+6)/100 = 16%, Russian 30% vs 12%
    assert facts.subjects["S1"] == "математика 5 кл., русский язык 5 кл."
    assert facts.subjects_long["S1"].startswith(
        "математика 5 кл. (ВПР): доля низких результатов 40% (регион 16%)")
    assert facts.partner["S1"] == "«Гимназия № 2» (код S2)"  # the assigned one, not rank order
    assert facts.curator["S1"] == "Иванова А. П."
    prof = risk_profiles(["S1"], YEAR, survey, tables["context"], tables["results"],
                         RisksParams())
    full = full_form(prof, RisksParams(), facts)
    assert list(full["number"]) == list(range(1, 11))  # all ten problems of appendix 2
    assert full["problem"].iloc[8] == "Отсутствие возможности адресной поддержки одарённых детей"
    assert full["module"].iloc[8] == "Одарённые дети" and pd.isna(full["priority"].iloc[8])
    chosen = full[full["priority"].notna()].sort_values("priority")
    # R06 = (35% − 5%) / 30% = 1,00 ties R01 = 1,00: the order of the table puts № 6 first
    assert list(chosen["number"]) == [6, 7, 1, 3]
    vac = full.set_index("number").loc[1]
    # the numbers behind the problem: survey score, the vacancy share against the mean of the
    # latest context of S1 (10%) and S2 (0%)
    assert vac["evidence"] == ("R02 «Дефицит педагогических кадров»: 0,70 (анкетирование 2025 "
                               "(директор, педагоги)); доля вакансий педагогов: 10% (регион 5%)")
    assert vac["level_resource_centres"] == ("Уроки педагогов ресурсной школы «Гимназия № 2» "
                                             "(код S2) в сетевой форме")
    assert vac["level_mouo"].endswith("куратор: Иванова А. П.")
    prof_def = full.set_index("number").loc[2]
    assert prof_def["level_oo"].startswith("Список учителей (математика 5 кл., русский язык "
                                           "5 кл.)")
    assert "{" not in "".join(full[TECH_LEVELS].to_numpy().ravel())


def test_the_form_says_what_is_missing_without_partner_or_curator():
    tables, survey = _facts_tables()
    facts = school_facts({"schools": tables["schools"]}, YEAR)
    prof = risk_profiles(["S1"], YEAR, survey, tables["context"], tables["results"],
                         RisksParams())
    vac = full_form(prof, RisksParams(), facts).set_index("number").loc[1]
    assert "ресурсной школы (ресурсная школа не назначена)" in vac["level_resource_centres"]
    assert vac["level_mouo"].endswith("куратор: не назначен")
    assert full_form(prof, RisksParams(), facts).set_index("number").loc[9, "evidence"] == \
        "нет данных"
