"""Plotly figures of the monitoring notebook: municipalities' entry → final slopes, trajectories
of a few schools against their peers, the event study of the programme effect, exit shares."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from workbench.core.formatting import fmt_ci, fmt_num, year_label
from workbench.core.palette import TREND_COLOURS
from workbench.core.vocabulary import DOMAINS_RU, WAVES, WAVES_RU
from workbench.monitoring.estimates import EST_DID, EST_PLACEBO, PLACEBOS
from workbench.monitoring.prepare import prepare_monitoring

# Colours of these charts that `core.palette` does not hold yet (to move there: one palette)
SCHOOL_LINE_COLOURS = ["#264653", "#e76f51", "#2a9d8f", "#f4a261", "#6d597a", "#8ab17d"]
ESTIMATE_COLOUR = "#264653"
COHORT_COLOURS = ["#264653", "#e76f51", "#2a9d8f", "#6d597a"]
WINDOW_COLOUR = "#e9ecef"
ZERO_LINE_COLOUR = "#e76f51"


def fig_slope(dynamics: pd.DataFrame, schools: pd.DataFrame, domain: str = "results",
              indicator: str | None = None, year: int | None = None) -> go.Figure | None:
    """Slope chart: mean entry → final value of one indicator per municipality (plotly)."""
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
            line={"color": TREND_COLOURS["improved"] if better else TREND_COLOURS["declined"]},
            hovertemplate=f"{r['municipality']}<br>%{{x}}: %{{y:.3f}}<extra></extra>"))
    fig.update_layout(
        title=f"{DOMAINS_RU.get(domain, domain).capitalize()}: «{indicator}», {year}<br>"
              "<sup>входной → итоговый, средние по муниципалитетам; зелёный — улучшение</sup>",
        yaxis_title=indicator + ("" if hib else " (чем меньше, тем лучше)"),
        height=520, legend_title_text="Муниципалитет (число школ)")
    return fig


def fig_trajectories(monitoring: pd.DataFrame, clusters: pd.DataFrame | None, school_ids: list[str],
                     indicator: str, year: int, schools: pd.DataFrame | None = None
                     ) -> go.Figure | None:
    """Waves of one indicator for selected schools (solid) against their cluster peers' mean
    (dashed); without clusters, against the mean of all monitored schools."""
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
    for i, sid in enumerate(school_ids):
        own = m[m["school_id"] == sid].sort_values("wave", key=lambda s: s.map(order))
        if len(own) == 0:
            continue
        col = SCHOOL_LINE_COLOURS[i % len(SCHOOL_LINE_COLOURS)]
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


def _cohort_trace(g: pd.DataFrame, colour: str, label: str, shift: float) -> list[go.Scatter]:
    """The points of one cohort: the base year at 0, the placebo years (open markers) and the
    programme years (filled), each with its 95% interval."""
    g = g.sort_values("year")
    base = int(g["base_year"].iloc[0])
    x = [base + shift] + (g["year"] + shift).tolist()
    y = [0.0] + g["effect"].tolist()
    lo = [0.0] + (g["effect"] - g["ci_low"]).tolist()
    hi = [0.0] + (g["ci_high"] - g["effect"]).tolist()
    kind = ["база (по определению 0)"] + ["плацебо, до отбора" if e in PLACEBOS else "программа"
                                          for e in g["estimate"]]
    symbols = ["diamond-open"] + ["circle-open" if e in PLACEBOS else "circle" for e in g["estimate"]]
    text = [f"{label}<br>{year_label(int(round(xx - shift)))}: {k}<br>оценка {fmt_num(v, 2, sign=True)}"
            + (f" (95% ДИ {fmt_ci(v - a, v + b, 2, sign=True)})" if k != kind[0] else "")
            for xx, v, a, b, k in zip(x, y, lo, hi, kind)]
    return [go.Scatter(x=x, y=y, mode="lines+markers", name=label, text=text,
                       hovertemplate="%{text}<extra></extra>",
                       line={"color": colour, "width": 1, "dash": "dot"},
                       marker={"size": 11, "color": colour, "symbol": symbols},
                       error_y={"type": "data", "symmetric": False, "array": hi, "arrayminus": lo,
                                "color": colour})]


def fig_event_study(effectiveness: pd.DataFrame, match_lags: int = 2) -> go.Figure | None:
    """Event study of the programme effect: per cohort, the difference between participants and
    matched non-participants in each year relative to the year before participation (0 by
    definition), with 95% intervals — placebo years before the selection (open circles) and
    programme years (filled); the selection window (the `match_lags` years before the
    programme's start, matched on) is shaded."""
    e = effectiveness[effectiveness["estimate"].isin([EST_DID, EST_PLACEBO])].dropna(subset=["effect"])
    if len(e) == 0:
        return None
    fig = go.Figure()
    cohorts = sorted(int(P) for P in e["programme_year"].unique())
    for i, P in enumerate(cohorts):
        g = e[e["programme_year"] == P]
        label = f"участники {g['cohort_ru'].iloc[0]}" if "cohort_ru" in g else f"участники {P}"
        for tr in _cohort_trace(g, COHORT_COLOURS[i % len(COHORT_COLOURS)], label,
                                0.08 * (i - (len(cohorts) - 1) / 2)):
            fig.add_trace(tr)
    start = min(cohorts)
    fig.add_vrect(x0=start - match_lags - 0.5, x1=start - 0.5, fillcolor=WINDOW_COLOUR, opacity=0.35,
                  line_width=0, annotation_text="окно отбора: по этим годам школы сопоставлены",
                  annotation_position="top left")
    fig.add_vline(x=start - 0.5, line_dash="dash", line_color=ESTIMATE_COLOUR)
    fig.add_hline(y=0, line_dash="dot", line_color=ZERO_LINE_COLOUR)
    span = set(e["year"].astype(int)) | set(e["base_year"].astype(int))
    years = list(range(min(span), max(span) + 1))
    fig.update_layout(
        title="Событийный анализ: участники минус сопоставимые неучастники, индекс результатов "
              "относительно года перед участием (95% ДИ)<br><sup>пустые кружки — плацебо до "
              "отбора (должно быть около нуля), закрашенные — годы программы</sup>",
        xaxis={"title": "учебный год", "tickmode": "array", "tickvals": years,
               "ticktext": [year_label(y) for y in years]},
        yaxis_title="разность, единицы индекса результатов (SD)", height=440)
    return fig


def fig_exits(exit_table: pd.DataFrame, by: str = "municipality") -> go.Figure | None:
    """Bar chart: share of listed schools that left the list next year, per group."""
    t = exit_table.dropna(subset=["share_left"])
    if len(t) == 0:
        return None
    t = t.copy()
    t[by] = t[by].astype(str)
    t["year"] = t["year"].astype(str)
    fig = px.bar(t, x=by, y="share_left", color="year", barmode="group",
                 hover_data=["n_listed", "n_known", "n_left"],
                 labels={"share_left": "доля выполнивших критерии выхода",
                         by: {"municipality": "муниципалитет", "cluster": "кластер"}.get(by, by),
                         "year": "год в списке"})
    fig.update_layout(yaxis_tickformat=".0%", height=420,
                      title="Доля ШНОР, вышедших из списка в следующем году")
    return fig
