"""Canonical tables (design §3): required and optional columns, unique keys, standard context
indicators. Everything after ingestion uses only these names."""
from __future__ import annotations

REQUIRED_COLUMNS: dict[str, list[str]] = {
    "schools": ["school_id", "school_name", "municipality"],
    "context": ["school_id", "year"],
    "results": ["school_id", "year", "procedure", "subject", "grade", "n_participants"],
    "results_students": ["student_id", "school_id", "year", "procedure", "subject", "grade"],
    "monitoring": ["school_id", "year", "wave", "domain", "indicator", "value"],
    "risk_survey": ["school_id", "year", "risk_factor", "value"],
    "programme": ["school_id", "year", "participant"],
    "agreements": ["school_id", "partner_id"],
    "curators": ["curator_id", "name"],
    "decisions": ["school_id", "year", "decision"],
    "plan": ["school_id", "year", "measure_no", "measure"],
}
OPTIONAL_COLUMNS: dict[str, list[str]] = {
    "schools": ["locality", "school_type", "latitude", "longitude", "is_small"],
    "context": [],  # numeric context indicators: STANDARD_INDICATORS + declared extras
    "results": ["n_mark2", "n_mark3", "n_mark4", "n_mark5", "pct_mark2", "pct_mark3", "pct_mark4",
                "pct_mark5", "mean_score", "sd_score", "n_low", "share_low"],
    "results_students": ["mark", "score", "is_low"],
    "monitoring": ["n", "higher_is_better"],
    "risk_survey": ["source"],
    "programme": ["curator", "partner_school_id"],
    "agreements": ["number", "date", "valid_until", "status"],
    "curators": ["organisation", "municipality", "capacity"],
    "decisions": ["category", "reason", "expert", "decision_date"],
    "plan": ["problem_number", "problem", "module", "level", "deadline", "responsible",
             "status_sep", "status_dec", "status_mar", "status_jun", "note"],
}
# unique key of each canonical table (duplicates are errors at ingestion)
KEYS: dict[str, list[str]] = {
    "schools": ["school_id"],
    "context": ["school_id", "year"],
    "results": ["school_id", "year", "procedure", "subject", "grade"],
    "results_students": ["student_id", "year", "procedure", "subject"],
    "monitoring": ["school_id", "year", "wave", "domain", "indicator"],
    "risk_survey": ["school_id", "year", "risk_factor", "source"],
    "programme": ["school_id", "year"],
    "agreements": ["school_id", "partner_id"],
    "curators": ["curator_id"],

    "decisions": ["school_id", "year"],
    "plan": ["school_id", "year", "measure_no"],
}
CANONICAL_TABLES = ["schools", "context", "results", "monitoring", "risk_survey", "programme",
                    "agreements", "curators", "decisions", "plan"]

# ---------------------------------------------------------------- standard context indicators
ADVERSE, FAVOURABLE, NEUTRAL = "adverse", "favourable", "neutral"
STANDARD_INDICATORS: dict[str, str] = {
    "n_students": NEUTRAL,
    "share_low_income": ADVERSE,
    "share_single_parent": ADVERSE,
    "share_parents_no_higher_ed": ADVERSE,
    "share_ovz": ADVERSE,
    "share_non_native": ADVERSE,
    "share_at_risk_register": ADVERSE,
    "teacher_vacancy_rate": ADVERSE,
    "share_teachers_60plus": ADVERSE,
    "internet_mbps": FAVOURABLE,
    "distance_km": ADVERSE,
    "is_rural": ADVERSE,
}
INDICATOR_LABELS_RU: dict[str, str] = {
    "n_students": "Численность обучающихся",
    "share_low_income": "Доля обучающихся из малообеспеченных семей",
    "share_single_parent": "Доля обучающихся из неполных семей",
    "share_parents_no_higher_ed": "Доля родителей без высшего образования",
    "share_ovz": "Доля обучающихся с ОВЗ",
    "share_non_native": "Доля обучающихся с неродным русским языком",
    "share_at_risk_register": "Доля обучающихся на профилактическом учёте",
    "teacher_vacancy_rate": "Доля вакансий педагогов",
    "share_teachers_60plus": "Доля педагогов 60 лет и старше",
    "internet_mbps": "Скорость интернета, Мбит/с",
    "distance_km": "Расстояние до муниципального центра, км",
    "is_rural": "Сельская школа",
}
