"""Readers, header matching, mapping and results shapes of workbench.ingest on files the tests
write (numbers checked against hand-worked values)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import ingest
from workbench.config import parse_params

SCH = "Код ОО;Наименование ОО;Муниципалитет\n1001;Школа 1;Район А\n1002;Школа 2;Район Б\n"
SCH_COLS = {"Код ОО": "school_id", "Наименование ОО": "school_name", "Муниципалитет": "municipality"}


def _project(tmp: Path, inputs: dict, **extra) -> ingest.IngestResult:
    (tmp / "data").mkdir(exist_ok=True)
    if not (tmp / "data" / "schools.csv").exists():
        (tmp / "data" / "schools.csv").write_text(SCH, encoding="utf-8")
    inputs = {"schools": {"path": "data/schools.csv", "columns": SCH_COLS}, **inputs}
    return ingest.ingest_inputs(parse_params({"inputs": inputs, **extra}, base_dir=tmp))


def test_cp1251_semicolon_decimal_comma_detected(tmp_path):
    (tmp_path / "data").mkdir()
    text = ("Код ОО;Учебный год;Доля малообеспеченных;Интернет, Мбит/с;Численность\n"
            "1001;2023/24;0,25;10,5;1\u00a0234\n1002;2023-2024;0,125;100;87\n")
    (tmp_path / "data" / "ctx.csv").write_bytes(text.encode("cp1251"))
    res = _project(tmp_path, {"context": {"path": "data/ctx.csv", "columns": {
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
    res = _project(tmp_path, {"context": {"path": "data/ctx.csv"}})
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
    res = _project(tmp_path, {"monitoring": {"path": "data/m.csv", "columns": {
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
    res = _project(tmp_path, {"results": {
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
    res = _project(tmp_path, {"risk_survey": {
        "path": "data/risk.xlsx", "header_row": 2,
        "columns": {"Код": "school_id", "Год": "year", "Фактор": "risk_factor", "Балл": "value"}}})
    assert res.tables["risk_survey"]["value"].tolist() == [0.5]


def test_parquet_and_glob_of_yearly_files(tmp_path):
    (tmp_path / "data").mkdir()
    for year, n2 in [(2022, 3), (2023, 1)]:
        pd.DataFrame({"school_id": ["1001", "1002"], "year": [year, year], "procedure": ["ОГЭ"] * 2,
                      "subject": ["Математика"] * 2, "grade": [9, 9], "n_participants": [30, 12],
                      "mean_score": [14.5, 11.0], "n_low": [n2, 0]}).to_parquet(
            tmp_path / "data" / f"oge_{year}.parquet")
    res = _project(tmp_path, {"results": {"path": "data/oge_*.parquet"}})
    r = res.tables["results"].sort_values(["year", "school_id"])
    assert r["year"].tolist() == [2022, 2022, 2023, 2023]
    assert r["share_low"].tolist() == pytest.approx([0.1, 0, 1 / 30, 0])
    assert r["n_mark2"].isna().all()
    assert [i["rows_read"] for i in res.inputs if i["table"] == "results"] == [2, 2]
    assert len({i["sha256"] for i in res.inputs}) == 3


def test_pct_marks_become_counts_and_share_only(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fis.csv").write_text(
        "Код ОО;Год;Предмет;Класс;Участников;2;3;4;5\n"
        "1001;2023;Русский язык;4;30;10,0;40,0;30,0;20,0\n", encoding="utf-8")
    (tmp_path / "data" / "share.csv").write_text(
        "Код ОО;Год;Предмет;Класс;Участников;Доля не преодолевших минимум\n"
        "1002;2023;Математика;11;40;0,05\n", encoding="utf-8")
    res = _project(tmp_path, {"results": [
        {"path": "data/fis.csv", "constants": {"procedure": "ВПР"}, "columns": {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
            "Участников": "n_participants", "2": "pct_mark2", "3": "pct_mark3", "4": "pct_mark4",
            "5": "pct_mark5"}},
        {"path": "data/share.csv", "constants": {"procedure": "ЕГЭ"}, "columns": {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
            "Участников": "n_participants", "Доля не преодолевших минимум": "share_low"}}]})
    r = res.tables["results"].set_index("school_id")
    assert r.loc["1001", ["n_mark2", "n_mark3", "n_mark4", "n_mark5"]].tolist() == [3, 12, 9, 6]
    assert r.loc["1001", "share_low"] == pytest.approx(0.1)
    assert r.loc["1002", "share_low"] == pytest.approx(0.05)
    assert r.loc["1002", "n_low"] == 2
    assert "pct_mark2" not in r.columns


def test_unmapped_columns_dropped_declared_indicator_kept(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "ctx.csv").write_text(
        "Код ОО;Год;ФИО директора;share_sport;Кружков\n1001;2023;Иванов И. И.;0,3;4\n",
        encoding="utf-8")
    res = _project(tmp_path, {"context": {"path": "data/ctx.csv", "columns": {
        "Код ОО": "school_id", "Год": "year", "Кружков": "n_clubs"}}},
        context_indicators={"share_sport": "favourable", "n_clubs": "favourable"})
    ctx = res.tables["context"]
    assert list(ctx.columns) == ["school_id", "year", "share_sport", "n_clubs"]
    assert ctx.iloc[0]["share_sport"] == 0.3 and ctx.iloc[0]["n_clubs"] == 4


def test_programme_yes_no_and_rural_flag(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p.csv").write_text(
        "Код ОО;Год;Участник;Куратор\n1001;2024/25;Да;Петрова\n1002;2024/25;нет;\n",
        encoding="utf-8")
    (tmp_path / "data" / "c.csv").write_text(
        "Код ОО;Год;Сельская\n1001;2024;да\n1002;2024;нет\n", encoding="utf-8")
    res = _project(tmp_path, {
        "programme": {"path": "data/p.csv", "columns": {"Код ОО": "school_id", "Год": "year",
                                                        "Участник": "participant",
                                                        "Куратор": "curator"}},
        "context": {"path": "data/c.csv", "columns": {"Код ОО": "school_id", "Год": "year",
                                                      "Сельская": "is_rural"}}})
    prog = res.tables["programme"]
    assert prog["participant"].tolist() == [True, False] and prog["year"].tolist() == [2024, 2024]
    assert prog["curator"].tolist()[0] == "Петрова" and prog["curator"].isna().tolist()[1]
    assert res.tables["context"]["is_rural"].tolist() == [1.0, 0.0]


def test_to_number_variants():
    s = pd.Series(["1 234,5", "1\u00a0234", "−3", "", "н/д", "12.5", "abc", None], dtype=object)
    vals, bad = ingest.to_number(s, ",")
    assert vals.tolist()[:3] == [1234.5, 1234.0, -3.0]
    assert np.isnan(vals.iloc[3]) and np.isnan(vals.iloc[4]) and vals.iloc[5] == 12.5
    assert bad.tolist() == [False, False, False, False, False, False, True, False]
    vals, bad = ingest.to_number(pd.Series(["1,234", "2,5"], dtype=object), ".")
    assert vals.iloc[0] == 1234 and bad.tolist() == [False, True]


TRICKY_TEXTS = ["  Школа  №1 ", "школа\u00a0№1", "-", "н/д", "", None, "N/A", "#Н/Д", "1001",
                "Ёлка", "a\tb", float("nan"), "NULL", "1\u202f001\u2009 \u3000"]


def test_text_long_column_same_as_short():
    """Long all-text columns go through Arrow; the result must equal the per-value path."""
    short = [ingest.to_text(pd.Series([v], dtype=object))[0].iloc[0] for v in TRICKY_TEXTS]
    assert short[:6] == ["Школа №1", "школа №1", None, None, None, None]
    for many in (False, True):  # ids (all distinct) and a low-cardinality column
        filler = [f"ID{i:06d}" if many else f"Предмет {i % 7}" for i in range(6000)]
        col = pd.Series(TRICKY_TEXTS + filler, dtype=object)
        long_vals, bad = ingest.to_text(col)
        got = long_vals.iloc[:len(TRICKY_TEXTS)].tolist()
        assert [None if pd.isna(v) else v for v in got] == \
            [None if pd.isna(v) else v for v in short], many
        assert long_vals.iloc[-1] == filler[-1] and not bad.any()


def test_category_and_header_like_on_long_columns():
    years = pd.Series(["2024/25", " 2023 ", "-", None, "двадцать"] * 2000, dtype=object)
    vals, bad = ingest.COERCERS[ingest.YEAR](years)
    assert vals.iloc[:5].tolist() == [2024, 2023, None, None, None]
    assert bad[:5].tolist() == [False, False, False, False, True] and bad.sum() == 2000
    ids = np.array([f"{i:08d}" for i in range(7000)] + ["Код  ОО", "КОД\u00a0оо", "код оо 2"],
                   dtype=object)
    flags = ingest._header_like(ids, ingest.norm_header("Код ОО"))
    assert flags.tolist()[-3:] == [True, True, False] and flags.sum() == 2


def test_detect_header_prefers_first_full_row():
    lookup = {"код оо": "school_id", "год": "year"}
    rows = [["Отчёт"], [], ["Код ОО", "Год"], ["Код ОО", "Год"], ["1", "2023"]]
    assert ingest.detect_header(rows, lookup, None, 30)[0] == 2
    assert ingest.detect_header(rows, lookup, 4, 30)[0] == 3


def test_pupil_level_aggregated_by_hand(tmp_path):
    """Marks: school 1001 grade 5 has marks 2,3,3,5 and one score-only pupil; 1002 has 4,4."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pupils.csv").write_text(
        "Код участника;Код ОО;Год;Процедура;Предмет;Класс;Отметка;Балл\n"
        "A1;1001;2023;ВПР;Математика;5;2;4\n"
        "A2;1001;2023;ВПР;Математика;5;3;8\n"
        "A3;1001;2023;ВПР;Математика;5;3;9\n"
        "A4;1001;2023;ВПР;Математика;5;5;15\n"
        "B1;1002;2023;ВПР;Математика;5;4;12\n"
        "B2;1002;2023;ВПР;Математика;5;4;13\n"
        "C1;1001;2023;ЕГЭ;Математика;11;;20\n"
        "C2;1001;2023;ЕГЭ;Математика;11;;30\n"
        "C3;1001;2023;ЕГЭ;Математика;11;;50\n", encoding="utf-8")
    res = _project(tmp_path, {"results": {"path": "data/pupils.csv", "columns": {
        "Код участника": "student_id", "Код ОО": "school_id", "Год": "year",
        "Процедура": "procedure", "Предмет": "subject", "Класс": "grade", "Отметка": "mark",
        "Балл": "score"}}}, ingest={"min_scores": {"ЕГЭ/Математика": 27}})
    r = res.tables["results"].set_index(["school_id", "procedure"])
    a = r.loc[("1001", "ВПР")]
    assert a["n_participants"] == 4
    assert [a[f"n_mark{k}"] for k in range(2, 6)] == [1, 2, 0, 1]
    assert a["mean_score"] == pytest.approx(9.0)
    assert a["sd_score"] == pytest.approx(np.std([4, 8, 9, 15], ddof=1))
    assert a["n_low"] == 1 and a["share_low"] == pytest.approx(0.25)
    b = r.loc[("1002", "ВПР")]
    assert (b["n_participants"], b["n_low"], b["n_mark4"]) == (2, 0, 2)
    e = r.loc[("1001", "ЕГЭ")]
    assert (e["n_participants"], e["n_low"]) == (3, 1)
    assert e["mean_score"] == pytest.approx(100 / 3) and np.isnan(e["n_mark2"])
    info = [i for i in res.inputs if i["table"] == "results"][0]
    assert (info["rows_read"], info["rows_kept"], info["rows_rejected"]) == (9, 9, 0)
    assert "student_id" not in res.tables["results"].columns
    assert not res.tables["results"].astype(str).isin(["A1", "B1", "C1"]).any().any()
