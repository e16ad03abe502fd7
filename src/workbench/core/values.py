"""Normalisation of values as users write them: Russian category words, yes/no, school years."""
from __future__ import annotations

import re


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
