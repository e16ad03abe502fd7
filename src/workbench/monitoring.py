"""Stage module: monitoring of participating schools and the effect of the support programme.

What it computes (design §4 «Monitoring», issue 5):

* ``dynamics`` — per school × year × domain × indicator the entry / intermediate / final values,
  the change (last available wave minus first available, the basis named in ``change_basis``),
  the mean change of the school's cluster peers and a trend judged against measurement noise
  (minimum detectable change, MDC), respecting whether higher values are better;
* ``monitoring_completeness`` — every expected (school, year, domain, wave) of the schedule
  (``canon.SCHEDULE``, overridable) with ``present``; missing waves are reported, never filled;
* ``exits`` — for each school with low results in year Y whether it left the list in Y+1;
* ``effectiveness`` — difference-in-differences of the result index, programme participants
  against matched non-participants, with a bootstrap 95% interval, a placebo check before
  participation, and within-participant entry → final changes of the monitoring domains (marked
  as descriptive, not causal).

All computation is in plain functions over DataFrames with explicit parameters; ``stage`` wires
them to the run context.
"""
from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from pydantic import Field

from workbench.canon import (DOMAINS, DOMAINS_RU, SCHEDULE, WAVES, WAVES_RU, StrictModel,
                             normalise_bool, normalise_domain, normalise_wave)

TREND_RU = {"improved": "улучшение", "stable": "без значимых изменений", "declined": "ухудшение",
            "no_data": "недостаточно данных"}
EST_DID = "DiD"
EST_DID_POOLED = "DiD pooled"
EST_PLACEBO = "placebo DiD"
EST_BEFORE_AFTER = "до/после участников"
ESTIMATE_RU = {EST_DID: "разность разностей (участники vs сопоставимые неучастники)",
               EST_DID_POOLED: "разность разностей в среднем за годы участия",
               EST_PLACEBO: "плацебо-проверка (те же школы до участия)",
               EST_BEFORE_AFTER: "изменение у участников (входной → итоговый), без контрольной группы"}
OUTCOME_RU = {"result_index": "индекс результатов",
              "result_index_shrunk": "индекс результатов (сглаженный)",
              "value_added": "результат с учётом контекста"}
DYNAMICS_KEY = ["school_id", "year", "domain", "indicator"]
COMPLETENESS_KEY = ["school_id", "year", "domain", "wave"]
EFFECT_KEY = ["programme_year", "estimate", "year", "domain", "indicator"]


class MonitoringParams(StrictModel):
    """Settings of the monitoring stage (params section ``monitoring:``)."""

    schedule: dict[str, list[Literal["entry", "intermediate", "final"]]] = Field(
        default_factory=lambda: {k: list(v) for k, v in SCHEDULE.items()},
        description="waves expected per domain and year (seed 003, item 13)")
    # ---- trend against measurement noise
    z: float = Field(default=1.96, gt=0, description="normal quantile of the MDC (1.96 = 95%)")
    reliability: float = Field(
        default=0.8, ge=0, lt=1,
        description="reliability of an indicator without n: MDC = z·SD·√(2(1−r)) (SD across schools)")
    binomial_for_shares: bool = Field(
        default=True, description="indicators with values in [0,1] and n given: binomial noise")
    min_schools_for_spread: int = Field(default=5, ge=2,
                                        description="schools needed to estimate the spread of an indicator in a year")
    mdc_override: dict[str, float] = Field(
        default_factory=dict, description="indicator → fixed minimum detectable change")
    year_on_year: bool = Field(
        default=True, description="single-wave domains: change against the same wave a year before")
    # ---- programme effect
    outcome: str = Field(default="result_index", description="identification column used as outcome")
    n_neighbours: int = Field(default=3, ge=1, description="matched controls per participant (with replacement)")
    caliper: float = Field(default=1.0, gt=0,
                           description="max distance to a matched control, in SD of the matching features")
    match_lags: int = Field(default=2, ge=1,
                            description="years of baseline result index used for matching (P−1, P−2, …)")
    match_column: str = Field(
        default="result_index_shrunk",
        description="identification column matched on in the baseline years (falls back to outcome)")
    match_on_size: bool = Field(default=True, description="also match on log(pupils) of the base year")
    baseline: Literal["year_before", "pre_mean"] = Field(
        default="year_before",
        description="base of the DiD: the year before (P−1) or the mean of the match_lags years before")
    bias_correction: bool = Field(
        default=True, description="regression adjustment of matched controls (Abadie–Imbens)")
    exclude_all_participants: bool = Field(
        default=True, description="controls never took part in the programme in any year")
    outlier_mad: float = Field(
        default=5.0, gt=0,
        description="schools whose outcome change (in units of its standard error) is further than "
                    "this many robust SDs from the median are left out of the effect estimate "
                    "(counted in n_outliers)")
    n_boot: int = Field(default=400, ge=50, description="bootstrap replicates for the intervals")
    ci_level: float = Field(default=0.95, gt=0.5, lt=1)
    seed: int = 2026
    min_treated: int = Field(default=5, ge=1, description="fewer matched participants: no estimate")


# ================================================================== helpers
def _bool_series(s: pd.Series, default: bool = True) -> pd.Series:
    """Booleans from bool/0-1/«да»/«нет»; missing → default."""
    def conv(v: Any) -> bool:
        if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
            return default
        b = normalise_bool(v)
        return default if b is None else b
    return pd.Series(_per_distinct(s, conv), index=s.index, dtype=bool)


def _per_distinct(s: pd.Series, func: Any) -> np.ndarray:
    """func applied once per distinct value of s (missing values passed as None), put back on
    the rows: a column of a few codes repeated over thousands of rows."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    table = np.empty(len(uniques) + 1, dtype=object)
    table[:-1] = [func(u) for u in uniques]
    table[-1] = func(None)
    return table[codes]


def prepare_monitoring(monitoring: pd.DataFrame) -> pd.DataFrame:
    """Canonical monitoring with normalised wave/domain codes, float value/n, bool direction.

    Rows whose wave or domain cannot be understood are dropped (ingest reports them)."""
    m = monitoring.copy()
    if "n" not in m.columns:
        m["n"] = np.nan
    if "higher_is_better" not in m.columns:
        m["higher_is_better"] = True
    m["school_id"] = m["school_id"].astype(str)
    m["year"] = pd.to_numeric(m["year"], errors="coerce")
    m["wave"] = _per_distinct(m["wave"], normalise_wave)
    m["domain"] = _per_distinct(m["domain"], lambda v: normalise_domain(v) or str(v))
    m["indicator"] = m["indicator"].astype(str)
    m["value"] = pd.to_numeric(m["value"], errors="coerce").astype(float)
    m["n"] = pd.to_numeric(m["n"], errors="coerce").astype(float)
    m["higher_is_better"] = _bool_series(m["higher_is_better"], default=True)
    m = m.dropna(subset=["year", "wave"])
    m["year"] = m["year"].astype(int)
    return m[["school_id", "year", "wave", "domain", "indicator", "value", "n",
              "higher_is_better"]].reset_index(drop=True)


def cohorts(programme: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) of the first participation year of each participant (its cohort)."""
    p = participants(programme)
    return p.groupby("school_id", as_index=False)["year"].min().sort_values(
        ["year", "school_id"]).reset_index(drop=True)


def participants(programme: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) of the programme participants (participant true)."""
    if programme is None or len(programme) == 0:
        return pd.DataFrame({"school_id": pd.Series(dtype=str), "year": pd.Series(dtype=int)})
    p = programme.copy()
    p["participant"] = _bool_series(p["participant"], default=False)
    p = p[p["participant"]]
    out = pd.DataFrame({"school_id": p["school_id"].astype(str),
                        "year": pd.to_numeric(p["year"]).astype(int)})
    return out.drop_duplicates().sort_values(["year", "school_id"]).reset_index(drop=True)


# ================================================================== 1. dynamics
def _first_last(row: np.ndarray) -> tuple[int, int]:
    """Indices of the first and last non-missing wave values (−1 when none)."""
    idx = np.flatnonzero(~np.isnan(row))
    return (int(idx[0]), int(idx[-1])) if len(idx) else (-1, -1)


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
    cols = DYNAMICS_KEY + ["entry", "intermediate", "final", "change", "change_basis",
                           "peer_change", "peer_group", "n_peers", "mdc", "trend", "trend_ru",
                           "higher_is_better", "n"]
    m = prepare_monitoring(monitoring)
    if len(m) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    m = m.groupby(DYNAMICS_KEY + ["wave"], as_index=False).agg(
        value=("value", "mean"), n=("n", "sum"), higher_is_better=("higher_is_better", "first"))
    m.loc[m["n"] == 0, "n"] = np.nan  # sum of all-NaN is 0
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
    vals, ns = wide.to_numpy(), nwide.to_numpy()

    first_last = [_first_last(r) for r in vals]
    fi = np.array([a for a, _ in first_last])
    la = np.array([b for _, b in first_last])
    rows = np.arange(len(d))
    two = (fi >= 0) & (la > fi)
    change = np.where(two, vals[rows, la] - vals[rows, fi], np.nan)
    v1 = np.where(two, vals[rows, fi], np.nan)
    v2 = np.where(two, vals[rows, la], np.nan)
    n1 = np.where(two, ns[rows, fi], np.nan)
    n2 = np.where(two, ns[rows, la], np.nan)
    basis = np.array([f"{WAVES_RU[WAVES[b]]} − {WAVES_RU[WAVES[a]]}" if t else ""
                      for a, b, t in zip(fi, la, two)], dtype=object)

    if params.year_on_year:
        # single-wave rows: the same wave of the previous year as base
        single = (~two) & (la >= 0)
        if single.any():
            w_single = np.array([WAVES[i] if i >= 0 else "" for i in la], dtype=object)
            look = m.set_index(DYNAMICS_KEY[:1] + ["year", "domain", "indicator", "wave"])
            prev_key = list(zip(d["school_id"], d["year"] - 1, d["domain"], d["indicator"], w_single))
            prev_val = look["value"].reindex(prev_key).to_numpy(dtype=float)
            prev_n = look["n"].reindex(prev_key).to_numpy(dtype=float)
            use = single & ~np.isnan(prev_val)
            cur_val = np.where(la >= 0, vals[rows, np.maximum(la, 0)], np.nan)
            cur_n = np.where(la >= 0, ns[rows, np.maximum(la, 0)], np.nan)
            change = np.where(use, cur_val - prev_val, change)
            v1, v2 = np.where(use, prev_val, v1), np.where(use, cur_val, v2)
            n1, n2 = np.where(use, prev_n, n1), np.where(use, cur_n, n2)
            for i in np.flatnonzero(use):
                w = WAVES_RU[w_single[i]]
                yr = int(d["year"].iat[i])
                basis[i] = f"{w} {yr} − {w} {yr - 1}"
    basis[basis == ""] = "нет (меньше двух замеров)"
    d["change"] = change
    d["change_basis"] = basis
    d["n"] = np.fmin(n1, n2)

    # ---- minimum detectable change
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
        binom = params.z * np.sqrt(_binomial_se(v1, n1) ** 2 + _binomial_se(v2, n2) ** 2)
        use_b = is_share & ~np.isnan(binom)
        mdc = np.where(use_b, binom, mdc)
    for ind, fixed in params.mdc_override.items():
        mdc = np.where(d["indicator"].to_numpy() == ind, float(fixed), mdc)
    d["mdc"] = mdc
    d["trend"] = classify_trend(change, mdc, d["higher_is_better"].to_numpy())
    d["trend_ru"] = d["trend"].map(TREND_RU)

    # ---- peers
    d = _add_peer_change(d, clusters)
    return d[cols].sort_values(DYNAMICS_KEY, kind="mergesort").reset_index(drop=True)


def _add_peer_change(d: pd.DataFrame, clusters: pd.DataFrame | None) -> pd.DataFrame:
    """Mean change of the same indicator among cluster peers (self excluded), else all schools."""
    d = d.copy()
    if clusters is not None and len(clusters) and {"school_id", "year", "cluster"} <= set(clusters.columns):
        c = clusters[["school_id", "year", "cluster"]].copy()
        c["school_id"] = c["school_id"].astype(str)
        c["year"] = pd.to_numeric(c["year"]).astype(int)
        c = c.drop_duplicates(["school_id", "year"])
        d = d.drop(columns=["cluster"], errors="ignore").merge(c, on=["school_id", "year"], how="left")
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


# ================================================================== 2. completeness
def expected_monitoring(programme: pd.DataFrame, monitoring: pd.DataFrame) -> pd.DataFrame:
    """(school_id, year) that should be monitored: programme participants of that year; without a
    programme table, every school present in monitoring that year."""
    p = participants(programme)
    if len(p):
        return p
    m = monitoring
    if m is None or len(m) == 0:
        return p
    out = pd.DataFrame({"school_id": m["school_id"].astype(str),
                        "year": pd.to_numeric(m["year"], errors="coerce")}).dropna()
    out["year"] = out["year"].astype(int)
    return out.drop_duplicates().sort_values(["year", "school_id"]).reset_index(drop=True)


def compute_completeness(monitoring: pd.DataFrame, programme: pd.DataFrame, schools: pd.DataFrame,
                         params: MonitoringParams | None = None) -> pd.DataFrame:
    """Every expected (school, year, domain, wave) of the schedule with ``present`` (a non-missing
    value of at least one indicator). Nothing is filled in: absent means absent."""
    params = params or MonitoringParams()
    cols = ["school_id", "year", "municipality", "domain", "domain_ru", "wave", "wave_ru", "present"]
    exp = expected_monitoring(programme, monitoring)
    if len(exp) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    sched = pd.DataFrame([(dom, w) for dom, ws in params.schedule.items() for w in ws],
                         columns=["domain", "wave"])
    grid = exp.merge(sched, how="cross")
    m = prepare_monitoring(monitoring) if monitoring is not None and len(monitoring) else None
    if m is not None and len(m):
        got = m.dropna(subset=["value"])[["school_id", "year", "domain", "wave"]].drop_duplicates()
        got["present"] = True
        grid = grid.merge(got, on=["school_id", "year", "domain", "wave"], how="left")
        grid["present"] = grid["present"].astype("boolean").fillna(False).astype(bool)
    else:
        grid["present"] = False
    muni = schools[["school_id", "municipality"]].copy() if schools is not None and len(schools) else \
        pd.DataFrame({"school_id": pd.Series(dtype=str), "municipality": pd.Series(dtype=str)})
    muni["school_id"] = muni["school_id"].astype(str)
    grid = grid.merge(muni.drop_duplicates("school_id"), on="school_id", how="left")
    grid["municipality"] = grid["municipality"].fillna("(муниципалитет не указан)")
    grid["domain_ru"] = grid["domain"].map(DOMAINS_RU).fillna(grid["domain"])
    grid["wave_ru"] = grid["wave"].map(WAVES_RU)
    order_d = {d: i for i, d in enumerate(list(params.schedule))}
    grid["_d"] = grid["domain"].map(order_d)
    grid["_w"] = grid["wave"].map({w: i for i, w in enumerate(WAVES)})
    grid = grid.sort_values(["school_id", "year", "_d", "_w"], kind="mergesort")
    return grid[cols].reset_index(drop=True)


def missing_waves(completeness: pd.DataFrame) -> pd.DataFrame:
    """One row per school × year with something missing: «домен: волна; …» in Russian."""
    miss = completeness[~completeness["present"]]
    if len(miss) == 0:
        return pd.DataFrame(columns=["school_id", "year", "municipality", "n_missing", "missing"])
    what = miss["domain_ru"].astype(str) + ": " + miss["wave_ru"].astype(str)
    out = what.groupby([miss["school_id"], miss["year"], miss["municipality"]], sort=True).agg(
        n_missing="size", missing="; ".join).reset_index()
    return out.sort_values(["municipality", "year", "school_id"]).reset_index(drop=True)


def completeness_summary(completeness: pd.DataFrame) -> pd.DataFrame:
    """Per municipality × year: schools expected, complete, share complete, waves missing."""
    if len(completeness) == 0:
        return pd.DataFrame(columns=["municipality", "year", "n_schools", "n_complete",
                                     "share_complete", "n_missing_waves"])
    per_school = completeness.groupby(["municipality", "year", "school_id"])["present"].agg(
        complete="all", missing=lambda s: int((~s).sum())).reset_index()
    out = per_school.groupby(["municipality", "year"]).agg(
        n_schools=("school_id", "nunique"), n_complete=("complete", "sum"),
        n_missing_waves=("missing", "sum")).reset_index()
    out["n_complete"] = out["n_complete"].astype(int)
    out["share_complete"] = out["n_complete"] / out["n_schools"]
    return out[["municipality", "year", "n_schools", "n_complete", "share_complete",
                "n_missing_waves"]].sort_values(["year", "share_complete", "municipality"]).reset_index(drop=True)


# ================================================================== 3. exits
def compute_exits(identification: pd.DataFrame, schools: pd.DataFrame | None = None,
                  clusters: pd.DataFrame | None = None) -> pd.DataFrame:
    """For each school with low results in year Y (and a later year Y+1 in the data): did it
    leave the list in Y+1? ``left`` is missing (status «нет данных») when the school has no
    judgement in Y+1 (absent, or «Недостаточно данных»)."""
    cols = ["school_id", "year", "next_year", "municipality", "cluster", "category",
            "category_next", "left", "status"]
    idn = identification.copy()
    if len(idn) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    idn["school_id"] = idn["school_id"].astype(str)
    idn["year"] = pd.to_numeric(idn["year"]).astype(int)
    if "low_results" in idn.columns:
        idn["_low"] = _bool_series(idn["low_results"], default=False)
    else:
        idn["_low"] = idn["category"].isin(["low_results_adverse", "low_results"])
    if "category" not in idn.columns:
        idn["category"] = np.where(idn["_low"], "low_results", "typical")
    years = sorted(idn["year"].unique())
    nxt = {y: years[i + 1] for i, y in enumerate(years[:-1]) if years[i + 1] == y + 1}
    listed = idn[idn["_low"] & idn["year"].isin(list(nxt))][["school_id", "year", "category"]].copy()
    listed["next_year"] = listed["year"].map(nxt).astype(int)
    later = idn[["school_id", "year", "_low", "category"]].rename(
        columns={"year": "next_year", "_low": "_low_next", "category": "category_next"})
    e = listed.merge(later, on=["school_id", "next_year"], how="left")
    unknown = e["category_next"].isna() | (e["category_next"] == "insufficient_data")
    left = pd.Series(pd.array([pd.NA] * len(e), dtype="boolean"), index=e.index)
    left[~unknown] = ~e.loc[~unknown, "_low_next"].astype(bool)
    e["left"] = left
    e["status"] = np.where(unknown, "нет данных в следующем году",
                           np.where(e["left"].fillna(False), "вышла из списка", "осталась в списке"))
    if schools is not None and len(schools):
        mu = schools[["school_id", "municipality"]].copy()
        mu["school_id"] = mu["school_id"].astype(str)
        e = e.merge(mu.drop_duplicates("school_id"), on="school_id", how="left")
    else:
        e["municipality"] = np.nan
    e["municipality"] = e["municipality"].fillna("(муниципалитет не указан)")
    if clusters is not None and len(clusters):
        c = clusters[["school_id", "year", "cluster"]].copy()
        c["school_id"] = c["school_id"].astype(str)
        c["year"] = pd.to_numeric(c["year"]).astype(int)
        e = e.merge(c.drop_duplicates(["school_id", "year"]), on=["school_id", "year"], how="left")
    else:
        e["cluster"] = np.nan
    return e[cols].sort_values(["school_id", "year"]).reset_index(drop=True)


def exit_shares(exits: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of listed schools that left the list next year, per ``by`` (cluster/municipality) and
    year; schools without data next year are counted apart, not as leavers or stayers."""
    cols = [by, "year", "n_listed", "n_known", "n_left", "share_left"]
    if len(exits) == 0:
        return pd.DataFrame(columns=cols)
    e = exits.copy()
    e["_known"] = e["left"].notna()
    e["_left"] = e["left"].fillna(False).astype(bool)
    out = e.groupby([by, "year"], dropna=False).agg(
        n_listed=("school_id", "size"), n_known=("_known", "sum"), n_left=("_left", "sum")).reset_index()
    out["share_left"] = np.where(out["n_known"] > 0, out["n_left"] / out["n_known"].where(out["n_known"] > 0, 1),
                                 np.nan)
    return out[cols].sort_values([by, "year"]).reset_index(drop=True)


# ================================================================== 4. programme effect
def _wide(identification: pd.DataFrame, column: str) -> pd.DataFrame:
    """school_id × year matrix of an identification column."""
    if column not in identification.columns:
        return pd.DataFrame()
    w = identification[["school_id", "year", column]].copy()
    w["school_id"] = w["school_id"].astype(str)
    w["year"] = pd.to_numeric(w["year"]).astype(int)
    w[column] = pd.to_numeric(w[column], errors="coerce").astype(float)
    return w.pivot_table(index="school_id", columns="year", values=column, aggfunc="mean")


def matching_features(identification: pd.DataFrame, base_year: int, lags: int,
                      column: str = "result_index", size: bool = False) -> pd.DataFrame:
    """Per school: social index of the base year (the school's mean over earlier years when
    missing), ``column`` in base_year, base_year−1, … (``lags`` years, those that exist) and,
    with ``size``, log(1 + pupils) of the base year."""
    y = _wide(identification, column)
    s = _wide(identification, "social_index")
    feats = pd.DataFrame(index=y.index.union(s.index) if len(s) else y.index)
    if len(s):
        past = s[[c for c in s.columns if c <= base_year]]
        soc = s[base_year] if base_year in s.columns else pd.Series(np.nan, index=s.index)
        feats["social_index"] = soc.fillna(past.mean(axis=1)).reindex(feats.index)
    for k in range(lags):
        yr = base_year - k
        if yr in y.columns:
            feats[f"{column}_{yr}"] = y[yr].reindex(feats.index)
    if size:
        n = _wide(identification, "n_pupils")
        if base_year in n.columns:
            feats["log_pupils"] = np.log1p(n[base_year].reindex(feats.index))
    return feats


def _ols_slopes_batch(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """`_ols_slope` for many weight vectors at once (rows of ``weights``, e.g. bootstrap
    multiplicities): the normal equations of every replicate from two matrix products over
    the per-row outer products, instead of one pass over the rows per replicate."""
    a = np.column_stack([np.ones(len(y)), x])
    p = a.shape[1]
    outer = (a[:, :, None] * a[:, None, :]).reshape(len(y), p * p)
    xtx = (weights @ outer).reshape(len(weights), p, p)
    xty = weights @ (a * y[:, None])
    out = np.zeros((len(weights), p - 1))
    for b in range(len(weights)):
        if weights[b].sum() > p:
            coef, *_ = np.linalg.lstsq(xtx[b], xty[b], rcond=None)
            out[b] = coef[1:]
    return out


def _ols_slope(x: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> np.ndarray:
    """Slopes (no intercept returned) of y on x by (weighted) least squares; zeros when not
    estimable. ``w`` are row multiplicities (a bootstrap resample without copying rows)."""
    w = np.ones(len(y)) if w is None else np.asarray(w, float)
    if w.sum() <= x.shape[1] + 1:
        return np.zeros(x.shape[1])
    a = np.column_stack([np.ones(len(y)), x])
    aw = a * w[:, None]
    coef, *_ = np.linalg.lstsq(aw.T @ a, aw.T @ y, rcond=None)
    return coef[1:]


NEIGHBOUR_POOL = 30  # nearest controls kept per participant for the point estimate
# in a bootstrap replicate each control is drawn with probability ≈ 0.63: among the nearest 20,
# fewer than 3 are drawn with probability ≈ 1e-6, so 20 candidates suffice for k = 3
BOOT_POOL = 20
BOOT_BATCH = 50  # bootstrap replicates whose regression slopes are solved together


def neighbour_lists(tx: np.ndarray, cx: np.ndarray, pool: int = NEIGHBOUR_POOL
                    ) -> tuple[np.ndarray, np.ndarray]:
    """For each treated row, its `pool` nearest control rows (distances ascending, indices).

    A KD-tree query: O(n log n), never the full treated × control matrix. A bootstrap resample
    of controls keeps each control with probability ≈ 0.63, so the k nearest drawn controls lie
    in the nearest max(30, 10·k) all but surely (P(fewer than 3 of 30 drawn) < 1e-9)."""
    from sklearn.neighbors import NearestNeighbors

    m = min(pool, len(cx))
    if m == 0 or len(tx) == 0:
        return np.zeros((len(tx), 0)), np.zeros((len(tx), 0), dtype=int)
    d, idx = NearestNeighbors(n_neighbors=m).fit(cx).kneighbors(tx)
    return d, idx


def _matched_att(nd: np.ndarray, near: np.ndarray, tx: np.ndarray, cx: np.ndarray, ty: np.ndarray,
                 cy: np.ndarray, k: int, caliper: float, bias_correction: bool,
                 cw: np.ndarray | None = None, dx: np.ndarray | None = None,
                 cyn: np.ndarray | None = None, beta: np.ndarray | None = None
                 ) -> tuple[float, int, int]:
    """ATT of matched DiD from each treated row's nearest controls (``nd`` distances ascending,
    ``near`` control indices; ``cw`` control multiplicities in a bootstrap resample, 1 if None).

    Each treated school gets its k nearest controls (counting multiplicity) within the caliper;
    its counterfactual change is their mean change, bias-corrected (Abadie–Imbens) by the
    controls' linear regression of change on the features: cy_j + β·(x_i − x_j).
    ``dx`` (treated − neighbour features) and ``cyn`` (neighbour changes) may be passed
    precomputed, so a bootstrap replicate only gathers rows; so may the bias-correction slopes
    ``beta`` (see `_ols_slopes_batch`).
    Returns (att, n matched treated, n distinct controls used; 0 when cw is given)."""
    if near.shape[1] == 0 or near.shape[0] == 0:
        return np.nan, 0, 0
    replicate = cw is not None
    cw = np.ones(len(cx)) if cw is None else cw
    counts = cw[near]                                   # multiplicity of each listed neighbour
    before = np.cumsum(counts, axis=1) - counts         # units taken by nearer neighbours
    take = np.clip(k - before, 0, counts) * (nd <= caliper)
    has = take.sum(axis=1) > 0
    if not has.any():
        return np.nan, 0, 0
    cyv = cy[near] if cyn is None else cyn
    if bias_correction:
        beta = _ols_slope(cx, cy, cw) if beta is None else beta
        cyv = cyv + ((tx[:, None, :] - cx[near]) if dx is None else dx) @ beta
    total = take.sum(axis=1)
    cmean = (take * cyv).sum(axis=1)[has] / total[has]
    used = 0 if replicate else len(np.unique(near[take > 0]))
    return float(np.mean(ty[has] - cmean)), int(has.sum()), int(used)


def did_estimate(y_change: pd.Series, feats: pd.DataFrame, treated: list[str], controls: list[str],
                 k: int, caliper: float, bias_correction: bool = True) -> tuple[float, int, int, int]:
    """Matched difference-in-differences (ATT): mean over matched participants of their change
    minus the (bias-corrected) mean change of their k nearest controls, with replacement,
    within the caliper.

    ``y_change``: outcome change (post − base) per school; ``feats``: matching features (already
    standardised). Returns (effect, n_treated matched, n_control distinct used, n_unmatched)."""
    t = [s for s in treated if s in feats.index]
    c = [s for s in controls if s in feats.index]
    tx, cx = feats.loc[t].to_numpy(float), feats.loc[c].to_numpy(float)
    ty = y_change.reindex(t).to_numpy(float)
    cy = y_change.reindex(c).to_numpy(float)
    nd, near = neighbour_lists(tx, cx, max(10 * k, NEIGHBOUR_POOL))
    eff, n_t, n_c = _matched_att(nd, near, tx, cx, ty, cy, k, caliper, bias_correction)
    return eff, n_t, n_c, len(t) - n_t


def _standardise(f: pd.DataFrame) -> pd.DataFrame:
    sd = f.std(ddof=1).replace(0, 1.0).fillna(1.0)
    return (f - f.mean()) / sd


def robust_inliers(x: pd.Series, k: float) -> pd.Series:
    """True where x is within k robust SDs (1.4826·MAD) of the median: excludes anomalies such
    as a tiny school whose every pupil got «2» in one year, which would dominate a mean.
    The effect estimate applies it to the change divided by its standard error, so small schools
    are not excluded merely for being noisy."""
    med = float(np.median(x)) if len(x) else 0.0
    mad = 1.4826 * float(np.median(np.abs(x - med))) if len(x) else 0.0
    if not np.isfinite(k) or mad <= 0:
        return pd.Series(True, index=x.index)
    return (x - med).abs() <= k * mad


def estimate_programme_effect(identification: pd.DataFrame, treated_ids: list[str],
                              control_ids: list[str], base_year: int, post_year: int | list[int],
                              params: MonitoringParams) -> dict[str, Any]:
    """DiD of the outcome between base_year and post_year (or the mean of several post years)
    with a bootstrap interval.

    The bootstrap resamples participants and the control pool independently (fixed seed) and
    redoes the matching each time, so the interval carries the matching uncertainty too."""
    y = _wide(identification, params.outcome)
    res = {"effect": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n_treated": 0, "n_control": 0,
           "n_unmatched": len(treated_ids), "n_outliers": 0}
    posts = [post_year] if isinstance(post_year, (int, np.integer)) else list(post_year)
    if base_year not in y.columns or any(p not in y.columns for p in posts):
        return res
    if params.baseline == "pre_mean":
        pre_cols = [base_year - k for k in range(params.match_lags) if base_year - k in y.columns]
        base_value = y[pre_cols].mean(axis=1).where(y[base_year].notna())
    else:
        base_value = y[base_year]
    change = (y[posts].mean(axis=1, skipna=False) - base_value).dropna()
    se = _wide(identification, "result_se")
    if params.outcome == "result_index" and all(c in se.columns for c in [base_year] + posts):
        se_post2 = (se[posts] ** 2).sum(axis=1) / len(posts) ** 2
        scale = np.sqrt(se_post2 + se[base_year] ** 2).reindex(change.index)
        scale = scale.where(scale > 0)
        keep = robust_inliers((change / scale).fillna(0.0), params.outlier_mad)
    else:
        keep = robust_inliers(change, params.outlier_mad)
    res["n_outliers"] = int((~keep).reindex(treated_ids).fillna(False).sum())
    change = change[keep]
    column = params.match_column if params.match_column in identification.columns else params.outcome
    feats = matching_features(identification, base_year, params.match_lags, column,
                              params.match_on_size).dropna()
    feats = feats.loc[feats.index.intersection(change.index)]
    if len(feats) == 0:
        return res
    feats = _standardise(feats)
    t = [s for s in treated_ids if s in feats.index]
    c = [s for s in control_ids if s in feats.index]
    eff, n_t, n_c, n_un = did_estimate(change, feats, t, c, params.n_neighbours, params.caliper,
                                       params.bias_correction)
    res.update(effect=eff, n_treated=n_t, n_control=n_c,
               n_unmatched=len(treated_ids) - n_t - res["n_outliers"])
    if n_t < params.min_treated or np.isnan(eff):
        res["effect"] = np.nan if n_t < params.min_treated else eff
        return res
    rng = np.random.default_rng(params.seed + base_year * 7 + sum(posts) + 13 * (len(posts) - 1))
    ta, ca = np.array(t), np.array(c)
    tx_all, cx_all = feats.loc[ta].to_numpy(float), feats.loc[ca].to_numpy(float)
    ty_all, cy_all = change.reindex(ta).to_numpy(float), change.reindex(ca).to_numpy(float)
    # nearest controls once; a bootstrap replicate = resampled participants and control
    # multiplicities (how often each control is drawn), so no matrix is copied per replicate
    nd, near = neighbour_lists(tx_all, cx_all, max(7 * params.n_neighbours, BOOT_POOL))
    dx_all, cyn_all = tx_all[:, None, :] - cx_all[near], cy_all[near]
    boots = []
    for start in range(0, params.n_boot, BOOT_BATCH):
        draws = []
        for _ in range(min(BOOT_BATCH, params.n_boot - start)):
            ti = rng.integers(0, len(ta), len(ta))
            cw = np.bincount(rng.integers(0, len(ca), len(ca)), minlength=len(ca)).astype(float)
            draws.append((ti, cw))
        betas = _ols_slopes_batch(cx_all, cy_all, np.stack([cw for _, cw in draws])) \
            if params.bias_correction else [None] * len(draws)
        for (ti, cw), beta in zip(draws, betas):
            b, nb, _ = _matched_att(nd[ti], near[ti], tx_all[ti], cx_all, ty_all[ti], cy_all,
                                    params.n_neighbours, params.caliper, params.bias_correction,
                                    cw, dx=dx_all[ti], cyn=cyn_all[ti], beta=beta)
            if nb:
                boots.append(b)
    if len(boots) >= 20:
        a = (1 - params.ci_level) / 2
        res["ci_low"], res["ci_high"] = (float(np.quantile(boots, a)), float(np.quantile(boots, 1 - a)))
    return res


def _bootstrap_mean_ci(x: np.ndarray, params: MonitoringParams, salt: int = 0) -> tuple[float, float]:
    x = x[~np.isnan(x)]
    if len(x) < 2:
        return (np.nan, np.nan)
    rng = np.random.default_rng(params.seed + salt)
    means = x[rng.integers(0, len(x), (params.n_boot, len(x)))].mean(axis=1)
    a = (1 - params.ci_level) / 2
    return float(np.quantile(means, a)), float(np.quantile(means, 1 - a))


def conclusion_ru(estimate: str, effect: float, ci_low: float, ci_high: float,
                  higher_is_better: bool = True, n_treated: int = 0, min_treated: int = 5) -> str:
    """A one-line Russian reading of an estimate that never claims more than the interval allows."""
    if n_treated < min_treated or effect is None or np.isnan(effect):
        return "оценка невозможна: слишком мало школ с данными для сравнения"
    if np.isnan(ci_low) or np.isnan(ci_high):
        return "интервал не рассчитан: вывод сделать нельзя"
    covers = ci_low <= 0 <= ci_high
    good = (ci_low > 0) if higher_is_better else (ci_high < 0)
    iv = f"{effect:+.2f} (95% ДИ от {ci_low:+.2f} до {ci_high:+.2f})"
    if estimate == EST_PLACEBO:
        if covers:
            return f"до участия различий в динамике не обнаружено: {iv} — проверка пройдена"
        return (f"различия в динамике были и до участия: {iv} — оценку эффекта программы "
                "следует трактовать осторожно")
    if estimate in (EST_DID, EST_DID_POOLED):
        if covers:
            return f"эффект не отличим от нуля: {iv}"
        if good:
            return (f"результаты участников изменились лучше, чем у сопоставимых неучастников: {iv}; "
                    "это согласуется с положительным эффектом программы")
        return f"результаты участников изменились хуже, чем у сопоставимых неучастников: {iv}"
    # before/after within participants
    if covers:
        return f"изменение у участников не отличимо от нуля: {iv}; сравнения с неучастниками нет"
    word = "улучшился" if good else "ухудшился"
    return (f"показатель у участников {word}: {iv}; это описание динамики, а не оценка эффекта "
            "(сравнения с неучастниками нет)")


def compute_effectiveness(identification: pd.DataFrame, programme: pd.DataFrame,
                          dynamics: pd.DataFrame | None = None,
                          params: MonitoringParams | None = None) -> pd.DataFrame:
    """Table ``effectiveness``: per programme year P

    * «DiD»: participants of P vs matched non-participants, outcome change from P−1 to each later
      year present (P, P+1, …); ``year`` is the outcome year;
    * «placebo DiD»: the same estimator from P−2 to P−1, before participation;
    * «до/после участников»: per monitoring domain and indicator, the mean entry → final change
      among participants of P in year P with a bootstrap interval (descriptive, not causal).
    """
    params = params or MonitoringParams()
    cols = ["programme_year", "estimate", "estimate_ru", "year", "base_year", "domain", "domain_ru",
            "indicator", "indicator_ru", "effect", "ci_low", "ci_high", "n_treated", "n_control",
            "n_unmatched", "n_outliers", "conclusion"]
    part = participants(programme)
    first = cohorts(programme)
    rows: list[dict[str, Any]] = []
    if len(part) == 0 or identification is None or len(identification) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    idn = identification.copy()
    idn["school_id"] = idn["school_id"].astype(str)
    idn["year"] = pd.to_numeric(idn["year"]).astype(int)
    years = sorted(idn["year"].unique())
    ever = set(part["school_id"])
    all_ids = sorted(set(idn["school_id"]))
    for P in sorted(part["year"].unique()):
        current = sorted(part.loc[part["year"] == P, "school_id"])
        treated = sorted(first.loc[first["year"] == P, "school_id"])  # cohort that starts in P
        # controls: never participants (or: not participants of P)
        excl = ever if params.exclude_all_participants else set(treated)
        # participants of earlier years are never clean controls
        excl = excl | set(part.loc[part["year"] < P, "school_id"])
        controls = [s for s in all_ids if s not in excl]
        base = int(P) - 1

        def add(estimate: str, post: int | list[int], b: int) -> None:
            r = estimate_programme_effect(idn, treated, controls, b, post, params)
            last = post if isinstance(post, int) else max(post)
            rows.append({"programme_year": int(P), "estimate": estimate, "year": int(last),
                         "base_year": int(b), "domain": "results", "indicator": params.outcome,
                         **r, "conclusion": conclusion_ru(estimate, r["effect"], r["ci_low"],
                                                          r["ci_high"], True, r["n_treated"],
                                                          params.min_treated)})
        post_years = [int(y) for y in years if y >= P] if treated and base in years else []
        for post in post_years:
            add(EST_DID, post, base)
        if len(post_years) > 1:
            add(EST_DID_POOLED, post_years, base)
        if base - 1 in years and base in years and treated:
            add(EST_PLACEBO, base, base - 1)
        # within-participant monitoring changes
        if dynamics is not None and len(dynamics):
            dd = dynamics[(dynamics["year"] == P) & dynamics["school_id"].isin(current)]
            # within-year changes only (a year-on-year basis names the years)
            dd = dd[dd["change"].notna() & ~dd["change_basis"].str.contains(r"\d", regex=True)]
            for (dom, ind), g in dd.groupby(["domain", "indicator"], sort=True):
                x = g["change"].to_numpy(float)
                x = x[~np.isnan(x)]
                hib = bool(g["higher_is_better"].iloc[0])
                lo, hi = _bootstrap_mean_ci(x, params, salt=int(P))
                eff = float(np.mean(x)) if len(x) else np.nan
                rows.append({"programme_year": int(P), "estimate": EST_BEFORE_AFTER, "year": int(P),
                             "base_year": int(P), "domain": dom, "indicator": ind, "effect": eff,
                             "ci_low": lo, "ci_high": hi, "n_treated": int(len(x)), "n_control": 0,
                             "n_unmatched": 0, "n_outliers": 0,
                             "conclusion": conclusion_ru(EST_BEFORE_AFTER, eff, lo, hi, hib, len(x),
                                                         params.min_treated)})
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    out = pd.DataFrame(rows)
    out["estimate_ru"] = out["estimate"].map(ESTIMATE_RU)
    out["domain_ru"] = out["domain"].map(DOMAINS_RU).fillna(out["domain"])
    out["indicator_ru"] = out["indicator"].where(out["indicator"] != params.outcome,
                                                 OUTCOME_RU.get(params.outcome, params.outcome))
    order = {EST_DID: 0, EST_DID_POOLED: 1, EST_PLACEBO: 2, EST_BEFORE_AFTER: 3}
    out["_o"] = out["estimate"].map(order)
    out = out.sort_values(["programme_year", "_o", "year", "domain", "indicator"], kind="mergesort")
    return out[cols].reset_index(drop=True)


def plural_ru(n: int, one: str, few: str, many: str) -> str:
    """Russian noun form after a number: 1 школа, 2 школы, 5 школ (21 школа, 11 школ)."""
    n = abs(int(n))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def _interval_ru(r: pd.Series) -> str:
    return f"{r['effect']:+.2f} (95% ДИ от {r['ci_low']:+.2f} до {r['ci_high']:+.2f})"


def overall_conclusion(effectiveness: pd.DataFrame) -> str:
    """Plain-words Russian summary of the programme effect for the notebook and briefings.

    Per cohort: the main estimate (the DiD averaged over the years of participation when there
    are several, else the first year), the yearly estimates, the placebo, and a reminder that
    monitoring changes of participants alone are not an effect. Never stronger than the
    intervals allow."""
    if effectiveness is None or len(effectiveness) == 0:
        return ("Оценить эффект программы нельзя: нет данных об участниках программы или "
                "о результатах школ за годы до и после участия.")
    parts: list[str] = []
    for P, g in effectiveness.groupby("programme_year", sort=True):
        did = g[(g["estimate"] == EST_DID) & g["effect"].notna()].sort_values("year")
        pooled = g[(g["estimate"] == EST_DID_POOLED) & g["effect"].notna()]
        plc = g[(g["estimate"] == EST_PLACEBO) & g["effect"].notna()]
        txt = f"Участники {P} года."
        main = pooled.iloc[0] if len(pooled) else (did.iloc[0] if len(did) else None)
        if main is None:
            txt += " Сравнить их с сопоставимыми неучастниками не удалось (мало данных)."
        else:
            nt, nc = int(main["n_treated"]), int(main["n_control"])
            who = (f"{nt} {plural_ru(nt, 'школа-участница', 'школы-участницы', 'школ-участниц')} "
                   f"и {nc} {plural_ru(nc, 'сопоставимая школа', 'сопоставимые школы', 'сопоставимых школ')}")
            span = (f"в среднем за {P}–{int(main['year'])} гг." if len(pooled)
                    else f"за {int(main['year'])} год")
            if np.isnan(main["ci_low"]):
                txt += f" Разность разностей {span}: {main['effect']:+.2f}, интервал не рассчитан."
            elif main["ci_low"] <= 0 <= main["ci_high"]:
                txt += (f" Изменение индекса результатов участников {span} не отличается от "
                        f"изменения у сопоставимых школ ({who}): {_interval_ru(main)}. Эффект "
                        "программы по этим данным не подтверждён, но и не исключён.")
            elif main["ci_low"] > 0:
                txt += (f" Индекс результатов участников {span} вырос сильнее, чем у сопоставимых "
                        f"школ ({who}): {_interval_ru(main)}. Это согласуется с положительным "
                        "эффектом программы.")
            else:
                txt += (f" Индекс результатов участников {span} изменился хуже, чем у "
                        f"сопоставимых школ ({who}): {_interval_ru(main)}.")
            if len(did) > 1:
                txt += " По годам: " + "; ".join(
                    f"{int(r['base_year'])}→{int(r['year'])}: {_interval_ru(r)}"
                    for _, r in did.iterrows()) + "."
        if main is not None and len(plc):
            p = plc.iloc[0]
            if np.isnan(p["ci_low"]):
                pass
            elif p["ci_low"] <= 0 <= p["ci_high"]:
                txt += (f" Плацебо-проверка (те же школы до участия, {int(p['base_year'])}→"
                        f"{int(p['year'])}) различий не показала: {_interval_ru(p)}.")
            else:
                txt += (f" Однако плацебо-проверка показала различия в динамике ещё до участия: "
                        f"{_interval_ru(p)}; поэтому оценку следует трактовать осторожно.")
                if p["effect"] < 0:
                    txt += (" Возможная причина: школы отбирались в программу по низким "
                            "результатам именно этого года, и часть спада могла быть случайной; "
                            "поэтому участников сравнивают со школами с такими же результатами "
                            "года перед участием.")
        elif main is not None:
            txt += " Плацебо-проверку провести нельзя (нет данных за два года до участия)."
        ba = g[(g["estimate"] == EST_BEFORE_AFTER) & g["effect"].notna()]
        if len(ba):
            txt += (f" Изменения от входного к итоговому замеру по {len(ba)} "
                    f"{plural_ru(len(ba), 'показателю', 'показателям', 'показателям')} мониторинга "
                    "описывают динамику участников, но не являются оценкой эффекта: сравнения "
                    "с неучастниками по ним нет.")
        parts.append(txt)
    return " ".join(parts)


# ================================================================== figures
def fig_slope(dynamics: pd.DataFrame, schools: pd.DataFrame, domain: str = "results",
              indicator: str | None = None, year: int | None = None):
    """Slope chart: mean entry → final value of one indicator per municipality (plotly)."""
    import plotly.graph_objects as go

    d = dynamics[dynamics["domain"] == domain]
    if indicator is None and len(d):
        indicator = sorted(d["indicator"].unique())[0]
    d = d[d["indicator"] == indicator]
    if year is None and len(d):
        year = int(d["year"].max())
    d = d[(d["year"] == year)].dropna(subset=["entry", "final"])
    if len(d) == 0:
        return None
    mu = schools[["school_id", "municipality"]].copy()
    mu["school_id"] = mu["school_id"].astype(str)
    d = d.merge(mu, on="school_id", how="left")
    g = d.groupby("municipality").agg(entry=("entry", "mean"), final=("final", "mean"),
                                      n=("school_id", "nunique")).reset_index()
    hib = bool(d["higher_is_better"].iloc[0])
    fig = go.Figure()
    for _, r in g.iterrows():
        better = (r["final"] > r["entry"]) == hib
        fig.add_trace(go.Scatter(
            x=["входной", "итоговый"], y=[r["entry"], r["final"]], mode="lines+markers",
            name=f"{r['municipality']} ({int(r['n'])})",
            line={"color": "#2a9d8f" if better else "#e76f51"},
            hovertemplate=f"{r['municipality']}<br>%{{x}}: %{{y:.3f}}<extra></extra>"))
    fig.update_layout(
        title=f"{DOMAINS_RU.get(domain, domain).capitalize()}: «{indicator}», {year}<br>"
              "<sup>входной → итоговый, средние по муниципалитетам; зелёный — улучшение</sup>",
        yaxis_title=indicator + ("" if hib else " (чем меньше, тем лучше)"),
        height=520, legend_title_text="Муниципалитет (число школ)")
    return fig


def fig_trajectories(monitoring: pd.DataFrame, clusters: pd.DataFrame | None, school_ids: list[str],
                     indicator: str, year: int, schools: pd.DataFrame | None = None):
    """Waves of one indicator for selected schools (solid) against their cluster peers' mean
    (dashed); without clusters, against the mean of all monitored schools."""
    import plotly.graph_objects as go

    m = prepare_monitoring(monitoring)
    m = m[(m["indicator"] == indicator) & (m["year"] == year)].dropna(subset=["value"])
    if len(m) == 0 or not school_ids:
        return None
    if clusters is not None and len(clusters):
        c = clusters[["school_id", "year", "cluster"]].copy()
        c["school_id"] = c["school_id"].astype(str)
        m = m.merge(c[c["year"] == year][["school_id", "cluster"]], on="school_id", how="left")
    else:
        m["cluster"] = np.nan
    names = {}
    if schools is not None and len(schools):
        names = dict(zip(schools["school_id"].astype(str), schools["school_name"]))
    order = {w: i for i, w in enumerate(WAVES)}
    fig = go.Figure()
    palette = ["#264653", "#e76f51", "#2a9d8f", "#f4a261", "#6d597a", "#8ab17d"]
    for i, sid in enumerate(school_ids):
        own = m[m["school_id"] == sid].sort_values("wave", key=lambda s: s.map(order))
        if len(own) == 0:
            continue
        col = palette[i % len(palette)]
        cl = own["cluster"].iloc[0]
        peers = m[(m["school_id"] != sid) & ((m["cluster"] == cl) if pd.notna(cl) else True)]
        pm = peers.groupby("wave")["value"].mean().reindex([w for w in WAVES]).dropna()
        label = names.get(sid, sid)
        fig.add_trace(go.Scatter(x=[WAVES_RU[w] for w in own["wave"]], y=own["value"],
                                 mode="lines+markers", name=label, line={"color": col}))
        if len(pm):
            fig.add_trace(go.Scatter(
                x=[WAVES_RU[w] for w in pm.index], y=pm.to_numpy(), mode="lines",
                name=f"{label}: {'кластер' if pd.notna(cl) else 'все школы'} (среднее)",
                line={"color": col, "dash": "dash"}))
    fig.update_layout(title=f"«{indicator}», {year}: школы (сплошная) и похожие школы (пунктир)",
                      height=480, xaxis={"categoryorder": "array",
                                         "categoryarray": [WAVES_RU[w] for w in WAVES]})
    return fig


def fig_effect(effectiveness: pd.DataFrame):
    """Forest plot of the matched DiD estimates by year and the placebo, with 95% intervals."""
    import plotly.graph_objects as go

    e = effectiveness[effectiveness["estimate"].isin([EST_DID, EST_DID_POOLED, EST_PLACEBO])].dropna(
        subset=["effect"])
    if len(e) == 0:
        return None
    prefix = {EST_PLACEBO: "плацебо ", EST_DID_POOLED: "в среднем ", EST_DID: ""}
    labels = [f"{prefix[r['estimate']]}{int(r['base_year'])}→{int(r['year'])}"
              f" (участники {int(r['programme_year'])})" for _, r in e.iterrows()]
    err_hi = (e["ci_high"] - e["effect"]).to_numpy()
    err_lo = (e["effect"] - e["ci_low"]).to_numpy()
    colors = ["#999999" if r == EST_PLACEBO else "#264653" for r in e["estimate"]]
    fig = go.Figure(go.Scatter(
        x=e["effect"], y=labels, mode="markers", marker={"size": 11, "color": colors},
        error_x={"type": "data", "symmetric": False, "array": err_hi, "arrayminus": err_lo},
        hovertemplate="%{y}<br>эффект %{x:+.3f}<extra></extra>"))
    fig.add_vline(x=0, line_dash="dot", line_color="#e76f51")
    fig.update_layout(title="Разность разностей индекса результатов: участники vs сопоставимые "
                            "неучастники (95% ДИ); серое — плацебо до участия",
                      xaxis_title="эффект, единицы индекса результатов (SD)", height=360,
                      yaxis={"autorange": "reversed"})
    return fig


def fig_exits(exit_table: pd.DataFrame, by: str = "municipality"):
    """Bar chart: share of listed schools that left the list next year, per group."""
    import plotly.express as px

    t = exit_table.dropna(subset=["share_left"])
    if len(t) == 0:
        return None
    t = t.copy()
    t[by] = t[by].astype(str)
    t["year"] = t["year"].astype(str)
    fig = px.bar(t, x=by, y="share_left", color="year", barmode="group",
                 hover_data=["n_listed", "n_known", "n_left"],
                 labels={"share_left": "доля вышедших из списка", by: {"municipality": "муниципалитет",
                                                                         "cluster": "кластер"}.get(by, by),
                         "year": "год в списке"})
    fig.update_layout(yaxis_tickformat=".0%", height=420,
                      title="Доля ШНОР, вышедших из списка в следующем году")
    return fig


def pick_schools_to_show(dynamics: pd.DataFrame, year: int | None = None, n: int = 3) -> list[str]:
    """A few participants for the trajectory chart: the largest improvement, the largest decline
    and a median one in results (deterministic)."""
    d = dynamics[(dynamics["domain"] == "results")].dropna(subset=["change"])
    if year is None and len(d):
        year = int(d["year"].max())
    d = d[d["year"] == year]
    if len(d) == 0:
        return []
    sign = np.where(d["higher_is_better"].astype(bool), 1.0, -1.0)
    s = (d.assign(_g=d["change"] * sign).groupby("school_id")["_g"].mean().sort_values(kind="mergesort"))
    picks = [s.index[-1], s.index[len(s) // 2], s.index[0]]
    out: list[str] = []
    for p in picks:
        if p not in out:
            out.append(p)
    return out[:n]


# ================================================================== stage
def stage(ctx: Any) -> dict:
    """Compute and write dynamics, monitoring_completeness, exits, effectiveness; return what the
    notebook shows (figures, small tables, the conclusion)."""
    params: MonitoringParams = ctx.params.monitoring
    monitoring = ctx.table("monitoring")
    programme = ctx.table("programme")
    schools = ctx.table("schools")
    identification = ctx.table("identification") if ctx.has_table("identification") else pd.DataFrame()
    clusters = ctx.table("clusters") if ctx.has_table("clusters") else None

    dynamics = compute_dynamics(monitoring, clusters, params)
    completeness = compute_completeness(monitoring, programme, schools, params)
    exits = compute_exits(identification, schools, clusters) if len(identification) else \
        compute_exits(pd.DataFrame())
    effectiveness = compute_effectiveness(identification, programme, dynamics, params) \
        if len(identification) else compute_effectiveness(pd.DataFrame(), programme, dynamics, params)

    ctx.write_table("dynamics", dynamics, key=DYNAMICS_KEY)
    ctx.write_table("monitoring_completeness", completeness, key=COMPLETENESS_KEY)
    ctx.write_table("exits", exits, key=["school_id", "year"])
    ctx.write_table("effectiveness", effectiveness, key=EFFECT_KEY)

    if len(monitoring) == 0:
        ctx.note("Мониторинг: данные мониторинга не переданы — динамика и полнота не рассчитаны.")
    missing = missing_waves(completeness)
    if len(missing):
        ctx.note(f"Мониторинг: у {missing[['school_id', 'year']].drop_duplicates().shape[0]} "
                 "школ-участниц пропущены замеры по графику (см. monitoring_completeness); "
                 "пропуски не заполнялись.")
    did_rows = effectiveness[effectiveness["estimate"] == EST_DID] if len(effectiveness) else effectiveness
    if len(did_rows) and did_rows["n_outliers"].fillna(0).max() > 0:
        ctx.note("Эффект программы: школы с аномальным скачком индекса результатов (более "
                 f"{params.outlier_mad:g} стандартных отклонений) не включены в оценку; их число — "
                 "в столбце n_outliers таблицы effectiveness.")
    if len(identification) == 0:
        ctx.note("Мониторинг: нет таблицы identification — выход из списка и эффект программы не оценены.")

    year = int(dynamics["year"].max()) if len(dynamics) else None
    picks = pick_schools_to_show(dynamics, year)
    res_ind = sorted(dynamics.loc[dynamics["domain"] == "results", "indicator"].unique()) if len(dynamics) else []
    figs_slope = {dom: fig_slope(dynamics, schools, dom, year=year)
                  for dom in DOMAINS if len(dynamics) and (dynamics["domain"] == dom).any()}
    figs_slope = {k: v for k, v in figs_slope.items() if v is not None}  # single-wave domains
    by_mun = exit_shares(exits, "municipality")
    by_cl = exit_shares(exits, "cluster") if clusters is not None else pd.DataFrame()
    return {
        "year": year,
        "dynamics": dynamics,
        "trend_counts": trend_counts(dynamics),
        "fig_slope": figs_slope,
        "schools_shown": picks,
        "fig_trajectories": fig_trajectories(monitoring, clusters, picks, res_ind[0], year, schools)
        if res_ind and year is not None else None,
        "completeness": completeness,
        "completeness_summary": completeness_summary(completeness),
        "missing": missing,
        "exits": exits,
        "exits_by_municipality": by_mun,
        "exits_by_cluster": by_cl,
        "fig_exits": fig_exits(by_mun, "municipality"),
        "effectiveness": effectiveness,
        "fig_effect": fig_effect(effectiveness),
        "conclusion": overall_conclusion(effectiveness),
    }


def trend_counts(dynamics: pd.DataFrame) -> pd.DataFrame:
    """Per year, domain and indicator: how many schools improved / stayed / declined (Russian)."""
    if len(dynamics) == 0:
        return pd.DataFrame()
    t = dynamics.pivot_table(index=["year", "domain", "indicator"], columns="trend_ru",
                             values="school_id", aggfunc="count", fill_value=0).reset_index()
    t.columns.name = None
    t["domain"] = t["domain"].map(DOMAINS_RU).fillna(t["domain"])
    return t.rename(columns={"year": "год", "domain": "направление", "indicator": "показатель"})
