"""The one small-cell rule: no figure computed from fewer than `min_cell` pupils is shown.

`min_cell` is a single param (`briefings.min_cell`, default 5) read by every output: passports,
municipality pages, lists.xlsx, the explorer and the notebooks. Counts are of pupils (the
school's `n_pupils`, or the participants of one subject-grade cell), never pupil-results."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

MIN_CELL = 5  # default of the param


def is_small(n: Any, min_cell: int = MIN_CELL) -> bool:
    """True when a count is known and below min_cell (an unknown count is not «small»)."""
    try:
        v = float(n)
    except (TypeError, ValueError):
        return False
    return v == v and v < min_cell


def small_mask(n: pd.Series | np.ndarray, min_cell: int = MIN_CELL) -> np.ndarray:
    """Vectorised is_small: known counts below min_cell."""
    v = pd.to_numeric(pd.Series(n), errors="coerce").to_numpy(dtype=float)
    return ~np.isnan(v) & (v < min_cell)


def suppressed_short(min_cell: int = MIN_CELL) -> str:
    """What a suppressed count shows in tables: «‹5»-style, «<5»."""
    return f"<{min_cell}"


def suppressed_text(min_cell: int = MIN_CELL, what: str = "участников") -> str:
    """What a suppressed figure shows in prose: «менее 5 участников»."""
    return f"менее {min_cell} {what}".strip()


def pupil_count(rows: Iterable[Mapping[str, Any]]) -> float | None:
    """Pupils behind one school's results rows of one year — pupils, not pupil-results: per
    procedure and grade the largest number of participants of any subject (the subjects of one
    grade are sat by the same pupils), summed over them. None when no row has a count."""
    best: dict[tuple[Any, Any], float] = {}
    for r in rows:
        try:
            n = float(r.get("n_participants"))
        except (TypeError, ValueError):
            continue
        if n == n:
            key = (r.get("procedure"), r.get("grade"))
            best[key] = max(best.get(key, 0.0), n)
    return float(sum(best.values())) if best else None
