"""The what-if xlsx cannot be taken for the official list: a header block that says so with the
run, the date, the thresholds (and the run's where they differ) and the filters; the columns of
lists.xlsx with numbers as numbers, in the order on screen; a file name that follows the
thresholds."""
from __future__ import annotations

import base64
import io
import re

import openpyxl

import support.explorer as ws
from workbench import explorer
from workbench.identify.lists import HEADERS
from workbench.identify.lists import N_PUPILS


def _sheet(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data)).active


def _table_start(sheet) -> int:
    return next(i for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)
                if r[0] == "Код ОО")


def test_download_is_the_list_on_screen_with_a_what_if_header(app):
    app.municipality.value = ws.MUNICIPALITIES[0]
    app.sliders["bottom_share"].value = 20
    app.table.sort_key = "name"
    app._on_download()
    m = re.search(r"download='([^']+)' href='data:[^;]+;base64,([^']+)'", app.download.value)
    assert m
    name = m.group(1)
    assert name == f"что_если_{app.year.value}_нижние20_severnyy-rayon.xlsx"
    sheet = _sheet(base64.b64decode(m.group(2)))
    head = {r[0]: r[1] for r in sheet.iter_rows(max_row=_table_start(sheet) - 1,
                                                 values_only=True) if r[0]}
    assert explorer.WHAT_IF in head
    assert head["Регион"] == "Тестовый край" and head["Расчёт (папка outputs/)"] == "synth"
    assert head["Учебный год"] == f"{app.year.value}/{str(app.year.value + 1)[-2:]}"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", head["Дата выгрузки"])
    assert head["Порог: Доля «нижней группы» по индексу результатов, %"] == "20 (в расчёте 10)"
    assert head["Порог: Лет подряд в нижней группе до включения в список"] == "1"
    assert head["Фильтр: муниципалитет"] == ws.MUNICIPALITIES[0]
    assert head["По сравнению с порогами расчёта"].startswith("вошли ")
    top = _table_start(sheet)
    assert [c.value for c in sheet[top]] == HEADERS  # the columns of lists.xlsx
    rows = list(sheet.iter_rows(min_row=top + 1))
    assert [r[0].value for r in rows] == app.table_df["Код ОО"].tolist()  # the screen's order
    assert len(rows) == len(app.listed) > 0
    col = {h: i for i, h in enumerate(HEADERS)}
    assert all(r[col["Доля «2»"]].data_type == "n" for r in rows
               if r[col["Доля «2»"]].value is not None)  # numbers, not «38%» texts
    assert all(isinstance(r[col["Устойчивый уровень"]].value, float) for r in rows
               if r[col[N_PUPILS]].value != "<5")
    assert sheet.freeze_panes == f"A{top + 1}"


def test_file_names_differ_by_thresholds_and_say_when_none_changed(app):
    assert app.xlsx_filename() == f"что_если_{app.year.value}_пороги_расчёта.xlsx"
    app.sliders["bottom_share"].value = 15
    first = app.xlsx_filename()
    app.sliders["min_n"].value = 20
    second = app.xlsx_filename()
    assert first != second and "нижние15" in second and "мин20" in second


def test_markup_and_formulas_from_the_data_stay_text(app):
    app.category.value = explorer.ALL
    hostile = '=HYPERLINK("http://x.example","1")<script>'
    app.table_df.loc[0, "Наименование ОО"] = hostile
    sheet = _sheet(app.xlsx_bytes())
    cell = sheet.cell(row=_table_start(sheet) + 1, column=2)
    assert cell.value == hostile and cell.data_type == "s"
