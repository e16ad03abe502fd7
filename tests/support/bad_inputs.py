"""A small clean project (schools, context, results, monitoring, risk survey, programme) and
the malformed variants of it used by tests/ingest/test_files.py.

Each case is a function `case(project: Project) -> Expect` that breaks one thing in the project
files or params, and says what ingest must report: a problem (file, row as in Excel, source
column, value, severity, message fragment), a DataError (fragments of its Russian message), or a
clean ingestion checked by a callback.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

SCHOOLS_HDR = ["Код ОО", "Наименование ОО", "Муниципалитет", "Широта"]
SCHOOLS = [["1001", "Школа № 1", "Район А", "55,1"], ["1002", "Школа № 2", "Район А", "55,2"],
           ["1003", "Школа № 3", "Район Б", "55,3"], ["1004", "Школа № 4", "Район Б", "55,4"],
           ["1005", "Школа № 5", "Район В", "55,5"]]
RES_HDR = ["Код ОО", "Год", "Процедура", "Предмет", "Класс", "Участников", "2", "3", "4", "5"]
RES = [["1001", "2023", "ВПР", "Математика", "5", "20", "2", "8", "6", "4"],
       ["1002", "2023", "ВПР", "Математика", "5", "10", "1", "4", "3", "2"],
       ["1003", "2023", "ВПР", "Математика", "5", "12", "3", "5", "3", "1"],
       ["1004", "2023", "ВПР", "Математика", "5", "8", "0", "2", "4", "2"]]
CTX_HDR = ["Код ОО", "Год", "Доля малообеспеченных", "Скорость интернета", "Обучающихся"]
CTX = [["1001", "2023", "0,25", "10,5", "350"], ["1002", "2023", "0,1", "50", "800"],
       ["1003", "2023", "0,4", "2", "60"]]
MON_HDR = ["Код ОО", "Год", "Этап", "Направление", "Показатель", "Значение"]
MON = [["1001", "2023", "входной", "результаты", "Доля 2", "0,3"],
       ["1001", "2023", "итоговый", "результаты", "Доля 2", "0,2"]]
RISK_HDR = ["Код ОО", "Год", "Фактор", "Значение"]
RISK = [["1001", "2023", "R01", "0,6"], ["1001", "2023", "R02", "0,2"]]
PROG_HDR = ["Код ОО", "Год", "Участник", "Партнёр"]
PROG = [["1001", "2023", "да", "1002"], ["1003", "2023", "нет", ""]]

COLUMNS = {
    "schools": {"Код ОО": "school_id", "Наименование ОО": "school_name",
                "Муниципалитет": "municipality", "Широта": "latitude"},
    "results": {"Код ОО": "school_id", "Год": "year", "Процедура": "procedure",
                "Предмет": "subject", "Класс": "grade", "Участников": "n_participants",
                "2": "n_mark2", "3": "n_mark3", "4": "n_mark4", "5": "n_mark5"},
    "context": {"Код ОО": "school_id", "Год": "year", "Доля малообеспеченных": "share_low_income",
                "Скорость интернета": "internet_mbps", "Обучающихся": "n_students"},
    "monitoring": {"Код ОО": "school_id", "Год": "year", "Этап": "wave", "Направление": "domain",
                   "Показатель": "indicator", "Значение": "value"},
    "risk_survey": {"Код ОО": "school_id", "Год": "year", "Фактор": "risk_factor",
                    "Значение": "value"},
    "programme": {"Код ОО": "school_id", "Год": "year", "Участник": "participant",
                  "Партнёр": "partner_school_id"},
}


def write_csv(path: Path, header: list[str] | None, rows: list[list[str]], sep: str = ";",
              encoding: str = "utf-8", pre: list[str] | None = None, post: str = "") -> None:
    lines = list(pre or [])
    if header is not None:
        lines.append(sep.join(header))
    lines += [sep.join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n" + post).encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]], hidden: tuple[str, ...] = ()
               ) -> None:
    """A workbook of the given sheets in order; the sheets named in `hidden` are hidden."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.save(path)


@dataclass
class Project:
    """Files of a small clean region in `root/data` and the params mapping them."""

    root: Path
    params: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        d = self.root / "data"
        d.mkdir(parents=True, exist_ok=True)
        write_csv(d / "schools.csv", SCHOOLS_HDR, SCHOOLS)
        write_csv(d / "results_2023.csv", RES_HDR, RES)
        write_csv(d / "context.csv", CTX_HDR, CTX, encoding="cp1251")
        write_csv(d / "monitoring.csv", MON_HDR, MON)
        write_csv(d / "risk.csv", RISK_HDR, RISK)
        write_csv(d / "programme.csv", PROG_HDR, PROG)
        self.params = {"inputs": {
            "schools": {"path": "data/schools.csv", "columns": dict(COLUMNS["schools"])},
            "results": [{"path": "data/results_*.csv", "columns": dict(COLUMNS["results"])}],
            "context": {"path": "data/context.csv", "encoding": "cp1251",
                        "columns": dict(COLUMNS["context"])},
            "monitoring": {"path": "data/monitoring.csv", "columns": dict(COLUMNS["monitoring"])},
            "risk_survey": {"path": "data/risk.csv", "columns": dict(COLUMNS["risk_survey"])},
            "programme": {"path": "data/programme.csv", "columns": dict(COLUMNS["programme"])},
        }}

    def path(self, name: str) -> Path:
        return self.root / "data" / name

    def spec(self, table: str) -> dict[str, Any]:
        s = self.params["inputs"][table]
        return s[0] if isinstance(s, list) else s


@dataclass
class Expect:
    kind: str                               # "problem" | "error" | "clean"
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    severity: str = "error"
    message: str = ""                       # fragment of the Russian message
    contains: list[str] = field(default_factory=list)   # DataError message fragments
    check: Callable[[Any], None] | None = None          # clean: callback on IngestResult


def _res_rows(**change: Any) -> list[list[str]]:
    rows = copy.deepcopy(RES)
    for (i, j), v in change.get("cells", {}).items():
        rows[i][j] = v
    return rows


CASES: dict[str, Callable[[Project], Expect]] = {}


def case(fn: Callable[[Project], Expect]) -> Callable[[Project], Expect]:
    CASES[fn.__name__] = fn
    return fn


# ------------------------------------------------------------------ encodings and structure
@case
def declared_utf8_but_cp1251(p: Project) -> Expect:
    p.spec("context")["encoding"] = "utf-8"
    return Expect("problem", "context.csv", 1, "", "utf-8", "warning", "прочитан как cp1251")


@case
def declared_cp1251_but_utf8(p: Project) -> Expect:
    write_csv(p.path("context.csv"), CTX_HDR, CTX, encoding="utf-8")
    return Expect("problem", "context.csv", None, "", "cp1251", "warning", "записан в UTF-8")


@case
def unknown_encoding_name(p: Project) -> Expect:
    p.spec("context")["encoding"] = "koi9-ru"
    return Expect("error", contains=["context.csv", "koi9-ru", "кодировка"])


@case
def merged_header_rows(p: Project) -> Expect:
    upper = RES_HDR[:6] + ["Распределение отметок", "", "", ""]
    lower = [""] * 6 + ["2", "3", "4", "5"]
    rows = _res_rows(cells={(1, 6): "-1"})
    write_csv(p.path("results_2023.csv"), None, [upper, lower] + rows)
    return Expect("problem", "results_2023.csv", 4, "2", "-1", "error", "отрицательным")


@case
def repeated_header_row(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, RES[:2] + [RES_HDR] + RES[2:])
    return Expect("problem", "results_2023.csv", 4, "Код ОО", "Код ОО", "error", "повтор строки заголовка")


@case
def empty_file(p: Project) -> Expect:
    p.path("risk.csv").write_bytes(b"")
    return Expect("error", contains=["risk.csv", "пуст"])


@case
def blank_lines_only(p: Project) -> Expect:
    p.path("risk.csv").write_bytes(b"\n\n  \n;;;\n")
    return Expect("error", contains=["risk.csv", "пуст"])


@case
def header_only_file(p: Project) -> Expect:
    write_csv(p.path("risk.csv"), RISK_HDR, [])
    return Expect("problem", "risk.csv", None, "", "", "warning", "нет строк с данными")


@case
def missing_sheet(p: Project) -> Expect:
    write_xlsx(p.path("schools.xlsx"), {"Школы": [SCHOOLS_HDR] + SCHOOLS})
    p.params["inputs"]["schools"].update(path="data/schools.xlsx", sheet="Лист5")
    return Expect("error", contains=["schools.xlsx", "Лист5", "«Школы»"])


@case
def sheet_index_out_of_range(p: Project) -> Expect:
    write_xlsx(p.path("schools.xlsx"), {"Школы": [SCHOOLS_HDR] + SCHOOLS})
    p.params["inputs"]["schools"].update(path="data/schools.xlsx", sheet=3)
    return Expect("error", contains=["schools.xlsx", "3", "«Школы»"])


@case
def hidden_first_sheet_read_by_number(p: Project) -> Expect:
    """Issue 17 item 15: `sheet: 0` reads a hidden service sheet; the error names it."""
    write_xlsx(p.path("schools.xlsx"), {"Служебный": [["Версия выгрузки", "3.1"]],
                                        "Школы": [SCHOOLS_HDR] + SCHOOLS}, hidden=("Служебный",))
    p.params["inputs"]["schools"].update(path="data/schools.xlsx", sheet=0)
    return Expect("error", contains=["schools.xlsx", "лист «Служебный» (скрытый лист книги)",
                                     "нет обязательного столбца «Код ОО»",
                                     "видимые листы: «Школы»", "(sheet: «Школы»)"])


@case
def hidden_sheet_with_data_is_read_with_a_warning(p: Project) -> Expect:
    write_xlsx(p.path("schools.xlsx"), {"Школы": [SCHOOLS_HDR] + SCHOOLS, "Пусто": [["—"]]},
               hidden=("Школы",))
    p.params["inputs"]["schools"].update(path="data/schools.xlsx", sheet="школы")
    return Expect("problem", "schools.xlsx", None, "", "Школы", "warning",
                  "прочитан лист «Школы» (sheet: «школы»), а он скрыт в книге; видимые листы: "
                  "«Пусто»")


@case
def not_really_xlsx(p: Project) -> Expect:
    p.path("schools.xlsx").write_text("это не книга Excel", encoding="utf-8")
    p.params["inputs"]["schools"]["path"] = "data/schools.xlsx"
    return Expect("error", contains=["schools.xlsx", "Excel"])


@case
def unknown_extension(p: Project) -> Expect:
    p.path("schools.docx").write_text("x", encoding="utf-8")
    p.params["inputs"]["schools"]["path"] = "data/schools.docx"
    return Expect("error", contains=["schools.docx", "формат"])


@case
def glob_matches_nothing(p: Project) -> Expect:
    p.spec("results")["path"] = "data/vpr_*.csv"
    return Expect("error", contains=["data/vpr_*.csv", "не найдено"])


@case
def file_not_found(p: Project) -> Expect:
    p.params["inputs"]["monitoring"]["path"] = "data/monitoring_2025.csv"
    return Expect("error", contains=["monitoring_2025.csv", "не найден"])


@case
def required_column_renamed(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), ["Код школы"] + RES_HDR[1:], RES)
    return Expect("error", contains=["results_2023.csv", "«Код ОО»", "school_id", "«Код школы»",
                                     "«Участников»"])


@case
def optional_column_renamed(p: Project) -> Expect:
    write_csv(p.path("context.csv"), CTX_HDR[:3] + ["Интернет"] + CTX_HDR[4:], CTX,
              encoding="cp1251")
    return Expect("problem", "context.csv", 1, "Скорость интернета", "", "warning", "не найден")


@case
def extra_cells_in_row(p: Project) -> Expect:
    rows = copy.deepcopy(RES)
    rows[2] = rows[2] + ["7", "лишнее"]
    write_csv(p.path("results_2023.csv"), RES_HDR, rows)
    return Expect("problem", "results_2023.csv", 4, "", "", "error", "больше значений")


@case
def title_rows_above_header_csv(p: Project) -> Expect:
    rows = _res_rows(cells={(0, 5): "-20"})
    write_csv(p.path("results_2023.csv"), RES_HDR, rows,
              pre=["Результаты ВПР 2023 года", "Демонстрационный край;;;;"])
    return Expect("problem", "results_2023.csv", 4, "Участников", "-20", "error", "отрицательным")


@case
def duplicate_header_column(p: Project) -> Expect:
    write_csv(p.path("risk.csv"), RISK_HDR + ["Год"], [r + ["2024"] for r in RISK])
    return Expect("problem", "risk.csv", 1, "Год", "Год", "warning", "дважды")


# ------------------------------------------------------------------ values
@case
def text_in_numeric_cell(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(1, 5): "десять"}))
    return Expect("problem", "results_2023.csv", 3, "Участников", "десять", "error", "ожидается число")


@case
def text_in_context_indicator(p: Project) -> Expect:
    rows = copy.deepcopy(CTX)
    rows[2][3] = "быстрый"
    write_csv(p.path("context.csv"), CTX_HDR, rows, encoding="cp1251")
    return Expect("problem", "context.csv", 4, "Скорость интернета", "быстрый", "error", "число")


@case
def negative_count(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(2, 6): "-3"}))
    return Expect("problem", "results_2023.csv", 4, "2", "-3", "error", "отрицательным")


@case
def marks_do_not_add_up(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(0, 9): "9"}))
    return Expect("problem", "results_2023.csv", 2, "Участников", "20", "error", "не равна числу участников")


@case
def share_in_percent(p: Project) -> Expect:
    rows = copy.deepcopy(CTX)
    rows[1][2] = "45"
    write_csv(p.path("context.csv"), CTX_HDR, rows, encoding="cp1251")
    return Expect("problem", "context.csv", 3, "Доля малообеспеченных", "45", "error",
                  "похоже, доля указана в процентах")


@case
def share_above_100(p: Project) -> Expect:
    rows = copy.deepcopy(CTX)
    rows[0][2] = "150"
    write_csv(p.path("context.csv"), CTX_HDR, rows, encoding="cp1251")
    return Expect("problem", "context.csv", 2, "Доля малообеспеченных", "150", "error",
                  "от 0 до 1")


@case
def risk_value_in_percent(p: Project) -> Expect:
    write_csv(p.path("risk.csv"), RISK_HDR, [RISK[0][:3] + ["60"], RISK[1]])
    return Expect("problem", "risk.csv", 2, "Значение", "60", "error", "в процентах")


@case
def duplicate_school_ids(p: Project) -> Expect:
    write_csv(p.path("schools.csv"), SCHOOLS_HDR, SCHOOLS + [["1002", "Школа-двойник", "Район А", "55"]])
    return Expect("problem", "schools.csv", 7, "Код ОО", "1002", "error", "строка 3")


@case
def results_for_unknown_school(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(3, 0): "9999"}))
    return Expect("problem", "results_2023.csv", 5, "Код ОО", "9999", "error", "нет в списке школ")


@case
def duplicate_result_rows(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, RES + [RES[1]])
    return Expect("problem", "results_2023.csv", 6, "Код ОО", "1002", "error", "повтор записи")


@case
def duplicate_across_yearly_files(p: Project) -> Expect:
    write_csv(p.path("results_2024.csv"), RES_HDR, [RES[0]])
    return Expect("problem", "results_2024.csv", 2, "school_id", "1001", "error", "results_2023.csv")


@case
def year_out_of_range(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(0, 1): "1899"}))
    return Expect("problem", "results_2023.csv", 2, "Год", "1899", "error", "диапазона")


@case
def year_not_understood(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(0, 1): "прошлый"}))
    return Expect("problem", "results_2023.csv", 2, "Год", "прошлый", "error", "не понят год")


@case
def school_year_as_2023_24(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(0, 1): "2023/24", (1, 1): "2023-2024"}))

    def check(res: Any) -> None:
        assert set(res.tables["results"]["year"]) == {2023}
        assert len(res.tables["results"]) == 4
    return Expect("clean", check=check)


@case
def nbsp_thousands(p: Project) -> Expect:
    rows = copy.deepcopy(CTX)
    rows[1][4] = "1\u00a0234"
    rows[2][4] = "2 345"
    write_csv(p.path("context.csv"), CTX_HDR, rows, encoding="cp1251")

    def check(res: Any) -> None:
        ctx = res.tables["context"].set_index("school_id")
        assert ctx.loc["1002", "n_students"] == 1234
        assert ctx.loc["1003", "n_students"] == 2345
        assert ctx.loc["1001", "share_low_income"] == 0.25
    return Expect("clean", check=check)


@case
def trailing_empty_rows(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, RES, post=";;;;;;;;;\n\n\n")

    def check(res: Any) -> None:
        info = [i for i in res.inputs if i["path"].endswith("results_2023.csv")][0]
        assert (info["rows_read"], info["rows_kept"], info["rows_empty"]) == (4, 4, 3)
        assert res.problems.empty
    return Expect("clean", check=check)


@case
def grade_out_of_range(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(2, 4): "13"}))
    return Expect("problem", "results_2023.csv", 4, "Класс", "13", "error", "класс")


@case
def required_cell_blank(p: Project) -> Expect:
    write_csv(p.path("results_2023.csv"), RES_HDR, _res_rows(cells={(3, 3): ""}))
    return Expect("problem", "results_2023.csv", 5, "Предмет", "", "error", "не заполнено")


@case
def unknown_wave(p: Project) -> Expect:
    write_csv(p.path("monitoring.csv"), MON_HDR, [MON[0][:2] + ["полугодовой"] + MON[0][3:], MON[1]])
    return Expect("problem", "monitoring.csv", 2, "Этап", "полугодовой", "error", "этап")


@case
def unknown_domain(p: Project) -> Expect:
    write_csv(p.path("monitoring.csv"), MON_HDR, [MON[0], MON[1][:3] + ["погода"] + MON[1][4:]])
    return Expect("problem", "monitoring.csv", 3, "Направление", "погода", "error", "направление")


@case
def monitoring_value_text(p: Project) -> Expect:
    write_csv(p.path("monitoring.csv"), MON_HDR, [MON[0], MON[1][:5] + ["высокий"]])
    return Expect("problem", "monitoring.csv", 3, "Значение", "высокий", "error", "число")


@case
def monitoring_of_a_non_participant(p: Project) -> Expect:
    """Issue 17 item 14: 1003 is «нет» in the programme of 2023 — set apart, not in dynamics."""
    write_csv(p.path("monitoring.csv"), MON_HDR, MON + [["1003"] + MON[0][1:]])

    def check(res: Any) -> None:
        assert set(res.tables["monitoring"]["school_id"]) == {"1001"}
    return Expect("problem", "monitoring.csv", 4, "Код ОО", "1003", "warning",
                  "не участвует в программе в 2023/24 учебном году", check=check)


@case
def participant_not_bool(p: Project) -> Expect:
    write_csv(p.path("programme.csv"), PROG_HDR, [PROG[0][:2] + ["может быть", ""], PROG[1]])
    return Expect("problem", "programme.csv", 2, "Участник", "может быть", "error", "«да» или «нет»")


@case
def unknown_partner_school(p: Project) -> Expect:
    write_csv(p.path("programme.csv"), PROG_HDR, [PROG[0][:3] + ["7777"], PROG[1]])
    return Expect("problem", "programme.csv", 2, "Партнёр", "7777", "warning", "школы-партнёра")


@case
def latitude_out_of_range(p: Project) -> Expect:
    write_csv(p.path("schools.csv"), SCHOOLS_HDR, SCHOOLS[:4] + [SCHOOLS[4][:3] + ["255"]])
    return Expect("problem", "schools.csv", 6, "Широта", "255", "error", "широта")


@case
def n_low_above_participants(p: Project) -> Expect:
    p.spec("results")["columns"]["Низкий"] = "n_low"
    write_csv(p.path("results_2023.csv"), RES_HDR + ["Низкий"],
              [r + [v] for r, v in zip(RES, ["2", "1", "30", "0"])])
    return Expect("problem", "results_2023.csv", 4, "Низкий", "30", "error", "больше числа участников")


@case
def pct_marks_not_100(p: Project) -> Expect:
    cols = {"Код ОО": "school_id", "Год": "year", "Процедура": "procedure", "Предмет": "subject",
            "Класс": "grade", "Участников": "n_participants", "%2": "pct_mark2",
            "%3": "pct_mark3", "%4": "pct_mark4", "%5": "pct_mark5"}
    p.spec("results")["columns"] = cols
    write_csv(p.path("results_2023.csv"), list(cols),
              [["1001", "2023", "ВПР", "Математика", "5", "20", "10", "40", "30", "20"],
               ["1002", "2023", "ВПР", "Математика", "5", "10", "10", "40", "30", "40"]])
    return Expect("problem", "results_2023.csv", 3, "%2", "10", "error", "100")


@case
def pupil_mark_out_of_range(p: Project) -> Expect:
    cols = {"ID": "student_id", "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
            "Класс": "grade", "Отметка": "mark"}
    p.spec("results").update(columns=cols, constants={"procedure": "ВПР"})
    write_csv(p.path("results_2023.csv"), list(cols),
              [["S1", "1001", "2023", "Математика", "5", "4"],
               ["S2", "1001", "2023", "Математика", "5", "6"],
               ["S3", "1001", "2023", "Математика", "5", "2"]])
    return Expect("problem", "results_2023.csv", 3, "Отметка", "6", "error", "отметка")


@case
def pupil_duplicate_redacted(p: Project) -> Expect:
    cols = {"ID": "student_id", "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
            "Класс": "grade", "Отметка": "mark"}
    p.spec("results").update(columns=cols, constants={"procedure": "ВПР"})
    write_csv(p.path("results_2023.csv"), list(cols),
              [["S1", "1001", "2023", "Математика", "5", "4"],
               ["S1", "1001", "2023", "Математика", "5", "3"]])
    return Expect("problem", "results_2023.csv", 3, "ID", "(скрыто)", "error", "повтор записи")


@case
def xlsx_school_ids_as_numbers(p: Project) -> Expect:
    rows = [[int(r[0]), r[1], r[2], float(r[3].replace(",", "."))] for r in SCHOOLS]
    write_xlsx(p.path("schools.xlsx"), {"Лист1": [["Справочник школ"], []] + [SCHOOLS_HDR] + rows})
    p.params["inputs"]["schools"]["path"] = "data/schools.xlsx"

    def check(res: Any) -> None:
        assert list(res.tables["schools"]["school_id"]) == ["1001", "1002", "1003", "1004", "1005"]
        assert len(res.tables["results"]) == 4 and res.problems.empty
    return Expect("clean", check=check)


@case
def xlsx_text_in_numeric_with_title(p: Project) -> Expect:
    rows = [[int(r[0]), int(r[1])] + r[2:4] + [int(x) for x in r[4:]] for r in RES]
    rows[2][5] = "двенадцать"
    write_xlsx(p.path("vpr.xlsx"), {"ВПР": [["Итоги ВПР"], ["", "", "сводная"], RES_HDR] + rows})
    p.spec("results")["path"] = "data/vpr.xlsx"
    return Expect("problem", "vpr.xlsx", 6, "Участников", "двенадцать", "error", "число")


@case
def pupil_rows_duplicate_school_results(p: Project) -> Expect:
    cols = {"ID": "student_id", "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
            "Класс": "grade", "Отметка": "mark"}
    p.params["inputs"]["results"].append({"path": "data/pupils.csv", "columns": cols,
                                          "constants": {"procedure": "ВПР"}})
    write_csv(p.path("pupils.csv"), list(cols),
              [["S1", "1001", "2023", "Математика", "5", "4"],
               ["S2", "1001", "2023", "Математика", "5", "3"],
               ["S3", "1005", "2023", "Математика", "5", "5"]])

    def check_counts(res: Any) -> None:
        info = [i for i in res.inputs if i["path"].endswith("pupils.csv")][0]
        assert (info["rows_read"], info["rows_kept"], info["rows_rejected"]) == (3, 1, 2)
    return Expect("problem", "pupils.csv", None, "school_id", "1001", "error", "results_2023.csv",
                  check=check_counts)


@case
def blank_line_in_middle_keeps_row_numbers(p: Project) -> Expect:
    rows = _res_rows(cells={(1, 7): "-4"})
    write_csv(p.path("results_2023.csv"), RES_HDR, [rows[0], [""], rows[1], rows[2], rows[3]])
    return Expect("problem", "results_2023.csv", 4, "3", "-4", "error", "отрицательным")


@case
def xlsx_blank_rows_and_trailing_rows(p: Project) -> Expect:
    rows = [[int(r[0]), int(r[1])] + r[2:4] + [int(x) for x in r[4:]] for r in RES]
    rows[3][1] = 2101
    write_xlsx(p.path("vpr.xlsx"), {"ВПР": [RES_HDR, rows[0], [], rows[1], rows[2], [None] * 10,
                                            rows[3], [], [None, None]]})
    p.spec("results")["path"] = "data/vpr.xlsx"

    def check(res: Any) -> None:
        info = [i for i in res.inputs if i["path"].endswith("vpr.xlsx")][0]
        assert (info["rows_read"], info["rows_kept"], info["rows_rejected"]) == (4, 3, 1)
    return Expect("problem", "vpr.xlsx", 7, "Год", "2101", "error", "диапазона", check=check)
