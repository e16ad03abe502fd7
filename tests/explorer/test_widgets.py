"""The explorer's own widgets: chart events come back as school codes, a row click opens a
school, plotly.js comes from the present server or, in JupyterLab, from one library widget."""
from __future__ import annotations

from workbench import explorer
from workbench.explorer import widgets


def test_chart_messages_reach_the_callbacks():
    chart = widgets.PlotlyChart()
    clicks, selections = [], []
    chart.on_click(clicks.append)
    chart.on_select(selections.append)
    chart._handle(chart, {"type": "click", "ids": [101]}, None)
    chart._handle(chart, {"type": "select", "ids": ["a", "b"]}, None)
    chart._handle(chart, {"type": "other", "ids": ["z"]}, None)
    assert clicks == [["101"]] and selections == [["a", "b"]]


def test_table_row_click_opens_a_school():
    table = widgets.ListTable()
    opened = []
    table.on_open(opened.append)
    table._handle(table, {"type": "open", "id": "0101001"}, None)
    table._handle(table, {"type": "open"}, None)
    assert opened == ["0101001"]


def test_plotly_comes_from_the_server_or_from_the_library_widget(monkeypatch, data):
    monkeypatch.delenv(explorer.SERVED_ENV, raising=False)
    assert widgets.plotly_url() == ""
    app = explorer.Explorer(data)
    assert app.library is not None and "Plotly" in app.library.source[:5000]
    assert app.scatter.plotly_url == ""
    monkeypatch.setenv(explorer.SERVED_ENV, "1")
    monkeypatch.setenv("VOILA_BASE_URL", "/base/")
    assert widgets.plotly_url() == "/base/workbench/static/plotly.min.js"
    app = explorer.Explorer(data)
    assert app.library is None and app.scatter.plotly_url.endswith("plotly.min.js")
    assert (widgets.PLOTLY_DIR / "plotly.min.js").exists()


def test_widget_modules_write_text_not_markup():
    table_js = (widgets.STATIC / "table.js").read_text(encoding="utf-8")
    assert "innerHTML" not in table_js and "textContent" in table_js
    for name in ("chart.js", "table.js", "tools.js", "library.js"):
        assert "http" not in (widgets.STATIC / name).read_text(encoding="utf-8")
