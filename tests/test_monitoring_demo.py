"""Monitoring on the demo region: ground truth of the generator (planted effect, missing waves).

Units: the demo's ``programme_effect`` shifts the *true result* (SD units of the generator); the
identification ``result_index`` reacts to it non-linearly (steeper at the bottom, where the share
of «2» moves most). The planted effect in index units is programme_effect × the local slope of
result_index on true_result at the participants (`_index_slope`): 0.25 × 1.69 ≈ 0.42 at seed
2026 (the global linear slope, 1.20, would give 0.30 and make the estimator look biased by +0.1).

Measured (seed 2026, 600 schools, default MonitoringParams, 400 bootstrap replicates; generator
as of this writing — 40 schools start in 2024, 8 more in 2025):
  effect 0.25: DiD pooled 2023→(2024, 2025) = +0.27 [+0.01; +0.47] (35 participants vs 47
      controls); by year 2023→2024 +0.55 [+0.29; +0.86], 2023→2025 +0.11 [−0.11; +0.36];
      late cohort 2024→2025 +0.19 [−0.21; +0.65];
  effect 0: 2023→2024 +0.01 [−0.20; +0.26], 2023→2025 −0.10 [−0.36; +0.14], pooled −0.10
      [−0.39; +0.10];
  placebo 2022→2023: −0.19 [−0.48; +0.07] (effect 0.25 draw), −0.23 [−0.52; +0.03] (effect 0).
Over 30 other seeds (12–41, effect 0.25, 200 replicates): bias of the first-year DiD −0.003
(SD 0.11, coverage 29/30), second year −0.001 (30/30), pooled −0.016 (SD 0.11, 30/30). The
first-cohort placebo averages −0.23 (covers zero in 14/30): participants are selected on low
ВПР of 2022–2023, so the placebo year carries the selection dip; the conclusion says so.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import monitoring as mon
from workbench.monitoring import MonitoringParams

demo = pytest.importorskip("workbench.demo")
identify = pytest.importorskip("workbench.identify")


def _identification(region) -> pd.DataFrame:
    t = region.tables
    idn, _cells, _notes = identify.identify(t["results"], t["context"], t["schools"],
                                            identify.IdentifyParams())
    return idn


def _index_slope(region, idn) -> float:
    """How much the result index of the first-year participants moves per unit of true result:
    the derivative of a cubic fit of result_index on true_result (all schools, pre-programme
    years), averaged over the participants' pre-programme true results. The index is steeper at
    the bottom of the distribution (the share of «2» reacts most there): ≈ 1.68 for them against
    a global linear slope of ≈ 1.20 at seed 2026."""
    ty = region.truth_years.merge(idn[["school_id", "year", "result_index"]],
                                  on=["school_id", "year"]).dropna()
    start = region.meta["programme_start_year"]
    pre = ty[ty["year"] < start]
    cubic = np.polyfit(pre["true_result"], pre["result_index"], 3)
    part = region.truth.loc[region.truth["participation_year"] == start, "school_id"]
    x = pre.loc[pre["school_id"].isin(part), "true_result"]
    return float(np.mean(np.polyval(np.polyder(cubic), x)))


@pytest.fixture(scope="module")
def demo_effect():
    region = demo.generate_region(600, seed=2026, programme_effect=0.25)
    idn = _identification(region)
    dyn = mon.compute_dynamics(region.tables["monitoring"], None, MonitoringParams())
    eff = mon.compute_effectiveness(idn, region.tables["programme"], dyn, MonitoringParams())
    return region, idn, dyn, eff


@pytest.fixture(scope="module")
def demo_null():
    region = demo.generate_region(600, seed=2026, programme_effect=0.0)
    idn = _identification(region)
    eff = mon.compute_effectiveness(idn, region.tables["programme"], None, MonitoringParams())
    return region, idn, eff


def _row(eff, P, estimate, year):
    r = eff[(eff["programme_year"] == P) & (eff["estimate"] == estimate) & (eff["year"] == year)]
    assert len(r) == 1
    return r.iloc[0]


def test_did_covers_planted_effect(demo_effect):
    region, idn, _dyn, eff = demo_effect
    start = region.meta["programme_start_year"]
    planted = region.meta["programme_effect"] * _index_slope(region, idn)
    assert 0.35 < planted < 0.5  # ≈ 0.42 index units
    pooled = _row(eff, start, "DiD pooled", start + 1)
    assert pooled["ci_low"] <= planted <= pooled["ci_high"], pooled.to_dict()
    assert pooled["ci_low"] > 0  # an effect of this size is detected
    assert pooled["n_treated"] >= 30 and pooled["n_control"] >= 30
    # yearly estimates are reported beside it (noisier: +0.55 and +0.11 at this seed)
    first = _row(eff, start, "DiD", start)
    assert first["ci_low"] <= planted <= first["ci_high"], first.to_dict()
    later = _row(eff, start, "DiD", start + 1)
    assert later["effect"] > 0
    # the cohort of the first year: the late cohort is not among the treated
    n_first = int((region.truth["participation_year"] == start).sum())
    assert first["n_treated"] + first["n_unmatched"] + first["n_outliers"] == n_first
    text = mon.overall_conclusion(eff)
    assert f"Участники {start} года. Индекс результатов участников в среднем" in text
    assert "согласуется с положительным эффектом" in text


def test_null_effect_interval_covers_zero(demo_null):
    region, _idn, eff = demo_null
    start = region.meta["programme_start_year"]
    for est, year in (("DiD", start), ("DiD", start + 1), ("DiD pooled", start + 1)):
        did = _row(eff, start, est, year)
        assert did["ci_low"] <= 0 <= did["ci_high"], did.to_dict()
    assert _row(eff, start, "DiD", start)["conclusion"].startswith("эффект не отличим от нуля")
    late = _row(eff, start + 1, "DiD", start + 1)
    assert late["ci_low"] <= 0 <= late["ci_high"]


def test_placebo_before_participation(demo_effect, demo_null):
    region, _idn, _dyn, eff = demo_effect
    start = region.meta["programme_start_year"]
    # late cohort (selected on 2022–2023, joins in 2025): placebo 2023→2024 covers zero
    for e in (eff, demo_null[2]):
        p = _row(e, start + 1, "placebo DiD", start)
        assert p["ci_low"] <= 0 <= p["ci_high"], p.to_dict()
    # first cohort: no programme effect can leak into the placebo (same value whatever the
    # planted effect would be, up to the generator's draws) and it is reported beside the DiD
    p0 = _row(demo_null[2], start, "placebo DiD", start - 1)
    assert p0["ci_low"] <= 0 <= p0["ci_high"], p0.to_dict()
    p1 = _row(eff, start, "placebo DiD", start - 1)
    assert p1["base_year"] == start - 2 and p1["effect"] < 0.1
    text = mon.overall_conclusion(eff)
    assert "лацебо" in text


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


def test_exits_on_demo(demo_effect):
    region, idn, _dyn, _eff = demo_effect
    ex = mon.compute_exits(idn, region.tables["schools"])
    assert len(ex) > 0 and set(ex["status"]) <= {"вышла из списка", "осталась в списке",
                                                 "нет данных в следующем году"}
    listed = idn[idn["low_results"].astype(bool) & (idn["year"] < idn["year"].max())]
    assert len(ex) == len(listed)
    sh = mon.exit_shares(ex, "municipality")
    assert sh["n_listed"].sum() == len(ex)
    assert ((sh["share_left"] >= 0) & (sh["share_left"] <= 1) | sh["share_left"].isna()).all()
