"""The explorer: an interactive view of a finished run (JupyterLab) and its seminar mode in
Voilà (issues 7, 18). Not a pipeline stage: it reads `outputs/<run_id>/tables/*.parquet`.

`load_run(run_dir_or_params)` reads a run into `ExplorerData`; `Explorer(data).widget` is the
ipywidgets app (filters, search, threshold sliders that re-derive the lists live through
`workbench.identify.classify`, the sortable list next to a scatter of social index against
result index whose lasso filters the list, a map, the school card from the passport's view
model, a monitoring view against cluster peers, the what-if xlsx, print, «режим презентации»);
`explorer_widget` is what notebooks/explore.ipynb displays; `serve(...)` starts the workbench's
Voilà on that notebook (`workbench present`).

Modules, in the order a run is shown: data (load a run), classify_adapter (re-derive the
lists), sliders, views (filters, counts, list), state (the screen in words), exports (xlsx),
card, monitoring_view, figures, widgets (anywidget chart, table, print), style, layout, app (the
Explorer and its events), server (`present`) and voila_app (the server process); escape is the
HTML escaping they share.
"""
from workbench.explorer.app import Explorer, explorer_widget
from workbench.explorer.classify_adapter import classify, identify_params_model, \
    make_identify_params
from workbench.explorer.data import RUN_DIR_ENV, SERVED_ENV, ExplorerData, load_run, \
    resolve_run_dir
from workbench.explorer.exports import WHAT_IF, whatif_xlsx_bytes
from workbench.explorer.layout import TAB_CARD, TAB_CHART, TAB_LIST, TAB_MAP, TAB_MONITORING
from workbench.explorer.server import serve, start_server, stop_server, voila_command, \
    voila_template_root, wait_until_up
from workbench.explorer.style import APP_TITLE
from workbench.explorer.views import ALL, LISTED, list_table

__all__ = ["ALL", "APP_TITLE", "Explorer", "ExplorerData", "LISTED", "RUN_DIR_ENV", "SERVED_ENV",
           "TAB_CARD", "TAB_CHART", "TAB_LIST", "TAB_MAP", "TAB_MONITORING", "WHAT_IF",
           "classify", "explorer_widget", "identify_params_model", "list_table", "load_run",
           "make_identify_params", "resolve_run_dir", "serve", "start_server", "stop_server",
           "voila_command", "voila_template_root", "wait_until_up", "whatif_xlsx_bytes"]
