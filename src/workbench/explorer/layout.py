"""Building the explorer's widgets and arranging them: filter dropdowns and the search box,
threshold sliders, the school picker, and the page — header with the tools (print, «режим
презентации»), the controls in columns that wrap on narrow screens, the headline, then the tabs:
«Список и график» (list and chart side by side when they fit, one under the other otherwise),
«Карта», «Карточка школы», «Мониторинг»."""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import pandas as pd

from workbench.core.vocabulary import CATEGORIES, CATEGORY_ORDER
from workbench.explorer.data import ExplorerData
from workbench.explorer.sliders import SliderSpec, make_slider
from workbench.explorer.views import ALL, LISTED

TAB_LIST, TAB_MAP, TAB_CARD, TAB_MONITORING = 0, 1, 2, 3
TAB_CHART = TAB_LIST  # the chart is next to the list
TAB_TITLES = ["Список и график", "Карта", "Карточка школы", "Мониторинг"]
CHART_HINT = ("<h4>Социальные условия и результаты школ</h4><p class='wb-note'>Наведите на "
              "точку — название школы; щёлкните — её карточка; выделите точки лассо или "
              "прямоугольником (панель над графиком) — в списке останутся только они.</p>")
DESCRIPTION = {"description_width": "9em"}


def _dropdown_kw() -> dict[str, Any]:
    return {"layout": W.Layout(width="98%"), "style": DESCRIPTION}


def cluster_options(clusters: pd.DataFrame | None, year: int) -> list[tuple[str, Any]]:
    """«Все кластеры» and the clusters of one year («1 — name» when they are named)."""
    opts: list[tuple[str, Any]] = [("Все кластеры", ALL)]
    if clusters is None or clusters.empty:
        return opts
    c = clusters[clusters["year"] == year]
    if "cluster_name" in c.columns:
        pairs = c[["cluster", "cluster_name"]].drop_duplicates("cluster").sort_values("cluster")
        opts += [(f"{int(k)} — {n}", int(k)) for k, n in zip(pairs["cluster"],
                                                            pairs["cluster_name"])]
    else:
        opts += [(f"Кластер {int(k)}", int(k)) for k in sorted(c["cluster"].unique())]
    return opts


def category_options() -> list[tuple[str, str]]:
    codes = [c for c in CATEGORY_ORDER if c in CATEGORIES] + \
        [c for c in CATEGORIES if c not in CATEGORY_ORDER]
    return [("Список ШНОР (обе категории)", LISTED), ("Все категории", ALL)] + \
        [(CATEGORIES[c], c) for c in codes]


def filter_dropdowns(data: ExplorerData) -> tuple[Any, Any, Any, Any]:
    """(year, municipality, cluster, category) dropdowns: the latest year, everything, the list."""
    years = data.years
    year = W.Dropdown(options=[(f"{y}/{str(y + 1)[-2:]}", y) for y in years],
                      value=years[-1], description="Учебный год", **_dropdown_kw())
    munis = sorted(data.identification["municipality"].astype(str).unique())
    municipality = W.Dropdown(options=[("Все муниципалитеты", ALL)] + [(m, m) for m in munis],
                              value=ALL, description="Муниципалитет", **_dropdown_kw())
    cluster = W.Dropdown(options=cluster_options(data.clusters, years[-1]), value=ALL,
                         description="Кластер", **_dropdown_kw())
    category = W.Dropdown(options=category_options(), value=LISTED, description="Категория",
                          **_dropdown_kw())
    return year, municipality, cluster, category


def search_box() -> Any:
    return W.Text(placeholder="название или код школы", description="Поиск",
                  continuous_update=True, **_dropdown_kw())


def threshold_sliders(specs: dict[str, SliderSpec], base_params: Any) -> dict[str, Any]:
    """One slider per spec, at the run's value of its params field."""
    return {name: make_slider(spec, getattr(base_params, name)) for name, spec in specs.items()}


def school_picker() -> Any:
    return W.Combobox(placeholder="начните вводить название или код школы",
                      description="Школа", ensure_option=True, **_dropdown_kw())


def indicator_picker() -> Any:
    return W.Dropdown(options=[], description="Показатель", **_dropdown_kw())


def pager() -> tuple[Any, Any, Any]:
    """(previous, next, the row of both) under the list; hidden while the list fits a page."""
    prev = W.Button(description="‹ Предыдущие", layout=W.Layout(width="auto"))
    nxt = W.Button(description="Следующие ›", layout=W.Layout(width="auto"))
    return prev, nxt, with_class(W.HBox([prev, nxt], layout=W.Layout(display="none")),
                                 "wb-pager")


def tab_pages(pages: list[Any]) -> Any:
    """The tabs over their pages."""
    tabs = W.Tab(children=pages)
    for i, t in enumerate(TAB_TITLES):
        tabs.set_title(i, t)
    return tabs


def with_class(widget: Any, *classes: str) -> Any:
    for c in classes:
        widget.add_class(c)
    return widget


def main_row(list_col: list[Any], chart_col: list[Any]) -> Any:
    """List and chart in one row that wraps: side by side at 1920 px, stacked at 1280 px."""
    left = with_class(W.VBox(list_col, layout=W.Layout(flex="1 1 44em")), "wb-list-col")
    right = with_class(W.VBox(chart_col, layout=W.Layout(flex="0 1 36em")), "wb-chart-col")
    return with_class(W.Box([left, right], layout=W.Layout(
        display="flex", flex_flow="row wrap", align_items="flex-start", width="100%")),
        "wb-main")


def app_box(top: list[Any], filters: list[Any], thresholds: list[Any], reset: list[Any],
            headline: list[Any], tabs: Any) -> Any:
    """The style and header, the controls in three columns that wrap (filters | thresholds |
    thresholds and their reset), the headline, the tabs."""
    half = (len(thresholds) + 1) // 2
    columns = [W.VBox(filters, layout=W.Layout(flex="1 1 24em", min_width="0")),
               W.VBox(thresholds[:half], layout=W.Layout(flex="1 1 20em", min_width="0")),
               W.VBox(thresholds[half:] + reset, layout=W.Layout(flex="1 1 20em",
                                                                 min_width="0"))]
    controls = with_class(W.Box(columns, layout=W.Layout(
        display="flex", flex_flow="row wrap", width="100%")), "wb-controls")
    return with_class(W.VBox([*top, controls, *headline, tabs], layout=W.Layout(width="100%")),
                      "wb-app")
