"""Monitoring of schools outside the programme: the programme's monitoring is of its
participants, so a monitoring row of a school that does not take part in the programme that
school year (per the programme table) is set apart — a warning in data quality naming file,
row, school and year, the row left out of the monitoring table (and so of `dynamics` and of
completeness) and counted as not loaded. Years the programme table does not cover at all are
kept, with one warning per file that their participation could not be checked. Without a
programme table nothing is checked."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.formatting import year_label
from workbench.ingest.problems import SET_APART_MARK, WARNING, empty_problems, problem_frame

OUTSIDE = f"строка мониторинга {SET_APART_MARK}"  # labelled apart (problems.severity_ru)


def participant_pairs(programme: pd.DataFrame) -> tuple[set[tuple[str, int]], set[int]]:
    """(school, year) pairs marked as participating, and the years the programme covers."""
    if programme is None or len(programme) == 0:
        return set(), set()
    years = pd.to_numeric(programme["year"], errors="coerce")
    ok = years.notna().to_numpy()
    yes = np.array([v is True or v is np.True_ for v in programme["participant"]], dtype=bool)
    ids = programme["school_id"].astype(str).to_numpy()
    yrs = years.to_numpy()
    pairs = {(ids[i], int(yrs[i])) for i in np.flatnonzero(ok & yes)}
    return pairs, {int(y) for y in yrs[ok]}


def outside_programme(frame: pd.DataFrame, pairs: set[tuple[str, int]], covered: set[int]
                      ) -> tuple[np.ndarray, list[int]]:
    """Rows of a monitoring file whose school does not take part in the programme that year
    (a year the programme covers), and the years of the file the programme does not cover."""
    if len(frame) == 0:
        return np.zeros(0, dtype=bool), []
    ids = frame["school_id"].astype(str).to_numpy()
    yrs = pd.to_numeric(frame["year"], errors="coerce").to_numpy()
    known = ~np.isnan(yrs)
    years = np.where(known, yrs, 0).astype(np.int64)
    in_cover = np.isin(years, list(covered)) & known
    outside = np.array([bool(c) and (s, int(y)) not in pairs
                        for s, y, c in zip(ids, years, in_cover)], dtype=bool)
    uncovered = sorted({int(y) for y in years[known & ~in_cover]})
    return outside, uncovered


def outside_lines(file: str, frame: pd.DataFrame, outside: np.ndarray, uncovered: list[int],
                  header: str) -> pd.DataFrame:
    """The warnings: one per row set apart, one per year without programme data."""
    frames = []
    if outside.any():
        sub = frame[outside]
        msgs = [f"школа не участвует в программе в {year_label(int(y))} учебном году (в таблице "
                f"programme нет отметки об участии) — {OUTSIDE} (динамика и полнота "
                f"мониторинга — только по участникам); проверьте код школы и год или отметку "
                f"участия в таблице программы" for y in sub["year"]]
        frames.append(problem_frame(file, sub["_row"].to_numpy(), header,
                                    sub["school_id"].to_numpy(), WARNING, msgs))
    for y in uncovered:
        frames.append(problem_frame(
            file, pd.NA, "year", year_label(y), WARNING,
            f"за {year_label(y)} учебный год в таблице programme нет ни одной строки — участие "
            f"школ в программе для мониторинга этого года не проверено (строки загружены)"))
    return pd.concat(frames, ignore_index=True) if frames else empty_problems()
