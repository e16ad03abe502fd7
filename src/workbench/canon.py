"""Canonical tables, category codes and the normalisation of Russian category values.

Everything after ingestion uses only the names defined here (design.md §3). Stage modules import
constants from this module; it imports nothing from the rest of the package.
"""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

# ---------------------------------------------------------------- canonical tables (design §3)
REQUIRED_COLUMNS: dict[str, list[str]] = {
    "schools": ["school_id", "school_name", "municipality"],
    "context": ["school_id", "year"],
    "results": ["school_id", "year", "procedure", "subject", "grade", "n_participants"],
    "results_students": ["student_id", "school_id", "year", "procedure", "subject", "grade"],
    "monitoring": ["school_id", "year", "wave", "domain", "indicator", "value"],
    "risk_survey": ["school_id", "year", "risk_factor", "value"],
    "programme": ["school_id", "year", "participant"],
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
}
CANONICAL_TABLES = ["schools", "context", "results", "monitoring", "risk_survey", "programme"]

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

# ---------------------------------------------------------------- categories (design §4)
CATEGORIES: dict[str, str] = {
    "low_results_adverse": "ШНОР в неблагоприятных социальных условиях",
    "low_results": "ШНОР (низкие результаты обучения)",
    "adverse_context": "ШФНСУ (неблагоприятные социальные условия)",
    "resilient": "Резильентная школа",
    "high_performing": "Высокие результаты",
    "typical": "Типичная",
    "insufficient_data": "Недостаточно данных",
}
LISTED_CATEGORIES = ["low_results_adverse", "low_results"]  # the ШНОР list

WAVES = ["entry", "intermediate", "final"]
WAVES_RU = {"entry": "входной", "intermediate": "промежуточный", "final": "итоговый"}
DOMAINS = ["results", "teaching", "management", "environment"]
DOMAINS_RU = {"results": "результаты обучения", "teaching": "качество преподавания",
              "management": "качество управления", "environment": "школьная среда"}
# monitoring schedule (seed 003, item 13): waves expected per domain and year
SCHEDULE: dict[str, list[str]] = {
    "results": ["entry", "intermediate", "final"],
    "teaching": ["entry", "final"],
    "management": ["final"],
    "environment": ["final"],
}
PROCEDURES = ["ВПР", "ОГЭ", "ЕГЭ"]

RISK_FACTORS: dict[str, str] = {
    "R01": "Низкий уровень оснащения школы",
    "R02": "Дефицит педагогических кадров",
    "R03": "Недостаточная предметная и методическая компетентность педагогических работников",
    "R04": "Несформированность внутришкольной системы повышения квалификации",
    "R05": "Риски низкой адаптивности учебного процесса",
    "R06": "Высокая доля обучающихся с рисками учебной неуспешности",
    "R07": "Низкая учебная мотивация обучающихся",
    "R08": "Низкое качество преодоления языковых и культурных барьеров",
    "R09": "Пониженный уровень качества школьной образовательной и воспитательной среды",
    "R10": "Низкий уровень вовлечённости родителей",
}

MIN_CELL = 5  # figures from fewer pupils are suppressed in briefings and xlsx


# ---------------------------------------------------------------- normalisation of values
def _key(value: object) -> str:
    return re.sub(r"[\s\-_«»\"'.]+", "", str(value).strip().lower().replace("ё", "е"))


_WAVE_ALIASES = {
    "entry": "entry", "входной": "entry", "входная": "entry", "вход": "entry", "старт": "entry",
    "стартовый": "entry", "1": "entry",
    "intermediate": "intermediate", "промежуточный": "intermediate", "промежуточная": "intermediate",
    "2": "intermediate",
    "final": "final", "итоговый": "final", "итоговая": "final", "итог": "final", "3": "final",
}
_DOMAIN_ALIASES = {
    "results": "results", "результаты": "results", "результатыобучения": "results",
    "качестворезультатовобучения": "results",
    "teaching": "teaching", "преподавание": "teaching", "качествопреподавания": "teaching",
    "management": "management", "управление": "management", "качествоуправления": "management",
    "environment": "environment", "среда": "environment", "школьнаясреда": "environment",
    "качествошкольнойсреды": "environment",
}
_PROCEDURE_ALIASES = {"впр": "ВПР", "vpr": "ВПР", "огэ": "ОГЭ", "oge": "ОГЭ", "гиа9": "ОГЭ",
                      "егэ": "ЕГЭ", "ege": "ЕГЭ", "гиа11": "ЕГЭ"}
_BOOL_ALIASES = {"1": True, "да": True, "true": True, "yes": True, "истина": True, "участник": True,
                 "+": True, "0": False, "нет": False, "false": False, "no": False, "ложь": False,
                 "-": False, "": False}


def normalise_wave(value: object) -> str | None:
    """Map «входной / промежуточный / итоговый» (and English codes) to entry/intermediate/final."""
    return _WAVE_ALIASES.get(_key(value))


def normalise_domain(value: object) -> str | None:
    """Map «результаты / преподавание / управление / среда» (and English codes) to domain codes."""
    return _DOMAIN_ALIASES.get(_key(value))


def normalise_procedure(value: object) -> str:
    """ВПР/ОГЭ/ЕГЭ in any case or transliteration; anything else is kept as written (stripped)."""
    return _PROCEDURE_ALIASES.get(_key(value), str(value).strip())


def normalise_bool(value: object) -> bool | None:
    """«да/нет», 1/0, true/false; None when not understood."""
    if value is None or (isinstance(value, float) and value != value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value)
    return _BOOL_ALIASES.get(_key(value))


_YEAR_RE = re.compile(r"^\s*(\d{4})(?:\s*[/\-–—]\s*(\d{2}|\d{4}))?\s*(?:г\.?|гг\.?|уч\.?\s*г\.?)?\s*$")


def parse_year(value: object) -> int | None:
    """School year's first calendar year: 2024, «2024/25», «2024-2025», 2024.0 → 2024; else None."""
    if value is None:
        return None
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float):
        return int(value) if value == value and value == int(value) else None
    m = _YEAR_RE.match(str(value).replace("\u00a0", " "))
    if not m:
        return None
    first = int(m.group(1))
    if m.group(2):
        second = int(m.group(2))
        second = second if second > 100 else (first // 100) * 100 + second
        if second != first + 1:
            return None
    return first


def slugify(text: str) -> str:
    """ASCII file-name slug of a Russian name (transliterated), stable across runs."""
    table = str.maketrans({
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
        "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"})
    s = str(text).lower().translate(table)
    s = re.sub(r"[^a-z0-9]+", "-", s).strip("-")
    return s or "x"


class StrictModel(BaseModel):
    """Params base model: unknown keys are errors (they name the key), values validated on set."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class WorkbenchError(Exception):
    """An error about the user's data or params; its message is Russian and shown as is."""
