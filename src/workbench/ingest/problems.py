"""Problems found in the inputs: one row per problem (file, row as the user sees it in Excel,
source column header, value, severity, Russian message saying what to fix), and the Russian
messages of value-type and range failures.

Severity ``error``: the row is rejected; ``warning``: the row is kept; ``info``: lines that are
not data (totals) or facts about the file, nothing to fix."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from workbench.config.ingest import IngestParams
from workbench.ingest.columns import BOOL, DATE, DOMAIN, GRADE, NUM, WAVE, YEAR

ERROR, WARNING, INFO = "error", "warning", "info"
PROBLEM_COLUMNS = ["file", "row", "column", "value", "severity", "message"]
PLAUSIBLE_ABS = 1e12  # no count, share, score or indicator of a school is larger (1e300, inf)
SEVERITY_RU = {ERROR: "ошибка (строка не загружена)", WARNING: "предупреждение (строка загружена)",
               INFO: "сведения (не строки данных)"}


SET_APART_RU = "предупреждение (строка не вошла в расчёт)"
SET_APART_MARK = "не вошла в расчёт"  # in the message of a warning whose row was set apart


def severity_ru(severity: str, message: str = "") -> str:
    """The Russian label of a problem's severity; a warning whose row was set apart (monitoring
    of a school outside the programme) does not say the row was loaded."""
    if severity == WARNING and SET_APART_MARK in str(message):
        return SET_APART_RU
    return SEVERITY_RU.get(severity, str(severity))


def problem_frame(file: str, rows: Any, column: str, values: Any, severity: str,
                  message: Any) -> pd.DataFrame:
    """Problem rows: one per row number (or one for a scalar), each value shown as text;
    `message` is one text for all or one per row."""
    if np.ndim(rows):
        rows = pd.array(pd.to_numeric(pd.Series(np.asarray(rows, dtype=object)), errors="coerce")
                        .to_numpy(dtype="float64"), dtype="Int64")
    n = len(rows) if np.ndim(rows) else 1
    vals = pd.Series(values, dtype=object) if np.ndim(values) else [values] * n
    return pd.DataFrame({"file": [file] * n, "row": rows if np.ndim(rows) else [rows],
                         "column": column, "value": [show_value(v) for v in vals],
                         "severity": severity, "message": message})


def show_value(value: Any) -> str:
    """A cell value as the user wrote it: blank for missing, 12.0 → «12»."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def empty_problems() -> pd.DataFrame:
    """No problems, with the problem columns."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})


def type_message(kind: str, header: str, params: IngestParams) -> str:
    """What to fix in a cell whose value is not of the column's type."""
    return {
        NUM: f"в столбце «{header}» ожидается число — исправьте значение (допустимы «1 234» и "
             f"«12,5»; пустая ячейка — нет данных)",
        YEAR: f"в столбце «{header}» не понят год — укажите год числом (2024) или учебный год "
              f"(«2024/25», «2024-2025»)",
        GRADE: f"в столбце «{header}» ожидается номер класса (целое число 1–{params.max_grade})",
        BOOL: f"в столбце «{header}» ожидается «да» или «нет» (или 1/0)",
        DATE: f"в столбце «{header}» ожидается дата — укажите её как «31.08.2025» или "
              f"«2025-08-31»",
        WAVE: f"в столбце «{header}» неизвестный этап мониторинга — допустимо: входной, "
              f"промежуточный, итоговый",
        DOMAIN: f"в столбце «{header}» неизвестное направление мониторинга — допустимо: "
                f"результаты, преподавание, управление, среда",
    }.get(kind, f"в столбце «{header}» значение не распознано")


def implausible_message(header: str) -> str:
    """What to fix in a numeric cell that is not finite (inf, 1e400) or absurdly large."""
    return (f"в столбце «{header}» не число или число вне правдоподобного диапазона (бесконечность "
            f"или больше 10¹² по модулю) — исправьте значение; пустая ячейка — нет данных")


def check_message(check: str, header: str, value: Any, params: IngestParams) -> str:
    """What to fix in a cell that failed a range or not-null check (names: validate.py)."""
    if check == "share_range":
        try:
            v = float(value)
        except (TypeError, ValueError):
            v = float("nan")
        if 1 < v <= 100:
            return (f"доля в столбце «{header}» должна быть от 0 до 1; похоже, доля указана в "
                    f"процентах — разделите на 100 (например, 0,25 вместо 25)")
        return f"доля в столбце «{header}» должна быть в диапазоне от 0 до 1 — исправьте значение"
    return {
        "not_nullable": f"не заполнено обязательное поле «{header}» — заполните ячейку",
        "year_range": f"год в столбце «{header}» вне допустимого диапазона "
                      f"{params.year_min}–{params.year_max} — проверьте год",
        "grade_range": f"класс в столбце «{header}» должен быть от 1 до {params.max_grade}",
        "pct_range": f"процент в столбце «{header}» должен быть от 0 до 100",
        "mark": f"отметка в столбце «{header}» должна быть 2, 3, 4 или 5",
        "lat": f"широта в столбце «{header}» должна быть от −90 до 90",
        "lon": f"долгота в столбце «{header}» должна быть от −180 до 180",
        "nonneg": f"значение в столбце «{header}» не может быть отрицательным — исправьте число",
        "whole": f"количество в столбце «{header}» должно быть целым числом",
    }.get(check, f"значение в столбце «{header}» не прошло проверку {check}")
