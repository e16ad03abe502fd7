"""Years as users mean them: from the file name or the title row of yearly ФИС ОКО exports,
and calendar years of a spring procedure turned into school years (`year_is`)."""
from __future__ import annotations

import pytest

from support.bad_inputs import write_csv, write_xlsx
from support.ingest import ingest_project
from workbench import ingest
from workbench.config.inputs import YEAR_PATTERN
from workbench.ingest.years import year_in_text

COLS = {"Код ОО": "school_id", "Предмет": "subject", "Класс": "grade",
        "Участников": "n_participants", "2": "pct_mark2", "3": "pct_mark3", "4": "pct_mark4",
        "5": "pct_mark5"}
ROWS = [["Код ОО", "Предмет", "Класс", "Участников", "2", "3", "4", "5"],
        ["1001", "Математика", 5, 20, 10, 40, 30, 20]]


@pytest.mark.parametrize("text, found", [
    ("ВПР_2024.xlsx", (2024, False)), ("ОГЭ 2023-2024.csv", (2023, True)),
    ("vpr2023_24.xlsx", (2023, True)), ("ВПР_2024_05.xlsx", (2024, False)),
    ("Распределение групп баллов в % — ВПР 2025", (2025, False)), ("без года", None),
    ("file_12024.csv", None)])
def test_year_in_text(text, found):
    assert year_in_text(text, YEAR_PATTERN) == found


def _yearly(tmp_path, names):
    (tmp_path / "data").mkdir(exist_ok=True)
    for n in names:
        write_xlsx(tmp_path / "data" / n, {"Лист1": ROWS})


def test_one_glob_entry_covers_yearly_files_year_from_the_name(tmp_path):
    _yearly(tmp_path, ["ВПР_2024.xlsx", "ВПР_2025.xlsx"])
    spec = {"path": "data/ВПР_*.xlsx", "year_from": "filename", "columns": COLS,
            "constants": {"procedure": "ВПР"}}
    res = ingest_project(tmp_path, {"results": {**spec, "year_is": "spring_calendar"}})
    assert sorted(res.tables["results"]["year"]) == [2023, 2024]  # spring 2025 → 2024/25
    assert res.tables["results"]["n_mark2"].tolist() == [2.0, 2.0]  # 10 % of 20
    res = ingest_project(tmp_path, {"results": spec})
    assert sorted(res.tables["results"]["year"]) == [2024, 2025]


def test_year_from_the_title_row_and_a_pattern(tmp_path):
    (tmp_path / "data").mkdir()
    write_xlsx(tmp_path / "data" / "vpr.xlsx", {"Лист1": [["Итоги ВПР, весна 2025 г."]] + ROWS})
    spec = {"path": "data/vpr.xlsx", "year_from": "title", "year_is": "spring_calendar",
            "columns": COLS, "constants": {"procedure": "ВПР"}}
    assert ingest_project(tmp_path, {"results": spec}).tables["results"]["year"].tolist() == [2024]
    spec.update(year_from="filename", year_pattern=r"vpr_(\d{4})")
    with pytest.raises(ingest.DataError) as err:
        ingest_project(tmp_path, {"results": spec})
    assert "vpr.xlsx" in str(err.value) and "год не найден в имени файла" in str(err.value)
    assert "vpr.xlsx" in str(err.value).split(": ")[0]  # the message opens with the file's name


def test_spring_calendar_year_column_keeps_school_year_strings(tmp_path):
    (tmp_path / "data").mkdir()
    write_csv(tmp_path / "data" / "oge.csv", ["Код ОО", "Год", "Предмет", "Участников", "Балл"],
              [["1001", "2025", "Математика", "10", "15,5"],
               ["1002", "2023/24", "Математика", "12", "14"]])
    res = ingest_project(tmp_path, {"results": {
        "path": "data/oge.csv", "year_is": "spring_calendar",
        "columns": {"Код ОО": "school_id", "Год": "year", "Предмет": "subject",
                    "Участников": "n_participants", "Балл": "mean_score"},
        "constants": {"procedure": "ОГЭ", "grade": 9}}})
    got = res.tables["results"].set_index("school_id")["year"].to_dict()
    assert got == {"1001": 2024, "1002": 2023}


def test_historical_years_are_accepted_by_default(tmp_path):
    (tmp_path / "data").mkdir()
    write_csv(tmp_path / "data" / "ctx.csv", ["Код ОО", "Год", "Обучающихся"],
              [["1001", "1985/86", "300"], ["1002", "1949", "200"]])
    res = ingest_project(tmp_path, {"context": {"path": "data/ctx.csv", "columns": {
        "Код ОО": "school_id", "Год": "year", "Обучающихся": "n_students"}}})
    assert res.tables["context"]["year"].tolist() == [1985]
    assert "1950–2100" in res.problems["message"].iloc[0]
