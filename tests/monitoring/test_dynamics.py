"""Step 1: dynamics, trend against measurement noise, peer change (hand-made data and the demo)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from workbench import monitoring as mon
from workbench.config.monitoring import MonitoringParams


def _binom_mdc(p1, p2, n, z=1.96):
    def se2(p):
        pt = (p * n + 1) / (n + 2)
        return pt * (1 - pt) / n
    return z * math.sqrt(se2(p1) + se2(p2))


def test_dynamics_hand_example(hand_monitoring, hand_clusters):
    params = MonitoringParams(min_schools_for_spread=3, mdc_override={"management_score": 0.1})
    d = mon.compute_dynamics(hand_monitoring, hand_clusters, params)
    d = d.set_index(["school_id", "year", "indicator"])

    a = d.loc[("A", 2025, "share_mark2")]
    assert a["entry"] == 0.30 and np.isnan(a["intermediate"]) and a["final"] == 0.10  # not interpolated
    assert a["change"] == pytest.approx(-0.20)
    assert a["change_basis"] == "итоговый − входной"
    # binomial MDC for 30% → 10% of 50 pupils = 0.1556; a fall of 0.20 in a higher-is-worse share
    assert a["mdc"] == pytest.approx(_binom_mdc(0.30, 0.10, 50)) and a["mdc"] == pytest.approx(0.1556, abs=1e-4)
    assert a["trend"] == "improved" and a["trend_ru"] == "улучшение"
    assert not a["higher_is_better"]
    assert a["peer_change"] == pytest.approx(0.10)  # B, same cluster
    assert a["n"] == 50

    b = d.loc[("B", 2025, "share_mark2")]
    assert b["change"] == pytest.approx(0.10)
    assert b["mdc"] == pytest.approx(0.1708, abs=1e-4)
    assert b["trend"] == "stable"  # rise of 0.10 < MDC 0.17
    c = d.loc[("C", 2025, "share_mark2")]
    assert c["change"] == pytest.approx(-0.10) and c["change_basis"] == "промежуточный − входной"
    # C's only cluster peer D has no change → all other monitored schools: mean(−0.2, 0.1)
    assert c["peer_change"] == pytest.approx(-0.05) and c["peer_group"] == "все школы мониторинга"
    assert c["n_peers"] == 2
    dd = d.loc[("D", 2025, "share_mark2")]
    assert np.isnan(dd["change"]) and dd["trend"] == "no_data"
    assert dd["change_basis"] == "нет (меньше двух замеров)"
    assert dd["peer_change"] == pytest.approx(-0.10)

    # mean mark: reliable-change MDC = 1.96 · 0.35 · √(2·0.2) = 0.4339 (pooled SD over waves = 0.35)
    mdc = 1.96 * 0.35 * math.sqrt(0.4)
    for s, chg, trend in [("A", 0.2, "stable"), ("B", -0.5, "declined"), ("C", 0.1, "stable"),
                          ("D", 0.0, "stable")]:
        row = d.loc[(s, 2025, "mean_mark")]
        assert row["change"] == pytest.approx(chg)
        assert row["mdc"] == pytest.approx(mdc, abs=1e-9)
        assert row["trend"] == trend
    assert d.loc[("A", 2025, "mean_mark"), "peer_change"] == pytest.approx(-0.5)
    assert d.loc[("B", 2025, "mean_mark"), "trend_ru"] == "ухудшение"

    m = d.loc[("A", 2025, "management_score")]
    assert m["change"] == pytest.approx(0.2)
    assert m["change_basis"] == "итоговый 2025 − итоговый 2024"
    assert m["trend"] == "improved"
    assert d.loc[("A", 2024, "management_score"), "trend"] == "no_data"


def test_dynamics_without_clusters_and_russian_codes(hand_monitoring):
    m = hand_monitoring.copy()
    m["wave"] = m["wave"].map({"entry": "Входной", "intermediate": "промежуточный", "final": "итоговый"})
    m["higher_is_better"] = m["higher_is_better"].map({True: "да", False: "нет"})
    d = mon.compute_dynamics(m, None, MonitoringParams(min_schools_for_spread=3))
    a = d[(d["school_id"] == "A") & (d["indicator"] == "share_mark2")].iloc[0]
    assert a["trend"] == "improved"
    assert a["peer_change"] == pytest.approx(np.mean([0.10, -0.10]))  # B and C
    assert set(d.columns) >= {"school_id", "year", "domain", "indicator", "entry", "intermediate",
                              "final", "change", "peer_change", "trend", "trend_ru",
                              "higher_is_better", "n"}


def test_classify_trend_direction():
    t = mon.classify_trend(np.array([0.2, 0.2, -0.2, 0.05, np.nan]), np.array([0.1] * 5),
                           np.array([True, False, False, True, True]))
    assert list(t) == ["improved", "declined", "improved", "stable", "no_data"]


def test_dynamics_on_demo(demo_effect):
    region, _idn, dyn, _eff = demo_effect
    assert set(dyn["domain"]) <= {"results", "teaching", "management", "environment"}
    # missing waves stay missing (no interpolation)
    m = region.tables["monitoring"]
    n_values = m.dropna(subset=["value"]).shape[0]
    assert dyn[["entry", "intermediate", "final"]].notna().sum().sum() == n_values
    assert set(dyn["trend"]) <= {"improved", "stable", "declined", "no_data"}
    res = dyn[(dyn["domain"] == "results") & dyn["change"].notna()]
    assert (res["n_peers"] > 0).all()
