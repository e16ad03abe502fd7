"""Risk survey: values, factors, sources, who answered, factors following the context."""
from __future__ import annotations

import numpy as np


def test_risk_survey(demo600):
    rs = demo600.tables["risk_survey"]
    assert rs["value"].between(0, 1).all()
    assert sorted(rs["risk_factor"].unique()) == [f"R{i:02d}" for i in range(1, 11)]
    assert set(rs["source"]) == {"директор", "педагоги", "обучающиеся", "родители"}
    part = set(demo600.truth.loc[demo600.truth["participant"], "school_id"])
    assert part <= set(rs["school_id"]) and len(set(rs["school_id"]) - part) > 0
    # R02 follows the vacancy rate, R01 the internet speed (inverse)
    m = rs.groupby(["school_id", "year", "risk_factor"])["value"].mean().unstack()
    ctx = demo600.tables["context"].set_index(["school_id", "year"]).loc[m.index]
    assert m["R02"].corr(ctx["teacher_vacancy_rate"]) > 0.5
    assert m["R01"].corr(np.log(ctx["internet_mbps"])) < -0.5
