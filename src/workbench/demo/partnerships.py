"""The demo's partnership agreements and curators (issue 16 items 1–2).

Agreements: a share of the participants' recorded partners (`programme.partner_school_id` of the
last year) get a written agreement (number, date, valid until, status); one of them is
terminated and one expired, so the run shows agreements not in force, and the programme's
partners are strong observed schools picked without the workbench's criteria, so some agreed
partners fail them (flagged in the pairs sheet). Curators: the programme's curators with an
organisation, the municipality of the first school they serve and a capacity of their present
load plus two or three schools, so that the listed schools without a curator are assigned within
the capacities and some are left to the next curator of another municipality.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

AGREEMENT_COLUMNS = ["school_id", "partner_id", "number", "date", "valid_until", "status"]
CURATOR_COLUMNS = ["curator_id", "name", "organisation", "municipality", "capacity"]


def agreements_table(rng: np.random.Generator, programme: pd.DataFrame,
                     share: float = 0.6) -> pd.DataFrame:
    """Written agreements for a share of the last programme year's recorded partners."""
    if len(programme) == 0:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    last = int(programme["year"].max())
    pr = programme[(programme["year"] == last) & programme["partner_school_id"].notna()]
    pr = pr.sort_values("school_id", kind="mergesort").reset_index(drop=True)
    take = rng.uniform(size=len(pr)) < share
    pr = pr[take].reset_index(drop=True)
    n = len(pr)
    first = pr["school_id"].map(lambda s: int(programme.loc[programme["school_id"] == s, "year"].min()))
    day = rng.integers(1, 28, n)
    out = pd.DataFrame({
        "school_id": pr["school_id"].astype(str), "partner_id": pr["partner_school_id"].astype(str),
        "number": [f"{k + 1}-П" for k in range(n)],
        "date": [f"{y}-09-{d:02d}" for y, d in zip(first, day)],
        "valid_until": [f"{y + 3}-08-31" for y in first],
        "status": "действует"})
    if n >= 4:  # one terminated, one expired: not in force in the last year
        out.loc[1, "status"] = "расторгнуто"
        out.loc[3, "valid_until"] = f"{last}-06-30"
    return out[AGREEMENT_COLUMNS]


def curators_table(rng: np.random.Generator, programme: pd.DataFrame,
                   schools: pd.DataFrame) -> pd.DataFrame:
    """The programme's curators with organisation, municipality and capacity."""
    if len(programme) == 0:
        return pd.DataFrame(columns=CURATOR_COLUMNS)
    last = int(programme["year"].max())
    pr = programme[(programme["year"] == last) & programme["curator"].notna()]
    mun = dict(zip(schools["school_id"].astype(str), schools["municipality"].astype(str)))
    names = sorted(set(pr["curator"].astype(str)))
    rows = []
    for k, nm in enumerate(names):
        mine = pr[pr["curator"].astype(str) == nm].sort_values("school_id", kind="mergesort")
        m = mun.get(str(mine["school_id"].iloc[0]), "")
        org = "Институт развития образования" if k % 3 == 0 else f"Управление образования ({m})"
        rows.append((f"К{k + 1:02d}", nm, org, m, int(len(mine) + rng.integers(2, 4))))
    return pd.DataFrame(rows, columns=CURATOR_COLUMNS)
