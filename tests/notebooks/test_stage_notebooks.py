"""Every stage notebook (01–05) as `workbench run` executes it with papermill on a small demo
region: each shows what it promises, no error, nothing from the internet in its HTML."""
from __future__ import annotations

import re

import pytest
from support.notebooks import errors, images, read, shown_text

pytestmark = pytest.mark.slow

NOTEBOOKS = ["01_ingest", "02_identify", "03_clusters", "04_monitoring", "05_briefings",
             "06_reports"]


@pytest.fixture(scope="module")
def executed(demo60_full_run):
    _, run_dir = demo60_full_run
    return {n: read(run_dir / "notebooks" / f"{n}.ipynb") for n in NOTEBOOKS}


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_ran_without_error_and_its_html_is_offline(demo60_full_run, executed, name):
    assert not errors(executed[name])
    html = (demo60_full_run[1] / "notebooks" / f"{name}.html").read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*src=[\"']https?://", html)
    assert not re.search(r"<link[^>]*href=[\"']https?://", html)
    assert "open_context" not in html  # no code is shown


def test_ingest_notebook(demo60_full_run, executed):
    text = shown_text(executed["01_ingest"])
    assert text.count("Plotly.newPlot") == 2  # schools per municipality, participants per year
    assert "Муниципалитет" in text and "Прочитано строк" in text
    proj, run_dir = demo60_full_run
    assert (run_dir / "data_quality.html").exists() and (proj / "outputs" / "store.duckdb").exists()


def test_identify_notebook(executed):
    text = shown_text(executed["02_identify"])
    assert text.count("Plotly.newPlot") >= 3  # funnel, social index, municipalities
    assert "Число школ по категориям и годам" in text and "Изменения списка ШНОР" in text


def test_clusters_notebook(executed):
    nb = executed["03_clusters"]
    text = shown_text(nb)
    # five interactive plotly figures; the cluster profiles are a static seaborn heatmap (PNG)
    assert text.count("Plotly.newPlot") >= 5
    pngs = images(nb)
    assert len(pngs) == 1 and len(pngs[0]) > 1000
    assert "Кластеры текущего года" in text and "Назначенные пары" in text


def test_monitoring_notebook(executed):
    text = shown_text(executed["04_monitoring"])
    assert "Plotly.newPlot" in text
    assert "Участники" in text  # the generated conclusion about the programme effect


def test_briefings_notebook(demo60_full_run, executed):
    text = shown_text(executed["05_briefings"])
    assert "Профили рисков (первые строки)" in text and "Технологические карты" in text
    assert "Справка" in text and "<iframe" in text  # the region page shown inline
    assert (demo60_full_run[1] / "briefings" / "region.html").exists()


def test_reports_notebook(executed):
    text = shown_text(executed["06_reports"])
    assert "Сводный аналитический отчёт" in text and "Выводы и рекомендации" in text
