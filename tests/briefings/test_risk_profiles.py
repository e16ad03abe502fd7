"""Risk profiles on hand-made schools (numbers worked by hand), from monitoring, on the demo
region (derived scores agree with the survey; survey scores are the means of the latest survey)."""
from __future__ import annotations

import pandas as pd
import pytest
from scipy.stats import spearmanr

from support.briefings import YEAR, risk_inputs, survey_frame
from workbench.briefings import risk_profiles as risks
from workbench.briefings.tech_map import tech_map
from workbench.config import ParamsError, parse_params
from workbench.config.briefings import ModuleRule, RisksParams
from workbench.core.vocabulary import RISK_FACTORS


@pytest.fixture
def hand_made():
    return risk_inputs()


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


def test_params_rename_extend_and_module_table(hand_made):
    survey, context, results = hand_made
    survey = pd.concat([survey, survey_frame([("S1", YEAR, "R11", 0.95, "директор")])])
    p = RisksParams(risk_factors={**RISK_FACTORS, "R02": "Нехватка учителей", "R11": "Свой фактор"},
                    modules=[ModuleRule(risk_factors=["R11", "R02"], problem="Своя проблема",
                                              module="Мобильный педагог", level_oo="своё")],
                    level_high=0.9, derive_missing=False)
    prof = risks.risk_profiles(["S1"], YEAR, survey, context, results, p)
    by = prof.set_index("risk_factor")
    assert by.loc["R11", "risk_name"] == "Свой фактор" and by.loc["R11", "level"] == "high"
    assert by.loc["R02", "risk_name"] == "Нехватка учителей" and by.loc["R02", "level"] == "medium"
    assert not prof["derived"].any()
    tm = tech_map(prof, p)
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


def test_derived_scores_agree_with_demo_survey(demo600):
    """On the demo region, rules applied to context agree with the survey answers the generator
    derives from the same context (rank correlation per factor)."""
    t = demo600.tables
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


@pytest.mark.slow
def test_risk_profiles_follow_the_survey(briefings_demo_run):
    """Listed schools with a survey this year get survey scores (derived = False)."""
    _, ctx, _, reg = briefings_demo_run
    prof = ctx.table("risk_profiles")
    rs = reg.tables["risk_survey"]
    year = int(prof["year"].max())
    surveyed = set(rs.loc[rs["year"] >= year - 1, "school_id"])
    p = prof[prof["school_id"].isin(surveyed)]
    assert len(p) and not p["derived"].any()
    mean = (rs[rs["school_id"].isin(p["school_id"])].sort_values("year")
            .groupby(["school_id", "risk_factor"]).apply(
                lambda g: g[g["year"] == g["year"].max()]["value"].mean(), include_groups=False))
    got = p.set_index(["school_id", "risk_factor"])["score"]
    pd.testing.assert_series_equal(got.sort_index(), mean.loc[got.index].sort_index().round(4),
                                   check_names=False, atol=1e-4)
