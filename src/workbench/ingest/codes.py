"""School codes as users have them: a code that is not in the school list but becomes one of its
codes after restoring or removing leading zeros (a CSV saved from Excel: «010001» → «10001»),
removing spaces («01 0001») or a trailing «.0» (a numeric Excel cell read as text) is matched to
that code. One warning line per file says how many rows were repaired and how; a code that
still matches nothing stays a rejected row (validate.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.core.formatting import fmt_int
from workbench.ingest.problems import WARNING, problem_frame

_SPACES = re.compile(r"[\s\u00a0\u202f']+")
HOW_RU = {"zeros_restored": "восстановлены ведущие нули", "zeros_removed": "убраны ведущие нули",
          "spaces": "убраны пробелы", "float": "убрано «.0» числовой ячейки"}


def code_key(code: str) -> str:
    """A code with what Excel and typing change taken away: spaces, a trailing «.0», leading
    zeros of an all-digit code."""
    s = _SPACES.sub("", str(code))
    if re.fullmatch(r"\d+\.0+", s):
        s = s.split(".", 1)[0]
    if s.isdigit():
        s = s.lstrip("0") or "0"
    return s


def _how(code: str, known: str) -> str:
    s = _SPACES.sub("", code)
    if re.fullmatch(r"\d+\.0+", s):
        return "float"
    if s != code and s == known:
        return "spaces"
    return "zeros_restored" if len(s) < len(known) else "zeros_removed"


@dataclass
class Repair:
    """Codes matched to the school list after a repair."""

    rows: np.ndarray          # positions repaired
    codes: np.ndarray         # the school-list code of each
    how: dict[str, int]       # kind of repair → rows
    example: tuple[str, str]  # (as written, as matched)


def repair_codes(ids: pd.Series, unknown: np.ndarray, known: set[str]) -> Repair | None:
    """The unknown codes that match exactly one school-list code by `code_key`."""
    if not unknown.any():
        return None
    by_key: dict[str, str | None] = {}
    for k in known:
        key = code_key(k)
        by_key[key] = None if key in by_key else k    # two list codes with one key: ambiguous
    pos = np.flatnonzero(unknown)
    values = ids.to_numpy(dtype=object)[pos]
    distinct = {v: by_key.get(code_key(v)) for v in set(values)}
    matched = np.array([distinct[v] is not None for v in values], dtype=bool)
    if not matched.any():
        return None
    rows = pos[matched]
    written = values[matched]
    codes = np.array([distinct[v] for v in written], dtype=object)
    how: dict[str, int] = {}
    for w, c in zip(written, codes):
        kind = _how(str(w), str(c))
        how[kind] = how.get(kind, 0) + 1
    return Repair(rows, codes, how, (str(written[0]), str(codes[0])))


def repair_line(repair: Repair, file: str, header: str, row: object, what: str = "коды школ"
                ) -> pd.DataFrame:
    """The one warning line of a file's repaired codes."""
    kinds = ", ".join(f"{HOW_RU[k]} — {fmt_int(n)}" for k, n in repair.how.items())
    written, matched = repair.example
    msg = (f"{what} в {fmt_int(len(repair.rows))} строках не совпали со списком школ, но совпали "
           f"после исправления ({kinds}; например, «{written}» → «{matched}»); строки загружены. "
           f"Чтобы убрать предупреждение, храните коды как текст (в Excel — формат «Текстовый»)")
    return problem_frame(file, row, header, written, WARNING, msg)
