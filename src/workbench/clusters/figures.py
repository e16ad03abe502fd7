"""Figures of notebook 03: the choice of k, the cluster profiles, the schools on the plane of two
principal components, results by cluster, and the pairs.

The profile heatmap is a static seaborn (matplotlib) figure: an annotated clusters × indicators
table reads best as a picture and stays a small PNG at national size. The others are interactive
plotly figures (hover to see a school); above a few thousand schools (a national run) they draw a
sample or precomputed summaries, and their titles say so, so that the notebook's HTML stays
light (identify/figures.py: MAX_POINTS)."""
from __future__ import annotations

import io
import textwrap
import warnings

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

from workbench.clusters.pairs import pairs_by_municipality
from workbench.clusters.result import ClusterResult
from workbench.core.formatting import fmt_int, fmt_num, fmt_pct
from workbench.core.palette import category_colour
from workbench.core.tables import INDICATOR_LABELS_RU
from workbench.core.vocabulary import CATEGORIES
from workbench.identify.figures import MAX_POINTS, with_caption

# Plotly, matplotlib and seaborn are imported inside the figure functions: they are heavy (seaborn
# alone takes seconds) and only the notebook draws figures, not the tests of the tables.


def fig_k_choice(selection: pd.DataFrame):
    """The criterion of k (BIC of the mixtures, lower is better; the silhouette for k-means) and
    the elbow (spread per school) side by side; chosen k marked."""
    if selection is None or len(selection) == 0:
        return None
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    use_bic = "bic" in selection and selection["bic"].notna().any()
    col, title = ("bic", "BIC смеси распределений (ниже — лучше)") if use_bic else \
        ("silhouette", "Силуэт (выше — лучше)")
    fig = make_subplots(rows=1, cols=2, subplot_titles=(title, "Локоть: внутрикластерный разброс на школу"))
    fig.add_trace(go.Scatter(x=selection["k"], y=selection[col], mode="lines+markers",
                             name=col.upper() if use_bic else "силуэт"), row=1, col=1)
    fig.add_trace(go.Scatter(x=selection["k"], y=selection["inertia_per_school"], mode="lines+markers",
                             name="разброс"), row=1, col=2)
    ch = selection[selection["chosen"].astype(bool)]
    if len(ch):
        fig.add_trace(go.Scatter(x=ch["k"], y=ch[col], mode="markers", name="выбранное k",
                                 marker=dict(size=14, symbol="star", color="crimson")), row=1, col=1)
        fig.add_trace(go.Scatter(x=ch["k"], y=ch["inertia_per_school"], mode="markers", showlegend=False,
                                 marker=dict(size=14, symbol="star", color="crimson")), row=1, col=2)
    fig.update_xaxes(title_text="число кластеров k", dtick=1)
    fig.update_layout(height=380, margin=dict(t=60, l=40, r=20, b=40))
    return fig


def _cluster_labels(result: ClusterResult) -> pd.Series:
    """Cluster number → its name."""
    return result.profiles.drop_duplicates("cluster").set_index("cluster")["cluster_name"]


def fig_profiles_heatmap(result: ClusterResult, year: int | None = None,
                         labels: dict[str, str] | None = None):
    """Annotated heatmap (seaborn) of the standardised centroids, clusters × indicators, of one year
    (default: latest): red above the regional mean, blue below, in standard deviations.
    Returns a matplotlib Figure (not attached to pyplot: no global state), or None."""
    cz = result.centroids_z
    if cz is None or len(cz) == 0:
        return None
    import seaborn as sns
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    year = int(cz["year"].max()) if year is None else year
    c = cz[cz["year"] == year].sort_values("cluster")
    names = _cluster_labels(result)
    ylab = [textwrap.fill(f"{int(k)}. {names.get(k, '')}", 48) for k in c["cluster"]]
    xlab = [textwrap.fill((labels or INDICATOR_LABELS_RU).get(f, f), 22) for f in result.features]
    z = c[result.features].to_numpy(dtype=float)
    annot = np.array([[fmt_num(v, 1) for v in row] for row in z], dtype=object)
    n_lines = max(t.count("\n") + 1 for t in ylab)
    fig = Figure(figsize=(4.5 + 0.95 * len(xlab), 2.2 + 0.42 * n_lines * len(ylab)), dpi=100,
                 layout="constrained")
    ax = fig.subplots()
    with warnings.catch_warnings():  # seaborn 0.13 calls Colormap.set_bad, pending deprecation in
        warnings.simplefilter("ignore", PendingDeprecationWarning)  # matplotlib 3.11: not for users
        sns.heatmap(pd.DataFrame(z, index=ylab, columns=xlab), ax=ax, cmap="RdBu_r", center=0,
                    annot=annot, fmt="", linewidths=0.5, linecolor="white",
                    cbar_kws={"label": "z (стандартные отклонения)",
                              # ticks at 0,1 / 0,2 / 0,5 / 1 steps: one decimal shows them exactly
                              "ticks": MaxNLocator(nbins=6, steps=[1, 2, 5, 10]),
                              "format": FuncFormatter(lambda v, _pos: fmt_num(v, 1))})
    ax.set_title(f"Профили кластеров, {year} г. (стандартизованные средние)")
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.tick_params(axis="x", labelrotation=45, labelsize=9)
    ax.tick_params(axis="y", labelrotation=0, labelsize=9)
    for t in ax.get_xticklabels():
        t.set_horizontalalignment("right")
        t.set_rotation_mode("anchor")
    return fig


def figure_png(fig, dpi: int = 100) -> bytes:
    """PNG bytes of a matplotlib figure (what the notebook embeds: works offline)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def fig_pca_map(result: ClusterResult, identification: pd.DataFrame | None = None, year: int | None = None,
                max_points: int = 5000):
    """2-D PCA map of schools (one year) coloured by cluster, categories as marker symbols; at most
    `max_points` schools drawn (`_pca_sample`, the title says so) so the HTML stays light."""
    X = result.X_z
    if X is None or len(X) == 0 or len(result.features) < 2:
        return None
    import plotly.express as px

    year = int(X["year"].max()) if year is None else year
    d = X[X["year"] == year].copy()
    pca = PCA(n_components=2, random_state=0).fit(X[result.features].to_numpy())
    pc = pca.transform(d[result.features].to_numpy())
    d["ГК1"], d["ГК2"] = pc[:, 0], pc[:, 1]
    names = _cluster_labels(result)
    labels = {c: f"{c}. {names.get(c, '')}" for c in pd.unique(d["cluster"])}
    d["Кластер"] = d["cluster"].map(labels)
    d = _with_categories(d, identification)
    d, caption = _pca_sample(d, max_points)
    ev = pca.explained_variance_ratio_
    fig = px.scatter(d.sort_values("cluster"), x="ГК1", y="ГК2", color="Кластер", symbol="Категория",
                     hover_data={"school_id": True, "ГК1": ":.2f", "ГК2": ":.2f"},
                     title=with_caption(f"Школы на плоскости главных компонент, {year} г.", caption))
    fig.update_traces(marker=dict(size=7, opacity=0.8))
    fig.update_layout(xaxis_title=f"ГК1 ({fmt_pct(ev[0])} разброса)",
                      yaxis_title=f"ГК2 ({fmt_pct(ev[1])} разброса)",
                      height=560, legend=dict(font=dict(size=10)))
    return fig


def _pca_sample(d: pd.DataFrame, max_points: int) -> tuple[pd.DataFrame, str | None]:
    """At most `max_points` schools of the PCA map: the listed ones (ШНОР) first — all of them,
    or a sample of half the points when there are more — and a seeded sample of the rest;
    the caption says what is shown (None when every school is)."""
    if len(d) <= max_points:
        return d, None
    listed = d["Категория"].isin([CATEGORIES["low_results"], CATEGORIES["low_results_adverse"]])
    shnor, rest = d[listed], d[~listed]
    all_listed = len(shnor) <= max_points // 2
    if not all_listed:
        shnor = shnor.sample(n=max_points // 2, random_state=0)
    n_rest = min(max_points - len(shnor), len(rest))
    shown = pd.concat([shnor, rest.sample(n=n_rest, random_state=0)])
    what = "все ШНОР" if all_listed else "случайная выборка ШНОР"
    return shown, (f"показаны {fmt_int(len(shown))} из {fmt_int(len(d))} школ: {what} и "
                   f"случайная выборка остальных")


def _with_categories(d: pd.DataFrame, identification: pd.DataFrame | None) -> pd.DataFrame:
    """`d` with the Russian category of each school («—» when unknown)."""
    d["Категория"] = "—"
    if identification is not None and "category" in identification.columns:
        cat = identification[["school_id", "year", "category"]].copy()
        cat["school_id"] = cat["school_id"].astype(str)
        cat["year"] = cat["year"].astype(int)
        d = d.drop(columns="Категория").merge(cat, on=["school_id", "year"], how="left")
        d["Категория"] = d["category"].map(CATEGORIES).fillna("—")
    return d


def fig_results_by_cluster(clusters: pd.DataFrame, identification: pd.DataFrame | None,
                           year: int | None = None):
    """Box plot of the result index by cluster (one year)."""
    if identification is None or "result_index" not in identification.columns or len(clusters) == 0:
        return None
    import plotly.express as px

    year = int(clusters["year"].max()) if year is None else year
    ri = identification[["school_id", "year", "result_index"]].copy()
    ri["school_id"] = ri["school_id"].astype(str)
    ri["year"] = ri["year"].astype(int)
    d = clusters[clusters["year"] == year].merge(ri, on=["school_id", "year"], how="left")
    d = d.dropna(subset=["result_index"]).sort_values("cluster")
    if len(d) == 0:
        return None
    d["Кластер"] = [f"{c}. {n}" for c, n in zip(d["cluster"], d["cluster_name"])]
    title = f"Результаты по кластерам, {year} г."
    if len(d) > MAX_POINTS:  # plotly.js would get every school's value to compute the boxes
        fig = _summary_boxes(d, "Кластер", "result_index")
        fig.update_layout(title=with_caption(title, f"ящики рассчитаны по всем {fmt_int(len(d))} "
                                             f"школам; отдельные школы-выбросы не показаны"),
                          xaxis_title="Кластер", yaxis_title="индекс результатов")
    else:
        fig = px.box(d, x="Кластер", y="result_index", points="outliers",
                     labels={"result_index": "индекс результатов"}, title=title)
    fig.update_layout(height=460, xaxis_tickangle=-20)
    return fig


def _summary_boxes(d: pd.DataFrame, by: str, col: str):
    """Box plot from precomputed quartiles (plotly's linear method) and whiskers at the
    furthest values within 1.5 IQR, one box per group in order of appearance: the figure
    carries five numbers per group, not every value."""
    import plotly.graph_objects as go

    stats = []
    for name, g in d.groupby(by, sort=False):
        v = g[col].to_numpy(dtype=float)
        q1, med, q3 = np.quantile(v, [0.25, 0.5, 0.75])
        iqr = q3 - q1
        inside = v[(v >= q1 - 1.5 * iqr) & (v <= q3 + 1.5 * iqr)]
        stats.append((name, q1, med, q3, inside.min(), inside.max()))
    names, q1, med, q3, low, high = (list(c) for c in zip(*stats))
    return go.Figure(go.Box(x=names, q1=q1, median=med, q3=q3, lowerfence=low, upperfence=high,
                            name="индекс результатов", boxpoints=False, showlegend=False))


def fig_pairs_by_municipality(partners: pd.DataFrame, schools: pd.DataFrame):
    """Stacked bars per municipality: partner in the same municipality / elsewhere / not assigned."""
    t = pairs_by_municipality(partners, schools)
    if len(t) == 0:
        return None
    import plotly.graph_objects as go

    same = t["Партнёр в своём муниципалитете"]
    other = t["Назначен партнёр"] - same
    none = t["ШНОР с кандидатами"] - t["Назначен партнёр"]
    fig = go.Figure([
        go.Bar(name="партнёр в своём муниципалитете", x=t["Муниципалитет"], y=same),
        go.Bar(name="партнёр в другом муниципалитете", x=t["Муниципалитет"], y=other),
        go.Bar(name="партнёр не назначен", x=t["Муниципалитет"], y=none),
    ])
    fig.update_layout(barmode="stack", title="Пары «ШНОР — ресурсная школа» по муниципалитетам",
                      yaxis_title="число ШНОР", height=440, xaxis_tickangle=-30)
    return fig


def fig_pairs_map(partners: pd.DataFrame, schools: pd.DataFrame):
    """Schematic map (longitude/latitude, no tiles: works offline): assigned pairs as lines."""
    if partners is None or len(partners) == 0 or not {"latitude", "longitude"} <= set(schools.columns):
        return None
    import plotly.graph_objects as go

    sch = schools.copy()
    sch["school_id"] = sch["school_id"].astype(str)
    sch = sch.set_index("school_id")
    a = partners[partners["assigned"].astype(bool)]
    caption = None
    if len(a) > MAX_POINTS // 2:  # a line and two markers per pair
        caption = (f"показаны {fmt_int(MAX_POINTS // 2)} из {fmt_int(len(a))} пар "
                   f"(случайная выборка)")
        a = a.sample(n=MAX_POINTS // 2, random_state=0).sort_index()
    lat = pd.to_numeric(sch["latitude"], errors="coerce")
    lon = pd.to_numeric(sch["longitude"], errors="coerce")
    if len(a) == 0 or lat.notna().sum() == 0:
        return None
    xs, ys = [], []
    for s, q in zip(a["school_id"].astype(str), a["partner_id"].astype(str)):
        if s in lat.index and q in lat.index and pd.notna(lat[s]) and pd.notna(lat[q]):
            xs += [lon[s], lon[q], None]
            ys += [lat[s], lat[q], None]
    low_ids = a["school_id"].astype(str).unique()
    res_ids = a["partner_id"].astype(str).unique()
    fig = go.Figure([
        go.Scatter(x=xs, y=ys, mode="lines", line=dict(color="grey", width=1), name="пара"),
        go.Scatter(x=lon.reindex(low_ids), y=lat.reindex(low_ids), mode="markers", name="ШНОР",
                   text=low_ids, marker=dict(color=category_colour("low_results_adverse"), size=8)),
        go.Scatter(x=lon.reindex(res_ids), y=lat.reindex(res_ids), mode="markers", name="ресурсная школа",
                   text=res_ids, marker=dict(color=category_colour("resilient"), size=9,
                                                                  symbol="diamond")),
    ])
    fig.update_layout(title=with_caption("Назначенные пары на схеме региона", caption),
                      xaxis_title="долгота", yaxis_title="широта",
                      height=520, yaxis=dict(scaleanchor="x", scaleratio=1.6))
    return fig
