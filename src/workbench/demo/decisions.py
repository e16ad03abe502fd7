"""The demo's expert decisions (seed 001: the list «по итогам … экспертной оценки»): a few
school-years of the last year, chosen from the ground truth so that they change the list the
statistics make — the school with the lowest true result is excluded (a reorganisation, say),
two schools just above the bottom tenth are included. Written as an office would keep them
(`decisions.csv`: Russian words, dates as text)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

DECISION_HEADERS = {"school_id": "Код ОО", "year": "Учебный год", "decision": "Решение",
                    "category": "Категория", "reason": "Основание", "expert": "Эксперт",
                    "decision_date": "Дата решения"}


def decisions_table(truth_years: pd.DataFrame) -> pd.DataFrame:
    """Three decisions of the last year: one exclusion, two inclusions (canonical columns)."""
    last = int(truth_years["year"].max())
    ty = truth_years[truth_years["year"] == last].sort_values(["true_result", "school_id"],
                                                              kind="mergesort")
    n = len(ty)
    out_id = str(ty["school_id"].iloc[0])
    near = [str(ty["school_id"].iloc[min(n - 1, int(n * q))]) for q in (0.13, 0.16)]
    date = f"25.08.{last}"
    return pd.DataFrame({
        "school_id": [out_id, *near], "year": [last] * 3,
        "decision": ["исключить", "включить", "включить"], "category": [None] * 3,
        "reason": ["школа реорганизована (присоединена к другой организации)",
                   "углублённый анализ: массовая смена педагогов, жалобы родителей",
                   "углублённый анализ: результаты РДР ниже региональных"],
        "expert": ["Экспертная группа министерства"] * 3, "decision_date": [date] * 3})


def write_decisions(truth_years: pd.DataFrame, out_dir: Path) -> tuple[Path, int]:
    """decisions.csv (utf-8-sig, «;», school years as «2024/25»)."""
    d = decisions_table(truth_years)
    d["year"] = [f"{y}/{(y + 1) % 100:02d}" for y in d["year"]]
    path = out_dir / "decisions.csv"
    d.rename(columns=DECISION_HEADERS).to_csv(path, sep=";", index=False, encoding="utf-8-sig")
    return path, len(d)


def decisions_params_lines(d: str) -> list[str]:
    """The demo params' input entry of the decisions."""
    return [
        "  # Решения экспертной группы после статистики: включить / исключить / категория.",
        "  decisions:",
        f"    path: {d}/decisions.csv",
        "    encoding: utf-8-sig",
        '    sep: ";"',
        "    columns:",
        *[f'      "{ru}": {code}' for code, ru in DECISION_HEADERS.items()],
        "",
    ]
