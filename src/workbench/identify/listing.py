"""Step 6b — who is on the ШНОР list: entry with evidence, exit by written criteria.

Entry (year t): the school has enough data, its persistent level is in the bottom group
(`bottom_share` by rank), the probability of being in the bottom group is at least
`min_probability`, the whole 95% interval of the level lies below the regional benchmark, its
window holds at least `min_years` years of results (or `short_history: available`), and all this
for `persist_years` consecutive years. A listed school stays listed until it meets the exit
criteria: `exit_years` consecutive years out of the bottom group, or (`exit_on_interval`) its
whole interval above the cut of the bottom group. A year without enough data neither lists nor
releases a school: the decision waits for data (the state carries over). This is the only place
that knows the criteria; `monitoring.exits` reads `exit_met` from the identification.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.identify.grid import grid, wide

COLUMNS = ["years_low", "evidence_years", "low_results", "listed_since", "exit_met",
           "exit_reason", "years_out", "list_on_hold"]
EXIT_OUT = "out"            # exit_years consecutive years out of the bottom group
EXIT_INTERVAL = "interval"  # the whole interval above the cut of the bottom group


def entry_evidence(df: pd.DataFrame, params: IdentifyParams) -> pd.Series:
    """Evidence for entry in the year alone (bool): see the module docstring."""
    short_ok = (df["n_years"] >= params.min_years) | (params.short_history == "available")
    return (df["in_bottom"] & ~df["insufficient_data"] & short_ok
            & (df["prob_bottom"] >= params.min_probability)
            & (df["quality_ci_high"] < df["benchmark"])).fillna(False).astype(bool)


def _matrices(df: pd.DataFrame, years: list[int]) -> dict[str, np.ndarray]:
    """School × year matrices of the flags the state machine reads (missing school-years: not
    sufficient, so they carry the state over)."""
    def mat(col: pd.Series, fill: float) -> np.ndarray:
        return wide(df, col.astype(float), years, fill).to_numpy()
    above = (df["quality_ci_low"] > df["bottom_cut"]).fillna(False)
    return {"enter": mat(df["entry_evidence"], 0.0) > 0,
            "bottom": mat(df["in_bottom"].fillna(False), 0.0) > 0,
            "ok": mat(~df["insufficient_data"], 0.0) > 0,
            "above": mat(above, 0.0) > 0}


def listing(df: pd.DataFrame, params: IdentifyParams) -> pd.DataFrame:
    """The columns of the list for every row of df (needs entry_evidence, in_bottom,
    insufficient_data, quality_ci_low, bottom_cut): years_low (consecutive years in the bottom
    group), evidence_years (consecutive years with the evidence for entry), low_results (listed
    this year), listed_since (year of entry, listed and on-hold rows),
    exit_met (a school listed before meets the exit criteria this year), exit_reason
    (EXIT_OUT / EXIT_INTERVAL / ""), years_out (consecutive years out of the bottom group),
    list_on_hold (listed before, no data to decide this year)."""
    years = sorted(int(y) for y in df["year"].unique())
    _, pos_s, pos_y = grid(df, years)
    m = _matrices(df, years)
    n, ny = m["enter"].shape
    streak = np.zeros((n, ny), int)
    low_run = np.zeros((n, ny), int)
    out_run = np.zeros((n, ny), int)
    listed = np.zeros((n, ny), bool)
    since = np.full((n, ny), -1)
    exit_met = np.zeros((n, ny), bool)
    reason = np.full((n, ny), "", dtype=object)
    state = np.zeros(n, bool)
    state_since = np.full(n, -1)
    hold = np.zeros((n, ny), bool)
    s_prev = np.zeros(n, int)
    b_prev = np.zeros(n, int)
    o_prev = np.zeros(n, int)
    for j, year in enumerate(years):
        gap = j > 0 and years[j - 1] != year - 1
        if gap:  # a missing year breaks the runs (the list state carries over)
            s_prev[:], b_prev[:], o_prev[:] = 0, 0, 0
        ok, bottom = m["ok"][:, j], m["bottom"][:, j]
        streak[:, j] = np.where(ok, (s_prev + 1) * m["enter"][:, j], s_prev)
        low_run[:, j] = np.where(ok, (b_prev + 1) * bottom, b_prev)
        out_run[:, j] = np.where(ok, (o_prev + 1) * ~bottom, o_prev)
        by_out = ok & (out_run[:, j] >= params.exit_years)
        by_interval = ok & m["above"][:, j] & params.exit_on_interval
        leaving = state & (by_out | by_interval)
        entering = ok & (streak[:, j] >= params.persist_years)
        now = ok & (entering | (state & ~leaving))
        exit_met[:, j] = leaving & ~entering
        reason[:, j] = np.where(exit_met[:, j], np.where(by_interval, EXIT_INTERVAL, EXIT_OUT), "")
        hold[:, j] = state & ~ok
        state_since = np.where(now & ~state, year, state_since)
        state = np.where(ok, now, state)
        state_since = np.where(state, state_since, -1)  # kept while on hold
        listed[:, j] = now
        since[:, j] = np.where(state, state_since, -1)
        s_prev, b_prev, o_prev = streak[:, j].copy(), low_run[:, j].copy(), out_run[:, j].copy()
    out = pd.DataFrame(index=df.index)
    out["years_low"] = low_run[pos_s, pos_y]
    out["evidence_years"] = streak[pos_s, pos_y]
    out["low_results"] = listed[pos_s, pos_y]
    sn = since[pos_s, pos_y]
    out["listed_since"] = pd.array(np.where(sn >= 0, sn, 0), dtype="Int64")
    out.loc[sn < 0, "listed_since"] = pd.NA
    out["exit_met"] = exit_met[pos_s, pos_y]
    out["exit_reason"] = reason[pos_s, pos_y]
    out["years_out"] = out_run[pos_s, pos_y]
    out["list_on_hold"] = hold[pos_s, pos_y]
    return out
