"""The support cycle after the list, added to a region of `support.regions`: partnership
agreements (an Excel register with a title row, statuses in capitals, one terminated and one
expired agreement), the curators' roster (Excel), the expert group's decisions (CSV with «;»,
school-year strings) and one school's plan of measures sent back as a workbook — each in a shape
an office keeps, written here independently of `workbench.demo`.

The numbers the tests expect are worked out by hand in the docstrings of the writers below."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import yaml

from support.regions import MUNICIPALITIES, Region

YEAR_RU = "2024/25"  # the region's latest school year (SCHOOL_YEARS[-1])


def _xlsx(path: Path, sheet: str, title: str | None, df: pd.DataFrame) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    if title:
        ws.append([title])
    ws.append(list(df.columns))
    for row in df.itertuples(index=False):
        ws.append(list(row))
    wb.save(path)


def agreements(reg: Region) -> pd.DataFrame:
    """010001 ↔ 010004 in force (also recorded in the programme table: one pair, described by
    the agreement); 010010 ↔ 010005 terminated; 010011 ↔ 010006 expired before 2024/25 began."""
    i = reg.ids
    return pd.DataFrame([
        {"Код ОО": i[0], "Код школы-партнёра": i[3], "№ соглашения": "15/2024-С",
         "Дата заключения": "02.09.2024", "Срок действия": "31.08.2026", "Статус": "Действует"},
        {"Код ОО": i[9], "Код школы-партнёра": i[4], "№ соглашения": "7/2023-С",
         "Дата заключения": "01.09.2023", "Срок действия": "31.08.2026", "Статус": "РАСТОРГНУТО"},
        {"Код ОО": i[10], "Код школы-партнёра": i[5], "№ соглашения": "3/2022-С",
         "Дата заключения": "01.09.2022", "Срок действия": "31.05.2024", "Статус": "действует"}])


AGREEMENT_COLUMNS = {"Код ОО": "school_id", "Код школы-партнёра": "partner_id",
                     "№ соглашения": "number", "Дата заключения": "date",
                     "Срок действия": "valid_until", "Статус": "status"}


def curators() -> pd.DataFrame:
    """Two curators the programme table names («Куратор 1», «Куратор 2») and one it does not;
    capacity 4 each: 12 places for the 10 participants and the listed schools."""
    return pd.DataFrame([
        {"Код": "К-1", "ФИО": "Куратор 1", "Место работы": "ИРО", "Район": MUNICIPALITIES[0],
         "Нагрузка": 4},
        {"Код": "К-2", "ФИО": "Куратор 2", "Место работы": "ИРО", "Район": MUNICIPALITIES[1],
         "Нагрузка": 4},
        {"Код": "К-3", "ФИО": "Смирнова Ольга Петровна", "Место работы": "Управление образования",
         "Район": MUNICIPALITIES[2], "Нагрузка": 4}])


CURATOR_COLUMNS = {"Код": "curator_id", "ФИО": "name", "Место работы": "organisation",
                   "Район": "municipality", "Нагрузка": "capacity"}


def decisions(reg: Region) -> pd.DataFrame:
    """010003 (one of the three weak schools) excluded; 010020 (a typical school) included."""
    return pd.DataFrame([
        {"Код ОО": reg.ids[2], "Уч. год": YEAR_RU, "Решение": "Исключить",
         "Обоснование": "школа реорганизована", "Дата": "25.08.2025"},
        {"Код ОО": reg.ids[19], "Уч. год": YEAR_RU, "Решение": "включить",
         "Обоснование": "углублённый анализ: смена всего педсостава", "Дата": "25.08.2025"}])


DECISION_COLUMNS = {"Код ОО": "school_id", "Уч. год": "year", "Решение": "decision",
                    "Обоснование": "reason", "Дата": "decision_date"}


def plan(reg: Region) -> pd.DataFrame:
    """Four measures of 010001 in 2024/25, statuses up to 31.03.2025 (the quarter 2025-Q1):
    1 due 15.10.2024, done; 2 due 20.12.2024, still in progress (overdue); 3 due 30.04.2025,
    not yet due; 4 cancelled. So at 31.03.2025: due 2, done 1, overdue 1."""
    rows = [(1, "Входная диагностика по математике", "15.10.2024", "в работе", "выполнено",
             "выполнено"),
            (2, "Методический семинар для учителей", "20.12.2024", "не начато", "в работе",
             "в работе"),
            (3, "Открытые уроки с ресурсной школой", "30.04.2025", "не начато", "не начато",
             "в работе"),
            (4, "Выезд методистов ИРО", "28.02.2025", "не начато", "не начато", "отменено")]
    return pd.DataFrame([{"Код ОО": reg.ids[0], "Учебный год": YEAR_RU, "№ мероприятия": n,
                          "Уровень": "На уровне ОО", "Мероприятие": m, "Срок": d,
                          "Статус на 30.09": s1, "Статус на 31.12": s2, "Статус на 31.03": s3}
                         for n, m, d, s1, s2, s3 in rows])


def add_support_cycle(params_path: Path, reg: Region | None = None) -> Path:
    """Write the four files beside the region's data and declare them in its params."""
    reg = reg or Region()
    root = params_path.parent.parent
    data = root / "data"
    _xlsx(data / "соглашения.xlsx", "Реестр", "Реестр соглашений о сетевом взаимодействии",
          agreements(reg))
    _xlsx(data / "кураторы.xlsx", "Кураторы", None, curators())
    decisions(reg).to_csv(data / "решения.csv", sep=";", index=False, encoding="utf-8")
    (data / "планы").mkdir(exist_ok=True)
    _xlsx(data / "планы" / f"план_{reg.ids[0]}.xlsx", "План мероприятий", None, plan(reg))
    params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    params["inputs"].update({
        "agreements": {"path": "data/соглашения.xlsx", "columns": AGREEMENT_COLUMNS},
        "curators": {"path": "data/кураторы.xlsx", "columns": CURATOR_COLUMNS},
        "decisions": {"path": "data/решения.csv", "sep": ";", "columns": DECISION_COLUMNS},
        "plan": {"path": "data/планы/*.xlsx"}})
    params_path.write_text(yaml.safe_dump(params, allow_unicode=True, sort_keys=False),
                           encoding="utf-8")
    return params_path
