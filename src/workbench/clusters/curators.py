"""Curators of the listed schools (issue 16 item 2): kept assignments, optimal new ones, workload.

Who gets a curator (`CuratorsParams.assign`): the ШНОР of the pairing year, the programme
participants of that year, or both. A curator already recorded in `programme.curator` for the
school that year is kept (source «agreed»), matched to the `curators` table by code or by name;
a kept curator uses one unit of their capacity (and may exceed it: that is reported, not undone).
The others are assigned (source «assigned») by the same exact capacity-constrained optimum as
the partners (`assignment.optimal_assignment`, one capacity per curator): as many schools as
the free capacity allows get a curator, then as many as possible a curator of their own
municipality (`w_municipality`); among equally good assignments the workload is spread
(`balance`: a small cost per school already held). Capacity missing → `default_capacity`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.clusters.assignment import optimal_assignment
from workbench.config.clusters import CuratorsParams
from workbench.core.formatting import year_label

ASSIGNMENT_COLUMNS = ["school_id", "year", "curator_id", "curator_name", "organisation",
                      "same_municipality", "source"]
WORKLOAD_COLUMNS = ["curator_id", "curator_name", "organisation", "municipality", "capacity",
                    "n_schools", "n_kept", "n_assigned", "n_other_municipality", "over_capacity"]


@dataclass
class CuratorsResult:
    assignments: pd.DataFrame
    workload: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def _text(v: object) -> str:
    return "" if v is None or v != v else str(v).strip()


def schools_to_curate(identification: pd.DataFrame, programme: pd.DataFrame | None, year: int,
                      p: CuratorsParams) -> list[str]:
    """The schools of `year` that need a curator, sorted."""
    out: set[str] = set()
    iy = identification[pd.to_numeric(identification["year"]).astype(int) == year]
    if p.assign in ("listed", "both") and "low_results" in iy.columns:
        out |= set(iy.loc[iy["low_results"].fillna(False).astype(bool), "school_id"].astype(str))
    if p.assign in ("participants", "both") and programme is not None and len(programme):
        py = programme[pd.to_numeric(programme["year"]).astype(int) == year]
        out |= set(py.loc[py["participant"].fillna(False).astype(bool), "school_id"].astype(str))
    return sorted(out)


def _roster(curators: pd.DataFrame | None, p: CuratorsParams) -> pd.DataFrame:
    """The curators table with text codes, names and an integer capacity."""
    cols = ["curator_id", "name", "organisation", "municipality", "capacity"]
    if curators is None or len(curators) == 0:
        return pd.DataFrame(columns=cols)
    r = curators.copy()
    for c in cols:
        if c not in r.columns:
            r[c] = None
    r["curator_id"] = r["curator_id"].map(_text)
    r["name"] = r["name"].map(_text)
    cap = pd.to_numeric(r["capacity"], errors="coerce")
    r["capacity"] = cap.fillna(p.default_capacity).round().astype(int).clip(lower=0)
    return r[cols].sort_values("curator_id", kind="mergesort").reset_index(drop=True)


def _kept(programme: pd.DataFrame | None, need: list[str], roster: pd.DataFrame,
          year: int) -> pd.DataFrame:
    """Curators recorded in programme for the schools that need one: (school_id, curator_id,
    curator_name); a name not in the roster keeps its name with an empty code."""
    if programme is None or len(programme) == 0 or "curator" not in programme.columns:
        return pd.DataFrame(columns=["school_id", "curator_id", "curator_name"])
    py = programme[pd.to_numeric(programme["year"]).astype(int) == year]
    py = py[py["school_id"].astype(str).isin(need)]
    by_id = dict(zip(roster["curator_id"], roster["name"]))
    by_name = {n.lower(): i for i, n in zip(roster["curator_id"], roster["name"])}
    rows = []
    for sid, cur in zip(py["school_id"].astype(str), py["curator"].map(_text)):
        if not cur:
            continue
        cid = cur if cur in by_id else by_name.get(cur.lower(), "")
        rows.append((sid, cid, by_id.get(cid, cur)))
    return pd.DataFrame(rows, columns=["school_id", "curator_id", "curator_name"])


def assign_curators(identification: pd.DataFrame, schools: pd.DataFrame,
                    curators: pd.DataFrame | None, programme: pd.DataFrame | None, year: int,
                    p: CuratorsParams) -> CuratorsResult:
    """Kept and new curator assignments of `year` and each curator's workload (module docstring)."""
    need = schools_to_curate(identification, programme, year, p)
    roster = _roster(curators, p)
    kept = _kept(programme, need, roster, year)
    mun = dict(zip(schools["school_id"].astype(str), schools["municipality"].map(_text))) \
        if "municipality" in schools.columns else {}
    taken = set(kept["school_id"])  # once: built per school it was quadratic (a minute nationally)
    free = [s for s in need if s not in taken]
    notes: list[str] = []
    new = pd.DataFrame(columns=["school_id", "curator_id"])
    if len(roster) == 0:
        if free:
            notes.append(f"Кураторы: таблица кураторов не передана (inputs.curators) — школ "
                         f"{year_label(year)} учебного года без куратора: {len(free)}.")
    elif free:
        used = kept["curator_id"].value_counts()
        cap = {c: int(k) - int(used.get(c, 0)) for c, k in zip(roster["curator_id"], roster["capacity"])}
        new = _optimal(free, roster, cap, mun, p)
        left = len(free) - len(new)
        if left:
            notes.append(f"Кураторы: школ без куратора — {left}: у кураторов нет свободных мест "
                         f"(сумма предельной нагрузки — {int(roster['capacity'].sum())}).")
    assignments = _assignments(kept, new, roster, mun, year)
    workload = _workload(assignments, roster, mun)
    over = workload[workload["over_capacity"]]
    if len(over):
        notes.append(f"Кураторы: кураторов, у которых сохранённых школ больше предельной нагрузки, "
                     f"— {len(over)}: " + ", ".join(over["curator_name"].astype(str).head(5)) + ".")
    return CuratorsResult(assignments, workload, notes)


def _optimal(free: list[str], roster: pd.DataFrame, cap: dict[str, int], mun: dict[str, str],
             p: CuratorsParams) -> pd.DataFrame:
    """The optimum over (school, curator, slot): the most schools, then the most in their own
    municipality, the load spread. Returns (school_id, curator_id)."""
    cur_mun = dict(zip(roster["curator_id"], roster["municipality"].map(_text)))
    ids = [c for c in roster["curator_id"] if cap.get(c, 0) > 0]
    if not ids:
        return pd.DataFrame(columns=["school_id", "curator_id"])
    # slots as pseudo-partners: slot k of a curator costs balance·k (the load spread)
    rows = []
    for c in ids:
        for k in range(cap[c]):
            for s in free:
                same = bool(mun.get(s)) and mun.get(s) == cur_mun.get(c)
                rows.append((s, f"{c}\u0000{k}", 1.0 + p.w_municipality * same - p.balance * k))
    pairs = pd.DataFrame(rows, columns=["school_id", "partner_id", "score"])
    chosen = optimal_assignment(pairs, 1)
    got = pairs[chosen]
    return pd.DataFrame({"school_id": got["school_id"].to_numpy(),
                         "curator_id": [x.split("\u0000")[0] for x in got["partner_id"]]})


def _assignments(kept: pd.DataFrame, new: pd.DataFrame, roster: pd.DataFrame, mun: dict[str, str],
                 year: int) -> pd.DataFrame:
    """The `curator_assignments` table (ASSIGNMENT_COLUMNS)."""
    name = dict(zip(roster["curator_id"], roster["name"]))
    org = dict(zip(roster["curator_id"], roster["organisation"].map(_text)))
    cmun = dict(zip(roster["curator_id"], roster["municipality"].map(_text)))
    a = pd.concat([kept.assign(source="agreed"),
                   new.assign(curator_name=new["curator_id"].map(name), source="assigned")],
                  ignore_index=True)
    a["year"] = year
    a["organisation"] = [org.get(c, "") for c in a["curator_id"]]
    a["same_municipality"] = [bool(cmun.get(c)) and cmun.get(c) == mun.get(s)
                              for s, c in zip(a["school_id"], a["curator_id"])]
    return a[ASSIGNMENT_COLUMNS].sort_values("school_id", kind="mergesort").reset_index(drop=True)


def _workload(a: pd.DataFrame, roster: pd.DataFrame, mun: dict[str, str]) -> pd.DataFrame:
    """Per curator of the roster (and per kept curator not in it): schools held, kept, new, in
    another municipality, over capacity."""
    rows = []
    known = roster.assign(municipality=roster["municipality"].map(_text))
    extra = a[a["curator_id"] == ""].groupby("curator_name").size()
    for r in known.itertuples(index=False):
        mine = a[a["curator_id"] == r.curator_id]
        rows.append((r.curator_id, r.name, _text(r.organisation), r.municipality, int(r.capacity),
                     len(mine), int((mine["source"] == "agreed").sum()),
                     int((mine["source"] == "assigned").sum()), int((~mine["same_municipality"]).sum()),
                     len(mine) > int(r.capacity)))
    for nm, n in extra.items():
        mine = a[(a["curator_id"] == "") & (a["curator_name"] == nm)]
        rows.append(("", nm, "", "", np.nan, int(n), int(n), 0,
                     int((~mine["same_municipality"]).sum()), False))
    return pd.DataFrame(rows, columns=WORKLOAD_COLUMNS)
