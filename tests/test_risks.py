"""Risk profiles and the technological map on hand-made schools (numbers worked by hand)."""
from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import load_workbook
from scipy.stats import spearmanr

from workbench import risks
from workbench.canon import RISK_FACTORS
from workbench.config import ParamsError, parse_params
from workbench.risks import RisksParams

YEAR = 2025


def _survey(rows):
    return pd.DataFrame(rows, columns=["school_id", "year", "risk_factor", "value", "source"])


@pytest.fixture
def hand_made():
    survey = _survey([
        ("S1", YEAR, "R02", 0.8, "директор"), ("S1", YEAR, "R02", 0.6, "педагоги"),
        ("S1", YEAR, "R03", 0.5, "директор"), ("S1", YEAR, "R03", 0.3, "педагоги"),
        ("S1", YEAR, "R07", 0.2, "обучающиеся"),
        ("S1", YEAR - 3, "R10", 0.9, "родители"),          # too old: ignored
        ("S2", YEAR, "R02", 0.1, "директор"), ("S2", YEAR, "R05", 0.1, "директор"),
    ])
    context = pd.DataFrame({
        "school_id": ["S1", "S1", "S2"], "year": [YEAR - 1, YEAR, YEAR],
        "internet_mbps": [100.0, 2.0, 80.0], "teacher_vacancy_rate": [0.0, 0.1, 0.0],
        "share_non_native": [0.0, 0.1, 0.0], "share_teachers_60plus": [0.0, 0.3, 0.1]})
    results = pd.DataFrame({
        "school_id": ["S1", "S1", "S2"], "year": [YEAR] * 3, "procedure": ["ВПР"] * 3,
        "subject": ["Математика", "Русский язык", "Математика"], "grade": [5, 5, 5],
        "n_participants": [10, 10, 20], "n_low": [3.0, 1.0, 0.0]})
    return survey, context, results


def test_profile_scores_levels_and_sources(hand_made):
    survey, context, results = hand_made
    prof = risks.risk_profiles(["S1", "S2"], YEAR, survey, context, results, RisksParams())
    s1 = prof[prof["school_id"] == "S1"].set_index("risk_factor")
    # survey: mean over sources; derived only where the survey is silent
    assert s1.loc["R02", "score"] == pytest.approx(0.7) and not s1.loc["R02", "derived"]
    assert s1.loc["R03", "score"] == pytest.approx(0.4) and s1.loc["R03", "level"] == "medium"
    assert s1.loc["R07", "level"] == "low"
    assert "директор, педагоги" in s1.loc["R02", "source"]
    # internet 2 Mbit/s → R01 = 1 (rule 50 → 0, 2 → 1)
    assert s1.loc["R01", "score"] == pytest.approx(1.0) and bool(s1.loc["R01", "derived"])
    assert s1.loc["R01", "level"] == "high"
    # share of «2»: (3 + 1) / 20 = 0.2 → (0.2 − 0.05) / 0.3 = 0.5
    assert s1.loc["R06", "score"] == pytest.approx(0.5) and s1.loc["R06", "level"] == "medium"
    # teachers 60+: 0.3 → R04 (0.3 − 0.1) / 0.4 = 0.5; R03 comes from the survey instead
    assert s1.loc["R04", "score"] == pytest.approx(0.5) and bool(s1.loc["R04", "derived"])
    assert s1.loc["R08", "score"] == pytest.approx(0.25)
    assert "R10" not in s1.index  # survey answer 3 years old, no context support
    assert "расчёт по данным" in s1.loc["R01", "source"]
    assert s1.loc["R02", "risk_name"] == RISK_FACTORS["R02"]
    assert set(prof.columns) == set(risks.RISK_PROFILE_COLUMNS)


def test_tech_map_priorities_and_modules(hand_made):
    survey, context, results = hand_made
    prof = risks.risk_profiles(["S1", "S2"], YEAR, survey, context, results, RisksParams())
    tm = risks.tech_map(prof, RisksParams())
    s1 = tm[tm["school_id"] == "S1"].sort_values("priority")
    # medium or above: R01 1.0, R02 0.7, R04 0.5, R06 0.5, R03 0.4 → top 4 (tie by table order)
    assert list(s1["risk_factors"]) == ["R01", "R02", "R04", "R06"]
    assert list(s1["priority"]) == [1, 2, 3, 4]
    assert list(s1["problem"])[:2] == ["Низкая скорость Интернета и МТБ", "Наличие вакансий"]
    assert list(s1["module"]) == ["Ресурсные возможности", "Мобильный педагог",
                                  "Управление качеством образования", "Возможности для каждого"]
    assert all(s1["level_ministry"].str.len() > 0) and all(s1["level_oo"].str.len() > 0)
    # S2: nothing reaches «medium» → exactly one problem (min_problems), the highest score
    s2 = tm[tm["school_id"] == "S2"]
    assert len(s2) == 1 and s2["priority"].iloc[0] == 1
    assert s2["score"].iloc[0] == pytest.approx(prof[prof.school_id == "S2"]["score"].max())


def test_params_rename_extend_and_module_table(hand_made):
    survey, context, results = hand_made
    survey = pd.concat([survey, _survey([("S1", YEAR, "R11", 0.95, "директор")])])
    p = RisksParams(risk_factors={**RISK_FACTORS, "R02": "Нехватка учителей", "R11": "Свой фактор"},
                    modules=[risks.ModuleRule(risk_factors=["R11", "R02"], problem="Своя проблема",
                                              module="Мобильный педагог", level_oo="своё")],
                    level_high=0.9, derive_missing=False)
    prof = risks.risk_profiles(["S1"], YEAR, survey, context, results, p)
    by = prof.set_index("risk_factor")
    assert by.loc["R11", "risk_name"] == "Свой фактор" and by.loc["R11", "level"] == "high"
    assert by.loc["R02", "risk_name"] == "Нехватка учителей" and by.loc["R02", "level"] == "medium"
    assert not prof["derived"].any()
    tm = risks.tech_map(prof, p)
    assert len(tm) == 1 and tm["risk_factors"].iloc[0] == "R11, R02"
    assert tm["level_oo"].iloc[0] == "своё"


def test_params_validation_in_russian():
    with pytest.raises(ParamsError) as e:
        parse_params({"inputs": {"schools": {"path": "x"}},
                      "risks": {"level_high": 0.3, "level_medium": 0.5}})
    assert "level_medium" in str(e.value)
    with pytest.raises(ParamsError) as e:
        parse_params({"inputs": {"schools": {"path": "x"}}, "risks": {"levels": 1}})
    assert "неизвестный ключ «risks.levels»" in str(e.value)


def test_xlsx_per_municipality(tmp_path, hand_made):
    survey, context, results = hand_made
    prof = risks.risk_profiles(["S1", "S2"], YEAR, survey, context, results, RisksParams())
    tm = risks.tech_map(prof, RisksParams())
    schools = pd.DataFrame({"school_id": ["S1", "S2"],
                            "school_name": ["Школа «Первая»", "Школа [2]"],
                            "municipality": ["Северный район", "Северный район"]})
    files = risks.write_tech_map_xlsx(tm, schools, tmp_path, RISK_FACTORS)
    assert [f.name for f in files] == ["severnyy-rayon.xlsx"]
    wb = load_workbook(files[0])
    assert wb.sheetnames == ["S1", "S2", "Модули"]
    ws = wb["S1"]
    assert "Школа «Первая»" in ws.cell(1, 1).value
    headers = [ws.cell(3, c).value for c in range(1, 11)]
    assert headers[:4] == ["Приоритет", "Проблема", "Факторы риска", "Модуль поддержки"]
    assert headers[4] == "На уровне ОО" and headers[-1] == "Иные организации"
    assert ws.cell(4, 2).value == "Низкая скорость Интернета и МТБ"
    assert ws.cell(4, 5).alignment.wrap_text and ws.cell(4, 5).border.left.style == "thin"


def test_derived_scores_agree_with_demo_survey():
    """On the demo region, rules applied to context agree with the survey answers the generator
    derives from the same context (rank correlation per factor)."""
    demo = pytest.importorskip("workbench.demo")
    reg = demo.generate_region(n_schools=300, seed=2026)
    t = reg.tables
    year = int(t["risk_survey"]["year"].max())
    ids = sorted(t["risk_survey"].loc[t["risk_survey"]["year"] == year, "school_id"].unique())
    assert len(ids) >= 10
    p = RisksParams()
    survey = risks.survey_scores(t["risk_survey"], ids, year, p)
    derived = risks.derived_scores(t["context"], t["results"], ids, year, p)
    m = survey.merge(derived, on=["school_id", "risk_factor"], suffixes=("_s", "_d"))
    for factor in ["R01", "R02", "R08"]:
        mm = m[m["risk_factor"] == factor]
        rho = spearmanr(mm["score_s"], mm["score_d"]).statistic
        assert rho > 0.4, (factor, rho)


def test_monitoring_supports_derived_factors():
    mon = pd.DataFrame({
        "school_id": ["S3"] * 5, "year": [YEAR, YEAR, YEAR, YEAR, YEAR - 1],
        "wave": ["entry", "final", "final", "final", "final"],
        "domain": ["teaching", "teaching", "management", "results", "environment"],
        "indicator": ["Индекс качества урока", "Индекс качества урока", "Индекс управления",
                      "Доля «2»", "Индекс среды"],
        "value": [65.0, 35.0, 50.0, 0.4, 35.0], "higher_is_better": [True, True, True, False, True]})
    prof = risks.risk_profiles(["S3"], YEAR, None, None, None, RisksParams(), monitoring=mon)
    by = prof.set_index("risk_factor")
    # final wave wins over entry: 35 → (35 − 65) / (35 − 65) = 1
    assert by.loc["R03", "score"] == pytest.approx(1.0) and by.loc["R03", "derived"]
    assert by.loc["R04", "score"] == pytest.approx(0.5)  # (50 − 65) / (35 − 65)
    assert "R09" not in by.index  # environment only in an older year than the school's latest
    assert "мониторинг: качество преподавания" in by.loc["R03", "source"]
    assert set(by.index) == {"R03", "R04"}  # lower-is-better «results» indicator not used
