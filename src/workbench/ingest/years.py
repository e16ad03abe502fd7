"""Years as users mean them: the year of a file taken from its name or its title row
(`year_from: filename | title`, one glob entry for all yearly ФИС ОКО exports), and calendar
years of a spring procedure turned into school years (`year_is: spring_calendar`: the ВПР of
spring 2025 belongs to the school year 2024/25, year 2024). A school-year value («2024/25»)
is a school year whatever `year_is` says."""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from workbench.config import InputSpec
from workbench.core.values import parse_year
from workbench.ingest.errors import DataError

SCHOOL_YEAR_RE = re.compile(r"^\s*\d{4}\s*[/\-–—]\s*\d{2,4}")
WHERE_RU = {"filename": "имени файла", "title": "заголовка таблицы"}


def year_in_text(text: str, pattern: str) -> tuple[int, bool] | None:
    """(year, is a school year) found in a text by the pattern (the first four digits of its
    first group, else of the whole match), or None. «ВПР_2024» → (2024, False); «ОГЭ
    2023-2024» → (2023, True); «ВПР_2024_05» → (2024, False)."""
    for m in re.finditer(pattern, text):
        found = m.group(1) if m.groups() and m.group(1) else m.group(0)
        digits = re.search(r"\d{4}", found)
        if digits is None:
            continue
        year = int(digits.group(0))
        pair = re.search(r"\d{4}\s*[-/–—_]\s*\d{2,4}", m.group(0))
        is_school_year = pair is not None and parse_year(
            re.sub(r"[_–—]", "-", pair.group(0))) == year
        return year, is_school_year
    return None


def file_year(spec: InputSpec, file_name: str, title: list[str], where: str) -> tuple[int, str]:
    """The school year of a file from its name or title (year_is applied) and where it came
    from, in Russian; DataError naming the file (`where`: «file», and its sheet) when none is
    found."""
    source = spec.year_from
    text = file_name if source == "filename" else " ".join(title)
    found = year_in_text(text, spec.year_regex())
    if found is None:
        shown = f"«{text}»" if text else "(пусто)"
        raise DataError(
            f"Файл {where}: год не найден в {WHERE_RU[source]} {shown} (year_from: {source}"
            f"{', year_pattern: ' + spec.year_pattern if spec.year_pattern else ''}). Назовите "
            f"файл с годом (например, ВПР_2025.xlsx), укажите year_pattern или сопоставьте "
            f"столбец года (year_from: column).")
    year, is_school_year = found
    if spec.year_is == "spring_calendar" and not is_school_year:
        return year - 1, f"{WHERE_RU[source]} (весна {year} г. → {year - 1}/{str(year)[2:]} уч. г.)"
    return year, WHERE_RU[source]


def school_year_text(values: Any) -> np.ndarray:
    """Which raw year cells are written as a school year («2024/25», «2024-2025»)."""
    s = pd.Series(np.asarray(values, dtype=object))
    return s.map(lambda v: isinstance(v, str) and bool(SCHOOL_YEAR_RE.match(v))).to_numpy(bool)


def spring_to_school_year(years: pd.Series, raw: pd.Series) -> pd.Series:
    """Calendar years of a spring procedure → school years (minus one), except the cells
    already written as a school year."""
    shift = ~school_year_text(raw.to_numpy()) & years.notna().to_numpy()
    return years.where(~shift, years - 1)
