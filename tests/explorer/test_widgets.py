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
    """A region of up to `webgl_above_schools` schools loads the basic bundle (SVG markers), a larger
    one the full bundle (WebGL): from the present server, or in JupyterLab as a library widget."""
    monkeypatch.delenv(explorer.SERVED_ENV, raising=False)
    assert widgets.plotly_url() == ""
    app = explorer.Explorer(data)
    assert len(data.schools) <= app.p.webgl_above_schools and not app.webgl
    assert app.library is not None and "plotly.js (basic" in app.library.source[:200]
    assert app.scatter.plotly_url == ""
    assert {t["type"] for t in app.scatter.figure["data"]} == {"scatter"}
    monkeypatch.setenv(explorer.SERVED_ENV, "1")
    monkeypatch.setenv("VOILA_BASE_URL", "/base/")
    assert widgets.plotly_url() == "/base/workbench/static/plotly.min.js"
    app = explorer.Explorer(data)
    assert app.library is None
    assert app.scatter.plotly_url == "/base/workbench/static/plotly-basic.min.js"
    from workbench.config.explorer import ExplorerParams

    app = explorer.Explorer(data, ExplorerParams(webgl_above_schools=len(data.schools) - 1))
    assert app.webgl and app.scatter.plotly_url.endswith("/plotly.min.js")
    assert {t["type"] for t in app.scatter.figure["data"]} == {"scattergl"}
    for bundle, folder in widgets.BUNDLE_DIRS.items():
        assert (folder / bundle).read_text(encoding="utf-8")[:60].count("plotly.js") == 1


def test_the_basic_bundle_is_the_plotly_js_of_the_plotly_package():
    """The basic bundle kept in the repository is of the plotly.js version that the installed
    plotly ships (a different major version would be a plotly upgrade to follow)."""
    import re

    head = {b: (d / b).read_text(encoding="utf-8")[:200] for b, d in widgets.BUNDLE_DIRS.items()}
    versions = {b: re.search(r"v(\d+)\.\d+\.\d+", h).group(1) for b, h in head.items()}
    assert versions[widgets.BASIC_BUNDLE] == versions[widgets.FULL_BUNDLE], versions


def test_the_basic_bundle_has_no_web_address_to_reach():
    """Pages work offline: the kept basic bundle names no address plotly.js could fetch or open
    (its topojson and cloud-editor defaults are blank, the logo links nowhere); what is left are
    XML namespaces and the addresses inside its license comments."""
    import re

    text = (widgets.STATIC / widgets.BASIC_BUNDLE).read_text(encoding="utf-8")
    licences = {"http://getify.mit-license.org", "http://syntheti.cc",
                "https://github.com/voidqk/polybooljs"}
    urls = set(re.findall(r"https?://[^\s\"'`)]+", text))
    assert {u for u in urls if not u.startswith("http://www.w3.org/")} == licences
    assert 'topojsonURL:{valType:"string",noBlank:!0,dflt:""}' in text
    assert 'plotlyServerURL:{valType:"string",dflt:""}' in text
    assert 'r.href="#",r.target="_blank"' in text
