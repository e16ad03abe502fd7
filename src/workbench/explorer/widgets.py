"""The explorer's own widgets (anywidget, ES modules in `static/`): a plotly chart whose figure
is widget state (redrawn in place by Plotly.react; clicks and lasso/box selections come back as
school codes), the sortable list table, the print button, and — in JupyterLab only — the
plotly.js library for the charts (the present server serves plotly.js as a cached file).

plotly's own FigureWidget is not used: it ships its 5 MB bundle in the state of every figure,
which made the first view and every redraw cost seconds.

Which plotly.js: evaluating the full 4.8 MB bundle was the main cost of a participant's first
view (issue 18: ≈3.4 s of it at 200 schools). A region of up to `explorer.webgl_above_schools` schools
(default 3,000) draws SVG markers (`scatter`), which the 1.2 MB basic bundle has and evaluates ≈5× faster; only a
larger run needs WebGL (`scattergl`) and so the full bundle. `static/plotly-basic.min.js` is
the npm package plotly.js-basic-dist-min 4.1.1 (MIT) — the plotly.js version the plotly package
ships — kept in the repository so that every page works offline, with every web address outside
its license comments removed (the topojson and cloud-editor defaults blanked, the logo link and
documentation links made plain text; a note at its end says so, tests/explorer/test_widgets.py
checks it).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import anywidget
import plotly
import traitlets as T

from workbench.explorer.data import SERVED_ENV

STATIC = Path(__file__).resolve().parent / "static"
PLOTLY_DIR = Path(plotly.__file__).resolve().parent / "package_data"  # plotly.min.js
FULL_BUNDLE, BASIC_BUNDLE = "plotly.min.js", "plotly-basic.min.js"
BUNDLE_DIRS = {FULL_BUNDLE: PLOTLY_DIR, BASIC_BUNDLE: STATIC}
STATIC_URL = "workbench/static/"  # relative to the server's base URL

IdsCallback = Callable[[list[str]], None]


def uses_webgl(n_points: int, webgl_above: int) -> bool:
    """Whether a chart of `n_points` schools draws WebGL markers (and needs the full bundle):
    SVG markers redraw 2,500 points within ~200 ms, WebGL is needed for tens of thousands."""
    return n_points > webgl_above


def plotly_bundle(webgl: bool) -> str:
    """The plotly.js file a page loads: the full bundle for WebGL, else the basic one."""
    return FULL_BUNDLE if webgl else BASIC_BUNDLE


def plotly_url(bundle: str = FULL_BUNDLE) -> str:
    """Where a chart loads plotly.js: the present server's cached file, or "" in JupyterLab
    (then the app carries a PlotlyLibrary widget)."""
    if not os.environ.get(SERVED_ENV):
        return ""
    base = os.environ.get("VOILA_BASE_URL") or "/"
    return base.rstrip("/") + "/" + STATIC_URL + bundle


class PlotlyChart(anywidget.AnyWidget):
    """A plotly figure as widget state; `on_click` / `on_select` get the school codes."""

    _esm = STATIC / "chart.js"
    figure = T.Dict().tag(sync=True)
    # the points of the view, sent once per filter: traces with `wb_index` take theirs from
    # here (figures.chart_points), so a threshold change sends only who is in which trace
    points = T.Dict().tag(sync=True)
    config = T.Dict().tag(sync=True)
    plotly_url = T.Unicode("").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._click: list[IdsCallback] = []
        self._select: list[IdsCallback] = []
        self.on_msg(self._handle)

    def on_click(self, callback: IdsCallback) -> None:
        self._click.append(callback)

    def on_select(self, callback: IdsCallback) -> None:
        self._select.append(callback)

    def _handle(self, _widget: Any, content: dict, _buffers: Any) -> None:
        kind, ids = content.get("type"), [str(x) for x in content.get("ids") or []]
        for cb in self._click if kind == "click" else self._select if kind == "select" else []:
            cb(ids)


class PlotlyLibrary(anywidget.AnyWidget):
    """plotly.js for the charts of a JupyterLab page (evaluated once in the page)."""

    _esm = STATIC / "library.js"
    source = T.Unicode("").tag(sync=True)

    @classmethod
    def create(cls, bundle: str = FULL_BUNDLE) -> "PlotlyLibrary":
        return cls(source=(BUNDLE_DIRS[bundle] / bundle).read_text(encoding="utf-8"))


class ListTable(anywidget.AnyWidget):
    """The list: `columns` [{key, label, kind}], `rows` [{id, cells}]; a header click sets
    `sort_key` / `sort_desc` (Python sorts), a row click calls `on_open(school_id)`."""

    _esm = STATIC / "table.js"
    columns = T.List().tag(sync=True)
    rows = T.List().tag(sync=True)
    sort_key = T.Unicode("").tag(sync=True)
    sort_desc = T.Bool(False).tag(sync=True)
    note = T.Unicode("").tag(sync=True)
    empty_text = T.Unicode("Нет школ, удовлетворяющих условиям.").tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._open: list[Callable[[str], None]] = []
        self.on_msg(self._handle)

    def on_open(self, callback: Callable[[str], None]) -> None:
        self._open.append(callback)

    def _handle(self, _widget: Any, content: dict, _buffers: Any) -> None:
        if content.get("type") == "open" and content.get("id"):
            for cb in self._open:
                cb(str(content["id"]))


class PrintButton(anywidget.AnyWidget):
    """«Печать»: the browser's print of the current view (print stylesheet in style.py)."""

    _esm = STATIC / "tools.js"
    label = T.Unicode("Печать").tag(sync=True)
