"""Step 1 of monitoring: dynamics of each school's indicators, judged against measurement noise
and set beside its peers (table ``dynamics``).

Per school × year × domain × indicator: the entry / intermediate / final values, the change
(last available wave minus first available, the basis named in ``change_basis``), the minimum
detectable change (MDC), a trend that respects whether higher values are better, and the mean
change of the school's cluster peers. Missing waves stay missing: nothing is interpolated."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from workbench.config.monitoring import MonitoringParams
from workbench.core.vocabulary import WAVES, WAVES_RU
from workbench.monitoring.prepare import empty_table, prepare_monitoring, school_cluster

DYNAMICS_KEY = ["school_id", "year", "domain", "indicator"]
DYNAMICS_COLUMNS = DYNAMICS_KEY + ["entry", "intermediate", "final", "change", "change_basis",
                                   "peer_change", "peer_group", "n_peers", "mdc", "trend",
                                   "trend_ru", "higher_is_better", "n"]
TREND_RU = {"improved": "улучшение", "stable": "без значимых изменений", "declined": "ухудшение",
            "no_data": "недостаточно данных"}


@dataclass
class _Change:
    """Change of each row of the wave table and the two measurements it is taken between."""

    change: np.ndarray
    v1: np.ndarray      # value of the base measurement
    v2: np.ndarray      # value of the later measurement
    n1: np.ndarray      # pupils (observations) of the base measurement
    n2: np.ndarray
    basis: np.ndarray   # Russian: which waves, e.g. «итоговый − входной»


# ------------------------------------------------------------------ change
def _per_wave(m: pd.DataFrame) -> pd.DataFrame:
    """One value per school × year × domain × indicator × wave (mean value, summed n)."""
    m = m.groupby(DYNAMICS_KEY + ["wave"], as_index=False).agg(
        value=("value", "mean"), n=("n", "sum"), higher_is_better=("higher_is_better", "first"))
    m.loc[m["n"] == 0, "n"] = np.nan  # sum of all-NaN is 0
    return m


def _wave_table(m: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The rows of ``dynamics`` with a column per wave, and the value and n matrices (rows ×
    WAVES, NaN where a wave is missing)."""
    wide = m.pivot(index=DYNAMICS_KEY, columns="wave", values="value")
    nwide = m.pivot(index=DYNAMICS_KEY, columns="wave", values="n")
    for w in WAVES:
        if w not in wide.columns:
            wide[w] = np.nan
        if w not in nwide.columns:
            nwide[w] = np.nan
    wide = wide[WAVES].astype(float)
    nwide = nwide[WAVES].reindex(wide.index).astype(float)
    hib = m.groupby(DYNAMICS_KEY)["higher_is_better"].first().reindex(wide.index)
    d = wide.reset_index()
    d.columns.name = None
    d["higher_is_better"] = hib.to_numpy(dtype=bool)
    return d, wide.to_numpy(), nwide.to_numpy()


def _first_last(row: np.ndarray) -> tuple[int, int]:
    """Indices of the first and last non-missing wave values (−1 when none)."""
    idx = np.flatnonzero(~np.isnan(row))
    return (int(idx[0]), int(idx[-1])) if len(idx) else (-1, -1)


def _within_year_change(vals: np.ndarray, ns: np.ndarray) -> tuple[_Change, np.ndarray, np.ndarray]:
    """Last available wave minus first available wave of the year; also the index of the last
    wave of each row (−1 when none) and whether the row has two waves."""
    first_last = [_first_last(r) for r in vals]
    fi = np.array([a for a, _ in first_last])
    la = np.array([b for _, b in first_last])
    rows = np.arange(len(vals))
    two = (fi >= 0) & (la > fi)
    ch = _Change(change=np.where(two, vals[rows, la] - vals[rows, fi], np.nan),
                 v1=np.where(two, vals[rows, fi], np.nan), v2=np.where(two, vals[rows, la], np.nan),
                 n1=np.where(two, ns[rows, fi], np.nan), n2=np.where(two, ns[rows, la], np.nan),
                 basis=np.array([f"{WAVES_RU[WAVES[b]]} − {WAVES_RU[WAVES[a]]}" if t else ""
                                 for a, b, t in zip(fi, la, two)], dtype=object))
    return ch, la, two


def _year_on_year_change(ch: _Change, d: pd.DataFrame, m: pd.DataFrame, vals: np.ndarray,
                         ns: np.ndarray, la: np.ndarray, two: np.ndarray) -> None:
    """Single-wave rows: the same wave of the previous year as base (changes ``ch`` in place)."""
    single = (~two) & (la >= 0)
    if not single.any():
        return
    rows = np.arange(len(d))
    w_single = np.array([WAVES[i] if i >= 0 else "" for i in la], dtype=object)
    look = m.set_index(DYNAMICS_KEY[:1] + ["year", "domain", "indicator", "wave"])
    prev_key = list(zip(d["school_id"], d["year"] - 1, d["domain"], d["indicator"], w_single))
    prev_val = look["value"].reindex(prev_key).to_numpy(dtype=float)
    prev_n = look["n"].reindex(prev_key).to_numpy(dtype=float)
    use = single & ~np.isnan(prev_val)
    cur_val = np.where(la >= 0, vals[rows, np.maximum(la, 0)], np.nan)
    cur_n = np.where(la >= 0, ns[rows, np.maximum(la, 0)], np.nan)
    ch.change = np.where(use, cur_val - prev_val, ch.change)
    ch.v1, ch.v2 = np.where(use, prev_val, ch.v1), np.where(use, cur_val, ch.v2)
    ch.n1, ch.n2 = np.where(use, prev_n, ch.n1), np.where(use, cur_n, ch.n2)
    for i in np.flatnonzero(use):
        w = WAVES_RU[w_single[i]]
        yr = int(d["year"].iat[i])
        ch.basis[i] = f"{w} {yr} − {w} {yr - 1}"


# ------------------------------------------------------------------ trend against noise
def _indicator_spread(m: pd.DataFrame, min_schools: int) -> pd.DataFrame:
    """SD across schools of each (year, domain, indicator), pooled over waves; when a year has
    fewer than ``min_schools`` schools, the SD pooled over all years is used."""
    g = m.dropna(subset=["value"]).groupby(["year", "domain", "indicator", "wave"])["value"]
    per = g.agg(["var", "count"]).reset_index()
    per = per[per["count"] >= 2]
    per["ss"] = per["var"] * (per["count"] - 1)
    per["df"] = per["count"] - 1
    yearly = per.groupby(["year", "domain", "indicator"]).agg(
        ss=("ss", "sum"), df=("df", "sum"), n_schools=("count", "max")).reset_index()
    yearly["sd_year"] = np.sqrt(yearly["ss"] / yearly["df"])
    pooled = per.groupby(["domain", "indicator"]).agg(ss=("ss", "sum"), df=("df", "sum"),
                                                       n_pool=("count", "sum")).reset_index()
    pooled["sd_pooled"] = np.sqrt(pooled["ss"] / pooled["df"])
    out = yearly[["year", "domain", "indicator", "sd_year", "n_schools"]].merge(
        pooled[["domain", "indicator", "sd_pooled", "n_pool"]], on=["domain", "indicator"])
    out["sd"] = np.where(out["n_schools"] >= min_schools, out["sd_year"],
                         np.where(out["n_pool"] >= min_schools, out["sd_pooled"], np.nan))
    return out[["year", "domain", "indicator", "sd"]]


def _binomial_se(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Standard error of a share with n observations (Agresti–Coull-adjusted p, so 0% has noise)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        pt = (p * n + 1.0) / (n + 2.0)
        return np.sqrt(pt * (1 - pt) / n)


def _minimum_detectable_change(d: pd.DataFrame, m: pd.DataFrame, ch: _Change,
                               params: MonitoringParams) -> np.ndarray:
    """MDC of each row: binomial for shares with n, else reliable change from the spread across
    schools; ``mdc_override`` wins."""
    spread = _indicator_spread(m, params.min_schools_for_spread)
    sd = d[["year", "domain", "indicator"]].merge(spread, on=["year", "domain", "indicator"],
                                                  how="left")["sd"].to_numpy(dtype=float)
    mdc = params.z * sd * np.sqrt(2 * (1 - params.reliability))
    if params.binomial_for_shares:
        in01 = m.groupby(["domain", "indicator"])["value"].agg(
            lambda s: bool(s.dropna().between(0, 1).all()) and s.notna().any())
        is_share = d[["domain", "indicator"]].merge(
            in01.rename("_share").reset_index(), on=["domain", "indicator"], how="left"
        )["_share"].fillna(False).to_numpy(dtype=bool)
        binom = params.z * np.sqrt(_binomial_se(ch.v1, ch.n1) ** 2 + _binomial_se(ch.v2, ch.n2) ** 2)
        use_b = is_share & ~np.isnan(binom)
        mdc = np.where(use_b, binom, mdc)
    for ind, fixed in params.mdc_override.items():
        mdc = np.where(d["indicator"].to_numpy() == ind, float(fixed), mdc)
    return mdc


def classify_trend(change: np.ndarray, mdc: np.ndarray, higher_is_better: np.ndarray) -> np.ndarray:
    """improved / stable / declined against the MDC, direction-aware; no_data when not judged."""
    change = np.asarray(change, dtype=float)
    mdc = np.asarray(mdc, dtype=float)
    signed = np.where(np.asarray(higher_is_better, dtype=bool), change, -change)
    out = np.full(len(change), "no_data", dtype=object)
    ok = ~np.isnan(signed) & ~np.isnan(mdc)
    out[ok & (signed > mdc)] = "improved"
    out[ok & (signed < -mdc)] = "declined"
    out[ok & (np.abs(signed) <= mdc)] = "stable"
    return out


# ------------------------------------------------------------------ peers
def _add_peer_change(d: pd.DataFrame, clusters: pd.DataFrame | None) -> pd.DataFrame:
    """Mean change of the same indicator among cluster peers (self excluded), else all schools."""
    d = d.copy()
    if clusters is not None and len(clusters) and {"school_id", "year", "cluster"} <= set(clusters.columns):
        d = d.drop(columns=["cluster"], errors="ignore").merge(school_cluster(clusters),
                                                               on=["school_id", "year"], how="left")
    else:
        d["cluster"] = np.nan
    has = d["change"].notna()
    d["_chg"] = d["change"].where(has, 0.0)
    d["_has"] = has.astype(float)
    grp_all = ["year", "domain", "indicator"]
    s_all = d.groupby(grp_all)["_chg"].transform("sum") - d["_chg"]
    n_all = d.groupby(grp_all)["_has"].transform("sum") - d["_has"]
    cl_ok = d["cluster"].notna()
    key_cl = d["cluster"].where(cl_ok, -999999)
    s_cl = d.groupby(grp_all + [key_cl])["_chg"].transform("sum") - d["_chg"]
    n_cl = d.groupby(grp_all + [key_cl])["_has"].transform("sum") - d["_has"]
    use_cl = cl_ok & (n_cl > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        peer = np.where(use_cl, s_cl / n_cl.where(n_cl > 0, np.nan),
                        s_all / n_all.where(n_all > 0, np.nan))
    d["peer_change"] = peer
    d["n_peers"] = np.where(use_cl, n_cl, n_all).astype(int)
    d["peer_group"] = np.where(use_cl, "школы кластера", "все школы мониторинга")
    d.loc[d["n_peers"] == 0, "peer_group"] = "нет сравнимых школ"
    return d.drop(columns=["_chg", "_has"])


# ------------------------------------------------------------------ the step
def compute_dynamics(monitoring: pd.DataFrame, clusters: pd.DataFrame | None = None,
                     params: MonitoringParams | None = None) -> pd.DataFrame:
    """Per school × year × domain × indicator: entry, intermediate, final, change, peer_change, trend.

    * ``change`` = last available wave − first available wave of the year (``change_basis`` says
      which, e.g. «итоговый − входной»); with one wave in the year and ``year_on_year``, the same
      wave a year before is the base («итоговый 2024 → итоговый 2025»). Missing waves stay NaN.
    * ``mdc`` (minimum detectable change): for shares with n, z·√(se₁² + se₂²) with binomial
      standard errors; otherwise z·SD·√(2(1 − reliability)), SD across schools of the indicator in
      that year (reliable-change index); ``mdc_override`` wins when given.
    * ``trend``: improved / stable / declined / no_data, a fall of a «higher is worse» indicator
      is an improvement; ``trend_ru`` is the Russian label.
    * ``peer_change``: mean change of the same indicator among the school's cluster peers in the
      same year (the school itself excluded); without clusters, or with no peer in the cluster,
      all other monitored schools (``peer_group`` says which, ``n_peers`` how many).
    """
    params = params or MonitoringParams()
    m = prepare_monitoring(monitoring)
    if len(m) == 0:
        return empty_table(DYNAMICS_COLUMNS)
    m = _per_wave(m)
    d, vals, ns = _wave_table(m)
    ch, la, two = _within_year_change(vals, ns)
    if params.year_on_year:
        _year_on_year_change(ch, d, m, vals, ns, la, two)
    ch.basis[ch.basis == ""] = "нет (меньше двух замеров)"
    d["change"] = ch.change
    d["change_basis"] = ch.basis
    d["n"] = np.fmin(ch.n1, ch.n2)
    d["mdc"] = mdc = _minimum_detectable_change(d, m, ch, params)
    d["trend"] = classify_trend(ch.change, mdc, d["higher_is_better"].to_numpy())
    d["trend_ru"] = d["trend"].map(TREND_RU)
    d = _add_peer_change(d, clusters)
    return d[DYNAMICS_COLUMNS].sort_values(DYNAMICS_KEY, kind="mergesort").reset_index(drop=True)
