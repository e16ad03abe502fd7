"""Monitoring: dynamics, completeness, exits, effect estimator on hand-made data (fast)."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from workbench import monitoring as mon
from workbench.monitoring import MonitoringParams


def _rows(school, year, domain, indicator, waves: dict, n=None, hib=True):
    return [{"school_id": school, "year": year, "wave": w, "domain": domain, "indicator": indicator,
             "value": v, "n": n, "higher_is_better": hib} for w, v in waves.items()]


@pytest.fixture
def hand_monitoring() -> pd.DataFrame:
    r = []
    # share of «2» (higher is worse), n = 50 pupils; A has no intermediate wave
    r += _rows("A", 2025, "results", "share_mark2", {"entry": 0.30, "final": 0.10}, 50, False)
    r += _rows("B", 2025, "results", "share_mark2", {"entry": 0.20, "intermediate": 0.25, "final": 0.30}, 50, False)
    r += _rows("C", 2025, "results", "share_mark2", {"entry": 0.40, "intermediate": 0.30}, 50, False)
    r += _rows("D", 2025, "results", "share_mark2", {"entry": 0.50}, 50, False)
    # mean mark (higher is better), no n
    r += _rows("A", 2025, "results", "mean_mark", {"entry": 3.4, "intermediate": 3.5, "final": 3.6})
    r += _rows("B", 2025, "results", "mean_mark", {"entry": 3.0, "final": 2.5})
    r += _rows("C", 2025, "results", "mean_mark", {"entry": 3.2, "final": 3.3})
    r += _rows("D", 2025, "results", "mean_mark", {"entry": 3.1, "final": 3.1})
    # management: once a year (final) — change against the previous year
    r += _rows("A", 2024, "management", "management_score", {"final": 0.6})
    r += _rows("A", 2025, "management", "management_score", {"final": 0.8})
    return pd.DataFrame(r)


@pytest.fixture
def hand_clusters() -> pd.DataFrame:
    return pd.DataFrame({"school_id": ["A", "B", "C", "D"], "year": [2025] * 4, "cluster": [1, 1, 2, 2]})


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


# ------------------------------------------------------------------ completeness
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


# ------------------------------------------------------------------ exits
def test_exits_and_shares():
    idn = pd.DataFrame({
        "school_id": ["A", "A", "B", "B", "C", "C", "D", "E", "E"],
        "year": [2023, 2024, 2023, 2024, 2023, 2024, 2023, 2023, 2024],
        "low_results": [True, False, True, True, True, False, True, False, True],
        "category": ["low_results", "typical", "low_results_adverse", "low_results_adverse",
                     "low_results", "insufficient_data", "low_results", "typical", "low_results"],
    })
    schools = pd.DataFrame({"school_id": list("ABCDE"), "municipality": ["М1", "М1", "М2", "М2", "М2"]})
    clusters = pd.DataFrame({"school_id": list("ABCD"), "year": 2023, "cluster": [1, 1, 2, 2]})
    e = mon.compute_exits(idn, schools, clusters).set_index("school_id")
    assert list(e.index) == ["A", "B", "C", "D"]  # E listed only in the last year
    assert e.loc["A", "left"] == True and e.loc["A", "status"] == "вышла из списка"  # noqa: E712
    assert e.loc["B", "left"] == False and e.loc["B", "status"] == "осталась в списке"  # noqa: E712
    assert pd.isna(e.loc["C", "left"]) and pd.isna(e.loc["D", "left"])  # no judgement next year
    assert e.loc["D", "status"] == "нет данных в следующем году"
    by_m = mon.exit_shares(e.reset_index(), "municipality").set_index("municipality")
    assert by_m.loc["М1", "share_left"] == 0.5 and by_m.loc["М1", "n_listed"] == 2
    assert by_m.loc["М2", "n_known"] == 0 and np.isnan(by_m.loc["М2", "share_left"])
    by_c = mon.exit_shares(e.reset_index(), "cluster").set_index("cluster")
    assert by_c.loc[1, "n_left"] == 1


# ------------------------------------------------------------------ effect estimator
def synthetic_panel(n=500, effect=0.3, seed=1, years=(2021, 2022, 2023, 2024, 2025), p_year=2024,
                    n_part=60, noise=0.25, select_on="latent"):
    """Latent quality + social gradient + yearly noise; participants = the lowest latent quality
    (``select_on="latent"``), the lowest mean observed index over the two years before the
    programme (``"pre_mean"``: selection on a noisy dip, like the demo generator) or the lowest
    social index (``"social"``); they gain ``effect`` from year P on."""
    rng = np.random.default_rng(seed)
    social = rng.normal(size=n)
    latent = 0.5 * social + rng.normal(scale=0.8, size=n)
    ids = [f"S{i:04d}" for i in range(n)]
    obs = {y: latent + rng.normal(scale=noise, size=n) for y in years}
    pre = (obs[p_year - 1] + obs[p_year - 2]) / 2
    key = {"pre_mean": pre, "latent": latent, "social": social}[select_on]
    part = np.argsort(key)[:n_part]
    for y in years:
        if y >= p_year:
            obs[y] = obs[y] + np.where(np.isin(np.arange(n), part), effect, 0.0)
    idn = pd.concat([pd.DataFrame({"school_id": ids, "year": y, "result_index": obs[y],
                                   "social_index": social}) for y in years])
    programme = pd.DataFrame({"school_id": [ids[i] for i in part], "year": p_year, "participant": True})
    return idn, programme


@pytest.mark.parametrize("effect", [0.3, 0.0])
def test_did_recovers_synthetic_effect_selection_on_dip(effect):
    """Participants chosen for low observed results in P−2..P−1 (regression to the mean):
    matching on P−1, P−2 and the bias correction recover the effect; the placebo P−2 → P−1
    carries the selection dip and the conclusion says so."""
    idn, prog = synthetic_panel(effect=effect, select_on="pre_mean")
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    for year in (2024, 2025):
        did = eff[(eff["estimate"] == "DiD") & (eff["year"] == year)].iloc[0]
        assert did["ci_low"] <= effect <= did["ci_high"], did.to_dict()
        assert did["n_treated"] >= 45 and did["n_control"] > 20  # of 60; the rest beyond the caliper
    assert eff.loc[eff["estimate"] == "DiD", "year"].tolist() == [2024, 2025]
    plc = eff[eff["estimate"] == "placebo DiD"].iloc[0]
    assert plc["year"] == 2023 and plc["base_year"] == 2022
    assert plc["ci_high"] < 0  # the dip of the selection year
    assert "осторожно" in plc["conclusion"]
    if effect == 0.0:
        did = eff[(eff["estimate"] == "DiD") & (eff["year"] == 2024)].iloc[0]
        assert did["conclusion"].startswith("эффект не отличим от нуля")
    text = mon.overall_conclusion(eff)
    assert "Участники 2024 года" in text and "плацебо-проверка показала различия" in text


@pytest.mark.parametrize("effect", [0.3, 0.0])
def test_did_and_placebo_selection_on_context(effect):
    """Participants chosen by social index only: DiD covers the effect, placebo covers zero."""
    idn, prog = synthetic_panel(effect=effect, select_on="social")
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    did = eff[(eff["estimate"] == "DiD") & (eff["year"] == 2024)].iloc[0]
    assert did["ci_low"] <= effect <= did["ci_high"], did.to_dict()
    plc = eff[eff["estimate"] == "placebo DiD"].iloc[0]
    assert plc["ci_low"] <= 0 <= plc["ci_high"], plc.to_dict()
    assert "проверка пройдена" in plc["conclusion"]
    assert "Плацебо-проверка (те же школы до участия, 2022→2023) различий не показала" in \
        mon.overall_conclusion(eff)


def test_placebo_flags_regression_to_the_mean():
    """Participants chosen on latent quality but matched on noisy results: the DiD is biased
    (regression to the mean of the controls) and the placebo shows the same bias — the check
    does its job."""
    idn, prog = synthetic_panel(effect=0.0, select_on="latent")
    eff = mon.compute_effectiveness(idn, prog, None, MonitoringParams(n_boot=300))
    plc = eff[eff["estimate"] == "placebo DiD"].iloc[0]
    assert plc["ci_high"] < 0


def test_conclusions_do_not_overclaim():
    assert mon.conclusion_ru("DiD", 0.1, -0.05, 0.25, n_treated=30).startswith("эффект не отличим от нуля")
    assert "согласуется с положительным" in mon.conclusion_ru("DiD", 0.3, 0.1, 0.5, n_treated=30)
    assert "осторожно" in mon.conclusion_ru("placebo DiD", -0.3, -0.5, -0.1, n_treated=30)
    assert "не оценка эффекта" in mon.conclusion_ru("до/после участников", -0.1, -0.15, -0.05,
                                                   higher_is_better=False, n_treated=30)
    assert mon.conclusion_ru("DiD", 0.3, 0.1, 0.5, n_treated=2).startswith("оценка невозможна")
    assert mon.overall_conclusion(pd.DataFrame()).startswith("Оценить эффект программы нельзя")


def test_before_after_rows_from_dynamics(hand_monitoring):
    prog = pd.DataFrame({"school_id": list("ABCD"), "year": 2025, "participant": True})
    d = mon.compute_dynamics(hand_monitoring, None, MonitoringParams(min_schools_for_spread=3))
    idn = pd.DataFrame({"school_id": list("ABCD"), "year": 2025, "result_index": 0.0, "social_index": 0.0})
    e = mon.compute_effectiveness(idn, prog, d, MonitoringParams(min_treated=3))
    ba = e[e["estimate"] == "до/после участников"].set_index("indicator")
    assert ba.loc["share_mark2", "effect"] == pytest.approx(np.mean([-0.2, 0.1, -0.1]))
    assert ba.loc["share_mark2", "n_treated"] == 3 and ba.loc["share_mark2", "n_control"] == 0
    assert ba.loc["mean_mark", "effect"] == pytest.approx(np.mean([0.2, -0.5, 0.1, 0.0]))
    assert "management_score" not in ba.index  # year-on-year change is not a within-year change
    assert (e["estimate"] == "DiD").sum() == 0  # no baseline year: no DiD row


def test_batched_bootstrap_slopes_equal_one_by_one():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 3))
    y = x @ np.array([0.5, -1.0, 2.0]) + rng.normal(size=300)
    weights = np.stack([np.bincount(rng.integers(0, 300, 300), minlength=300).astype(float)
                        for _ in range(6)] + [np.zeros(300)])  # last: nothing drawn
    batch = mon._ols_slopes_batch(x, y, weights)
    for w, b in zip(weights, batch):
        np.testing.assert_allclose(b, mon._ols_slope(x, y, w), rtol=1e-8, atol=1e-10)
    assert np.all(batch[-1] == 0) and abs(batch[0][2] - 2.0) < 0.3
