"""Total and subtotal lines of an export («Итого по району», «Всего по региону», «Всего ОО:
36»): not data. They are set apart like blank lines (counted, one info line in data quality),
never reported as empty-cell errors.

A line is a total when one of its cells starts with a total word and its school code is blank
or is that word itself: a school whose name merely contains «итог» keeps its row."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from workbench.ingest.coerce import TEXT_MISSING_MARKERS, is_blank

TOTAL_RE = re.compile(r"^\s*(итог|всего|в\s+целом|в\s+среднем|total\b|сумма\b)", re.IGNORECASE)


def _starts_with_total(col: pd.Series) -> np.ndarray:
    """Which cells of a column start with a total word (on the distinct values)."""
    if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
        return np.zeros(len(col), dtype=bool)
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    flags = np.array([isinstance(u, str) and bool(TOTAL_RE.match(u)) for u in uniques] + [False],
                     dtype=bool)
    return flags[codes]


def total_rows(body: pd.DataFrame, key: int | None, candidates: np.ndarray) -> np.ndarray:
    """Rows of `body` (among `candidates`) that are total or subtotal lines. key: position of
    the school-code column (None: any row with a total word in its first text cell)."""
    out = np.zeros(len(body), dtype=bool)
    if not candidates.any() or len(body) == 0:
        return out
    if key is not None:
        code = body[key]
        open_key = is_blank(code, TEXT_MISSING_MARKERS) | _starts_with_total(code)
        todo = candidates & open_key
    else:
        todo = candidates.copy()
    if not todo.any():
        return out
    idx = np.flatnonzero(todo)
    sub = body.iloc[idx]
    hit = np.zeros(len(idx), dtype=bool)
    for j in sub.columns:
        hit |= _starts_with_total(sub[j])
    out[idx[hit]] = True
    return out


def total_message(n: int, example: str) -> str:
    """The one info line of a file's total lines."""
    return (f"пропущено строк итогов и подытогов: {n} (например, «{example}») — это не данные "
            f"школ, исправлять ничего не нужно")


def total_example(row: pd.Series) -> str:
    """The cell of a total line that makes it one («Итого по району»): shown in data quality
    instead of the line's first text, which may be a pupil's code."""
    return next((str(v) for v in row if isinstance(v, str) and TOTAL_RE.match(v)), "")
