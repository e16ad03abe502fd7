"""The explorer's event handlers and its what-if download, as a mixin of `app.Explorer`: each
handler reads the widgets and calls the explorer's redraws (busy indicator while it works)."""
from __future__ import annotations

from typing import Any

from workbench.core.formatting import fmt_num
from workbench.explorer import layout
from workbench.explorer.exports import download_link_html, whatif_xlsx_bytes
from workbench.explorer.layout import TAB_MAP, TAB_MONITORING
from workbench.explorer.state import export_name_and_header
from workbench.explorer.views import ALL


class ExplorerEvents:
    """Handlers wired by `Explorer._observe`; the state they use is the Explorer's."""

    def _on_filter(self, change: dict) -> None:
        if self._quiet:
            return
        with self.busy_while():
            if change["owner"] is self.year:
                self._quiet = True
                self.cluster.options = layout.cluster_options(self.data.clusters,
                                                              self.year.value)
                self.cluster.value = ALL
                self._quiet = False
            self.selection = None
            self.refresh()

    def _on_list_filter(self, _change: dict) -> None:
        with self.busy_while("Обновляется…"):
            self.refresh_list()

    def _on_threshold(self, _change: dict) -> None:
        if not self._quiet:
            self.recompute()
            self.timing.value = (f"<span class='wb-note'>пересчёт: "
                                 f"{fmt_num(self.last_recompute_s * 1000, 0)} мс</span>")

    def _on_reset(self, _btn: Any = None) -> None:
        self._quiet = True
        for name, s in self.sliders.items():
            s.value = self.slider_specs[name].to_slider(getattr(self.base_params, name))
        self._quiet = False
        self.recompute()

    def _on_school(self, change: dict) -> None:
        sid = self._school_ids.get(change["new"])
        if sid is not None and not self._quiet:
            self.show_school(sid)

    def _on_tab(self, change: dict) -> None:
        if change["new"] == TAB_MAP and self._map_dirty:
            self._draw_map()
        elif change["new"] == TAB_MONITORING and self._mon_dirty:
            self._draw_monitoring()

    def _on_indicator(self, change: dict) -> None:
        if not self._quiet:
            self._update_monitoring(change["new"])

    def _on_present(self, change: dict) -> None:
        (self.widget.add_class if change["new"] else self.widget.remove_class)("wb-present")
        self._draw_charts()
        self._mon_dirty = True
        if self.tabs.selected_index == TAB_MONITORING:
            self._draw_monitoring()

    def _on_download(self, _btn: Any = None) -> None:
        with self.busy_while("Готовится файл…"):
            name, data = self.xlsx_filename(), self.xlsx_bytes()
            self.download.value = download_link_html(data, name)

    def xlsx_bytes(self) -> bytes:
        """The what-if workbook of the list on screen (header block + the lists.xlsx columns),
        every row's reasons worded."""
        _name, header = export_name_and_header(self)
        table = self.table_df
        if self.live.word(self._order):
            by_code = self.current.loc[self._order].set_index("school_id")["reasons"]
            table["Основания"] = table["Код ОО"].map(by_code).fillna("").astype(str)
        return whatif_xlsx_bytes(table, header, self.year.value)

    def xlsx_filename(self) -> str:
        return export_name_and_header(self)[0]

