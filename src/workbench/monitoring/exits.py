"""Step 3 of monitoring: exits from the list (table ``exits``).

For each school with low results in year Y (and a year Y+1 in the data): did it meet the
exit criteria of the list in Y+1 (`exit_met`, decided by `workbench.identify.listing`)? Schools
without a judgement in Y+1 are counted apart, never as leavers or stayers."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.monitoring.prepare import (NO_MUNICIPALITY, bool_series, empty_table, school_cluster,
                                          school_municipality)

EXITS_KEY = ["school_id", "year"]
EXITS_COLUMNS = ["school_id", "year", "next_year", "municipality", "cluster", "category",
                 "category_next", "left", "status"]


def _listed_and_next(idn: pd.DataFrame) -> pd.DataFrame:
    """Schools with low results in a year followed by the next calendar year in the data, with
    their low-results flag and category of that next year."""
    years = sorted(idn["year"].unique())
    nxt = {y: years[i + 1] for i, y in enumerate(years[:-1]) if years[i + 1] == y + 1}
    listed = idn[idn["_low"] & idn["year"].isin(list(nxt))][["school_id", "year", "category"]].copy()
    listed["next_year"] = listed["year"].map(nxt).astype(int)
    later = idn[["school_id", "year", "_low", "category", "_exit"]].rename(
        columns={"year": "next_year", "_low": "_low_next", "category": "category_next",
                 "_exit": "_exit_next"})
    return listed.merge(later, on=["school_id", "next_year"], how="left")


def compute_exits(identification: pd.DataFrame, schools: pd.DataFrame | None = None,
                  clusters: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each school with low results in year Y (and a later year Y+1 in the data): did it
    leave the list in Y+1? ``left`` is missing (status «нет данных») when the school has no
    judgement in Y+1 (absent, or «Недостаточно данных»)."""
    idn = identification.copy()
    if len(idn) == 0:
        return empty_table(EXITS_COLUMNS)
    idn["school_id"] = idn["school_id"].astype(str)
    idn["year"] = pd.to_numeric(idn["year"]).astype(int)
    if "low_results" in idn.columns:
        idn["_low"] = bool_series(idn["low_results"], default=False)
    else:
        idn["_low"] = idn["category"].isin(["low_results_adverse", "low_results"])
    if "category" not in idn.columns:
        idn["category"] = np.where(idn["_low"], "low_results", "typical")
    # the exit criteria are identify's: read them where the table has them
    idn["_exit"] = bool_series(idn["exit_met"], default=False) if "exit_met" in idn.columns \
        else ~idn["_low"]
    e = _listed_and_next(idn)
    unknown = e["category_next"].isna() | (e["category_next"] == "insufficient_data")
    left = pd.Series(pd.array([pd.NA] * len(e), dtype="boolean"), index=e.index)
    known = e.loc[~unknown]
    left[~unknown] = known["_exit_next"].astype(bool) & ~known["_low_next"].astype(bool)
    e["left"] = left
    e["status"] = np.where(unknown, "нет данных в следующем году",
                           np.where(e["left"].fillna(False), "выполнены критерии выхода",
                                    "осталась в списке"))
    if schools is not None and len(schools):
        e = e.merge(school_municipality(schools), on="school_id", how="left")
    else:
        e["municipality"] = np.nan
    e["municipality"] = e["municipality"].fillna(NO_MUNICIPALITY)
    if clusters is not None and len(clusters):
        e = e.merge(school_cluster(clusters), on=["school_id", "year"], how="left")
    else:
        e["cluster"] = np.nan
    return e[EXITS_COLUMNS].sort_values(EXITS_KEY).reset_index(drop=True)


def exit_shares(exits: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of listed schools that left the list next year, per ``by`` (cluster/municipality) and
    year; schools without data next year are counted apart, not as leavers or stayers."""
    cols = [by, "year", "n_listed", "n_known", "n_left", "share_left"]
    if len(exits) == 0:
        return pd.DataFrame(columns=cols)
    e = exits.copy()
    e["_known"] = e["left"].notna()
    e["_left"] = e["left"].fillna(False).astype(bool)
    out = e.groupby([by, "year"], dropna=False).agg(
        n_listed=("school_id", "size"), n_known=("_known", "sum"), n_left=("_left", "sum")).reset_index()
    out["share_left"] = np.where(out["n_known"] > 0, out["n_left"] / out["n_known"].where(out["n_known"] > 0, 1),
                                 np.nan)
    return out[cols].sort_values([by, "year"]).reset_index(drop=True)
