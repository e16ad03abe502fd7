"""The risk-factor survey (R01…R10, values 0…1, higher = more risk) answered by the director,
teachers, pupils and parents: every monitored participant school-year, plus some low-scoring
non-participants in the programme's first year. Each factor follows a context indicator, the
latent quality, the failing share of the year before or the true result."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
from scipy.special import ndtr

from workbench.demo.params import DemoParams
from workbench.demo.programme import Selection, Timing

RISK_SOURCES = ["директор", "педагоги", "обучающиеся", "родители"]
RISK_COLUMNS = ["school_id", "year", "risk_factor", "value", "source"]


def _surveyed(rng: np.random.Generator, sel: Selection, timing: Timing,
              p: DemoParams) -> tuple[np.ndarray, np.ndarray]:
    """School and year indices of the surveyed school-years."""
    mon_s, mon_y = np.nonzero(sel.treated)
    rs_s, rs_y = list(mon_s), list(mon_y)
    if timing.start is not None:
        n = len(sel.obs)
        low_obs = sel.obs <= np.quantile(sel.obs, 0.2)
        others = np.flatnonzero(low_obs & ~sel.participant & (rng.uniform(size=n) < p.share_other_surveyed))
        rs_s += list(others)
        rs_y += [timing.years.index(timing.start)] * len(others)
    return np.array(rs_s, int), np.array(rs_y, int)


def _failing_z(vpr: pd.DataFrame, shape: tuple[int, int], years: np.ndarray, rs_s: np.ndarray,
               rs_y: np.ndarray, pre: list[int]) -> np.ndarray:
    """z-score of the observed share of «2» in ВПР of the previous year (or the same year),
    against all schools' shares of the years before the programme (a fixed reference, so the
    programme effect on the participants' shares does not move anyone else's score)."""
    v = vpr[["_s", "year", "n_mark2", "n_participants"]].groupby(["_s", "year"]).sum()
    fail = np.full(shape, np.nan)
    idx_s = v.index.get_level_values(0).to_numpy()
    idx_y = np.searchsorted(years, v.index.get_level_values(1).to_numpy())
    fail[idx_s, idx_y] = (v["n_mark2"] / v["n_participants"]).to_numpy()
    ref = fail[:, pre]
    mean, sd = np.nanmean(ref), np.nanstd(ref)
    prev = np.maximum(rs_y - 1, 0)
    x = np.where(np.isnan(fail[rs_s, prev]), mean, fail[rs_s, prev])
    return (x - mean) / (sd if sd > 0 else 1.0)


def _factor_scores(ctx_cols: dict[str, np.ndarray], rs_s: np.ndarray, rs_y: np.ndarray,
                   fail_z: np.ndarray, latent: np.ndarray, true: np.ndarray,
                   p: DemoParams) -> dict[str, np.ndarray]:
    """Risk factor code → latent risk (z units) of each surveyed school-year."""

    def cz(name: str, transform: Callable[[np.ndarray], np.ndarray] = lambda x: x) -> np.ndarray:
        col = ctx_cols[name][rs_s, rs_y]
        col = np.where(np.isnan(col), np.nanmean(col), col)
        ref = ctx_cols[name]
        ref = transform(np.where(np.isnan(ref), np.nanmean(ref), ref))
        return (transform(col) - ref.mean()) / (ref.std() or 1.0)

    q = latent[rs_s] / p.quality_sd
    tr = true[rs_s, rs_y]
    return {
        "R01": -cz("internet_mbps", np.log),
        "R02": cz("teacher_vacancy_rate"),
        "R03": -q,
        "R04": -0.5 * q + 0.5 * cz("share_teachers_60plus"),
        "R05": cz("share_ovz"),
        "R06": fail_z,
        "R07": 0.5 * cz("share_low_income") - 0.5 * tr / 0.7,
        "R08": cz("share_non_native"),
        "R09": cz("share_at_risk_register"),
        "R10": 0.5 * cz("share_single_parent") + 0.5 * cz("share_parents_no_higher_ed"),
    }


def risk_survey_table(rng: np.random.Generator, sel: Selection, timing: Timing, vpr: pd.DataFrame,
                      ctx_cols: dict[str, np.ndarray], latent: np.ndarray, true: np.ndarray,
                      school_id: np.ndarray, p: DemoParams) -> pd.DataFrame:
    """The canonical `risk_survey` table: school × year × factor × source."""
    rs_s, rs_y = _surveyed(rng, sel, timing, p)
    if not len(rs_s):
        return pd.DataFrame(columns=RISK_COLUMNS)
    years = np.array(timing.years)
    fail_z = _failing_z(vpr, true.shape, years, rs_s, rs_y, timing.pre)
    frames = []
    for code, z in _factor_scores(ctx_cols, rs_s, rs_y, fail_z, latent, true, p).items():
        basev = ndtr(0.8 * z - 0.2)
        for src in RISK_SOURCES:
            val = np.round(np.clip(basev + rng.normal(0, 0.08, len(z)), 0, 1), 2)
            frames.append(pd.DataFrame({
                "school_id": school_id[rs_s], "year": years[rs_y], "risk_factor": code,
                "value": val.astype(float), "source": src}))
    risk_survey = pd.concat(frames, ignore_index=True)
    risk_survey["year"] = risk_survey["year"].astype("int64")
    return risk_survey.sort_values(["school_id", "year", "risk_factor", "source"],
                                   kind="mergesort").reset_index(drop=True)
