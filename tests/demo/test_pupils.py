"""Planted anomalies of the pupil model: inflated ВПР, tiny schools with an extreme year."""
from __future__ import annotations

import numpy as np

from support.demo import vpr_mean_mark


def test_planted_inflated_vpr(demo600):
    t = demo600.truth
    assert t["inflated_vpr"].sum() == 12  # 2% of 600
    res = demo600.tables["results"]
    mm = vpr_mean_mark(res).groupby("school_id").mean()
    oge = res[res["procedure"] == "ОГЭ"].groupby("school_id")["mean_score"].mean()
    z = lambda s: (s - s.mean()) / s.std()  # noqa: E731
    gap = (z(mm) - z(oge.reindex(mm.index))).reindex(t["school_id"]).to_numpy()
    infl = t["inflated_vpr"].to_numpy()
    assert np.nanmean(gap[infl]) > 1.0 > np.nanmean(gap[~infl]) + 0.5
    # most of the 12 are in the top 5% of the ВПР-vs-ОГЭ gap
    top = gap >= np.nanquantile(gap, 0.95)
    assert (top & infl).sum() >= 9


def test_planted_tiny_extreme(demo600):
    t = demo600.truth[demo600.truth["tiny_extreme"]]
    assert len(t) == 3 and (t["context_type"] == 5).all()
    assert t["latent_quality"].abs().max() < 0.3
    res = demo600.tables["results"]
    for sid, year in zip(t["school_id"], t["extreme_year"]):
        v = res[(res["school_id"] == sid) & (res["procedure"] == "ВПР")]
        assert v["n_participants"].between(4, 6).all()
        ext = v[v["year"] == year]
        assert (ext["n_mark2"] == ext["n_participants"]).all()
        assert (v[v["year"] != year]["n_mark2"] < v[v["year"] != year]["n_participants"]).any()
