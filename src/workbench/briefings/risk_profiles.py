"""Step 1 of the briefings: risk profiles of the listed schools (design §1 step 4 and §8; seed 004).

Per listed school (current year) a score in [0, 1] for each risk factor (higher = more risk): the
mean over the survey sources of the risk survey; where the school has no survey answer for a
factor, a score derived from context indicators, its share of «2» or monitoring indices (marked
`derived`). Levels high / medium / low by the thresholds of the params section `risks`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config.briefings import DerivationRule, RisksParams
from workbench.core.tables import INDICATOR_LABELS_RU
from workbench.core.vocabulary import DOMAINS_RU

LEVELS = ["high", "medium", "low"]
LEVELS_RU = {"high": "высокий", "medium": "средний", "low": "низкий"}
RISK_PROFILE_COLUMNS = ["school_id", "year", "risk_factor", "risk_name", "score", "level",
                        "derived", "source"]


def level_of(score: float, params: RisksParams) -> str:
    """high / medium / low of a score in [0, 1] by the params thresholds."""
    if score >= params.level_high:
        return "high"
    if score >= params.level_medium:
        return "medium"
    return "low"


def derived_score(value: float, rule: DerivationRule) -> float:
    """Linear score of an indicator value: 0 at rule.zero_at, 1 at rule.one_at, clipped."""
    return float(np.clip((value - rule.zero_at) / (rule.one_at - rule.zero_at), 0.0, 1.0))


def listed_schools(identification: pd.DataFrame, year: int, categories: list[str]) -> list[str]:
    """School ids in the given categories in `year` (sorted)."""
    if identification is None or len(identification) == 0 or "category" not in identification:
        return []
    idf = identification[(identification["year"] == year)
                         & identification["category"].isin(categories)]
    return sorted(idf["school_id"].astype(str).unique().tolist())


def latest_per_school(df: pd.DataFrame, year: int, max_age: int | None = None) -> pd.DataFrame:
    """Rows of the latest year ≤ `year` per school (within max_age years when given)."""
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=list(df.columns) if df is not None else ["school_id", "year"])
    d = df[df["year"] <= year]
    if max_age is not None:
        d = d[d["year"] >= year - max_age]
    if len(d) == 0:
        return d
    last = d.groupby("school_id")["year"].transform("max")
    return d[d["year"] == last]


def school_share_low(results: pd.DataFrame, year: int) -> pd.Series:
    """Share of «2» / below-minimum results per school in `year` (participant-weighted)."""
    if results is None or len(results) == 0 or "n_low" not in results:
        return pd.Series(dtype=float)
    r = results[(results["year"] == year) & results["n_low"].notna()]
    g = r.groupby("school_id")[["n_low", "n_participants"]].sum()
    g = g[g["n_participants"] > 0]
    return (g["n_low"] / g["n_participants"]).astype(float)


def survey_scores(risk_survey: pd.DataFrame, schools: list[str], year: int,
                  params: RisksParams) -> pd.DataFrame:
    """Mean over sources of the latest survey (≤ year, within survey_max_age) per school × factor.

    Columns: school_id, risk_factor, score, source (Russian, lists the sources)."""
    cols = ["school_id", "risk_factor", "score", "source"]
    if risk_survey is None or len(risk_survey) == 0:
        return pd.DataFrame(columns=cols)
    rs = risk_survey[risk_survey["school_id"].astype(str).isin(schools)].copy()
    rs["school_id"] = rs["school_id"].astype(str)
    rs = rs[rs["value"].notna()]
    rs = latest_per_school(rs, year, params.survey_max_age)
    if len(rs) == 0:
        return pd.DataFrame(columns=cols)
    if "source" not in rs:
        rs["source"] = ""
    rs["source"] = rs["source"].fillna("").astype(str)
    rs["value"] = rs["value"].astype(float).clip(0, 1)
    out = (rs.groupby(["school_id", "risk_factor"], sort=True)
           .agg(score=("value", "mean"),
                sources=("source", lambda s: ", ".join(sorted({x for x in s if x}))),
                survey_year=("year", "max"))
           .reset_index())
    out["source"] = [f"анкетирование {int(y)}" + (f" ({s})" if s else "")
                     for y, s in zip(out["survey_year"], out["sources"])]
    return out[cols]


def monitoring_levels(monitoring: pd.DataFrame | None, schools: list[str],
                      year: int) -> dict[str, dict[str, float]]:
    """school → {"monitoring:<domain>": value}: mean of the domain's higher-is-better indicators
    in its latest wave (final, else intermediate, else entry) of the latest year ≤ year."""
    out: dict[str, dict[str, float]] = {}
    if monitoring is None or len(monitoring) == 0:
        return out
    m = monitoring.assign(school_id=monitoring["school_id"].astype(str))
    m = m[m["school_id"].isin(schools) & m["value"].notna()]
    if "higher_is_better" in m:
        m = m[m["higher_is_better"].fillna(True).astype(bool)]
    m = latest_per_school(m, year)
    if len(m) == 0:
        return out
    rank = {"entry": 0, "intermediate": 1, "final": 2}
    m = m.assign(_w=m["wave"].map(rank).fillna(-1))
    last = m.groupby(["school_id", "domain"])["_w"].transform("max")
    m = m[m["_w"] == last]
    for (sid, dom), v in m.groupby(["school_id", "domain"])["value"].mean().items():
        out.setdefault(sid, {})[f"monitoring:{dom}"] = float(v)
    return out


def derived_scores(context: pd.DataFrame, results: pd.DataFrame, schools: list[str], year: int,
                   params: RisksParams, share_low: pd.Series | None = None,
                   monitoring: pd.DataFrame | None = None) -> pd.DataFrame:
    """Scores derived from context indicators (latest year ≤ year), the school's share of «2»
    and monitoring indices.

    When several rules feed one factor their scores are averaged. Columns: school_id,
    risk_factor, score, source."""
    cols = ["school_id", "risk_factor", "score", "source"]
    values: dict[str, dict[str, float]] = {s: {} for s in schools}
    if context is not None and len(context):
        ctxl = latest_per_school(context.assign(school_id=context["school_id"].astype(str)), year)
        ctxl = ctxl[ctxl["school_id"].isin(schools)]
        for rec in ctxl.to_dict("records"):
            for k, v in rec.items():
                if k not in ("school_id", "year") and isinstance(v, (int, float, np.floating)) \
                        and not isinstance(v, bool) and v == v:
                    values[rec["school_id"]][k] = float(v)
    if share_low is None:
        share_low = school_share_low(results, year)
    for sid, v in share_low.items():
        if str(sid) in values and v == v:
            values[str(sid)]["share_low"] = float(v)
    for sid, vals in monitoring_levels(monitoring, schools, year).items():
        values[sid].update(vals)
    rows = []
    for sid in schools:
        per: dict[str, list[tuple[float, str]]] = {}
        for rule in params.derivations:
            if rule.indicator in values[sid]:
                per.setdefault(rule.risk_factor, []).append(
                    (derived_score(values[sid][rule.indicator], rule), rule.indicator))
        for factor, items in per.items():
            names = ", ".join(_indicator_ru(i) for _, i in items)
            rows.append({"school_id": sid, "risk_factor": factor,
                         "score": float(np.mean([s for s, _ in items])),
                         "source": f"расчёт по данным: {names}"})
    return pd.DataFrame(rows, columns=cols)


def _indicator_ru(name: str) -> str:
    if name == "share_low":
        return "доля «2» / ниже минимума"
    if name.startswith("monitoring:"):
        dom = name.split(":", 1)[1]
        return "мониторинг: " + DOMAINS_RU.get(dom, dom)
    return INDICATOR_LABELS_RU.get(name, name).lower() if name in INDICATOR_LABELS_RU else name


def risk_profiles(schools: list[str], year: int, risk_survey: pd.DataFrame,
                  context: pd.DataFrame, results: pd.DataFrame, params: RisksParams,
                  share_low: pd.Series | None = None,
                  monitoring: pd.DataFrame | None = None) -> pd.DataFrame:
    """Risk profile rows (school × factor) of the given schools in `year`.

    Survey answers win; a factor without a survey answer is derived when a rule supports it
    (`derived`=True). Factors with neither are absent (the briefing shows «нет данных»)."""
    survey = survey_scores(risk_survey, schools, year, params)
    survey["derived"] = False
    parts = [survey]
    if params.derive_missing:
        der = derived_scores(context, results, schools, year, params, share_low, monitoring)
        have = set(zip(survey["school_id"], survey["risk_factor"]))
        der = der[[(s, f) not in have for s, f in zip(der["school_id"], der["risk_factor"])]]
        der["derived"] = True
        parts.append(der)
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=RISK_PROFILE_COLUMNS)
    df = pd.concat(parts, ignore_index=True)
    df = df[df["risk_factor"].isin(list(params.risk_factors))].copy()
    df["year"] = int(year)
    df["risk_name"] = df["risk_factor"].map(params.risk_factors)
    df["score"] = df["score"].astype(float).round(4)
    df["level"] = [level_of(s, params) for s in df["score"]]
    df["derived"] = df["derived"].astype(bool)
    order = {f: i for i, f in enumerate(params.risk_factors)}
    df["_o"] = df["risk_factor"].map(order)
    df = df.sort_values(["school_id", "_o"], kind="mergesort").drop(columns="_o")
    return df[RISK_PROFILE_COLUMNS].reset_index(drop=True)
