"""School × year matrices: the persistence rule (step 6) and the pooling of the objectivity
signs over consecutive years (step 5) work on a school × year grid instead of per-school loops."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def grid(df: pd.DataFrame, years: list[int]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """Positions of the rows in a school × year matrix: (schools, row positions, column positions)."""
    codes, schools = pd.factorize(df["school_id"].astype(str), sort=True)
    cols = pd.Index(years).get_indexer(df["year"].to_numpy())
    return pd.Index(schools), codes, cols


def wide(df: pd.DataFrame, values: pd.Series, years: list[int], fill: Any) -> pd.DataFrame:
    """School × year matrix of values (first value of a duplicated cell wins), fill elsewhere."""
    schools, rows, cols = grid(df, years)
    mat = np.full((len(schools), len(years)), fill, dtype=float)
    v = np.asarray(values, dtype=float)
    ok = cols >= 0
    mat[rows[ok][::-1], cols[ok][::-1]] = v[ok][::-1]
    if not pd.isna(fill):  # missing values inside the data take the fill too
        mat = np.where(np.isnan(mat), fill, mat)
    return pd.DataFrame(mat, index=schools, columns=years)
