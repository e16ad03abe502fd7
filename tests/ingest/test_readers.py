"""Readers on files the tests write: CSV encodings, separators and decimal marks detected,
Excel title rows, merged headers and a given header row (numbers checked against
hand-worked values)."""
from __future__ import annotations

import numpy as np
import pytest

from support.ingest import ingest_project


def test_cp1251_semicolon_decimal_comma_detected(tmp_path):
    (tmp_path / "data").mkdir()
    text = ("Код ОО;Учебный год;Доля малообеспеченных;Интернет, Мбит/с;Численность\n"
            "1001;2023/24;0,25;10,5;1\u00a0234\n1002;2023-2024;0,125;100;87\n")
    (tmp_path / "data" / "ctx.csv").write_bytes(text.encode("cp1251"))
    res = ingest_project(tmp_path, {"context": {"path": "data/ctx.csv", "columns": {
        "код оо": "school_id", "УЧЕБНЫЙ  ГОД": "year", "Доля малообеспеченных": "share_low_income",
        "Интернет, Мбит/с": "internet_mbps", "Численность": "n_students"}}})
    ctx = res.tables["context"]
    assert res.problems.empty, res.problems.to_string()
    assert ctx["year"].tolist() == [2023, 2023]
    assert ctx["share_low_income"].tolist() == [0.25, 0.125]
    assert ctx["internet_mbps"].tolist() == [10.5, 100.0]
    assert ctx["n_students"].tolist() == [1234.0, 87.0]


def test_utf8_sig_comma_separated(tmp_path):
    (tmp_path / "data").mkdir()
    text = "school_id,year,share_ovz\n1001,2022,0.05\n1002,2022,0.1\n"
    (tmp_path / "data" / "ctx.csv").write_bytes(text.encode("utf-8-sig"))
    res = ingest_project(tmp_path, {"context": {"path": "data/ctx.csv"}})
    assert res.tables["context"]["share_ovz"].tolist() == [0.05, 0.1]
    assert res.problems.empty


@pytest.mark.parametrize("sep", ["\t", "|", ";", ","])
def test_separator_detection(tmp_path, sep):
    (tmp_path / "data").mkdir()
    lines = ["Код ОО", "Год", "Показатель Ёмкость", "Этап", "Направление", "Значение"]
    rows = [["1001", "2023", "x", "Входной", "Управление", "1.5"],
            ["1002", "2023", "x", "итоговый", "СРЕДА", "2"]]
    (tmp_path / "data" / "m.csv").write_text(
        "\n".join(sep.join(r) for r in [lines] + rows) + "\n", encoding="utf-8")
    res = ingest_project(tmp_path, {"monitoring": {"path": "data/m.csv", "columns": {
        "код  оо": "school_id", "год": "year", "показатель емкость": "indicator", "этап": "wave",
        "направление": "domain", "значение": "value"}}})
    mon = res.tables["monitoring"]
    assert mon["wave"].tolist() == ["entry", "final"]
    assert mon["domain"].tolist() == ["management", "environment"]
    assert mon["value"].tolist() == [1.5, 2.0]
    assert mon["higher_is_better"].tolist() == [True, True]


def test_xlsx_title_row_and_merged_header(tmp_path):
    import openpyxl

    (tmp_path / "data").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Итоги"
    ws.append(["Результаты ВПР по математике, 2024 год"])
    ws.append([])
    ws.append(["Код ОО", "Класс", "Кол-во участников", "Распределение отметок", None, None, None])
    ws.append([None, None, None, 2, 3, 4, 5])
    ws.merge_cells("D3:G3")
    ws.append([1001, 5, 20, 2, 8, 6, 4])
    ws.append([1002, "6 класс", 10, 1, 4, 3, 2])
    wb.create_sheet("Пояснения")
    wb.save(tmp_path / "data" / "vpr_2024.xlsx")
    res = ingest_project(tmp_path, {"results": {
        "path": "data/vpr_*.xlsx", "sheet": "итоги",
        "columns": {"Код ОО": "school_id", "Класс": "grade", "Кол-во участников": "n_participants",
                    "2": "n_mark2", "3": "n_mark3", "4": "n_mark4", "5": "n_mark5"},
        "constants": {"year": "2024/25", "procedure": "впр", "subject": "Математика"}}})
    r = res.tables["results"]
    assert res.problems.empty, res.problems.to_string()
    assert r["school_id"].tolist() == ["1001", "1002"]
    assert r["grade"].tolist() == [5, 6]
    assert r["year"].tolist() == [2024, 2024] and set(r["procedure"]) == {"ВПР"}
    assert r["n_low"].tolist() == [2, 1]
    assert r["share_low"].tolist() == pytest.approx([0.1, 0.1])
    assert r["n_participants"].dtype == np.int64


def test_xlsx_header_row_override(tmp_path):
    import openpyxl

    (tmp_path / "data").mkdir()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["school_id", "year", "risk_factor", "value"])   # a decoy row
    ws.append(["Код", "Год", "Фактор", "Балл"])
    ws.append(["1001", 2023, "R01", 0.5])
    wb.save(tmp_path / "data" / "risk.xlsx")
    res = ingest_project(tmp_path, {"risk_survey": {
        "path": "data/risk.xlsx", "header_row": 2,
        "columns": {"Код": "school_id", "Год": "year", "Фактор": "risk_factor", "Балл": "value"}}})
    assert res.tables["risk_survey"]["value"].tolist() == [0.5]
