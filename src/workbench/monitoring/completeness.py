"""Step 2 of monitoring: completeness of the schedule (table ``monitoring_completeness``).

Every expected (school, year, domain, wave) of the schedule (``params.monitoring.schedule``,
by default the regional order in `core.vocabulary.SCHEDULE`) with ``present``; missing waves
are reported, never filled."""
from __future__ import annotations

import pandas as pd

from workbench.config.monitoring import MonitoringParams
from workbench.core.vocabulary import DOMAINS_RU, WAVES, WAVES_RU
from workbench.monitoring.prepare import (NO_MUNICIPALITY, empty_table, participants,
                                          prepare_monitoring, school_municipality)

COMPLETENESS_KEY = ["school_id", "year", "domain", "wave"]
COMPLETENESS_COLUMNS = ["school_id", "year", "municipality", "domain", "domain_ru", "wave",
                        "wave_ru", "present"]


def expected_monitoring(programme: pd.DataFrame, monitoring: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) that should be monitored: programme participants of that year; without a
    programme table, every school present in monitoring that year."""
    p = participants(programme)
    if len(p):
        return p
    m = monitoring
    if m is None or len(m) == 0:
        return p
    out = pd.DataFrame({"school_id": m["school_id"].astype(str),
                        "year": pd.to_numeric(m["year"], errors="coerce")}).dropna()
    out["year"] = out["year"].astype(int)
    return out.drop_duplicates().sort_values(["year", "school_id"]).reset_index(drop=True)


def compute_completeness(monitoring: pd.DataFrame, programme: pd.DataFrame, schools: pd.DataFrame,
                         params: MonitoringParams | None = None) -> pd.DataFrame:
    """Every expected (school, year, domain, wave) of the schedule with ``present`` (a non-missing
    value of at least one indicator). Nothing is filled in: absent means absent."""
    params = params or MonitoringParams()
    exp = expected_monitoring(programme, monitoring)
    if len(exp) == 0:
        return empty_table(COMPLETENESS_COLUMNS)
    sched = pd.DataFrame([(dom, w) for dom, ws in params.schedule.items() for w in ws],
                         columns=["domain", "wave"])
    grid = exp.merge(sched, how="cross")
    m = prepare_monitoring(monitoring) if monitoring is not None and len(monitoring) else None
    if m is not None and len(m):
        got = m.dropna(subset=["value"])[COMPLETENESS_KEY].drop_duplicates()
        got["present"] = True
        grid = grid.merge(got, on=COMPLETENESS_KEY, how="left")
        grid["present"] = grid["present"].astype("boolean").fillna(False).astype(bool)
    else:
        grid["present"] = False
    grid = grid.merge(school_municipality(schools), on="school_id", how="left")
    grid["municipality"] = grid["municipality"].fillna(NO_MUNICIPALITY)
    grid["domain_ru"] = grid["domain"].map(DOMAINS_RU).fillna(grid["domain"])
    grid["wave_ru"] = grid["wave"].map(WAVES_RU)
    order_d = {d: i for i, d in enumerate(list(params.schedule))}
    grid["_d"] = grid["domain"].map(order_d)
    grid["_w"] = grid["wave"].map({w: i for i, w in enumerate(WAVES)})
    grid = grid.sort_values(["school_id", "year", "_d", "_w"], kind="mergesort")
    return grid[COMPLETENESS_COLUMNS].reset_index(drop=True)


def missing_waves(completeness: pd.DataFrame) -> pd.DataFrame:
    """One row per school × year with something missing: «домен: волна; …» in Russian."""
    miss = completeness[~completeness["present"]]
    if len(miss) == 0:
        return pd.DataFrame(columns=["school_id", "year", "municipality", "n_missing", "missing"])
    what = miss["domain_ru"].astype(str) + ": " + miss["wave_ru"].astype(str)
    out = what.groupby([miss["school_id"], miss["year"], miss["municipality"]], sort=True).agg(
        n_missing="size", missing="; ".join).reset_index()
    return out.sort_values(["municipality", "year", "school_id"]).reset_index(drop=True)


def completeness_summary(completeness: pd.DataFrame) -> pd.DataFrame:
    """Per municipality × year: schools expected, complete, share complete, waves missing."""
    if len(completeness) == 0:
        return pd.DataFrame(columns=["municipality", "year", "n_schools", "n_complete",
                                     "share_complete", "n_missing_waves"])
    per_school = completeness.groupby(["municipality", "year", "school_id"])["present"].agg(
        complete="all", missing=lambda s: int((~s).sum())).reset_index()
    out = per_school.groupby(["municipality", "year"]).agg(
        n_schools=("school_id", "nunique"), n_complete=("complete", "sum"),
        n_missing_waves=("missing", "sum")).reset_index()
    out["n_complete"] = out["n_complete"].astype(int)
    out["share_complete"] = out["n_complete"] / out["n_schools"]
    return out[["municipality", "year", "n_schools", "n_complete", "share_complete",
                "n_missing_waves"]].sort_values(["year", "share_complete", "municipality"]).reset_index(drop=True)
