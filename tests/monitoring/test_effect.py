"""Step 4: the programme effect (event study: matched DiD per programme year, pooled, placebo
before the selection window; before/after) on synthetic panels with a known effect, and on the
demo region against the generator's ground truth.

On the demo region the truth is in the estimate's own units: the demo generator is a controlled
comparison (the same seed with `programme_effect` 0 changes only the participants' outcomes from
their participation year on), so identifying both regions gives each school's index with and
without the programme (`support.monitoring.true_index_effect`). Over 100 seeds the calibration
is measured by benchmarks/bench_effect.py (docs/effect_method.md).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from support.monitoring import true_index_effect

from workbench import demo, identify
from workbench import monitoring as mon
from workbench.config.identify import IdentifyParams
from workbench.config.monitoring import MonitoringParams


def synthetic_panel(n=500, effect=0.3, seed=1, years=(2021, 2022, 2023, 2024, 2025), p_year=2024,
                    n_part=60, noise=0.25, select_on="latent", pre_trend=0.0):
    """Latent quality + social gradient + yearly noise; participants = the lowest latent quality
    (``select_on="latent"``), the lowest mean observed index over the two years before the
    programme (``"pre_mean"``: selection on a noisy dip, like the demo generator) or the lowest
    social index (``"social"``); they gain ``effect`` from year P on; with ``pre_trend`` every
    participant's index also moves by that much per year, throughout."""
    rng = np.random.default_rng(seed)
    social = rng.normal(size=n)
    latent = 0.5 * social + rng.normal(scale=0.8, size=n)
    ids = [f"S{i:04d}" for i in range(n)]
    obs = {y: latent + rng.normal(scale=noise, size=n) for y in years}
    pre = (obs[p_year - 1] + obs[p_year - 2]) / 2
    key = {"pre_mean": pre, "latent": latent, "social": social}[select_on]
    part = np.argsort(key)[:n_part]
    is_part = np.isin(np.arange(n), part)
    for y in years:
        obs[y] = obs[y] + np.where(is_part, pre_trend * (y - p_year) + (effect if y >= p_year else 0), 0)
    idn = pd.concat([pd.DataFrame({"school_id": ids, "year": y, "result_index": obs[y],
                                   "social_index": social}) for y in years])
    programme = pd.DataFrame({"school_id": [ids[i] for i in part], "year": p_year, "participant": True})
    return idn, programme


def _one(eff, estimate, year):
    r = eff[(eff["estimate"] == estimate) & (eff["year"] == year)]
    assert len(r) == 1, (estimate, year)
    return r.iloc[0]


@pytest.mark.parametrize("effect", [0.3, 0.0])
def test_selection_on_a_dip_recovered_and_the_placebo_passes(effect):
    """Participants chosen for low observed results in 2022–2023 (regression to the mean):
    matching on those years recovers the effect, and the placebo — on 2021, before the selection
    window — passes: the former placebo 2022 → 2023 carried the selection dip and failed
    whatever the effect."""
    idn, prog = synthetic_panel(effect=effect, select_on="pre_mean")
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    for year in (2024, 2025):
        did = _one(eff, "DiD", year)
        assert did["ci_low"] <= effect <= did["ci_high"], did.to_dict()
        assert did["n_treated"] >= 45 and did["n_control"] > 20  # of 60; the rest beyond the caliper
    assert eff["estimate"].tolist() == ["placebo DiD", "DiD", "DiD", "DiD pooled"]
    plc = _one(eff, "placebo DiD", 2021)
    assert plc["base_year"] == 2023
    assert plc["ci_low"] <= 0 <= plc["ci_high"], plc.to_dict()
    assert plc["conclusion"].startswith("до отбора участников различий") and "пройдена" in plc["conclusion"]
    if effect == 0.0:
        assert _one(eff, "DiD", 2024)["conclusion"].startswith("эффект не отличим от нуля")
    text = mon.overall_conclusion(eff)
    assert text.startswith("Участники с 2024/25 уч. г.")
    assert "Плацебо-проверка (те же школы до отбора в программу: 2021/22 уч. г. против 2023/24) " \
           "различий не показала" in text


@pytest.mark.parametrize("effect", [0.3, 0.0])
def test_did_and_placebo_selection_on_context(effect):
    """Participants chosen by social index only: DiD covers the effect, placebo covers zero."""
    idn, prog = synthetic_panel(effect=effect, select_on="social")
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    did = _one(eff, "DiD", 2024)
    assert did["ci_low"] <= effect <= did["ci_high"], did.to_dict()
    plc = _one(eff, "placebo DiD", 2021)
    assert plc["ci_low"] <= 0 <= plc["ci_high"], plc.to_dict()


def test_placebo_fails_when_participants_differ_beyond_what_was_matched():
    """Participants chosen on latent quality but matched on noisy results: the DiD is biased
    (regression to the mean of the controls) and the placebo shows the same bias."""
    idn, prog = synthetic_panel(effect=0.0, select_on="latent")
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    plc = _one(eff, "placebo DiD", 2021)
    assert plc["ci_high"] < 0
    assert "осторожно" in plc["conclusion"]
    assert "несопоставимы" in mon.overall_conclusion(eff)


def _selected_on_vpr(n=1500, n_part=120, seed=4):
    """Each school's persistent level q (SD 1) is seen twice a year with independent errors of
    SD 0.5: in the result index and in the mean ВПР mark. Participants: the lowest mean ВПР mark
    of the window 2022–2023; no effect. Matched on the index alone, a participant with the same
    two indices as its controls has a lower q: its ВПР said so (E[q | index and mark of both
    years] weighs the four readings alike, E[q | index] only two), so y_2021 and y_2024 are
    lower than its controls' by what the marks added — the bias is the same in the placebo
    and in the DiD."""
    rng = np.random.default_rng(seed)
    q = rng.normal(size=n)
    years = (2021, 2022, 2023, 2024, 2025)
    ids = [f"S{i:04d}" for i in range(n)]
    idx = {y: q + rng.normal(scale=0.5, size=n) for y in years}
    vpr = {y: 4.0 + 0.5 * (q + rng.normal(scale=0.5, size=n)) for y in years}
    part = np.argsort(vpr[2022] + vpr[2023])[:n_part]
    idn = pd.concat([pd.DataFrame({"school_id": ids, "year": y, "result_index": idx[y],
                                   "social_index": 0.0, "vpr_mean_mark": vpr[y]}) for y in years])
    return idn, pd.DataFrame({"school_id": [ids[i] for i in part], "year": 2024,
                              "participant": True})


def test_matching_on_what_participants_were_chosen_on_removes_the_shared_bias():
    """The cause of the demo's placebo excess (docs/effect_method.md): selection on the ВПР
    mark, which the index does not carry. Without `match_extra` the placebo and the DiD are
    both below 0 by about the same; with the mark of the window years matched neither is."""
    idn, prog = _selected_on_vpr()
    without = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=200,
                                                                          match_extra=[]))
    plc, did = _one(without, "placebo DiD", 2021), _one(without, "DiD", 2024)
    assert plc["ci_high"] < 0 and did["ci_high"] < 0
    # one bias, seen in both: each estimate lies inside the other's interval
    assert did["ci_low"] <= plc["effect"] <= did["ci_high"]
    assert plc["ci_low"] <= did["effect"] <= plc["ci_high"]
    with_mark = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=200))
    for est, year in (("placebo DiD", 2021), ("DiD", 2024), ("DiD", 2025)):
        r = _one(with_mark, est, year)
        assert r["ci_low"] <= 0 <= r["ci_high"], (est, year, r.to_dict())
        assert abs(r["effect"]) < abs(plc["effect"]) / 2


def test_placebo_catches_a_pre_trend():
    """Participants on a downward path (−0.2 a year) with no effect: the DiD 2023 → 2025 is
    negative, and the placebo sees participants higher in 2021 than their matched peers."""
    idn, prog = synthetic_panel(effect=0.0, select_on="social", pre_trend=-0.2)
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    assert _one(eff, "placebo DiD", 2021)["ci_low"] > 0
    assert _one(eff, "DiD", 2025)["ci_high"] < 0


def test_mde_and_cohort_beside_each_estimate():
    idn, prog = synthetic_panel(effect=0.3, select_on="social")
    p = MonitoringParams(n_boot=200)
    eff = mon.compute_effectiveness(idn, prog, None, p)
    z = norm.ppf(0.975) + norm.ppf(0.8)  # 1.96 + 0.84 = 2.80
    assert np.allclose(eff["mde"], z * eff["se"]) and (eff["se"] > 0).all()
    # the bootstrap SE is of the size of the spread of the percentile interval
    width = (eff["ci_high"] - eff["ci_low"]) / (2 * norm.ppf(0.975))
    assert np.allclose(eff["se"], width, rtol=0.25)
    assert set(eff["cohort_ru"]) == {"с 2024/25 уч. г., 60 школ"} and set(eff["n_cohort"]) == {60}
    assert set(eff["indicator_ru"]) == {"индекс результатов"}
    low_power = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=200, mde_power=0.9))
    assert (low_power["mde"] > eff["mde"]).all()


def test_abadie_imbens_interval_is_the_normal_one_around_the_same_estimate():
    """`effect_se: abadie_imbens`: the same point estimates as the bootstrap, the interval
    estimate ± 1.96 · SE, and the effect of the synthetic panel covered."""
    idn, prog = synthetic_panel(effect=0.3, select_on="pre_mean")
    boot = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=200))
    ai = mon.compute_effectiveness(idn, prog, None, MonitoringParams(effect_se="abadie_imbens"))
    np.testing.assert_allclose(ai["effect"], boot["effect"])
    z = norm.ppf(0.975)
    np.testing.assert_allclose(ai["ci_high"] - ai["effect"], z * ai["se"])
    np.testing.assert_allclose(ai["effect"] - ai["ci_low"], z * ai["se"])
    assert (ai["se"] > 0).all() and np.allclose(ai["se"], boot["se"], rtol=0.5)
    for year in (2024, 2025):
        did = _one(ai, "DiD", year)
        assert did["ci_low"] <= 0.3 <= did["ci_high"], did.to_dict()


def test_before_after_rows_from_dynamics(hand_monitoring):
    prog = pd.DataFrame({"school_id": list("ABCD"), "year": 2025, "participant": True})
    d = mon.compute_dynamics(hand_monitoring, None, MonitoringParams(min_schools_for_spread=3))
    idn = pd.DataFrame({"school_id": list("ABCD"), "year": 2025, "result_index": 0.0, "social_index": 0.0})
    e = mon.compute_effectiveness(idn, prog, d, MonitoringParams(min_treated=3))
    ba = e[e["estimate"] == "до/после участников"].set_index("indicator")
    assert ba.loc["share_mark2", "effect"] == pytest.approx(np.mean([-0.2, 0.1, -0.1]))
    assert ba.loc["share_mark2", "n_treated"] == 3 and ba.loc["share_mark2", "n_control"] == 0
    assert ba.loc["mean_mark", "effect"] == pytest.approx(np.mean([0.2, -0.5, 0.1, 0.0]))
    assert ba.loc["mean_mark", "cohort_ru"] == "все участники 2025/26 уч. г., 4 школы"
    assert "management_score" not in ba.index  # year-on-year change is not a within-year change
    assert (e["estimate"] == "DiD").sum() == 0  # no baseline year: no DiD row


# ------------------------------------------------------------------ demo region
@pytest.fixture(scope="module")
def demo_null():
    """The demo region of seed 2026 drawn without a programme effect, its identification and
    effectiveness (`demo_effect`, of the conftest, is the same region with the effect 0.25)."""
    region = demo.generate_region(600, seed=2026, programme_effect=0.0)
    t = region.tables
    idn, _cells, _notes = identify.identify(t["results"], t["context"], t["schools"],
                                            IdentifyParams())
    eff = mon.compute_effectiveness(idn, region.tables["programme"], None, MonitoringParams())
    return region, idn, eff


def _row(eff, P, estimate, year):
    r = eff[(eff["programme_year"] == P) & (eff["estimate"] == estimate) & (eff["year"] == year)]
    assert len(r) == 1
    return r.iloc[0]


def _truth(region, idn_e, idn_0, P, years):
    part = region.truth.dropna(subset=["participation_year"])
    cohort = sorted(part.loc[part["participation_year"] == P, "school_id"])
    never = sorted(set(region.truth["school_id"]) - set(part["school_id"]))
    return true_index_effect(idn_e, idn_0, cohort, never, P - 1, years)


def test_did_covers_the_planted_effect(demo_effect, demo_null):
    region, idn, _dyn, eff = demo_effect
    start = region.meta["programme_start_year"]
    truth = _truth(region, idn, demo_null[1], start, [start, start + 1])
    assert 0.25 < truth < 0.5  # 0.25 SD of the true result moves the index by ≈ 0.37
    pooled = _row(eff, start, "DiD pooled", start + 1)
    assert pooled["ci_low"] <= truth <= pooled["ci_high"], (truth, pooled.to_dict())
    assert pooled["ci_low"] > 0 and pooled["mde"] < truth  # detected, and detectable
    assert pooled["n_treated"] >= 25 and pooled["n_control"] >= 30
    for year in (start, start + 1):
        r = _row(eff, start, "DiD", year)
        t = _truth(region, idn, demo_null[1], start, [year])
        assert r["ci_low"] <= t <= r["ci_high"], (year, t, r.to_dict())
    n_first = int((region.truth["participation_year"] == start).sum())
    first = _row(eff, start, "DiD", start)
    assert first["n_treated"] + first["n_unmatched"] + first["n_outliers"] == n_first
    assert first["cohort_ru"].startswith("с 2024/25 уч. г., ") and first["n_cohort"] == n_first
    text = mon.overall_conclusion(eff)
    assert f"Участники с {start}/{(start + 1) % 100} уч. г. Индекс результатов участников в среднем" in text
    assert "согласуется с положительным эффектом" in text


def test_null_effect_intervals_cover_zero(demo_null):
    region, _idn, eff = demo_null
    start = region.meta["programme_start_year"]
    for est, year in (("DiD", start), ("DiD", start + 1), ("DiD pooled", start + 1)):
        did = _row(eff, start, est, year)
        assert did["ci_low"] <= 0 <= did["ci_high"], did.to_dict()
    assert _row(eff, start, "DiD", start)["conclusion"].startswith("эффект не отличим от нуля")
    late = _row(eff, start + 1, "DiD", start + 1)
    assert late["ci_low"] <= 0 <= late["ci_high"]
    assert "минимальный обнаружимый эффект" in mon.overall_conclusion(eff)


def test_placebo_lies_before_the_selection_and_cannot_see_the_effect(demo_effect, demo_null):
    """Participants are chosen on ВПР of 2022–2023: the placebo of both cohorts is 2021 against
    the year before their start, and it passes at this seed. For the first cohort it is the
    same number whatever the planted effect: its data (2021–2023) are identical in the two
    regions. (The late cohort's base year 2024 is a programme year of the first cohort, whose
    gain moves the region's standardisation a little.)"""
    region, _idn, _dyn, eff = demo_effect
    start = region.meta["programme_start_year"]
    null = demo_null[2]
    cols = ["effect", "ci_low", "ci_high", "n_treated", "n_control"]
    for P in (start, start + 1):
        plc = eff[(eff["programme_year"] == P) & eff["estimate"].str.startswith("placebo")]
        assert plc["year"].tolist() == [start - 3] and plc["base_year"].tolist() == [P - 1]
        assert plc["ci_low"].iloc[0] <= 0 <= plc["ci_high"].iloc[0], plc.to_dict("records")
        same = null[(null["programme_year"] == P) & (null["estimate"] == "placebo DiD")]
        assert same["ci_low"].iloc[0] <= 0 <= same["ci_high"].iloc[0]
        if P == start:
            pd.testing.assert_frame_equal(plc[cols].reset_index(drop=True),
                                          same[cols].reset_index(drop=True))
    assert "Плацебо-проверка (те же школы до отбора в программу" in mon.overall_conclusion(eff)
