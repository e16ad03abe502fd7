"""Plotly figures of the identification for the notebook: the funnel plot, results against the
social index with the expected line, categories by municipality.

A scatter of more than MAX_POINTS schools (a national run: 40,000) would make the notebook's
HTML tens of megabytes: it then draws a seeded sample of MAX_POINTS schools, every category in
its share (at least a few of each), over a grey density of all schools (counts in a grid,
computed here), and its title says so. A region of a few thousand schools shows every school."""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from workbench.config.identify import IdentifyParams
from workbench.core.formatting import fmt_int
from workbench.core.palette import CATEGORY_COLOURS
from workbench.core.vocabulary import CATEGORIES
from workbench.identify.display import counts_by_municipality, latest_year

MAX_POINTS = 4000      # schools a scatter draws one by one; above, a sample over a density
MIN_PER_GROUP = 50     # a sample keeps at least this many of each category (or all it has)
DENSITY_BINS = 60      # the density grid: DENSITY_BINS × DENSITY_BINS cells


def sample_points(d: pd.DataFrame, by: str, max_points: int = MAX_POINTS,
                  seed: int = 0) -> pd.DataFrame:
    """At most `max_points` rows of d: d itself when small enough, else a seeded sample in which
    each group of `by` keeps its share (and at least MIN_PER_GROUP rows, or all it has), in the
    order of d."""
    if len(d) <= max_points:
        return d
    sizes = d[by].value_counts(dropna=False)
    quota = np.maximum(np.floor(sizes.to_numpy() * max_points / len(d)),
                       np.minimum(sizes.to_numpy(), MIN_PER_GROUP)).astype(int)
    excess = int(quota.sum()) - max_points
    if excess > 0:  # the minimum of the small groups is taken from the largest
        quota[int(np.argmax(quota))] -= excess
    take = dict(zip(sizes.index, quota))
    parts = [g.sample(n=int(take[k]), random_state=seed)
             for k, g in d.groupby(by, sort=False, dropna=False)]
    return pd.concat(parts).sort_index()


def density_trace(x: pd.Series, y: pd.Series, log_x: bool = False,
                  bins: int = DENSITY_BINS) -> go.Heatmap:
    """A grey heatmap of how many schools fall in each cell of a bins × bins grid (empty cells
    blank): every school counted, only the grid drawn."""
    xv = np.log10(x.to_numpy(dtype=float)) if log_x else x.to_numpy(dtype=float)
    counts, xe, ye = np.histogram2d(xv, y.to_numpy(dtype=float), bins=bins)
    xc = (xe[:-1] + xe[1:]) / 2
    z = counts.T
    z[z == 0] = np.nan
    return go.Heatmap(x=10 ** xc if log_x else xc, y=(ye[:-1] + ye[1:]) / 2, z=z,
                      colorscale=[[0, "#f0f0f0"], [1, "#8c8c8c"]], showscale=False,
                      name="все школы", hovertemplate="школ в клетке: %{z}<extra></extra>")


def sample_caption(n_drawn: int, n_all: int) -> str:
    """The Russian line under a title when a scatter shows a sample."""
    return (f"показаны {fmt_int(n_drawn)} из {fmt_int(n_all)} школ (случайная выборка, каждая "
            f"категория в своей доле); серый фон — плотность всех {fmt_int(n_all)} школ")


def with_caption(title: str, caption: str | None) -> str:
    """A figure title with its caption as a smaller second line."""
    return title if not caption else f"{title}<br><sup>{caption}</sup>"


def _category_scatter(d: pd.DataFrame, x: str, hovertemplate: str,
                      log_x: bool = False) -> tuple[go.Figure, str | None]:
    """Result index against column x, one trace per category in its colour (hover: school id);
    above MAX_POINTS schools a sample over the density of all (and the caption saying so)."""
    fig = go.Figure()
    caption = None
    if len(d) > MAX_POINTS:
        fig.add_trace(density_trace(d[x], d["result_index"], log_x=log_x))
        drawn = sample_points(d, "category")
        caption = sample_caption(len(drawn), len(d))
        d = drawn
    for cat, label in CATEGORIES.items():
        g = d[d["category"] == cat]
        if len(g) == 0:
            continue
        fig.add_trace(go.Scatter(
            x=g[x], y=g["result_index"], mode="markers", name=label,
            marker=dict(color=CATEGORY_COLOURS[cat], size=7, line=dict(width=0.5, color="#555")),
            text=g["school_id"], hovertemplate=hovertemplate))
    return fig, caption


def funnel_figure(df: pd.DataFrame, year: int | None = None,
                  params: IdentifyParams | None = None) -> go.Figure:
    """Funnel plot: result index against the number of pupils who wrote the works, ±z·σ/√n
    bounds around the benchmark (σ estimated as the median of se·√n), coloured by category."""
    params = params or IdentifyParams()
    year = year or latest_year(df)
    d = df[(df["year"] == year) & df["result_index"].notna() & (df["n_pupils"] > 0)]
    fig, caption = _category_scatter(d, "n_pupils",
                                     "%{text}<br>обучающихся: %{x}<br>индекс: %{y:.2f}", log_x=True)
    if len(d):
        sigma = float(np.nanmedian(d["result_se"] * np.sqrt(d["n_pupils"])))
        bench = float(d["benchmark"].iloc[0]) if "benchmark" in d else 0.0
        xs = np.geomspace(max(1, d["n_pupils"].min()), d["n_pupils"].max(), 100)
        for k, dash, name in ((params.z_crit, "dash", "95% границы"), (3.09, "dot", "99,8% границы")):
            for sgn in (1, -1):
                fig.add_trace(go.Scatter(
                    x=xs, y=bench + sgn * k * sigma / np.sqrt(xs), mode="lines",
                    line=dict(color="#444", dash=dash, width=1), name=name,
                    showlegend=sgn == 1, hoverinfo="skip"))
        fig.add_hline(y=bench, line=dict(color="#444", width=1))
    fig.update_layout(title=with_caption(f"Воронка: индекс результатов и число обучающихся, "
                                         f"{year} г.", caption),
                      xaxis_title="Число обучающихся, писавших работы (логарифмическая шкала)",
                      yaxis_title="Индекс результатов", xaxis_type="log", template="plotly_white",
                      legend=dict(orientation="h", y=-0.25), height=560)
    return fig


def social_figure(df: pd.DataFrame, year: int | None = None) -> go.Figure:
    """Social index against result index with the expected line; categories coloured."""
    year = year or latest_year(df)
    d = df[(df["year"] == year) & df["result_index"].notna() & df["social_index"].notna()]
    fig, caption = _category_scatter(
        d, "social_index", "%{text}<br>социальный индекс: %{x:.2f}<br>индекс результатов: %{y:.2f}")
    e = d.dropna(subset=["expected_index"]).sort_values("social_index")
    if len(e) > MAX_POINTS:  # the line through every school: 1,000 of them draw the same line
        step = int(np.ceil(len(e) / 1000))
        e = e.iloc[np.unique(np.append(np.arange(0, len(e), step), len(e) - 1))]
    if len(e):
        fig.add_trace(go.Scatter(x=e["social_index"], y=e["expected_index"], mode="lines",
                                 name="Ожидаемый результат", line=dict(color="#000", width=2)))
    fig.update_layout(title=with_caption(f"Результаты и социальные условия, {year} г.", caption),
                      xaxis_title="Социальный индекс (выше — благоприятнее)",
                      yaxis_title="Индекс результатов", template="plotly_white",
                      legend=dict(orientation="h", y=-0.25), height=560)
    return fig


def counts_figure(df: pd.DataFrame, schools: pd.DataFrame, year: int | None = None) -> go.Figure:
    """Stacked bars: schools of each category by municipality."""
    year = year or latest_year(df)
    t = counts_by_municipality(df, schools, year)
    t = t[t["Муниципалитет"] != "Итого"]
    fig = go.Figure()
    for cat, label in CATEGORIES.items():
        if cat == "typical":
            continue
        fig.add_trace(go.Bar(x=t["Муниципалитет"], y=t[label], name=label,
                             marker_color=CATEGORY_COLOURS[cat]))
    fig.update_layout(barmode="stack", title=f"Категории школ по муниципалитетам, {year} г. "
                      "(без типичных)", yaxis_title="Число школ", template="plotly_white",
                      legend=dict(orientation="h", y=-0.35), height=520)
    return fig
