"""The ipywidgets explorer over a finished run: filters, search and threshold sliders re-derive
the lists live (through the classify adapter, with the per-subject reasons), then every view is
redrawn in place from the pure view functions; `explorer_widget` is what
notebooks/explore.ipynb displays."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Any, Callable, Iterator

import ipywidgets as W
import pandas as pd

from workbench.config.base import StrictModel
from workbench.config.explorer import ExplorerParams
from workbench.core.errors import WorkbenchError
from workbench.explorer import layout
from workbench.explorer.card import CardRenderer, card_css
from workbench.explorer.classify_adapter import identify_params_model
from workbench.explorer.data import RUN_DIR_ENV, ExplorerData, load_run
from workbench.explorer.escape import esc
from workbench.explorer.events import ExplorerEvents
from workbench.explorer.figures import (chart_config, chart_points, has_coordinates,
                                        hover_texts, map_figure, monitoring_figure,
                                        scatter_figure)
from workbench.explorer.layout import TAB_CARD, TAB_MAP, TAB_MONITORING
from workbench.explorer.live import LiveClassification
from workbench.explorer.monitoring_view import monitoring_note_html, monitoring_series
from workbench.explorer.sliders import slider_specs
from workbench.explorer.state import summary_html
from workbench.explorer.style import APP_TITLE, css
from workbench.explorer.views import (DEFAULT_SORT, changes_html, count_html,
                                      filter_category, filter_selection, filter_view, list_table,
                                      page_bounds, screen_columns, screen_rows, search_rows,
                                      sort_rows, VIEW_COLUMNS)
from workbench.explorer.widgets import (ListTable, PlotlyChart, PlotlyLibrary, PrintButton,
                                        plotly_bundle, plotly_url, uses_webgl)

HEADER_TITLE = "Обозреватель ШНОР"  # the page's own title is APP_TITLE
NO_SCHOOL = "<p>Выберите школу в списке или щёлкните точку на графике.</p>"


class Explorer(ExplorerEvents):
    """The ipywidgets explorer over ExplorerData; `.widget` is what a notebook displays.

    `classify_fn(identification, params)` re-derives categories (default: `classify`, the
    adapter over identify.classify); tests may pass a stub.
    """

    def __init__(self, data: ExplorerData, params: ExplorerParams | None = None,
                 classify_fn: Callable[[pd.DataFrame, Any], pd.DataFrame] | None = None,
                 params_model: type[StrictModel] | None = None) -> None:
        self.data = data
        known = {k: v for k, v in data.explorer_params.items() if k in ExplorerParams.model_fields}
        self.p = params or ExplorerParams.model_validate(known)
        self.live = LiveClassification(data, classify_fn)
        self.params_model = params_model or identify_params_model()
        self.base_params = self.params_model.model_validate(
            {k: v for k, v in data.identify_params.items() if k in self.params_model.model_fields})
        self.cards = CardRenderer(data, self.p.max_risks_in_card)
        self.last_recompute_s = 0.0
        self.rev = 0
        self.selection: set[str] | None = None  # codes selected on a chart (None: none)
        self.selected: str | None = None        # the school of the card
        self.page = 0                           # the page of the list on screen
        self._quiet = False
        self._build_controls()
        self._build_outputs()
        ident = data.identification
        self._hover = hover_texts(ident)  # the charts' texts, once per run
        self._options_key: str | None = None
        self._points_key: str | None = None
        self.base_classified = self.live.categories_at(self.base_params)
        # the view (one year, the filters) keeps the columns the views and charts read
        self._view_cols = [c for c in VIEW_COLUMNS if c in ident.columns]
        self.view = self.base_view = ident.iloc[:0]
        self._listed_idx = ident.index[:0]
        self._order, self._table_df = ident.index[:0], None  # the list's rows, in order
        self._observe()
        self.widget = self._layout()
        self.recompute()
        self._prefetch_cuts()

    # ------------------------------------------------------------------ building
    def _build_controls(self) -> None:
        self.year, self.municipality, self.cluster, self.category = \
            layout.filter_dropdowns(self.data)
        self.search = layout.search_box()
        self.slider_specs = {spec.name: spec for spec in slider_specs(self.params_model)}
        self.sliders: dict[str, Any] = layout.threshold_sliders(self.slider_specs,
                                                                self.base_params)
        self.reset = W.Button(description="Вернуть пороги расчёта", layout=W.Layout(width="auto"))
        self.school = layout.school_picker()
        self.indicator = layout.indicator_picker()
        self.present = W.ToggleButton(description="Режим презентации", value=False,
                                      layout=W.Layout(width="auto"))
        self.printer = PrintButton()
        self.clear_selection = W.Button(description="Сбросить выделение",
                                        layout=W.Layout(width="auto", display="none"))

    def _build_outputs(self) -> None:
        self.count, self.changes, self.summary = W.HTML(), W.HTML(), W.HTML()
        self.busy, self.timing, self.selection_info = W.HTML(), W.HTML(), W.HTML()
        self.table = ListTable(columns=screen_columns(), sort_key=DEFAULT_SORT)
        self.prev_page, self.next_page, self.pager = layout.pager()
        self.card = W.HTML(NO_SCHOOL)
        self.download_button = W.Button(description="Скачать xlsx", button_style="primary")
        self.download = W.HTML()
        self.webgl = uses_webgl(len(self.data.schools), self.p.webgl_above_schools)  # one plotly.js for every chart
        bundle = plotly_bundle(self.webgl)
        url, cfg = plotly_url(bundle), chart_config()
        self.library = PlotlyLibrary.create(bundle) if not url else None
        self.scatter = PlotlyChart(plotly_url=url, config=cfg)
        self.map = PlotlyChart(plotly_url=url, config=chart_config("шнор_карта"))
        self.mon_chart = PlotlyChart(plotly_url=url, config=chart_config("шнор_мониторинг"))
        self.map_note, self.mon_note = W.HTML(), W.HTML()
        self.mon_series: dict[str, Any] = monitoring_series(self.data, "", self.data.years[-1])
        self._map_dirty = self._mon_dirty = True
        self._school_ids: dict[str, str] = {}

    def _observe(self) -> None:
        for w in (self.year, self.municipality, self.cluster):
            w.observe(self._on_filter, names="value")
        self.category.observe(self._on_list_filter, names="value")
        self.search.observe(self._on_list_filter, names="value")
        for s in self.sliders.values():
            s.observe(self._on_threshold, names="value")
        self.table.observe(self._on_list_filter, names=["sort_key", "sort_desc"])
        self.table.on_open(self.open_card)
        self.prev_page.on_click(lambda _b: self._show_page(-1))
        self.next_page.on_click(lambda _b: self._show_page(1))
        self.reset.on_click(self._on_reset)
        self.school.observe(self._on_school, names="value")
        self.indicator.observe(self._on_indicator, names="value")
        self.download_button.on_click(self._on_download)
        self.present.observe(self._on_present, names="value")
        self.clear_selection.on_click(lambda _b: self.select(None))
        for chart in (self.scatter, self.map):
            chart.on_click(lambda ids: self.open_card(ids[0]) if ids else None)
            chart.on_select(self.select)

    def _layout(self) -> Any:
        style = W.HTML(css(self.p.font_size_px, self.p.presentation_scale, self.p.chart_width_px,
                           card_css()))
        title = W.HTML(f"<h2>{esc(HEADER_TITLE)} — {esc(self.data.region)} "
                       f"<span class='wb-note'>(расчёт {esc(self.data.run_id)})</span></h2>")
        tools = layout.with_class(W.HBox([self.busy, self.printer, self.present]), "wb-tools")
        header = layout.with_class(W.Box([title, tools], layout=W.Layout(
            display="flex", flex_flow="row wrap", justify_content="space-between",
            align_items="center", width="100%")), "wb-head")
        downloads = layout.with_class(W.HBox([self.download_button, self.download]),
                                      "wb-download-row")
        main = layout.main_row(
            [W.HBox([self.changes, downloads], layout=W.Layout(
                flex_flow="row wrap", justify_content="space-between", align_items="center")),
             W.HBox([self.selection_info, self.clear_selection]), self.table, self.pager],
            [W.HTML(layout.CHART_HINT), self.scatter])
        pages = [main, W.VBox([self.map_note, self.map]), W.VBox([self.school, self.card]),
                 W.VBox([self.indicator, self.mon_note, self.mon_chart])]
        self.tabs = layout.tab_pages(pages)
        self.tabs.observe(self._on_tab, names="selected_index")
        filters = [self.year, self.municipality, self.cluster, self.category, self.search]
        extra = [self.library] if self.library is not None else []
        return layout.app_box([style, header], filters, list(self.sliders.values()),
                              [W.HBox([self.reset, self.timing])],
                              [self.summary, self.count, *extra], self.tabs)

    def _prefetch_cuts(self) -> None:
        """The cuts of the bottom group at every position of its slider, nearest first, in
        the background (at national size a new share costs a bisection per year)."""
        spec, slider = self.slider_specs.get("bottom_share"), self.sliders.get("bottom_share")
        if spec is None or slider is None or self.live.re is None:
            return
        n = int(round((slider.max - slider.min) / slider.step)) + 1
        values = sorted((slider.min + i * slider.step for i in range(n)),
                        key=lambda v: abs(v - slider.value))
        self.live.re.precompute_cuts(self.base_params, [spec.from_slider(v) for v in values])

    # ------------------------------------------------------------------ state
    def threshold_values(self) -> dict[str, Any]:
        return {k: self.slider_specs[k].from_slider(s.value) for k, s in self.sliders.items()}

    def changed_thresholds(self) -> dict[str, Any]:
        """The thresholds that differ from the run's, in slider units (percent for shares)."""
        return {k: s.value for k, s in self.sliders.items()
                if self.slider_specs[k].from_slider(s.value) != getattr(self.base_params, k)}

    def current_params(self) -> StrictModel:
        """The identify params with the slider values applied (validated)."""
        return self.params_model.model_validate({**self.base_params.model_dump(),
                                                 **self.threshold_values()})

    @property
    def current(self) -> pd.DataFrame:
        """The classification at the sliders' thresholds (reasons of the rows shown so far)."""
        return self.live.current

    @contextmanager
    def busy_while(self, what: str = "Пересчёт…") -> Iterator[None]:
        """The busy mark (shown after 200 ms by CSS) while something is computed."""
        self.busy.value = f"<span class='wb-busy'>{esc(what)}</span>"
        try:
            yield
        finally:
            self.busy.value = ""

    def recompute(self) -> None:
        """Re-classify with the slider thresholds (reasons worded for the rows shown), refresh."""
        t0 = time.perf_counter()
        with self.busy_while():
            self.live.update(self.current_params())
            self.refresh()
        self.last_recompute_s = time.perf_counter() - t0

    def refresh(self) -> None:
        """Apply the filters to the current classification; redraw list, counts, charts, card."""
        self.view = filter_view(self.current[self._view_cols], self.year.value,
                                self.municipality.value,
                                self.cluster.value, self.data.clusters)
        self.base_view = base = filter_view(
            self.base_classified[["school_id", "year", "municipality", "category"]],
            self.year.value, self.municipality.value,
                           self.cluster.value, self.data.clusters)
        self.changes.value = changes_html(base, self.view)
        self.refresh_list()
        self._draw_charts()
        self._update_school_options()
        if self.selected is not None:
            self.show_school(self.selected)

    def refresh_list(self, page: int = 0) -> None:
        """The list in its order, one page of it on screen (its reasons worded), the headline
        and the summary for the category, search and selection."""
        listed = filter_category(self.view, self.category.value)
        idx = filter_selection(search_rows(listed, self.search.value), self.selection).index
        if self.table.sort_key == "reasons":
            self.live.word(idx)  # sorted by the reasons: all of them are needed
        order = sort_rows(self.current.loc[idx, self._view_cols], self.table.sort_key,
                          self.table.sort_desc, self.data.min_cell).index
        self.page, start, stop = page_bounds(len(order), page, self.p.max_table_rows)
        self.live.word(order[start:stop])
        self._order, self._table_df = order, None
        self._listed_idx = idx
        shown = list_table(self.current.loc[order[start:stop]], self.data.schools,
                           self.year.value, self.data.min_cell)
        rows, note = screen_rows(shown, len(order), start, self.p.max_table_rows,
                                 self.data.min_cell)
        with self.table.hold_sync():
            self.table.rows, self.table.note = rows, note
        self.pager.layout.display = "" if len(order) > self.p.max_table_rows else "none"
        self.prev_page.disabled, self.next_page.disabled = start == 0, stop >= len(order)
        self.count.value = count_html(self.view, idx)
        self.summary.value = summary_html(self)
        n = len(self.selection) if self.selection is not None else 0
        self.selection_info.value = (f"<span class='wb-note'>Выделено на графике: {n} шк.</span>"
                                     if self.selection is not None else "")
        self.clear_selection.layout.display = "none" if self.selection is None else ""
        self.download.value = ""

    @property
    def listed(self) -> pd.DataFrame:
        """The rows of the list (category, search and selection applied), every column."""
        return self.current.loc[self._listed_idx]

    @property
    def table_df(self) -> pd.DataFrame:
        """The whole list in the screen's order with the columns of lists.xlsx (built when
        asked: the download, a test), reasons as worded so far."""
        if self._table_df is None:
            self._table_df = list_table(self.current.loc[self._order], self.data.schools,
                                        self.year.value, self.data.min_cell)
        return self._table_df

    def _show_page(self, step: int) -> None:
        with self.busy_while("Обновляется…"):
            self.refresh_list(self.page + step)

    def _font(self) -> int:
        scale = self.p.presentation_scale if self.present.value else 1.0
        return round(self.p.font_size_px * scale)

    def _ui_key(self) -> str:
        return f"{self.year.value}|{self.municipality.value}|{self.cluster.value}"

    def _draw_charts(self) -> None:
        """The scatter at once (it is next to the list); the map when its tab is shown."""
        self.rev += 1
        if self._points_key != self._ui_key():  # the points change with the filters only
            self._points_key = self._ui_key()
            self.scatter.points = chart_points(self.view, "social_index", "result_index",
                                               self._hover)
        self.scatter.figure = scatter_figure(self.view, self._font(), self.p.chart_height_px,
                                             self.rev, self.selection, self._ui_key(),
                                             self._hover, indexed=True, webgl=self.webgl)
        self._map_dirty = True
        if self.tabs.selected_index == TAB_MAP:
            self._draw_map()

    def _draw_map(self) -> None:
        if not has_coordinates(self.data.schools) or "latitude" not in self.view.columns:
            self.map_note.value = ("<p class='wb-note'>В таблице школ нет координат (широта и "
                                   "долгота) — карта не строится.</p>")
            self.map.layout.display = "none"
        else:
            missing = int(self.view["latitude"].isna().sum())
            self.map_note.value = (f"<p class='wb-note'>Без координат: {missing} шк. (не показаны)."
                                   "</p>" if missing else "")
            self.map.figure = map_figure(self.view, self._font(), self.p.chart_height_px,
                                         self.rev, self.selection, self._ui_key(), self._hover,
                                         webgl=self.webgl)
        self._map_dirty = False

    def _update_school_options(self) -> None:
        """The picker's schools: those of the filters (the thresholds do not change them)."""
        if self._options_key == self._ui_key():
            return
        self._options_key = self._ui_key()
        v = self.view[["school_name", "school_id"]].sort_values("school_name")
        self._school_ids = {f"{n} ({i})": i for n, i in zip(v["school_name"], v["school_id"])}
        opts = tuple(self._school_ids)
        if tuple(self.school.options) != opts:
            keep = self.school.value if self.school.value in self._school_ids else ""
            self._quiet = True
            self.school.value = ""
            self.school.options = opts
            self.school.value = keep
            self._quiet = False

    def what_if(self) -> bool:
        return bool(self.changed_thresholds())

    def show_school(self, school_id: str) -> None:
        """Fill the card and the monitoring view of one school."""
        self.selected = school_id
        self.live.word_school(school_id, self.year.value)
        self.card.value = self.cards.html(self.current, school_id, self.year.value,
                                          self.what_if())
        self._update_monitoring()

    def open_card(self, school_id: str) -> None:
        """A click on a row or a point: the school's card, in front."""
        self.show_school(school_id)
        label = next((k for k, v in self._school_ids.items() if v == school_id), None)
        if label is not None:
            self._quiet = True
            self.school.value = label
            self._quiet = False
        self.tabs.selected_index = TAB_CARD

    def select(self, ids: list[str] | None) -> None:
        """A lasso / box selection on a chart ([] or None: cleared) filters the list."""
        self.selection = set(ids) if ids else None
        with self.busy_while("Обновляется…"):
            self.refresh_list()
            self._draw_charts()

    def _update_monitoring(self, indicator: str | None = None) -> None:
        if self.selected is None:
            return
        s = monitoring_series(self.data, self.selected, self.year.value,
                              indicator or self.indicator.value)
        self._quiet = True
        self.indicator.options = s["indicators"]
        self.indicator.value = s["indicator"]
        self._quiet = False
        self.mon_series = s
        self._mon_dirty = True
        if self.tabs.selected_index == TAB_MONITORING:
            self._draw_monitoring()
        self.mon_note.value = monitoring_note_html(s, self.data, self.view)

    def _draw_monitoring(self) -> None:
        name = self.current.loc[self.current["school_id"] == self.selected, "school_name"]
        name = str(name.iloc[0]) if len(name) else (self.selected or "")
        self.rev += 1
        self.mon_chart.figure = monitoring_figure(self.mon_series, esc(name), self._font(),
                                                  rev=self.rev)
        self._mon_dirty = False


def explorer_widget(source: str | os.PathLike | None = None) -> Any:
    """What explore.ipynb displays: the explorer for `source` (run folder or params; default:
    $WORKBENCH_RUN_DIR), or a Russian message when there is nothing to show."""
    source = os.environ.get(RUN_DIR_ENV) or source
    try:
        if not source:
            raise WorkbenchError("Не указан расчёт: задайте папку outputs/<run_id> или файл "
                                 "параметров (workbench present PARAMS.yaml).")
        return Explorer(load_run(source)).widget
    except WorkbenchError as exc:
        message = str(exc)
    except Exception as exc:  # a bug: one Russian line on the screen instead of a traceback
        message = (f"Внутренняя ошибка обозревателя: {type(exc).__name__}: {exc}. "
                   "Сообщите разработчикам.")
    return W.HTML(css() + f"<div class='wb-app'><h2>{esc(APP_TITLE)}</h2>"
                  f"<p class='wb-warn'>{esc(message)}</p></div>")
