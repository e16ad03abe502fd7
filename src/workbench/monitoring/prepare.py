"""Step 0 of monitoring: the inputs in one shape.

Canonical monitoring rows with normalised wave and domain codes, float value and n, boolean
direction; the programme's participants and cohorts; an identification column as a
school × year matrix. Every later step starts from these."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.core.values import normalise_bool, normalise_domain, normalise_wave

NO_MUNICIPALITY = "(муниципалитет не указан)"  # schools the schools table does not place
MONITORING_COLUMNS = ["school_id", "year", "wave", "domain", "indicator", "value", "n",
                      "higher_is_better"]


def empty_table(columns: list[str]) -> pd.DataFrame:
    """A table without rows with the given columns (object dtype)."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def per_distinct(s: pd.Series, func: Callable[[Any], Any]) -> np.ndarray:
    """func applied once per distinct value of s (missing values passed as None), put back on
    the rows: a column of a few codes repeated over thousands of rows."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [func(u) for u in uniques]
    table[-1] = func(None)
    return table[codes]


def bool_series(s: pd.Series, default: bool = True) -> pd.Series:
    """Booleans from bool/0-1/«да»/«нет»; missing → default."""
    def conv(v: Any) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return default
        b = normalise_bool(v)
        return default if b is None else b
    return pd.Series(per_distinct(s, conv), index=s.index, dtype=bool)


def prepare_monitoring(monitoring: pd.DataFrame) -> pd.DataFrame:
    """Canonical monitoring with normalised wave/domain codes, float value/n, bool direction.

    Rows whose wave or domain cannot be understood are dropped (ingest reports them)."""
    m = monitoring.copy()
    if "n" not in m.columns:
        m["n"] = np.nan
    if "higher_is_better" not in m.columns:
        m["higher_is_better"] = True
    m["school_id"] = m["school_id"].astype(str)
    m["year"] = pd.to_numeric(m["year"], errors="coerce")
    m["wave"] = per_distinct(m["wave"], normalise_wave)
    m["domain"] = per_distinct(m["domain"], lambda v: normalise_domain(v) or str(v))
    m["indicator"] = m["indicator"].astype(str)
    m["value"] = pd.to_numeric(m["value"], errors="coerce").astype(float)
    m["n"] = pd.to_numeric(m["n"], errors="coerce").astype(float)
    m["higher_is_better"] = bool_series(m["higher_is_better"], default=True)
    m = m.dropna(subset=["year", "wave"])
    m["year"] = m["year"].astype(int)
    return m[MONITORING_COLUMNS].reset_index(drop=True)


def participants(programme: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) of the programme participants (participant true)."""
    if programme is None or len(programme) == 0:
        return pd.DataFrame({"school_id": pd.Series(dtype=str), "year": pd.Series(dtype=int)})
    p = programme.copy()
    p["participant"] = bool_series(p["participant"], default=False)
    p = p[p["participant"]]
    out = pd.DataFrame({"school_id": p["school_id"].astype(str),
                        "year": pd.to_numeric(p["year"]).astype(int)})
    return out.drop_duplicates().sort_values(["year", "school_id"]).reset_index(drop=True)


def cohorts(programme: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) of the first participation year of each participant (its cohort)."""
    p = participants(programme)
    return p.groupby("school_id", as_index=False)["year"].min().sort_values(
        ["year", "school_id"]).reset_index(drop=True)


def wide_by_year(identification: pd.DataFrame, column: str) -> pd.DataFrame:
    """school_id × year matrix of an identification column (empty when it is absent)."""
    if column not in identification.columns:
        return pd.DataFrame()
    w = identification[["school_id", "year", column]].copy()
    w["school_id"] = w["school_id"].astype(str)
    w["year"] = pd.to_numeric(w["year"]).astype(int)
    w[column] = pd.to_numeric(w[column], errors="coerce").astype(float)
    return w.pivot_table(index="school_id", columns="year", values=column, aggfunc="mean")


def school_municipality(schools: pd.DataFrame | None) -> pd.DataFrame:
    """(school_id as text, municipality), one row per school; empty without a schools table."""
    if schools is None or len(schools) == 0:
        return pd.DataFrame({"school_id": pd.Series(dtype=str), "municipality": pd.Series(dtype=str)})
    mu = schools[["school_id", "municipality"]].copy()
    mu["school_id"] = mu["school_id"].astype(str)
    return mu.drop_duplicates("school_id")


def school_cluster(clusters: pd.DataFrame) -> pd.DataFrame:
    """(school_id as text, year as int, cluster), one row per school and year."""
    c = clusters[["school_id", "year", "cluster"]].copy()
    c["school_id"] = c["school_id"].astype(str)
    c["year"] = pd.to_numeric(c["year"]).astype(int)
    return c.drop_duplicates(["school_id", "year"])
