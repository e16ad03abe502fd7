"""Names with HTML, quotes, newlines and formula starts render as text everywhere (issue 9, item 5).

A small demo region is rewritten so that every school name and one monitoring indicator are
hostile, then the real pipeline runs (without notebooks) and every place a user reads is checked:
briefings, data_quality.html, lists.xlsx, the technological-map workbooks and the explorer card.
"""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from workbench import demo, explorer, pipeline

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"

pytestmark = pytest.mark.slow


def _hostile_name(i: int) -> str:
    return f'=HYPERLINK("http://x.example","{i}"){SCRIPT} «Школа» "№{i}"\nвторая строка'


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    proj = tmp_path_factory.mktemp("hostile")
    data = proj / "data" / "demo"
    demo.write_demo(data, proj / "params" / "demo.yaml", n_schools=60, seed=3)
    schools = pd.read_excel(data / "schools.xlsx", sheet_name="ОО", dtype=str, engine="calamine")
    schools["Наименование ОО"] = [_hostile_name(i) for i in range(len(schools))]
    # as a user's Excel holds it: text cells, even the ones starting with «=»
    with pd.ExcelWriter(data / "schools.xlsx", engine="xlsxwriter", engine_kwargs={
            "options": {"strings_to_formulas": False, "strings_to_urls": False}}) as xw:
        schools.to_excel(xw, sheet_name="ОО", index=False)
    mon_path = data / "monitoring.csv"  # UTF-8 with BOM, ';', decimal comma
    mon = pd.read_csv(mon_path, sep=";", dtype=str, encoding="utf-8-sig")
    first = mon["Показатель"].iloc[0]
    mon["Показатель"] = mon["Показатель"].replace(first, f'{IMG} "{first}"')
    mon.to_csv(mon_path, sep=";", index=False, encoding="utf-8-sig")
    return pipeline.run(proj / "params" / "demo.yaml", use_notebooks=False)


def test_briefings_and_reports_show_hostile_text_as_text(run_dir):
    pages = list((run_dir / "briefings").rglob("*.html")) + [run_dir / "data_quality.html"]
    assert len(pages) > 60
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert SCRIPT not in html, page
        assert IMG not in html, page
    passports = list((run_dir / "briefings" / "school").glob("*.html"))
    sample = passports[0].read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in sample
    escaped_img = "&lt;img src=x onerror=alert(2)&gt;"
    assert any(escaped_img in p.read_text(encoding="utf-8") for p in passports), \
        "the hostile monitoring indicator is not shown anywhere"


def _text_cells(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
                    yield cell


def test_xlsx_keeps_formula_like_names_as_text(run_dir):
    books = [run_dir / "lists.xlsx", *(run_dir / "briefings" / "tech_maps").glob("*.xlsx")]
    assert len(books) > 1
    seen = 0
    for book in books:
        for cell in _text_cells(book):
            seen += 1
            assert cell.data_type == "s", f"{book.name}!{cell.coordinate} became a formula"
            assert cell.hyperlink is None
    assert seen > 0, "no school name reached the xlsx files"


def test_explorer_card_escapes_the_name(run_dir):
    app = explorer.Explorer(explorer.load_run(run_dir))
    label = next(iter(app._school_ids))
    app.school.value = label
    card = app.card.value
    assert SCRIPT not in card and "&lt;script&gt;" in card
    app.category.value = explorer.ALL  # every hostile name in the list and its what-if xlsx
    names = [t for r in app.table.rows for t in r["cells"]]  # the table widget sets them as text
    assert any(SCRIPT in t for t in names)
    from workbench.explorer.figures import resolve

    hover = [t for tr in resolve(app.scatter.figure, app.scatter.points) for t in tr["text"]]
    assert hover and not any(SCRIPT in t for t in hover)  # plotly reads tags: escaped
    tmp = run_dir.parent / "explorer.xlsx"
    tmp.write_bytes(app.xlsx_bytes())
    cells = list(_text_cells(tmp))
    assert cells and all(c.data_type == "s" for c in cells)
