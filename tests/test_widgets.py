"""The explorer's logic without a browser: thresholds → lists exactly as identify.classify says,
filters, school card, monitoring view, xlsx download, run resolution, notebook shape."""
from __future__ import annotations

import io
import os
import re
from pathlib import Path
from types import SimpleNamespace

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest

import widgets_support as ws
from workbench import widgets
from workbench.canon import LISTED_CATEGORIES, StrictModel, WorkbenchError

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return ws.write_run(tmp_path_factory.mktemp("wrun") / "synth", n_schools=600)


@pytest.fixture(scope="module")
def data(run_dir) -> widgets.ExplorerData:
    return widgets.load_run(run_dir)


@pytest.fixture()
def app(data) -> widgets.Explorer:
    return widgets.Explorer(data)


def _count(app: widgets.Explorer) -> int:
    return int(re.search(r"Список ШНОР: <b>(\d+)</b>", app.count.value).group(1))


def _listed_ids(df: pd.DataFrame, year: int) -> set[str]:
    d = df[(df["year"] == year) & df["category"].isin(LISTED_CATEGORIES)]
    return set(d["school_id"])


# ------------------------------------------------------------------ formatting
def test_russian_number_formatting():
    assert widgets.fmt_num(-1.234) == "\u22121,23"
    assert widgets.fmt_num(0.5, 1) == "0,5"
    assert widgets.fmt_num(float("nan")) == "—"
    assert widgets.fmt_pct(0.38) == "38%"
    assert widgets.fmt_ci(-1.9, -0.9, 1) == "\u22121,9…\u22120,9"


# ------------------------------------------------------------------ loading
def test_load_run_takes_names_from_schools_table(data, run_dir):
    raw = pd.read_parquet(run_dir / "tables" / "identification.parquet")
    assert "school_name" not in raw.columns  # names must come from tables/schools.parquet
    row = data.identification[data.identification["school_id"] == "S0007"].iloc[0]
    assert row["school_name"] == "Школа № 8"
    assert row["municipality"] == ws.MUNICIPALITIES[7 % len(ws.MUNICIPALITIES)]
    assert data.region == "Тестовый край"
    assert data.years == [2021, 2022, 2023, 2024, 2025]


def test_load_run_with_names_in_identification_and_no_schools_table(tmp_path):
    schools, ident = ws.make_identification(30)
    ident = ident.merge(schools, on="school_id")
    (tmp_path / "tables").mkdir()
    ident.to_parquet(tmp_path / "tables" / "identification.parquet")
    d = widgets.load_run(tmp_path)
    assert d.identification["school_name"].str.startswith("Школа №").all()
    assert len(d.schools) == 30
    app = widgets.Explorer(d)  # no clusters, partners, dynamics: still works
    assert app.cluster.options == (("Все кластеры", widgets.ALL),)
    app.show_school("S0001")
    assert "Школа № 2" in app.card.value


def test_resolve_run_dir_errors_are_russian(tmp_path):
    with pytest.raises(WorkbenchError, match="не найдена"):
        widgets.resolve_run_dir(tmp_path / "nope")
    with pytest.raises(WorkbenchError, match="workbench run"):
        widgets.resolve_run_dir(tmp_path)
    proj = tmp_path / "proj"
    (proj / "params").mkdir(parents=True)
    pfile = proj / "params" / "x.yaml"
    pfile.write_text("run_id: r1\ninputs:\n  schools: {path: data/s.csv}\n", encoding="utf-8")
    with pytest.raises(WorkbenchError, match=r"Сначала выполните расчёт: workbench run"):
        widgets.resolve_run_dir(pfile)
    ws.write_run(proj / "outputs" / "r1", n_schools=20)
    assert widgets.resolve_run_dir(pfile) == proj / "outputs" / "r1"


# ------------------------------------------------------------------ thresholds
def test_sliders_are_the_identify_thresholds(app):
    from workbench.identify import IdentifyParams

    assert widgets.identify_params_model() is IdentifyParams
    assert {"bottom_share", "persist_years", "min_n", "adverse_share"} <= set(app.sliders)
    # shares are shown and typed in percent; the params get the share back exactly
    assert app.sliders["bottom_share"].value == pytest.approx(IdentifyParams().bottom_share * 100)
    assert app.sliders["bottom_share"].description.endswith(", %")
    app.sliders["bottom_share"].value = 17
    assert app.current_params().bottom_share == 0.17
    assert app.sliders["min_n"].value == IdentifyParams().min_n  # counts stay counts


def test_slider_changes_list_exactly_as_classify_says(app, data):
    from workbench.identify import IdentifyParams, classify

    year = app.year.value
    base = _listed_ids(classify(data.identification, IdentifyParams()), year)
    assert set(app.listed["school_id"]) == base and _count(app) == len(base)

    app.sliders["bottom_share"].value = 25  # percent
    want = classify(data.identification, IdentifyParams(bottom_share=0.25))
    ids = _listed_ids(want, year)
    assert set(app.listed["school_id"]) == ids
    assert _count(app) == len(ids) > len(base)
    n_adv = int(((want["year"] == year) & (want["category"] == "low_results_adverse")).sum())
    assert f"ШНОР в НСУ: {n_adv}," in app.count.value
    assert f"вошли {len(ids - base)}" in app.changes.value

    app.sliders["persist_years"].value = 4
    want = classify(data.identification, IdentifyParams(bottom_share=0.25, persist_years=4))
    assert set(app.listed["school_id"]) == _listed_ids(want, year)
    assert _count(app) < len(ids)

    app.sliders["min_n"].value = 50  # small schools become insufficient_data
    want = classify(data.identification,
                    IdentifyParams(bottom_share=0.25, persist_years=4, min_n=50))
    assert set(app.listed["school_id"]) == _listed_ids(want, year)
    n_ins = int(((want["year"] == year) & (want["category"] == "insufficient_data")).sum())
    assert f"недостаточно данных: {n_ins}." in app.count.value

    app._on_reset()
    assert set(app.listed["school_id"]) == base
    assert "совпадает" in app.changes.value


def test_adapter_uses_a_stub_classify(data):
    class StubParams(StrictModel):
        bottom_share: float = 0.1

    calls = []

    def stub(ident: pd.DataFrame, p: StubParams) -> pd.DataFrame:
        calls.append(p.bottom_share)
        cut = ident.groupby("year")["result_index"].transform(lambda s: s.quantile(p.bottom_share))
        return ident.assign(category=np.where(ident["result_index"] <= cut, "low_results", "typical"))

    app = widgets.Explorer(data, classify_fn=stub, params_model=StubParams)
    assert list(app.sliders) == ["bottom_share"]
    n_year = int((data.identification["year"] == app.year.value).sum())
    assert _count(app) == round(0.1 * n_year)
    app.sliders["bottom_share"].value = 30  # percent
    assert calls[-1] == 0.3
    assert _count(app) == round(0.3 * n_year)
    assert (app.listed["category_ru"] == "ШНОР (низкие результаты обучения)").all()


# ------------------------------------------------------------------ filters
def test_municipality_filter_shows_only_that_municipality(app, data):
    muni = ws.MUNICIPALITIES[2]
    app.category.value = widgets.ALL
    app.municipality.value = muni
    assert set(app.listed["municipality"]) == {muni}
    n_muni = int(((data.identification["year"] == app.year.value)
                  & (data.identification["municipality"] == muni)).sum())
    assert len(app.listed) == n_muni == 100
    assert f"из {n_muni} школ" in app.count.value
    cells = re.findall(r"<tr><td>S\d{4}</td><td class=wrap>[^<]*</td><td class=wrap>([^<]*)</td>",
                       app.table.value)
    assert len(cells) == n_muni and set(cells) == {muni}
    # scatter (chart tab) shows the same schools
    app.tabs.selected_index = widgets.TAB_CHART
    assert sum(len(t.x) for t in app.scatter.data) == n_muni


def test_cluster_year_and_category_filters(app, data):
    year = 2023
    app.year.value = year
    app.cluster.value = 1
    cl = data.clusters
    ids = set(cl[(cl["year"] == year) & (cl["cluster"] == 1)]["school_id"])
    assert set(app.view["school_id"]) == ids
    app.category.value = "adverse_context"
    assert set(app.listed["category"]) <= {"adverse_context"}
    assert set(app.listed["school_id"]) <= ids
    assert (app.listed["year"] == year).all()


# ------------------------------------------------------------------ card and monitoring
def test_choosing_a_school_opens_its_card(app, data):
    row = app.listed.iloc[0]
    label = next(k for k, v in app._school_ids.items() if v == row["school_id"])
    app.school.value = label
    card = app.card.value
    assert row["school_name"] in card
    assert widgets.fmt_ci(row["result_ci_low"], row["result_ci_high"]) in card
    first_reason = row["reasons"].split(";")[0].strip()
    assert first_reason and widgets._esc(first_reason) in card
    assert "Категория: <b>" + row["category_ru"] in card
    assert "Школа-партнёр:" in card and "Профиль рисков" in card and "Кластер" in card
    assert card.count("<tr><td>20") == 5  # trend over the 5 years


def test_card_says_when_thresholds_changed_the_category(app):
    app.sliders["bottom_share"].value = 30
    new = app.listed[~app.listed["school_id"].isin(
        _listed_ids(app.base_classified, app.year.value))].iloc[0]
    app.show_school(new["school_id"])
    assert "Категория изменена порогами обозревателя" in app.card.value


def test_click_on_a_point_opens_the_card(app):
    app.tabs.selected_index = widgets.TAB_CHART
    trace = app.scatter.data[0]  # low_results_adverse
    sid = str(trace.customdata[0])
    app._on_point(trace, SimpleNamespace(point_inds=[0]), None)
    assert app.selected == sid
    assert f"код {sid}" in app.card.value
    assert app.tabs.selected_index == widgets.TAB_CARD


def test_monitoring_view_against_cluster_peers(app, data):
    year = app.year.value
    sid = app.listed["school_id"].iloc[0]
    app.show_school(sid)
    app.tabs.selected_index = widgets.TAB_MONITORING
    s = app.mon_series
    dyn, cl = data.dynamics, data.clusters
    cy = cl[cl["year"] == year]
    mycl = cy.loc[cy["school_id"] == sid, "cluster"].iloc[0]
    peers = set(cy.loc[cy["cluster"] == mycl, "school_id"]) - {sid}
    d = dyn[(dyn["year"] == year) & (dyn["indicator"] == s["indicator"])
            & dyn["school_id"].isin(peers)]
    assert s["n_peers"] == len(d) > 0
    assert s["peers"] == pytest.approx([d["entry"].mean(), d["intermediate"].mean(),
                                        d["final"].mean()])
    mine = dyn[(dyn["year"] == year) & (dyn["indicator"] == s["indicator"])
               & (dyn["school_id"] == sid)].iloc[0]
    assert list(app.mon_fig.data[0].y) == pytest.approx([mine["entry"], mine["intermediate"],
                                                        mine["final"]])
    assert list(app.mon_fig.data[0].x) == ["входной", "промежуточный", "итоговый"]
    assert "школы того же кластера" in app.mon_note.value
    other = [i for i in s["indicators"] if i != s["indicator"]][0]
    app.indicator.value = other
    assert app.mon_series["indicator"] == other


# ------------------------------------------------------------------ download
def test_xlsx_download_is_the_current_list(app):
    app.municipality.value = ws.MUNICIPALITIES[0]
    app._on_download()
    m = re.search(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.download.value)
    assert m and m.group(1) == f"список_{app.year.value}_Северный_район.xlsx"
    import base64

    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(m.group(2))))
    ws_ = wb.active
    header = [c.value for c in ws_[1]]
    assert header[:4] == ["Код ОО", "Наименование ОО", "Муниципалитет", "Категория"]
    ids = [r[0].value for r in ws_.iter_rows(min_row=2)]
    assert ids == widgets.list_table(app.listed)["Код ОО"].tolist() and len(ids) == len(app.listed)
    assert ws_.freeze_panes == "A2"


# ------------------------------------------------------------------ recompute time shown
def test_recompute_reports_its_time(app):
    """The widget shows how long a recompute took; the speed target itself is checked by
    benchmarks/run.py (explorer recompute), never by a timed test."""
    for v in (10, 15, 20):
        app.sliders["bottom_share"].value = v
        assert app.last_recompute_s > 0
        assert "пересчёт:" in app.timing.value and " мс" in app.timing.value


# ------------------------------------------------------------------ notebook, template, serve
def test_explore_notebook_shape():
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"] == {"name": "python3", "display_name": "Python 3",
                                         "language": "python"}
    assert "ШНОР" in nb.metadata["title"]
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    assert 'params_path = "../params/demo.yaml"' in tagged[0].source
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert "explorer_widget" in nb.cells[-1].source


def test_voila_template_has_no_cdn_and_command_is_local():
    tpl = widgets.voila_template_root() / "voila" / "templates" / "workbench" / "index.html.j2"
    assert tpl.exists() and "http" not in tpl.read_text(encoding="utf-8")
    cmd = widgets.voila_command(Path("x.ipynb"), 8899)
    assert "--Voila.ip=127.0.0.1" in cmd and "--no-browser" in cmd
    assert "--strip_sources=True" in cmd and "--template=workbench" in cmd


def test_explorer_widget_shows_russian_message_without_a_run(tmp_path, monkeypatch):
    monkeypatch.delenv(widgets.RUN_DIR_ENV, raising=False)
    w = widgets.explorer_widget(str(tmp_path / "nope"))
    assert "Папка результатов не найдена" in w.value
    monkeypatch.setenv(widgets.RUN_DIR_ENV, str(tmp_path / "nope2"))
    assert "nope2" in widgets.explorer_widget("ignored").value


@pytest.mark.slow
def test_explore_notebook_executes_and_displays_the_app(run_dir, monkeypatch):
    from nbclient import NotebookClient

    monkeypatch.setenv(widgets.RUN_DIR_ENV, str(run_dir))
    nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "notebooks")}}).execute()
    out = nb.cells[-1].outputs
    assert out and "application/vnd.jupyter.widget-view+json" in out[0]["data"]
    assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_reasons_follow_the_year_on_screen_after_a_threshold_change(app, data):
    """A recompute writes the reasons of the year on screen only; moving to another year
    writes that year's, equal to identify.classify over everything."""
    from workbench.identify import IdentifyParams, classify

    app.sliders["bottom_share"].value = 25
    want = classify(data.identification, IdentifyParams(bottom_share=0.25))
    for year in (app.year.options[-1], app.year.options[0]):
        year = year[1] if isinstance(year, tuple) else year
        app.year.value = year
        got = app.current[app.current["year"] == year].set_index("school_id")["reasons"]
        exp = want[want["year"] == year].set_index("school_id")["reasons"]
        assert (got.reindex(exp.index).fillna("") == exp.fillna("")).all()
        assert (got != "").sum() > 0
