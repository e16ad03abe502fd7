"""ВПР mark counts drawn pupil by pupil from the true result (11 grade × subject rows per school
and year; inflated schools shifted up, a tiny school's extreme year all «2»), and the canonical
`results` table assembled from ВПР, ОГЭ/ЕГЭ and the РДР rows.

ВПР is drawn in two passes, each from its own stream: the years before the programme (the
selection of participants depends on them) and, once the programme effect is known, the years
from its start on. Mark counts are drawn by inversion (`helpers.multinomial_inv`), so the
programme effect moves the counts of the participants' rows only."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.demo.helpers import mark_probabilities, multinomial_inv, str_from_codes
from workbench.demo.params import MATH, PROC_CODES, RUS, SUBJ_CODES, SUBJECT_DIFFICULTY, WORLD
from workbench.demo.pupils import PupilModel

# ВПР: (grade, subject) rows of every school and year
VPR_COMBOS: list[tuple[int, str]] = [(4, RUS), (4, MATH), (4, WORLD)] + [
    (g, s) for g in (5, 6, 7, 8) for s in (RUS, MATH)]
RESULTS_COLUMNS = ["school_id", "year", "procedure", "subject", "grade", "n_participants",
                   "n_mark2", "n_mark3", "n_mark4", "n_mark5", "mean_score", "sd_score",
                   "n_low", "share_low"]


def vpr_rows(rng: np.random.Generator, pm: PupilModel, school_idx: np.ndarray,
             year_idx: np.ndarray, true: np.ndarray) -> pd.DataFrame:
    """ВПР mark counts for the given school × year pairs (all 11 grade × subject rows); schools
    by index `_s`, procedure and subject as codes `_proc`, `_subj`."""
    p = pm.params
    k = len(VPR_COMBOS)
    s = np.repeat(school_idx, k)
    yi = np.repeat(year_idx, k)
    grade = np.tile(np.array([g for g, _ in VPR_COMBOS]), len(school_idx))
    subj = np.tile(np.array([SUBJ_CODES[sj] for _, sj in VPR_COMBOS]), len(school_idx))
    size = pm.grade_size[s, yi, grade - 4]
    npart = rng.binomial(size, p.vpr_participation)
    npart = np.where(pm.tiny[s], size, npart)
    off = np.zeros(len(s))
    for sj in (RUS, MATH, WORLD):
        m = subj == SUBJ_CODES[sj]
        off[m] = pm.subj_offset[sj][s[m]] + SUBJECT_DIFFICULTY[sj]
    mu = (p.pupil_beta * true[s, yi] + off + pm.cohort[s, yi, grade - 4]
          + p.inflation_shift * pm.inflated[s])
    counts = multinomial_inv(rng, npart, mark_probabilities(mu, p.mark_cuts))
    ext = pm.tiny[s] & (pm.years[yi] == pm.extreme_year[s])
    counts[ext] = 0
    counts[ext, 0] = npart[ext]
    df = pd.DataFrame({"_s": s, "year": pm.years[yi], "_proc": PROC_CODES["ВПР"],
                       "_subj": subj, "grade": grade, "n_participants": npart})
    for j in range(4):
        df[f"n_mark{j + 2}"] = counts[:, j].astype(float)
    return df[df["n_participants"] > 0]


def vpr_for_years(rng: np.random.Generator, pm: PupilModel, year_idx: list[int],
                  true: np.ndarray) -> pd.DataFrame:
    """ВПР rows of every school in the years with the given indices."""
    n = len(pm.tiny)
    grid_s = np.repeat(np.arange(n), len(year_idx))
    grid_y = np.tile(np.array(year_idx, dtype=int), n)
    return vpr_rows(rng, pm, grid_s, grid_y, true)


def join_vpr(vpr_pre: pd.DataFrame, vpr_post: pd.DataFrame | None) -> pd.DataFrame:
    """Both passes of ВПР with the columns of the results table that ВПР leaves empty."""
    vpr = vpr_pre if vpr_post is None else pd.concat([vpr_pre, vpr_post], ignore_index=True)
    vpr["mean_score"] = np.nan
    vpr["sd_score"] = np.nan
    vpr["n_low"] = vpr["n_mark2"]
    return vpr


def results_table(parts: list[pd.DataFrame], school_id: np.ndarray) -> pd.DataFrame:
    """The canonical `results` table from coded rows (ВПР, ОГЭ/ЕГЭ, РДР), sorted by school,
    year, procedure, subject and grade; codes decoded, `share_low` added."""
    results = pd.concat(parts, ignore_index=True)
    order = np.lexsort([results[c].to_numpy() for c in ("grade", "_subj", "_proc", "year", "_s")])
    results = results.iloc[order].reset_index(drop=True)
    results.insert(0, "school_id", str_from_codes(results["_s"].to_numpy(), school_id))
    results["procedure"] = str_from_codes(results["_proc"].to_numpy(), list(PROC_CODES))
    results["subject"] = str_from_codes(results["_subj"].to_numpy(), list(SUBJ_CODES))
    results = results.drop(columns=["_s", "_proc", "_subj"])
    results["year"] = results["year"].astype("int64")
    results["grade"] = results["grade"].astype("int64")
    results["n_participants"] = results["n_participants"].astype("int64")
    results["share_low"] = results["n_low"] / results["n_participants"]
    return results[RESULTS_COLUMNS]
