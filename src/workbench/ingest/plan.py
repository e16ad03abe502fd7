"""The plans of measures sent back by the schools (the sheet «План мероприятий» of the
technological-map workbooks, `briefings/tech_map_xlsx.py`) read back as the canonical table
`plan`, validated like every input: a status, a level or a deadline not understood rejects its
row with file, row, column, value and what to write instead.

The workbook's headers are the default mapping (`plan_spec`: no `columns` needed in params; the
sheet is the first one, where the workbook puts it). Statuses are kept as codes (done,
in_progress, not_started, postponed, cancelled), levels as the codes of the six levels, the
deadline as an ISO date."""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import numpy as np
import pandas as pd

from workbench.config.inputs import InputSpec
from workbench.core.vocabulary import (LEVEL_LABELS, PLAN_HEADERS, PLAN_SHEET,  # noqa: F401
                                       QUARTER_END, QUARTER_STATUS, STATUSES, STATUSES_RU)
from workbench.ingest.mapping import Mapped
from workbench.ingest.problems import ERROR, problem_frame

LEVELS_RU = {" ".join(v.lower().split()): k for k, v in LEVEL_LABELS.items()}
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def plan_spec(spec: InputSpec) -> InputSpec:
    """The spec with the workbook's headers as its mapping when params give none."""
    return spec if spec.columns else spec.model_copy(update={"columns": dict(PLAN_HEADERS)})


def _norm(v: object) -> str:
    return " ".join(str(v).strip().lower().replace("ё", "е").split())


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and v != v) or str(v).strip() == ""


def _per_value(vals: np.ndarray, func: Callable[[object], object]) -> tuple[np.ndarray, np.ndarray]:
    """`func` of each non-blank cell (None for blank ones), computed once per distinct value,
    and which cells are blank."""
    codes, uniques = pd.factorize(vals, use_na_sentinel=True)
    blank = np.array([_blank(u) for u in uniques] + [True], dtype=bool)
    out = np.empty(len(uniques) + 1, dtype=object)
    out[:-1] = [None if b else func(u) for u, b in zip(uniques, blank[:-1])]
    out[-1] = None  # code −1: a missing cell
    return out[codes], blank[codes]


def parse_deadline(v: object) -> str | None:
    """«30.06.2026», 2026-06-30, an Excel date or serial number → «2026-06-30»; None if none."""
    if isinstance(v, (dt.datetime, dt.date)):
        return (v.date() if isinstance(v, dt.datetime) else v).isoformat()
    if isinstance(v, (int, float, np.integer, np.floating)) and 20000 < float(v) < 80000:
        return (dt.date(1899, 12, 30) + dt.timedelta(days=int(v))).isoformat()
    text = str(v).strip()
    m = _DATE.match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))).isoformat()
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        return None


def _vocabulary(df: pd.DataFrame, raw: pd.DataFrame, col: str, words: dict[str, str],
                rows: np.ndarray, reject: np.ndarray, mapped: Mapped, hint: str
                ) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """Normalise a column to codes by `words` (codes accepted too); unknown values rejected."""
    if col not in df.columns:
        return []
    vals = raw[col].to_numpy(dtype=object)
    codes, _ = _per_value(vals, lambda v: words.get(_norm(v), _norm(v) if _norm(v) in
                                                    words.values() else "?"))
    bad = np.array([c == "?" for c in codes], dtype=bool) & ~reject
    df[col] = [None if c == "?" else c for c in codes]
    if not bad.any():
        return []
    return [(bad, problem_frame(mapped.file, rows[bad], mapped.source[col], vals[bad], ERROR,
                                f"значение не распознано — {hint}"))]


def plan_rules(df: pd.DataFrame, raw: pd.DataFrame, rows: np.ndarray, reject: np.ndarray,
               mapped: Mapped) -> list[tuple[np.ndarray, pd.DataFrame]]:
    """Statuses, levels and deadlines of the plan rows (df normalised in place)."""
    out: list[tuple[np.ndarray, pd.DataFrame]] = []
    statuses = "выберите из списка: " + ", ".join(f"«{s}»" for s in STATUSES) + " или оставьте "\
               "пустым"
    for col in QUARTER_STATUS:
        out += _vocabulary(df, raw, col, STATUSES, rows, reject, mapped, statuses)
    out += _vocabulary(df, raw, "level", LEVELS_RU, rows, reject, mapped,
                       "напишите уровень как в технологической карте, например «На уровне ОО»")
    if "deadline" in df.columns:
        vals = raw["deadline"].to_numpy(dtype=object)
        parsed, blank = _per_value(vals, parse_deadline)
        bad = np.array([p is None for p in parsed], dtype=bool) & ~blank & ~reject
        df["deadline"] = list(parsed)
        if bad.any():
            out.append((bad, problem_frame(mapped.file, rows[bad], mapped.source["deadline"],
                                           vals[bad], ERROR, "срок не распознан — напишите "
                                           "дату в виде ДД.ММ.ГГГГ, например 30.06.2026")))
    return out
