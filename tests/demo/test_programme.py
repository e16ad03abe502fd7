"""Programme: participants mostly low in the selection years, late joiners, curators, partners."""
from __future__ import annotations

from support.demo import vpr_mean_mark


def test_programme_participants_and_effect(demo600):
    t = demo600.truth
    assert t["participant"].sum() == 48  # 8% of 600
    assert set(t.loc[t["participant"], "participation_year"]) <= {2024, 2025}
    assert t["participation_year"].isna().eq(~t["participant"]).all()
    # mostly schools with low observed ВПР in 2022-2023
    mm = vpr_mean_mark(demo600.tables["results"]).unstack("year")[[2022, 2023]].mean(axis=1)
    low = mm <= mm.quantile(0.15)
    part = t.set_index("school_id")["participant"]
    assert (low & part).sum() >= 0.6 * part.sum()
    prog = demo600.tables["programme"]
    assert len(prog) == 2 * 600 and sorted(prog["year"].unique()) == [2024, 2025]
    now = prog[prog["participant"]]
    assert now["curator"].notna().all() and prog[~prog["participant"]]["curator"].isna().all()
    assert 0.3 < now["partner_school_id"].notna().mean() < 0.9
    assert now["partner_school_id"].dropna().isin(demo600.tables["schools"]["school_id"]).all()
    assert demo600.meta["programme_start_year"] == 2024 and demo600.meta["programme_effect"] == 0.25
