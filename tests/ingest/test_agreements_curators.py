"""The optional tables of issue 16: partnership agreements (dates as office spreadsheets write
them) and curators (no school code), validated like every input."""
from __future__ import annotations

from support.ingest import ingest_project

AG = ("Код ОО;Код партнёра;Номер;Дата;Действует до;Статус\n"
      "1001;1002;12-П;01.09.2024;31.08.2026;действует\n"
      "1002;01001;13;2024-09-15;;расторгнуто\n"
      "1001;9999;14;31.02.2024;31.08.2026;действует\n")
AG_COLS = {"Код ОО": "school_id", "Код партнёра": "partner_id", "Номер": "number", "Дата": "date",
           "Действует до": "valid_until", "Статус": "status"}
CU = ("Код куратора;ФИО;Организация;Муниципалитет;Нагрузка\n"
      "К1;Иванова А. А.;ИРО;Район А;3\n"
      "К2;Петров Б. Б.;;Район Б;\n"
      "К3;Сидорова В. В.;ИРО;Район А;-2\n")
CU_COLS = {"Код куратора": "curator_id", "ФИО": "name", "Организация": "organisation",
           "Муниципалитет": "municipality", "Нагрузка": "capacity"}


def test_agreements_dates_codes_and_a_bad_date(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "agreements.csv").write_text(AG, encoding="utf-8")
    res = ingest_project(tmp_path, {"agreements": {"path": "data/agreements.csv", "columns": AG_COLS}})
    ag = res.tables["agreements"]
    # 31.02.2024 is no date: the row is rejected with file, row, column, value and what to do
    bad = res.problems[res.problems["column"] == "Дата"]
    assert len(bad) == 1 and int(bad["row"].iloc[0]) == 4 and bad["value"].iloc[0] == "31.02.2024"
    assert "ожидается дата" in bad["message"].iloc[0]
    assert bad["file"].iloc[0].endswith("agreements.csv")
    assert list(ag["school_id"]) == ["1001", "1002"]
    first = ag[ag["school_id"] == "1001"].iloc[0]
    assert (first["partner_id"], first["number"], first["date"], first["valid_until"]) == \
        ("1002", "12-П", "2024-09-01", "2026-08-31")
    # the partner code written without its leading zero is repaired like school codes
    assert ag.loc[ag["school_id"] == "1002", "partner_id"].iloc[0] == "1001"
    acc = [i for i in res.inputs if i["table"] == "agreements"][0]
    assert acc["rows_read"] == acc["rows_kept"] + acc["rows_rejected"] == 3


def test_curators_without_school_code_and_a_negative_capacity(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "curators.csv").write_text(CU, encoding="utf-8")
    res = ingest_project(tmp_path, {"curators": {"path": "data/curators.csv", "columns": CU_COLS}})
    cu = res.tables["curators"]
    assert list(cu["curator_id"]) == ["К1", "К2"]
    assert cu["capacity"].iloc[0] == 3.0 and cu["capacity"].isna().iloc[1]
    bad = res.problems[res.problems["column"] == "Нагрузка"]
    assert len(bad) == 1 and int(bad["row"].iloc[0]) == 4
