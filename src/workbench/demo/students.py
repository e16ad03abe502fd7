"""The regional diagnostic work (РДР, mathematics, grade 7) pupil by pupil in the last two years:
one row per pupil with a mark, and the same pupils aggregated into `results` rows (exactly what
ingesting the written pupil file gives)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from workbench.demo.helpers import str_from_codes
from workbench.demo.params import MATH, PROC_CODES, SUBJ_CODES, SUBJECT_DIFFICULTY
from workbench.demo.pupils import PupilModel

RDR_GRADE = 7


def _student_ids(pyear: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Nine-digit pupil codes: two digits of the year, then a running number within the year."""
    seq = np.zeros(len(pyear), int)
    for y in np.unique(pyear):
        m = pyear == y
        seq[m] = np.arange(1, m.sum() + 1)
    sid = pc.utf8_lpad(pa.array((pyear % 100) * 10_000_000 + seq).cast(pa.string()), 9, "0")
    return pd.array(sid, dtype="str")


def _rdr_results(ps: np.ndarray, pyear: np.ndarray, mark: np.ndarray) -> pd.DataFrame:
    """Pupil marks aggregated into coded results rows (like `results.vpr_rows`)."""
    rdr = (pd.DataFrame({"_s": ps, "year": pyear, "mark": mark})
           .groupby(["_s", "year", "mark"]).size().unstack("mark", fill_value=0)
           .reindex(columns=[2, 3, 4, 5], fill_value=0).reset_index())
    rdr = pd.DataFrame({"_s": rdr["_s"].to_numpy(), "year": rdr["year"].to_numpy(),
                        "_proc": PROC_CODES["РДР"], "_subj": SUBJ_CODES[MATH], "grade": RDR_GRADE,
                        "n_participants": rdr[[2, 3, 4, 5]].sum(axis=1).to_numpy(),
                        **{f"n_mark{j}": rdr[j].to_numpy().astype(float) for j in (2, 3, 4, 5)}})
    rdr["mean_score"] = np.nan
    rdr["sd_score"] = np.nan
    rdr["n_low"] = rdr["n_mark2"]
    return rdr


def rdr_students(rng: np.random.Generator, pm: PupilModel, true: np.ndarray,
                 school_id: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(pupil rows: student_id, school_id, year, procedure, subject, grade, mark; coded results
    rows of the same pupils)."""
    n, ny = true.shape
    p = pm.params
    st_years = list(range(max(0, ny - 2), ny))
    s = np.repeat(np.arange(n), len(st_years))
    yi = np.tile(np.array(st_years, int), n)
    npup = rng.binomial(pm.grade_size[s, yi, RDR_GRADE - 4], 0.95)
    ps = np.repeat(s, npup)
    py = np.repeat(yi, npup)
    ability = (p.pupil_beta * true[ps, py] + pm.subj_offset[MATH][ps] + SUBJECT_DIFFICULTY[MATH]
               + pm.cohort[ps, py, RDR_GRADE - 4] + rng.normal(0, 1, len(ps)))
    mark = 2 + (ability[:, None] > np.array(p.mark_cuts)[None, :]).sum(axis=1)
    pyear = pm.years[py]
    students = pd.DataFrame({
        "student_id": _student_ids(pyear),
        "school_id": str_from_codes(ps, school_id), "year": pyear.astype(int), "procedure": "РДР",
        "subject": MATH, "grade": RDR_GRADE, "mark": mark.astype(int)})
    return students, _rdr_results(ps, pyear, mark)
