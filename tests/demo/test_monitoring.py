"""Monitoring: the schedule of waves per domain and the left-out waves of the ground truth."""
from __future__ import annotations


def test_monitoring_schedule_and_missing_waves(demo600):
    mon = demo600.tables["monitoring"]
    t = demo600.truth
    assert set(mon["school_id"]) <= set(t.loc[t["participant"], "school_id"])
    assert set(mon["wave"]) == {"entry", "intermediate", "final"}
    assert set(mon["domain"]) == {"results", "teaching", "management", "environment"}
    assert set(mon.loc[mon["domain"] == "teaching", "wave"]) == {"entry", "final"}
    assert set(mon.loc[mon["domain"].isin(["management", "environment"]), "wave"]) == {"final"}
    hib = mon.drop_duplicates("indicator").set_index("indicator")["higher_is_better"]
    assert not hib["Доля «2» в диагностической работе, математика"]
    assert hib["Средний балл, русский язык"]
    share = mon[mon["indicator"].str.startswith("Доля")]["value"]
    assert share.between(0, 1).all()
    missing = demo600.meta["missing_waves"]
    expected = sum((t["participant"] & (t["participation_year"] <= y)).sum() for y in (2024, 2025)) * 7
    assert 0.02 < len(missing) / expected < 0.09
    have = set(map(tuple, mon[["school_id", "year", "domain", "wave"]].drop_duplicates().to_numpy()))
    for m in missing:
        assert tuple(m) not in have
    assert len(have) + len(missing) == expected
