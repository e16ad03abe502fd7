"""Values in percent where the table holds counts or shares.

- A results file whose mark columns were mapped as counts (`n_mark2..n_mark5`, as for a
  «Количество» export) but hold a ФИС ОКО «Распределение групп баллов в %»: every row sums to
  ≈100 while the participants are not 100. The file is read as percentages (`pct_mark*`, turned
  into counts with the participants) with one warning line saying how to map it; when only part
  of the rows look so, nothing is changed and one warning line says what it looks like.
- A column declared `scale: percent` in params: its values are divided by 100."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.ingest import IngestParams
from workbench.core.formatting import fmt_int
from workbench.ingest.problems import WARNING, problem_frame

MARKS = [f"n_mark{k}" for k in range(2, 6)]
PCTS = [f"pct_mark{k}" for k in range(2, 6)]
CONVERT_SHARE = 0.9   # rows that must look like percent for the file to be read so
HINT_SHARE = 0.3      # rows looking like percent that make the hint worth a line


def percent_like_rows(df: pd.DataFrame, alive: np.ndarray, params: IngestParams
                      ) -> tuple[np.ndarray, np.ndarray]:
    """(rows that can tell: all four marks and participants ≠ 100 given, rows among them whose
    marks sum to ≈100 but not to the participants)."""
    marks = df[MARKS].to_numpy(dtype="float64")
    n = df["n_participants"].to_numpy(dtype="float64")
    total = marks.sum(axis=1)
    telling = alive & ~np.isnan(marks).any(axis=1) & ~np.isnan(n) & (np.abs(n - 100) > 1e-9)
    looks = telling & (np.abs(total - 100) <= params.pct_sum_tolerance) \
        & (np.abs(total - n) > params.marks_sum_tolerance)
    return telling, looks


def detect_percent_marks(df: pd.DataFrame, raw: pd.DataFrame, source: dict[str, str],
                         alive: np.ndarray, file: str, header_row: int, params: IngestParams
                         ) -> tuple[bool, pd.DataFrame | None]:
    """Rename n_mark* → pct_mark* in df, raw and source (in place) when the file holds percent
    distributions. Returns (converted, the one warning line or None)."""
    if not params.detect_percent or not set(MARKS) <= set(df.columns) \
            or set(PCTS) & set(df.columns) or "n_participants" not in df.columns:
        return False, None
    telling, looks = percent_like_rows(df, alive, params)
    n_tell, n_looks = int(telling.sum()), int(looks.sum())
    if n_tell == 0 or n_looks < HINT_SHARE * n_tell:
        return False, None
    headers = "», «".join(source[c] for c in MARKS)
    if n_looks >= CONVERT_SHARE * n_tell:
        rename = dict(zip(MARKS, PCTS))
        for frame in (df, raw):  # in place: the caller's frames
            frame.columns = [rename.get(c, c) for c in frame.columns]
        for a, b in rename.items():
            source[b] = source.pop(a)
        msg = (f"в столбцах «{headers}» сумма по строке ≈ 100 при числе участников не 100 "
               f"({fmt_int(n_looks)} из {fmt_int(n_tell)} строк): это распределение в процентах, "
               f"файл прочитан как проценты отметок. Чтобы убрать предупреждение, сопоставьте "
               f"эти столбцы с pct_mark2…pct_mark5 в параметрах")
        return True, problem_frame(file, header_row, source["pct_mark2"], "", WARNING, msg)
    msg = (f"похоже, это проценты: в {fmt_int(n_looks)} из {fmt_int(n_tell)} строк столбцы "
           f"«{headers}» в сумме дают ≈ 100 — если файл содержит распределение в %, сопоставьте "
           f"столбцы с pct_mark2…pct_mark5")
    return False, problem_frame(file, header_row, source["n_mark2"], "", WARNING, msg)


def apply_scales(df: pd.DataFrame, scales: dict[str, str] | None) -> None:
    """Columns declared `scale: percent` divided by 100 (in place)."""
    for c, scale in (scales or {}).items():
        if scale == "percent" and c in df.columns:
            df[c] = pd.to_numeric(df[c], errors="coerce").astype("float64") / 100.0
