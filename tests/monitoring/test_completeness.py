"""Step 2: completeness of the monitoring schedule (planted gaps, the demo generator's gaps)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench import monitoring as mon
from workbench.config.monitoring import MonitoringParams


def _full_monitoring(ids, year, schedule=None):
    schedule = schedule or MonitoringParams().schedule
    rows = []
    for s in ids:
        for dom, waves in schedule.items():
            for w in waves:
                rows.append({"school_id": s, "year": year, "wave": w, "domain": dom,
                             "indicator": f"{dom}_score", "value": 0.5, "n": 30, "higher_is_better": True})
    return pd.DataFrame(rows)


def test_completeness_finds_planted_gaps_and_nothing_else():
    ids = [f"S{i:02d}" for i in range(12)]
    m = _full_monitoring(ids, 2025)
    planted = {("S01", "results", "intermediate"), ("S03", "teaching", "final"),
               ("S03", "environment", "final"), ("S07", "management", "final")}
    drop = m.apply(lambda r: (r["school_id"], r["domain"], r["wave"]) in planted, axis=1)
    m = m[~drop]
    # a present row with a missing value counts as missing too
    m.loc[(m["school_id"] == "S05") & (m["domain"] == "results") & (m["wave"] == "entry"), "value"] = np.nan
    planted.add(("S05", "results", "entry"))
    # S11 participates but was never monitored; S99 monitored but not a participant (not expected)
    m = pd.concat([m[m["school_id"] != "S11"], _full_monitoring(["S99"], 2025)])
    programme = pd.DataFrame({"school_id": ids + ["S99"], "year": 2025,
                              "participant": [True] * 12 + [False]})
    schools = pd.DataFrame({"school_id": ids + ["S99"], "school_name": "x",
                            "municipality": ["Северный"] * 6 + ["Южный"] * 7})
    c = mon.compute_completeness(m, programme, schools)
    assert len(c) == 12 * 7  # 3 + 2 + 1 + 1 expected waves per school
    missing = {(r.school_id, r.domain, r.wave) for r in c[~c["present"]].itertuples()}
    s11 = {("S11", d, w) for d, ws in MonitoringParams().schedule.items() for w in ws}
    assert missing == planted | s11
    assert "S99" not in set(c["school_id"])

    summ = mon.completeness_summary(c).set_index("municipality")
    assert summ.loc["Северный", "n_schools"] == 6 and summ.loc["Северный", "n_complete"] == 3
    assert summ.loc["Южный", "n_complete"] == 4 and summ.loc["Южный", "n_missing_waves"] == 1 + 7
    ml = mon.missing_waves(c).set_index("school_id")
    assert ml.loc["S03", "missing"] == "качество преподавания: итоговый; школьная среда: итоговый"
    assert ml.loc["S01", "missing"] == "результаты обучения: промежуточный"


def test_completeness_without_programme_uses_monitored_schools():
    m = _full_monitoring(["A", "B"], 2024)
    m = m[~((m["school_id"] == "B") & (m["domain"] == "teaching"))]
    c = mon.compute_completeness(m, pd.DataFrame(columns=["school_id", "year", "participant"]),
                                 pd.DataFrame(columns=["school_id", "municipality"]))
    assert set(c["school_id"]) == {"A", "B"}
    assert set(c.loc[~c["present"], "wave"]) == {"entry", "final"}
    assert (c.loc[~c["present"], "domain"] == "teaching").all()


def test_custom_schedule_param():
    p = MonitoringParams(schedule={"results": ["entry", "final"]})
    m = _full_monitoring(["A"], 2025, p.schedule)
    c = mon.compute_completeness(m, pd.DataFrame({"school_id": ["A"], "year": [2025], "participant": ["да"]}),
                                 pd.DataFrame({"school_id": ["A"], "municipality": ["М"]}), p)
    assert len(c) == 2 and c["present"].all()


def test_completeness_finds_generator_missing_waves(demo_effect):
    region, _idn, _dyn, _eff = demo_effect
    c = mon.compute_completeness(region.tables["monitoring"], region.tables["programme"],
                                 region.tables["schools"])
    found = {(r.school_id, int(r.year), r.domain, r.wave) for r in c[~c["present"]].itertuples()}
    planted = {tuple(x) for x in region.meta["missing_waves"]}
    assert found == planted
    # every participant of each year is expected, nobody else
    prog = region.tables["programme"]
    exp = prog[prog["participant"]][["school_id", "year"]]
    assert len(c) == len(exp) * 7
