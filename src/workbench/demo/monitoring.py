"""Monitoring of the participants in each programme year: five indicators in four domains on
the monitoring schedule's waves (entry, intermediate, final), following the true result (in the
first year the effect builds up from the entry wave to the final one); about
`share_missing_waves` of the school × year × domain × wave groups are left out (listed in the
ground truth)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr

from workbench.core.vocabulary import SCHEDULE
from workbench.demo.helpers import binomial_inv, mark_probabilities, zscore
from workbench.demo.params import MATH, RUS, SUBJECT_DIFFICULTY
from workbench.demo.pupils import PupilModel

MONITORING_INDICATORS: list[tuple[str, str, bool]] = [  # domain, indicator, higher_is_better
    ("results", "Доля «2» в диагностической работе, математика", False),
    ("results", "Средний балл, русский язык", True),
    ("teaching", "Индекс качества урока", True),
    ("management", "Индекс качества управления", True),
    ("environment", "Индекс школьной среды", True),
]
WAVE_PROGRESS = {"entry": 0.0, "intermediate": 0.5, "final": 1.0}  # share of the first-year effect
MissingWave = tuple[str, int, str, str]  # school_id, year, domain, wave


def _values(rng: np.random.Generator, indicator: tuple[str, str, bool], level: np.ndarray,
            mon_s: np.ndarray, mon_y: np.ndarray, pm: PupilModel, tested: np.ndarray,
            n_students_y: np.ndarray, adverse_z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(value, number of respondents) of one indicator for the monitored school-years."""
    domain, name, _ = indicator
    p = pm.params
    beta, cuts = p.pupil_beta, p.mark_cuts
    m = len(mon_s)
    if name.startswith("Доля «2»"):
        nn = tested[mon_s, mon_y]
        pr = ndtr(cuts[0] - (beta * level + pm.subj_offset[MATH][mon_s] + SUBJECT_DIFFICULTY[MATH]))
        value = np.round(binomial_inv(rng, nn, pr) / nn, 3)
    elif name.startswith("Средний балл"):
        nn = tested[mon_s, mon_y]
        probs_m = mark_probabilities(beta * level + pm.subj_offset[RUS][mon_s], cuts)
        value = np.round(probs_m @ np.array([2, 3, 4, 5]) + rng.normal(0, 0.8, m) / np.sqrt(nn), 2)
    elif domain == "teaching":
        nn = rng.integers(5, 13, m)
        value = np.round(np.clip(58 + 12 * level + rng.normal(0, 4, m), 0, 100), 1)
    elif domain == "management":
        nn = np.maximum(3, np.round(n_students_y[mon_s, mon_y] / 12)).astype(int)
        value = np.round(np.clip(52 + 10 * level + rng.normal(0, 5, m), 0, 100), 1)
    else:
        nn = np.maximum(5, np.round(n_students_y[mon_s, mon_y] * 0.3)).astype(int)
        value = np.round(np.clip(62 + 8 * level - 4 * adverse_z[mon_s] + rng.normal(0, 5, m),
                                 0, 100), 1)
    return value, nn


def _drop_missing_waves(rng: np.random.Generator, monitoring: pd.DataFrame, school_id: np.ndarray,
                        share: float) -> tuple[pd.DataFrame, list[MissingWave]]:
    """Leave out a random share of the school × year × domain × wave groups."""
    key = ["_s", "year", "domain", "wave"]
    groups = monitoring[key].drop_duplicates().sort_values(key, kind="mergesort")
    drop = groups[rng.uniform(size=len(groups)) < share]
    monitoring = monitoring.merge(drop.assign(_drop=True), on=key, how="left")
    monitoring = monitoring[monitoring["_drop"].isna()].drop(columns="_drop")
    missing = [(str(school_id[a]), int(b), str(c), str(d)) for a, b, c, d in drop.itertuples(index=False)]
    return monitoring, missing


def monitoring_table(rng: np.random.Generator, pm: PupilModel, true: np.ndarray, treated: np.ndarray,
                     part_year: np.ndarray, programme_effect: float, n_students_y: np.ndarray,
                     adverse: np.ndarray, school_id: np.ndarray) -> tuple[pd.DataFrame, list[MissingWave]]:
    """The canonical `monitoring` table and the left-out waves (sorted)."""
    mon_s, mon_y = np.nonzero(treated)
    mon_frames = []
    tested = np.maximum(1, np.round(0.9 * pm.grade_size[:, :, 1:5].sum(axis=2))).astype(int)  # grades 5-8
    adverse_z = zscore(adverse)
    for indicator in MONITORING_INDICATORS:
        domain, name, hib = indicator
        for wave in SCHEDULE[domain]:
            first_year = pm.years[mon_y] == part_year[mon_s]
            level = true[mon_s, mon_y] - programme_effect * (1 - WAVE_PROGRESS[wave]) * first_year
            value, nn = _values(rng, indicator, level, mon_s, mon_y, pm, tested, n_students_y,
                                adverse_z)
            mon_frames.append(pd.DataFrame({
                "_s": mon_s, "year": pm.years[mon_y], "wave": wave, "domain": domain,
                "indicator": name, "value": value.astype(float), "n": nn.astype(float),
                "higher_is_better": hib}))
    monitoring, missing_waves = _drop_missing_waves(rng, pd.concat(mon_frames, ignore_index=True),
                                                    school_id, pm.params.share_missing_waves)
    monitoring.insert(0, "school_id", school_id[monitoring["_s"].to_numpy()])
    monitoring = monitoring.drop(columns="_s")
    monitoring["year"] = monitoring["year"].astype("int64")
    monitoring["higher_is_better"] = monitoring["higher_is_better"].astype(bool)
    monitoring = monitoring.sort_values(["school_id", "year", "wave", "domain", "indicator"],
                                        kind="mergesort").reset_index(drop=True)
    return monitoring, sorted(missing_waves)
