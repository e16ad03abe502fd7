"""Curator assignment (issue 16 item 2): kept assignments, the optimum checked against brute
force, capacities respected, the workload table, notes without a roster."""
from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from workbench.clusters.curators import assign_curators
from workbench.config.clusters import CuratorsParams


def _ident(ids, year=2025):
    return pd.DataFrame({"school_id": ids, "year": year, "low_results": True})


def _schools(muns: dict[str, str]) -> pd.DataFrame:
    return pd.DataFrame({"school_id": list(muns), "school_name": list(muns),
                         "municipality": list(muns.values())})


def _roster(rows):
    return pd.DataFrame(rows, columns=["curator_id", "name", "organisation", "municipality", "capacity"])


def _brute(schools: list[str], mun: dict, roster: pd.DataFrame) -> tuple[int, int]:
    """(most schools with a curator, then most in their own municipality) over every assignment."""
    opts = [None] + list(roster["curator_id"])
    cap = dict(zip(roster["curator_id"], roster["capacity"]))
    cm = dict(zip(roster["curator_id"], roster["municipality"]))
    best = (0, 0)
    for combo in itertools.product(opts, repeat=len(schools)):
        load = Counter(c for c in combo if c)
        if any(load[c] > cap[c] for c in cap):
            continue
        n = sum(c is not None for c in combo)
        same = sum(c is not None and cm[c] == mun[s] for s, c in zip(schools, combo))
        best = max(best, (n, same))
    return best


@pytest.mark.parametrize("seed", range(6))
def test_assignment_is_optimal_and_within_capacity(seed):
    rng = np.random.default_rng(seed)
    ids = [f"S{i}" for i in range(6)]
    mun = {s: f"М{rng.integers(0, 3)}" for s in ids}
    roster = _roster([(f"К{k}", f"Куратор {k}", "ИРО", f"М{rng.integers(0, 3)}", int(rng.integers(1, 3)))
                      for k in range(3)])
    res = assign_curators(_ident(ids), _schools(mun), roster, None, 2025, CuratorsParams())
    a = res.assignments
    assert a["school_id"].is_unique and (a["source"] == "assigned").all()
    load = a["curator_id"].value_counts()
    cap = dict(zip(roster["curator_id"], roster["capacity"]))
    assert all(load[c] <= cap[c] for c in load.index)
    assert (len(a), int(a["same_municipality"].sum())) == _brute(ids, mun, roster)
    w = res.workload.set_index("curator_id")
    assert (w["n_schools"] == load.reindex(w.index).fillna(0)).all()
    assert not w["over_capacity"].any()


def test_capacity_bound_kept_first_and_a_note_for_the_rest():
    ids = ["A1", "A2", "A3", "B1"]
    mun = {"A1": "А", "A2": "А", "A3": "А", "B1": "Б"}
    roster = _roster([("К1", "Иванова А. А.", "ИРО", "А", 2), ("К2", "Петров Б. Б.", "УО", "Б", 1)])
    programme = pd.DataFrame({"school_id": ["A1"], "year": [2025], "participant": [True],
                              "curator": ["иванова а. а."], "partner_school_id": [None]})
    res = assign_curators(_ident(ids), _schools(mun), roster, programme, 2025, CuratorsParams())
    a = res.assignments.set_index("school_id")
    # A1 keeps Иванова (matched by name, any case) and uses one of her two places
    assert a.loc["A1", "curator_id"] == "К1" and a.loc["A1", "source"] == "agreed"
    # one free place with Иванова (А), one with Петров (Б): B1 → Петров, one of A2/A3 → Иванова
    assert a.loc["B1", "curator_id"] == "К2" and a.loc["B1", "same_municipality"]
    assert len(a) == 3 and (a["curator_id"] == "К1").sum() == 2
    assert "Кураторы: школ без куратора — 1: у кураторов нет свободных мест (сумма предельной " \
        "нагрузки — 3)." in res.notes
    w = res.workload.set_index("curator_id")
    assert (w.loc["К1", "n_kept"], w.loc["К1", "n_assigned"], w.loc["К2", "n_schools"]) == (1, 1, 1)


def test_load_is_spread_and_kept_over_capacity_reported():
    ids = [f"A{i}" for i in range(4)]
    mun = {s: "А" for s in ids}
    roster = _roster([("К1", "Первая", "ИРО", "А", 3), ("К2", "Вторая", "ИРО", "А", 3)])
    res = assign_curators(_ident(ids), _schools(mun), roster, None, 2025, CuratorsParams())
    assert sorted(res.assignments["curator_id"].value_counts().tolist()) == [2, 2]
    programme = pd.DataFrame({"school_id": ids, "year": 2025, "participant": True,
                              "curator": ["Первая"] * 4, "partner_school_id": None})
    res = assign_curators(_ident(ids), _schools(mun), roster.assign(capacity=[2, 3]), programme,
                          2025, CuratorsParams())
    w = res.workload.set_index("curator_id")
    assert w.loc["К1", "n_schools"] == 4 and w.loc["К1", "over_capacity"]
    assert any("больше предельной нагрузки, — 1: Первая." in n for n in res.notes)


def test_without_roster_existing_curators_are_kept_and_the_rest_noted():
    ids = ["A1", "A2"]
    programme = pd.DataFrame({"school_id": ["A1"], "year": [2025], "participant": [True],
                              "curator": ["Сидорова В. В."], "partner_school_id": [None]})
    res = assign_curators(_ident(ids), _schools({"A1": "А", "A2": "А"}), None, programme, 2025,
                          CuratorsParams())
    a = res.assignments
    assert list(a["school_id"]) == ["A1"] and a["curator_name"].iloc[0] == "Сидорова В. В."
    assert a["curator_id"].iloc[0] == ""
    assert any("не передана (inputs.curators) — школ 2025/26 учебного года без куратора: 1." in n
               for n in res.notes)
    assert res.workload["curator_name"].tolist() == ["Сидорова В. В."]


def test_participants_only_and_default_capacity():
    ids = ["A1", "A2", "A3"]
    programme = pd.DataFrame({"school_id": ["A3"], "year": [2025], "participant": [True],
                              "curator": [None], "partner_school_id": [None]})
    roster = _roster([("К1", "Иванова", "ИРО", "А", np.nan)])
    res = assign_curators(_ident(["A1", "A2"]), _schools({s: "А" for s in ids}), roster, programme,
                          2025, CuratorsParams(assign="participants", default_capacity=1))
    assert list(res.assignments["school_id"]) == ["A3"]
    assert res.workload["capacity"].tolist() == [1]
