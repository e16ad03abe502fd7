"""School codes as users have them: lost leading zeros (a CSV saved from Excel), numeric Excel
cells, spaces — matched to the school list with one warning line; a code that still matches
nothing stays a rejected row with its hint; two list codes with one key are not guessed."""
from __future__ import annotations

from support.bad_inputs import write_csv, write_xlsx
from workbench import ingest
from workbench.config import parse_params
from workbench.ingest.codes import code_key

SCH = {"Код ОО": "school_id", "Наименование ОО": "school_name", "Муниципалитет": "municipality"}
CTX = {"Код ОО": "school_id", "Год": "year", "Обучающихся": "n_students"}


def _project(tmp_path, schools, context_rows, xlsx=False):
    d = tmp_path / "data"
    d.mkdir(exist_ok=True)
    write_csv(d / "oo.csv", list(SCH), [[c, f"Школа {c}", "Район"] for c in schools])
    if xlsx:
        write_xlsx(d / "ctx.xlsx", {"Лист1": [list(CTX)] + context_rows})
    else:
        write_csv(d / "ctx.csv", list(CTX), context_rows)
    return ingest.ingest_inputs(parse_params({"inputs": {
        "schools": {"path": "data/oo.csv", "columns": SCH},
        "context": {"path": f"data/ctx.{'xlsx' if xlsx else 'csv'}", "columns": CTX}}},
        base_dir=tmp_path))


def test_code_key():
    assert code_key("010001") == code_key("10001") == code_key("10001.0") == "10001"
    assert code_key("01 0001") == "10001" and code_key("ОО-12") == "ОО-12"


def test_leading_zeros_lost_in_a_csv_are_restored(tmp_path):
    res = _project(tmp_path, ["010001", "010002", "010003"],
                   [["10001", "2024", "300"], ["10002", "2024", "200"], ["010003", "2024", "90"],
                    ["99999", "2024", "10"]])
    assert sorted(res.tables["context"]["school_id"]) == ["010001", "010002", "010003"]
    p = res.problems.set_index("severity")
    warn = p.loc["warning"]
    assert warn["column"] == "Код ОО" and warn["value"] == "10001" and warn["row"] == 2
    assert "коды школ в 2 строках" in warn["message"]
    assert "восстановлены ведущие нули — 2" in warn["message"] and "«10001» → «010001»" in warn["message"]
    err = p.loc["error"]
    assert err["value"] == "99999" and "школы с таким кодом нет в списке школ" in err["message"]
    assert res.inputs[1]["rows_kept"] == 3 and res.inputs[1]["rows_rejected"] == 1


def test_numeric_excel_cells_and_zeros_the_list_lacks(tmp_path):
    # the context workbook holds codes as numbers: 10001 for the list's «0010001»
    res = _project(tmp_path, ["0010001", "0010002"], [[10001, 2024, 300], [10002.0, 2024, 200]],
                   xlsx=True)
    assert sorted(res.tables["context"]["school_id"]) == ["0010001", "0010002"]
    assert "восстановлены ведущие нули — 2" in res.problems["message"].iloc[0]
    # the school list lost its zeros, the other table has them
    res = _project(tmp_path, ["10001", "10002"], [["010001", "2024", "300"]])
    assert res.tables["context"]["school_id"].tolist() == ["10001"]
    assert "убраны ведущие нули — 1" in res.problems["message"].iloc[0]


def test_ambiguous_codes_are_not_guessed_and_repair_can_be_off(tmp_path):
    res = _project(tmp_path, ["012", "12"], [["0012", "2024", "300"]])
    assert res.tables["context"].empty
    assert res.problems["severity"].tolist() == ["error"]
    (tmp_path / "data" / "ctx.csv").unlink()
    write_csv(tmp_path / "data" / "ctx.csv", list(CTX), [["10001", "2024", "300"]])
    params = {"inputs": {"schools": {"path": "data/oo.csv", "columns": SCH},
                         "context": {"path": "data/ctx.csv", "columns": CTX}},
              "ingest": {"repair_codes": False}}
    write_csv(tmp_path / "data" / "oo.csv", list(SCH), [["010001", "Школа", "Район"]])
    res = ingest.ingest_inputs(parse_params(params, base_dir=tmp_path))
    assert res.tables["context"].empty and res.problems["severity"].tolist() == ["error"]
