"""The pupil model every observed result is drawn from: pupils per grade, a school's offset per
subject, a cohort effect per school × year × grade, and the planted anomalies (inflated ВПР among
ordinary schools of below-median quality; the year in which a tiny school writes all «2»).

A pupil's ability is `pupil_beta · true result + subject offset + subject difficulty + cohort
effect + N(0, 1)`; marks and scores follow from it (`workbench.demo.results`, `exams`,
`students`, `monitoring`)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.demo.params import MATH, MATH_PROFILE, RUS, WORLD, DemoParams
from workbench.demo.structure import Structure

GRADES = np.arange(4, 12)  # grades 4..11: the third axis of `grade_size` and `cohort`


@dataclass
class PupilModel:
    """`grade_size` and `cohort`: school × year × grade (GRADES); `subj_offset`: subject → one
    value per school; `inflated`, `tiny`, `extreme_year` (-1 = none): per school."""

    grade_size: np.ndarray
    subj_offset: dict[str, np.ndarray]
    cohort: np.ndarray
    inflated: np.ndarray
    tiny: np.ndarray
    extreme_year: np.ndarray
    years: np.ndarray
    params: DemoParams


def grade_sizes(rng: np.random.Generator, st: Structure, n_students_y: np.ndarray) -> np.ndarray:
    """Pupils per school × year × grade; 0 for the grades 10-11 of basic schools."""
    n, ny = n_students_y.shape
    g_size = (n_students_y[:, :, None] / st.n_grades[:, None, None]) * np.exp(
        rng.normal(0, 0.15, (n, ny, len(GRADES))))
    g_size = np.round(g_size)
    g_size[st.tiny] = rng.integers(4, 7, (st.tiny.sum(), ny, len(GRADES)))
    no_senior = np.broadcast_to(st.basic[:, None, None] & (GRADES[None, None, :] >= 10), g_size.shape)
    g_size[no_senior] = 0
    return np.maximum(g_size, 0).astype(int)


def plant_anomalies(rng: np.random.Generator, st: Structure, latent: np.ndarray,
                    years: tuple[int, ...], p: DemoParams) -> tuple[np.ndarray, np.ndarray]:
    """Schools with inflated ВПР (bool per school) and the extreme year of each tiny school."""
    n, ny = st.n, len(years)
    n_infl = max(1, int(round(p.share_inflated * n)))
    infl_cand = np.flatnonzero(~st.tiny & (st.ctype >= 2) & (latent < np.median(latent)))
    inflated = np.zeros(n, bool)
    inflated[rng.choice(infl_cand, size=min(n_infl, len(infl_cand)), replace=False)] = True
    extreme_year = np.full(n, -1)
    extreme_year[st.tiny] = np.array(years)[rng.integers(max(0, ny - 3), ny, st.tiny.sum())]
    return inflated, extreme_year


def draw_pupil_model(rng: np.random.Generator, st: Structure, n_students_y: np.ndarray,
                     latent: np.ndarray, years: tuple[int, ...], p: DemoParams) -> PupilModel:
    """Grade sizes, subject offsets, cohort effects and the planted anomalies, in this order."""
    n, ny = st.n, len(years)
    g_size = grade_sizes(rng, st, n_students_y)
    subj_offset = {s: rng.normal(0, p.subject_sd, n) for s in (RUS, MATH, WORLD, MATH_PROFILE)}
    cohort = rng.normal(0, p.cohort_sd, (n, ny, len(GRADES)))
    inflated, extreme_year = plant_anomalies(rng, st, latent, years, p)
    return PupilModel(grade_size=g_size, subj_offset=subj_offset, cohort=cohort, inflated=inflated,
                      tiny=st.tiny, extreme_year=extreme_year, years=np.array(years), params=p)
