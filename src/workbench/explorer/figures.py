"""The explorer's plotly figures as plain plotly.js specs (data + layout, JSON-ready) for the
chart widget: social index against result index, the map of schools (plain coordinates, no
tiles: offline), one school's monitoring trajectory against its cluster peers; and the chart
config: a Russian toolbar with only the tools that work here, decimal commas.

WebGL markers (`scattergl`) keep a redraw of thousands of points fast, SVG markers (`scatter`,
`webgl=False`) serve a region of a few thousand schools with the smaller plotly.js bundle
(params `explorer.webgl_above_schools`); the listed categories are drawn last (on top); the codes of the schools ride in `customdata` for clicks and selections.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from workbench.core.palette import category_colour
from workbench.core.vocabulary import CATEGORIES, CATEGORY_ORDER, LISTED_CATEGORIES
from workbench.explorer.escape import esc

SCHOOL_LINE = "#c0392b"  # the school's trajectory
PEERS_LINE = "#2e86c1"   # the mean of its cluster peers
SEPARATORS = ", "        # decimal comma, a space between thousands
TOOLBAR_RU = {
    "Zoom": "Увеличить область", "Pan": "Сдвиг", "Box Select": "Выделить прямоугольником",
    "Lasso Select": "Выделить лассо", "Reset axes": "Исходный масштаб",
    "Download plot as a PNG": "Сохранить как PNG", "Download plot": "Сохранить рисунок",
    "Double-click to zoom back out": "Двойной щелчок — исходный масштаб",
    "Double-click on legend to isolate one trace":
        "Двойной щелчок по легенде — показать только эту категорию",
    "Preparing image - this may take a few seconds": "Готовится рисунок…",
    "Image download succeeded": "Рисунок сохранён",
    "Sorry, there was a problem downloading your image!": "Не удалось сохранить рисунок",
    "Autoscale": "Подобрать масштаб", "Zoom in": "Крупнее", "Zoom out": "Мельче",
    "Reset view": "Исходный вид",
}
# the legend's short names (a category added later: its own label)
LEGEND = {"low_results_adverse": "ШНОР в НСУ", "low_results": "ШНОР",
          "adverse_context": "ШФНСУ", "resilient": "резильентные",
          "high_performing": "высокие результаты", "typical": "типичные",
          "insufficient_data": "недостаточно данных"}
# what the toolbar keeps: zoom, pan, the two selections (they filter the list), reset, PNG
REMOVED_TOOLS = ["zoomIn2d", "zoomOut2d", "autoScale2d", "toggleSpikelines",
                 "hoverClosestCartesian", "hoverCompareCartesian", "toggleHover",
                 "resetViews", "sendDataToCloud", "editInChartStudio"]


def chart_config(filename: str = "шнор_график") -> dict[str, Any]:
    """plotly.js config: Russian toolbar without the tools that do nothing here, no logo."""
    return {"locale": "ru-wb",
            "locales": {"ru-wb": {"dictionary": TOOLBAR_RU,
                                  "format": {"decimal": ",", "thousands": " "}}},
            "displaylogo": False, "displayModeBar": True, "responsive": True,
            "scrollZoom": False, "doubleClickDelay": 400,
            "modeBarButtonsToRemove": REMOVED_TOOLS,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2}}


def _draw_order() -> list[str]:
    """Category codes in drawing order: the listed ones last, so their points are on top."""
    codes = [c for c in CATEGORY_ORDER if c in CATEGORIES] + \
        [c for c in CATEGORIES if c not in CATEGORY_ORDER]
    return [c for c in codes if c not in LISTED_CATEGORIES] + \
        [c for c in reversed(LISTED_CATEGORIES) if c in CATEGORIES]


def _floats(s: pd.Series) -> list[float | None]:
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)
    out = v.astype(object)
    out[~np.isfinite(v)] = None
    return out.tolist()


def hover_texts(df: pd.DataFrame) -> pd.Series:
    """«name (municipality)» of each row, escaped (plotly reads tags in texts: it shows the
    entities as text); computed once per run, the charts take theirs by row."""
    return pd.Series([esc(f"{n} ({m})") for n, m in zip(df["school_name"], df["municipality"])],
                     index=df.index, dtype=object)


def _points(d: pd.DataFrame, code: str, x: str, y: str, selected: set[str] | None,
            size: float, hover: pd.Series | None = None,
            values: bool = True, webgl: bool = True) -> dict[str, Any]:
    """One category's markers (scattergl, or SVG scatter), with names for the hover and codes
    for events (`values` False: without x, y, codes and texts — an indexed trace)."""
    ids = d["school_id"].astype(str).tolist()
    trace = {"type": "scattergl" if webgl else "scatter", "mode": "markers", "name": f"{LEGEND.get(code, CATEGORIES[code])}: {len(d)}",
             "marker": {"color": category_colour(code),
                        "size": size * (1.25 if code in LISTED_CATEGORIES else 1.0),
                        "line": {"width": 0.5, "color": "#333"}},
             "legendrank": CATEGORY_ORDER.index(code) if code in CATEGORY_ORDER else 99}
    if values:
        text = (hover if hover is not None else hover_texts(d)).reindex(d.index).tolist()
        trace.update({"x": _floats(d[x]), "y": _floats(d[y]), "customdata": ids, "text": text})
    if selected is not None:
        trace["selectedpoints"] = [i for i, s in enumerate(ids) if s in selected]
    return trace


def chart_points(view: pd.DataFrame, x: str, y: str,
                 hover: pd.Series | None = None) -> dict[str, list]:
    """The points of a view once (x, y, codes, texts in the view's order): the chart widget
    keeps them while the filters stay, and a threshold change sends only which points each
    category trace has (`wb_index`), not 40,000 coordinates and names again."""
    hover = hover_texts(view) if hover is None else hover
    return {"x": _floats(view[x]), "y": _floats(view[y]),
            "ids": view["school_id"].astype(str).tolist(),
            "text": hover.reindex(view.index).tolist()}


def resolve(figure: dict[str, Any], points: dict[str, list]) -> list[dict[str, Any]]:
    """The traces with x, y, customdata and text filled from the points (what chart.js
    draws), for a figure built with `indexed=True`."""
    out = []
    for t in figure["data"]:
        if "wb_index" in t:
            idx = t["wb_index"]
            t = {**{k: v for k, v in t.items() if k != "wb_index"},
                 "x": [points["x"][i] for i in idx], "y": [points["y"][i] for i in idx],
                 "customdata": [points["ids"][i] for i in idx],
                 "text": [points["text"][i] for i in idx]}
        out.append(t)
    return out


def _indexed(trace: dict[str, Any], positions: np.ndarray) -> dict[str, Any]:
    """A trace that names its points by their positions in the chart's points."""
    for k in ("x", "y", "customdata", "text"):
        trace.pop(k, None)
    trace["wb_index"] = positions.tolist()
    return trace


def _by_category(view: pd.DataFrame, cols: list[str]) -> dict[str, pd.DataFrame]:
    """The view's rows per category code (only the columns the chart reads)."""
    narrow = view[list(dict.fromkeys(["school_id", "category", *cols]))]
    return {code: g for code, g in narrow.groupby("category", sort=False)}


def _layout(title: str, font_px: int, height: int, rev: int, ui: str) -> dict[str, Any]:
    """Common layout; `title` "" leaves the title to the page (the chart's own header)."""
    return {"title": {"text": title, "x": 0, "xanchor": "left"}, "height": height,
            "font": {"size": max(font_px - 2, 10)}, "separators": SEPARATORS,
            "template": "plotly_white", "plot_bgcolor": "#ffffff", "paper_bgcolor": "#ffffff",
            "margin": {"l": 60, "r": 10, "t": 70 if title else 40, "b": 55},
            "hovermode": "closest",
            "dragmode": "zoom", "datarevision": rev, "uirevision": ui,
            "legend": {"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom",
                       "traceorder": "normal"}}


def _no_selection(layout: dict[str, Any], selected: set[str] | None) -> None:
    """Without a selection in Python, none on the chart either: the box or lasso drawn by the
    user is removed (plotly would keep it across redraws of the same view)."""
    if selected is None:
        layout["selections"] = []
        layout["selectionrevision"] = layout["datarevision"]


def scatter_figure(view: pd.DataFrame, font_px: int = 18, height: int = 560, rev: int = 0,
                   selected: set[str] | None = None, ui: str = "",
                   hover: pd.Series | None = None, indexed: bool = False,
                   webgl: bool = True) -> dict[str, Any]:
    """Social index (x) against result index (y), one trace per category (listed on top);
    `hover`: the rows' texts (`hover_texts`) when computed already; `indexed`: the traces
    name their points by position in `chart_points(view, …)` instead of carrying them;
    `webgl` False: SVG markers."""
    data = []
    hover = hover_texts(view) if hover is None else hover
    if indexed:
        view = view.assign(_pos=np.arange(len(view)))
    parts = _by_category(view, ["social_index", "result_index"] + (["_pos"] if indexed else []))
    empty = view.iloc[:0][[c for c in ("school_id", "social_index", "result_index", "_pos")
                           if c in view.columns]]
    for code in _draw_order():
        d = parts.get(code, empty)
        t = _points(d, code, "social_index", "result_index", selected, 9,
                    None if indexed else hover, not indexed, webgl)
        if indexed:
            t = _indexed(t, d["_pos"].to_numpy())
        t["hovertemplate"] = ("<b>%{text}</b><br>" + CATEGORIES[code] + "<br>соц. индекс "
                              "%{x:.2f}<br>индекс результатов %{y:.2f}<extra></extra>")
        data.append(t)
    layout = _layout("", font_px, height, rev, ui)  # the page says what the chart shows
    layout["xaxis"] = {"title": {"text": "Социальный индекс (выше — благополучнее)"},
                       "zeroline": True, "zerolinecolor": "#bbb"}
    layout["yaxis"] = {"title": {"text": "Индекс результатов"}, "zeroline": True,
                       "zerolinecolor": "#bbb"}
    _no_selection(layout, selected)
    return {"data": data, "layout": layout}


def has_coordinates(schools: pd.DataFrame) -> bool:
    """Whether `schools` has latitude and longitude for at least one school."""
    if not {"latitude", "longitude"} <= set(schools.columns):
        return False
    lat = pd.to_numeric(schools["latitude"], errors="coerce")
    lon = pd.to_numeric(schools["longitude"], errors="coerce")
    return bool((lat.notna() & lon.notna()).any())


def map_figure(view: pd.DataFrame, font_px: int = 18, height: int = 560, rev: int = 0,
               selected: set[str] | None = None, ui: str = "",
               hover: pd.Series | None = None, webgl: bool = True) -> dict[str, Any]:
    """The schools of the view on their coordinates (`latitude`, `longitude` columns of the
    view), coloured by category; one degree of longitude drawn cos(latitude) as wide as one of
    latitude, so the region keeps its shape. No tiles: it works offline. `webgl` False: SVG
    markers."""
    v = view.assign(latitude=pd.to_numeric(view["latitude"], errors="coerce"),
                    longitude=pd.to_numeric(view["longitude"], errors="coerce"))
    v = v[v["latitude"].notna() & v["longitude"].notna()]
    data = []
    hover = hover_texts(v) if hover is None else hover
    parts = _by_category(v, ["longitude", "latitude"])
    empty = v.iloc[:0][["school_id", "longitude", "latitude"]]
    for code in _draw_order():
        d = parts.get(code, empty)
        t = _points(d, code, "longitude", "latitude", selected, 8, hover, webgl=webgl)
        t["hovertemplate"] = "<b>%{text}</b><br>" + CATEGORIES[code] + "<extra></extra>"
        data.append(t)
    lat0 = float(v["latitude"].mean()) if len(v) else 55.0
    layout = _layout("Школы на карте (по координатам из таблицы школ)", font_px, height, rev, ui)
    layout["xaxis"] = {"title": {"text": "Долгота"}, "showgrid": False, "zeroline": False}
    layout["yaxis"] = {"title": {"text": "Широта"}, "showgrid": False, "zeroline": False,
                       "scaleanchor": "x",
                       "scaleratio": 1 / max(math.cos(math.radians(lat0)), 0.2)}
    _no_selection(layout, selected)
    return {"data": data, "layout": layout}


def monitoring_figure(series: dict[str, Any], school_name: str = "", font_px: int = 18,
                      height: int = 420, rev: int = 0) -> dict[str, Any]:
    """The school's trajectory over the waves against the mean of its cluster peers."""
    data = [{"type": "scatter", "mode": "lines+markers", "name": "школа",
             "x": series["waves_ru"], "y": series["school"],
             "line": {"width": 4, "color": SCHOOL_LINE}, "marker": {"size": 12},
             "hovertemplate": "%{x}: %{y:.2f}<extra>школа</extra>"},
            {"type": "scatter", "mode": "lines+markers",
             "name": f"школы кластера, среднее ({series['n_peers']})",
             "x": series["waves_ru"], "y": series["peers"],
             "line": {"width": 3, "dash": "dash", "color": PEERS_LINE}, "marker": {"size": 10},
             "hovertemplate": "%{x}: %{y:.2f}<extra>среднее похожих школ</extra>"}]
    if not school_name:
        title = "Мониторинг: выберите школу"
    elif series["indicator"]:
        title = f"{school_name}: {series['indicator']}"
    else:
        title = f"{school_name}: нет данных мониторинга"
    layout = _layout(title, font_px, height, rev, "monitoring")
    layout["margin"]["t"] = 110
    return {"data": data, "layout": layout}
