"""Total and subtotal lines («Итого по …», «Всего ОО: …») are not data: set apart with one info
line, never reported as empty-cell errors; a school whose name starts with «Итог…» keeps its row."""
from __future__ import annotations

from support.bad_inputs import write_csv, write_xlsx
from support.ingest import ingest_project
from workbench import ingest
from workbench.config import parse_params

RES = {"Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
       "Участников": "n_participants", "2": "n_mark2", "3": "n_mark3", "4": "n_mark4",
       "5": "n_mark5"}
HDR = list(RES)


def test_total_lines_are_skipped_with_one_info_line(tmp_path):
    (tmp_path / "data").mkdir()
    write_csv(tmp_path / "data" / "vpr.csv", HDR, [
        ["1001", "2024", "Математика", "5", "20", "2", "8", "6", "4"],
        ["", "", "Итого по Району А", "", "20", "2", "8", "6", "4"],
        ["1002", "2024", "Математика", "5", "10", "1", "4", "3", "2"],
        ["Всего по региону", "", "", "", "30", "3", "12", "9", "6"]])
    res = ingest_project(tmp_path, {"results": {"path": "data/vpr.csv", "columns": RES,
                                                "constants": {"procedure": "ВПР"}}})
    acc = {i["path"]: i for i in res.inputs}["data/vpr.csv"]
    assert (acc["rows_read"], acc["rows_kept"], acc["rows_rejected"], acc["rows_totals"]) == \
        (2, 2, 0, 2)
    p = res.problems[res.problems["file"] == "data/vpr.csv"]
    assert list(p["severity"]) == ["info"]
    assert p["row"].iloc[0] == 3 and "пропущено строк итогов и подытогов: 2" in p["message"].iloc[0]
    assert sorted(res.tables["results"]["school_id"]) == ["1001", "1002"]


def test_a_school_named_like_a_total_keeps_its_row_and_registry_totals_go(tmp_path):
    (tmp_path / "data").mkdir()
    write_xlsx(tmp_path / "data" / "oo.xlsx", {"Лист1": [
        ["Реестр организаций"], ["Код ОО", "Наименование ОО", "Муниципалитет"],
        ["1001", "Итоговая школа-интернат", "Район А"], ["1002", "Школа 2", "Район Б"],
        ["Всего ОО: 2"]]})
    res = ingest.ingest_inputs(parse_params({"inputs": {"schools": {
        "path": "data/oo.xlsx", "columns": {"Код ОО": "school_id",
                                            "Наименование ОО": "school_name",
                                            "Муниципалитет": "municipality"}}}}, base_dir=tmp_path))
    assert list(res.tables["schools"]["school_name"]) == ["Итоговая школа-интернат", "Школа 2"]
    assert res.inputs[0]["rows_totals"] == 1 and res.inputs[0]["rows_rejected"] == 0
    assert "«Всего ОО: 2»" in res.problems["message"].iloc[0]
