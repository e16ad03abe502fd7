"""Hand-made inputs of the briefings tests: a run of four schools (canonical and produced tables,
one school name with hostile text, one school of 4 pupils) and the risk-survey inputs of two
schools whose profile numbers are worked by hand."""
from __future__ import annotations

import pandas as pd

from workbench.briefings.stage import run as run_briefings
from workbench.config import parse_params
from workbench.context import RunContext

YEAR = 2025
EVIL = '<script>alert(1)</script> «Школа» "кавычки" \'апостроф\'\nновая строка & Ко'


def params(**over):
    return parse_params({"inputs": {"schools": {"path": "x"}}, "region": "Тестовый край",
                         "run_id": "t", "briefings": {"progress": False}, **over})


def canonical():
    schools = pd.DataFrame({
        "school_id": ["S1", "S2", "S3", "S4"],
        "school_name": ["МБОУ Первая СОШ", "Гимназия № 2", EVIL, "Малая школа"],
        "municipality": ["Северный район", "Северный район", "Южный район", "Южный район"],
        "locality": ["село", "город", "город", None],
        "school_type": [None, "Гимназия", None, None]})
    context = pd.DataFrame({"school_id": ["S1", "S2", "S3", "S4"], "year": [YEAR] * 4,
                            "n_students": [120.0, 900.0, 400.0, 4.0],
                            "share_low_income": [0.3, 0.1, 0.2, 0.75],
                            "internet_mbps": [2.0, 100.0, 50.0, 10.0],
                            "teacher_vacancy_rate": [0.12, 0.0, 0.02, 0.3]})
    results = pd.DataFrame({
        "school_id": ["S1", "S1", "S2", "S3", "S4"], "year": [YEAR] * 5,
        "procedure": ["ВПР", "ВПР", "ВПР", "ВПР", "ВПР"],
        "subject": ["Математика", "Русский язык", "Математика", "Математика", "Математика"],
        "grade": [5, 5, 5, 5, 5], "n_participants": [20, 3, 60, 30, 4],
        "n_low": [8.0, 2.0, 3.0, 3.0, 3.0], "mean_score": [2.9, 3.1, 4.1, 3.8, 2.5]})
    results["share_low"] = results["n_low"] / results["n_participants"]
    survey = pd.DataFrame({"school_id": ["S1", "S1"], "year": [YEAR, YEAR],
                           "risk_factor": ["R03", "R03"], "value": [0.9, 0.7],
                           "source": ["директор", "педагоги"]})
    monitoring = pd.DataFrame({
        "school_id": ["S1"] * 3, "year": [YEAR] * 3, "wave": ["entry", "intermediate", "final"],
        "domain": ["results"] * 3, "indicator": ["Доля «2», математика"] * 3,
        "value": [0.4, 0.35, 0.3], "n": [20.0, 3.0, 20.0], "higher_is_better": [False] * 3})
    return {"schools": schools, "context": context, "results": results, "risk_survey": survey,
            "monitoring": monitoring}


def produced():
    ident = pd.DataFrame({
        "school_id": ["S1", "S2", "S3", "S4", "S1"], "year": [YEAR] * 4 + [YEAR - 1],
        "n_pupils": [23.0, 60.0, 30.0, 4.0, 25.0],
        "result_index": [-1.234, 0.9, -1.5, -3.0, -1.1],
        "result_ci_low": [-1.81, 0.5, -2.0, -4.0, -1.6],
        "result_ci_high": [-0.66, 1.3, -1.0, -2.0, -0.6],
        "result_percentile": [6.0, 90.0, 4.0, 1.0, 8.0],
        "share_low": [0.435, 0.05, 0.1, 0.75, 0.4], "share_low_region": [0.12] * 5,
        "value_added": [-0.8, 0.5, -0.9, -1.0, -0.7], "va_ci_low": [-1.2] * 5,
        "va_ci_high": [-0.4] * 5,
        "category": ["low_results_adverse", "high_performing", "low_results", "insufficient_data",
                     "low_results_adverse"],
        "objectivity_flag": [False, True, False, False, False],
        "reasons": ["доля «2» по ВПР, математика 5 кл.: 40% (регион 12%), 2 года подряд; "
                    "неблагоприятные социальные условия", "", "индекс результатов −1,5", None, None],
        "years_low": [2, 0, 1, 0, 1]})
    ident["category_ru"] = ident["category"]
    clusters = pd.DataFrame({"school_id": ["S1", "S2", "S3", "S4"], "year": [YEAR] * 4,
                             "cluster": [1, 1, 2, 2],
                             "cluster_name": ["Сельские, медленный интернет"] * 2 + ["Городские"] * 2,
                             "similar_schools_percentile": [10.0, 95.0, 5.0, 1.0]})
    partners = pd.DataFrame({"school_id": ["S1", "S1"], "year": [YEAR] * 2,
                             "partner_id": ["S2", "S3"], "rank": [1, 2], "score": [1.0, 0.5],
                             "assigned": [True, False], "distance_km": [12.3, 40.0],
                             "same_municipality": [True, False],
                             "reasons": ["похожие условия: кластер 1", "далеко"]})
    changes = pd.DataFrame({"school_id": ["S3"], "year": [YEAR], "change": ["вошла в список"],
                            "category_before": ["typical"], "category_now": ["low_results"]})
    return {"identification": ident, "clusters": clusters, "partners": partners,
            "list_changes": changes}


def hand_made_run(run_dir, **over):
    """The briefings stage over the hand-made run (params `over`): (RunContext, stage output).
    produced=False: canonical tables only, as when no earlier stage ran."""
    with_produced = over.pop("produced", True)
    ctx = RunContext(params(**over), run_dir)
    for k, v in canonical().items():
        ctx.write_canonical(k, v)
    if with_produced:
        for k, v in produced().items():
            ctx.write_table(k, v)
    return ctx, run_briefings(ctx)


def text(path):
    return path.read_text(encoding="utf-8")


def survey_frame(rows):
    """Risk-survey rows (school_id, year, risk_factor, value, source) as a table."""
    return pd.DataFrame(rows, columns=["school_id", "year", "risk_factor", "value", "source"])


def risk_inputs():
    """Survey, context and results of two hand-made schools (numbers worked by hand in the tests)."""
    survey = survey_frame([
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
