"""ОГЭ (grade 9) and ЕГЭ (grade 11): participants, mean score, SD of scores and the number below
the minimum, drawn from the same pupil ability as ВПР (no inflation: exams follow the truth)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from workbench.demo.helpers import binomial_inv
from workbench.demo.params import MATH, MATH_PROFILE, PROC_CODES, RUS, SUBJ_CODES, SUBJECT_DIFFICULTY
from workbench.demo.pupils import PupilModel

# exams: (procedure, grade, subject, centre, scale, max score, below-minimum cut in ability units)
EXAMS: list[tuple[str, int, str, float, float, float, float]] = [
    ("ОГЭ", 9, RUS, 25.0, 4.5, 33.0, -1.9),
    ("ОГЭ", 9, MATH, 16.0, 5.0, 31.0, -1.55),
    ("ЕГЭ", 11, RUS, 68.0, 13.0, 100.0, -2.3),
    ("ЕГЭ", 11, MATH_PROFILE, 58.0, 16.0, 100.0, -1.65),
]


def _exam_rows(rng: np.random.Generator, pm: PupilModel, true: np.ndarray,
               exam: tuple[str, int, str, float, float, float, float]) -> pd.DataFrame:
    """Rows of one exam for every school × year with participants."""
    proc, grade, subj, centre, scale, max_score, low_cut = exam
    n, ny = true.shape
    s = np.repeat(np.arange(n), ny)
    yi = np.tile(np.arange(ny), n)
    size = pm.grade_size[s, yi, grade - 4]
    if proc == "ЕГЭ":
        size = np.round(size * (0.55 if grade == 11 else 1.0)).astype(int)
        rate = 0.97 if subj == RUS else 0.5
    else:
        rate = 0.97
    npart = rng.binomial(size, rate)
    mu = (pm.params.pupil_beta * true[s, yi] + pm.subj_offset[subj][s] + SUBJECT_DIFFICULTY[subj]
          + pm.cohort[s, yi, grade - 4])
    mean_ab = mu + rng.normal(0, 1, len(s)) / np.sqrt(np.maximum(npart, 1))
    mean_score = np.clip(centre + scale * mean_ab, 0, max_score)
    sd = scale * np.sqrt(rng.chisquare(np.maximum(npart - 1, 1)) / np.maximum(npart - 1, 1))
    sd = np.where(npart >= 2, sd, np.nan)
    nlow = binomial_inv(rng, npart, ndtr(low_cut - mu))  # by inversion: see helpers
    df = pd.DataFrame({"_s": s, "year": pm.years[yi], "_proc": PROC_CODES[proc],
                       "_subj": SUBJ_CODES[subj],
                       "grade": grade, "n_participants": npart,
                       "mean_score": np.round(mean_score, 2), "sd_score": np.round(sd, 2),
                       "n_low": nlow.astype(float)})
    return df[df["n_participants"] > 0]


def exam_rows(rng: np.random.Generator, pm: PupilModel, true: np.ndarray) -> pd.DataFrame:
    """ОГЭ and ЕГЭ rows (coded like `results.vpr_rows`; mark counts empty)."""
    exams = pd.concat([_exam_rows(rng, pm, true, exam) for exam in EXAMS], ignore_index=True)
    for j in range(2, 6):
        exams[f"n_mark{j}"] = np.nan
    return exams
