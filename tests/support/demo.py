"""Helpers for tests of the demo region."""
from __future__ import annotations

import pandas as pd


def vpr_mean_mark(results: pd.DataFrame) -> pd.Series:
    """Mean ВПР mark per (school_id, year), over all grades and subjects."""
    v = results[results["procedure"] == "ВПР"]
    pts = v["n_mark2"] * 2 + v["n_mark3"] * 3 + v["n_mark4"] * 4 + v["n_mark5"] * 5
    g = pd.DataFrame({"school_id": v["school_id"], "year": v["year"], "pts": pts,
                      "n": v["n_participants"]}).groupby(["school_id", "year"]).sum()
    return g["pts"] / g["n"]
