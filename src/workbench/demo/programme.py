"""The support programme: it starts in the second-to-last year (a region needs at least three
years: two to select on); participants are mostly schools with low observed ВПР in the two years
before it (with noise), the rest at random, some joining a year later; the programme table with
curators and partner schools (strong observed results, same municipality where possible)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.demo.helpers import zscore
from workbench.demo.names import curator_names
from workbench.demo.params import DemoParams
from workbench.demo.structure import Structure

PROGRAMME_COLUMNS = ["school_id", "year", "participant", "curator", "partner_school_id"]


@dataclass
class Timing:
    """`start`: first programme year (None with fewer than three years); `pre`, `post`: indices
    of the years before it and from it on."""

    years: tuple[int, ...]
    start: int | None
    pre: list[int]
    post: list[int]


@dataclass
class Selection:
    """Per school: `participant`, `part_year` (-1 = none), `obs` (observed mean ВПР mark of the
    selection years, 0 without a programme); `treated`: school × year in the programme."""

    participant: np.ndarray
    part_year: np.ndarray
    obs: np.ndarray
    treated: np.ndarray


def programme_timing(years: tuple[int, ...]) -> Timing:
    """When the programme starts and which years come before it."""
    ny = len(years)
    start = years[-2] if ny >= 3 else None  # the selection needs years before the programme
    pre = [i for i, y in enumerate(years) if start is None or y < start]
    post = [i for i, y in enumerate(years) if i not in pre]
    return Timing(years=years, start=start, pre=pre, post=post)


def _observed_mean_mark(vpr_pre: pd.DataFrame, sel_years: list[int], n: int) -> np.ndarray:
    """Mean ВПР mark of each school over `sel_years` (region mean where a school has none)."""
    v = vpr_pre[vpr_pre["year"].isin(sel_years)]
    pts = (v["n_mark2"] * 2 + v["n_mark3"] * 3 + v["n_mark4"] * 4 + v["n_mark5"] * 5)
    agg = pd.DataFrame({"_s": v["_s"], "pts": pts, "n": v["n_participants"]}).groupby("_s").sum()
    obs = np.full(n, np.nan)
    obs[agg.index.to_numpy()] = (agg["pts"] / agg["n"]).to_numpy()
    return np.where(np.isnan(obs), np.nanmean(obs), obs)


def _participants(rng: np.random.Generator, obs: np.ndarray, p: DemoParams) -> np.ndarray:
    """Participants (bool per school): the lowest by a noisy score, the rest at random."""
    n = len(obs)
    score = -zscore(obs) + rng.normal(0, p.selection_noise, n)
    n_part = max(2, int(round(p.share_participants * n)))
    n_low = int(round(p.share_selected_low * n_part))
    ranked = np.argsort(-score, kind="stable")
    chosen = list(ranked[:n_low])
    rest = np.setdiff1d(np.arange(n), chosen)
    chosen += list(rng.choice(rest, size=n_part - n_low, replace=False))
    participant = np.zeros(n, bool)
    participant[np.array(chosen, int)] = True
    return participant


def select_participants(rng: np.random.Generator, vpr_pre: pd.DataFrame, timing: Timing, n: int,
                        p: DemoParams) -> Selection:
    """Who takes part from which year (see `Selection`)."""
    years, start = timing.years, timing.start
    participant = np.zeros(n, bool)
    part_year = np.full(n, -1)
    if start is not None:
        obs = _observed_mean_mark(vpr_pre, [years[i] for i in timing.pre][-2:], n)
        participant = _participants(rng, obs, p)
        late = rng.uniform(size=n) < p.share_late_cohort
        has_next = years.index(start) + 1 < len(years)
        part_year = np.where(participant, np.where(late & has_next, start + 1, start), -1)
    else:
        obs = np.zeros(n)
    year_arr = np.array(years)
    treated = participant[:, None] & (year_arr[None, :] >= part_year[:, None]) & (part_year[:, None] > 0)
    return Selection(participant=participant, part_year=part_year, obs=obs, treated=treated)


def _partners(rng: np.random.Generator, sel: Selection, st: Structure, p: DemoParams) -> np.ndarray:
    """Partner school code per school ("" = none): a strong school of the same municipality."""
    strong = (sel.obs >= np.quantile(sel.obs, 0.8)) & ~sel.participant
    partner_of = np.full(st.n, "", dtype=object)
    with_partner = sel.participant & (rng.uniform(size=st.n) < p.share_with_partner)
    for i in np.flatnonzero(with_partner):
        pool = np.flatnonzero(strong & (st.mun_idx == st.mun_idx[i]))
        if len(pool) == 0:
            pool = np.flatnonzero(strong)
        partner_of[i] = st.school_id[rng.choice(pool)]
    return partner_of


def programme_table(rng: np.random.Generator, sel: Selection, timing: Timing, st: Structure,
                    p: DemoParams) -> pd.DataFrame:
    """The canonical `programme` table: every school in every programme year."""
    prog_years = [y for y in timing.years if timing.start is not None and y >= timing.start]
    curators = curator_names(max(3, len(st.mun) // 2))
    curator_of = np.array(curators, dtype=object)[st.mun_idx % len(curators)]
    partner_of = _partners(rng, sel, st, p)
    prog_rows = []
    for y in prog_years:
        part_now = sel.participant & (sel.part_year <= y)
        prog_rows.append(pd.DataFrame({
            "school_id": st.school_id, "year": y, "participant": part_now,
            "curator": np.where(part_now, curator_of, None),
            "partner_school_id": np.where(part_now & (partner_of != ""), partner_of, None)}))
    programme = (pd.concat(prog_rows, ignore_index=True) if prog_rows else
                 pd.DataFrame(columns=PROGRAMME_COLUMNS))
    programme["year"] = programme["year"].astype("int64")
    programme["participant"] = programme["participant"].astype(bool)
    for c in ("curator", "partner_school_id"):  # text with missing values (not the word "None")
        programme[c] = pd.array([None if pd.isna(v) else str(v) for v in programme[c]], dtype="str")
    return programme.sort_values(["school_id", "year"], kind="mergesort").reset_index(drop=True)
