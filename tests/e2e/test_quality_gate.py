"""The quality gate on a whole run (the CLI in-process, without notebooks): a table over the
threshold stops `workbench run` with exit 3 and a message naming the file and the share, leaves
the previous outputs and `latest` untouched and keeps data_quality.html in the failed folder;
under the threshold the run publishes, says so on the console's last line and in a banner on
index.html, region.html and every municipality page."""
from __future__ import annotations

import os

import pandas as pd
import pytest
from typer.testing import CliRunner

from support.regions import write_region
from workbench.cli import app

pytestmark = pytest.mark.slow
LIGHT = {"clusters": {"n_bootstrap": 2, "n_init": 2}, "ingest": {"use_store": False}}


def _run(params):
    return CliRunner().invoke(app, ["run", str(params), "--no-notebooks"])


def _context(root, change):
    path = root / "data" / "контекст.csv"
    df = pd.read_csv(path, sep=";", encoding="cp1251", dtype=str)
    change(df)
    df.to_csv(path, sep=";", encoding="cp1251", index=False)


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate")
    params = write_region(root, extra_params=LIGHT)
    out = _run(params)
    assert out.exit_code == 0, out.output
    assert "Внимание" not in out.output          # nothing rejected: no warning line
    return root, params


def test_a_table_over_the_threshold_publishes_nothing(published):
    root, params = published
    outputs = root / "outputs"
    manifest = (outputs / "region" / "manifest.json").read_bytes()
    latest = os.readlink(outputs / "latest")
    original = (root / "data" / "контекст.csv").read_bytes()
    try:
        _context(root, lambda df: df.__setitem__("Код ОО", "ИНН" + df["Код ОО"]))
        out = _run(params)
    finally:
        (root / "data" / "контекст.csv").write_bytes(original)
    assert out.exit_code == 3, out.output
    text = out.output
    assert "Проверка качества данных не пройдена — результаты не опубликованы" in text
    assert "Таблица «контекст» (context): отклонено 108 из 108 строк (100,0%)" in text
    assert "Файл «data/контекст.csv»" in text and "школы с таким кодом нет" in text
    assert "Traceback" not in text
    assert (outputs / "region" / "manifest.json").read_bytes() == manifest
    assert os.readlink(outputs / "latest") == latest
    failed = outputs / ".failed-region"
    page = (failed / "data_quality.html").read_text(encoding="utf-8")
    assert 'class="gate"' in page and "отклонено 108 из 108" in page
    assert str(failed / "data_quality.html") in text
    failed_manifest = (failed / "manifest.json").read_text(encoding="utf-8")
    assert '"status": "failed"' in failed_manifest and '"rows_rejected": 108' in failed_manifest


def test_under_the_threshold_a_banner_and_the_last_line(published):
    root, params = published
    original = (root / "data" / "контекст.csv").read_bytes()
    try:
        _context(root, lambda df: df.__setitem__(
            "Численность обучающихся", ["много"] * 2 + list(df["Численность обучающихся"][2:])))
        out = _run(params)
    finally:
        (root / "data" / "контекст.csv").write_bytes(original)
    assert out.exit_code == 0, out.output
    last = out.output.strip().splitlines()[-1]
    assert last.startswith("Внимание: отклонено 2 из 1170 строк входных данных — см. качество "
                           "данных:") and last.endswith("data_quality.html")
    b = root / "outputs" / "region" / "briefings"
    pages = [b / "index.html", b / "region.html"] + sorted((b / "municipality").glob("*.html"))
    assert len(pages) == 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "Отклонено 2 из 1170 строк входных данных" in html, page.name
        assert "data_quality.html\">см. качество данных</a>" in html, page.name
    assert (b.parent / "data_quality.html").exists()
    school = next((b / "school").glob("*.html")).read_text(encoding="utf-8")
    assert "Отклонено 2 из" not in school         # the banner is for the overview pages
