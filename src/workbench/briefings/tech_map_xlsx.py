"""Step 3 of the briefings: the technological maps as editable workbooks, one per municipality
(`briefings/tech_maps/<slug>.xlsx`), for the schools to complete and send back.

Sheet «План мероприятий» first (the plan that the next run reads back as the table `plan`:
measures, deadlines, responsible, status at the end of each quarter, a drop-down of statuses),
then one sheet per school with the full appendix-2 form (every problem, the 1–4 prioritised by
the data marked, the numbers that justify each, the six levels filled with the school's own
facts), and a sheet «Модули» describing the support modules (and the risk factors of the run)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from workbench.briefings.plan_form import PLAN_SHEET, QUARTER_STATUS, STATUSES, WIDTHS as PLAN_W
from workbench.briefings.plan_form import draft_plan
from workbench.briefings.tech_map import MODULES, TECH_LEVELS, TECH_LEVELS_RU
from workbench.briefings.tech_map_facts import SchoolFacts
from workbench.context.tables_io import fix_workbook_time
from workbench.core.formatting import year_label
from workbench.core.names import file_stems

HEADERS = ["№", "Проблема", "Приоритет", "Модуль поддержки", "Обоснование (данные)",
           *[TECH_LEVELS_RU[lvl] for lvl in TECH_LEVELS]]
WIDTHS = [5, 34, 10, 22, 36, 30, 30, 30, 30, 30, 26]
NO_MUNICIPALITY = "Муниципалитет не указан"


def write_tech_map_xlsx(tech: pd.DataFrame, schools: pd.DataFrame, folder: Path,
                        risk_names: dict[str, str] | None = None,
                        facts: SchoolFacts | None = None) -> list[Path]:
    """One editable workbook per municipality (`<slug>.xlsx`) of the full form `tech`
    (`tech_map.full_form`; the prioritised rows only are accepted too): the plan sheet, one
    sheet per school, «Модули». Returns the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if tech is None or len(tech) == 0:
        return []
    info = schools.assign(school_id=schools["school_id"].astype(str)).set_index("school_id")
    stems = municipality_file_names(schools)
    year = int(pd.to_numeric(tech["year"]).max()) if "year" in tech else None
    t = tech.assign(school_id=tech["school_id"].astype(str))
    t["municipality"] = t["school_id"].map(info["municipality"].map(_text)).fillna("")
    names = dict(zip(info.index, info["school_name"])) if "school_name" in info else {}
    written = []
    for key, mg in t.groupby("municipality", sort=True):
        mun = key or NO_MUNICIPALITY
        path = folder / f"{stems[key]}.xlsx"
        # data is text, never a formula or a link (a name like «=HYPERLINK(...)» stays text)
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False,
                                             "strings_to_urls": False})
        fix_workbook_time(wb, year)  # the same bytes for the same inputs
        fmt = _formats(wb)
        used: set[str] = {PLAN_SHEET.lower(), "модули"}
        _plan_sheet(wb, draft_plan(mg, facts), fmt)
        for sid, (year_, rows) in _forms_by_school(mg).items():
            name = str(names.get(sid, sid)) if "school_name" in info else sid
            head = f"{name} (код {sid}), {mun}"
            if facts is not None:
                v = facts.placeholders(sid)
                head += f"; ресурсная школа: {v['partner']}; куратор: {v['curator']}"
            _school_sheet(wb, _sheet_name(sid, used), year_, rows, head, fmt)
        _modules_sheet(wb, risk_names, fmt)
        wb.close()
        written.append(path)
    return written


def _forms_by_school(mg: pd.DataFrame) -> dict[str, tuple[int, list[dict[str, Any]]]]:
    """school → (its year: that of its first row, its form rows by problem number then problem):
    the rows of a municipality sorted once and cut into dicts once, schools in sorted order."""
    first_year = dict(zip(*mg.drop_duplicates("school_id")[["school_id", "year"]].T.values))
    order = mg.assign(_n=pd.to_numeric(mg["number"], errors="coerce").fillna(99))
    order = order.sort_values(["school_id", "_n", "problem"], kind="mergesort")
    out: dict[str, tuple[int, list[dict[str, Any]]]] = {}
    for rec in order.to_dict("records"):
        sid = rec["school_id"]
        if sid not in out:
            out[sid] = (int(first_year[sid]), [])
        out[sid][1].append(rec)
    return out


def municipality_file_names(schools: pd.DataFrame) -> dict[str, str]:
    """municipality → file stem of its page and its tech-map workbook: the one names rule
    (`core.names.file_stems`) over every municipality of the run, so Ельнинский and Эльнинский
    never share a file (a missing municipality is «», always given a stem)."""
    col = schools["municipality"] if "municipality" in schools else pd.Series(dtype=object)
    return file_stems({_text(m) for m in col} | {""}, kind="slug")


def _text(value: Any) -> str:
    return "" if value is None or value is pd.NA or value != value else str(value)


def _formats(wb: xlsxwriter.Workbook) -> dict[str, Any]:
    return {
        "title": wb.add_format({"bold": True, "font_size": 13, "text_wrap": True,
                                "valign": "top"}),
        "head": wb.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "top",
                               "bg_color": "#DDEBF7"}),
        "cell": wb.add_format({"text_wrap": True, "border": 1, "valign": "top"}),
        "chosen": wb.add_format({"text_wrap": True, "border": 1, "valign": "top", "bold": True,
                                 "bg_color": "#FFF2CC"}),
        "note": wb.add_format({"italic": True, "text_wrap": True, "font_color": "#555555"}),
    }


def _plan_sheet(wb: xlsxwriter.Workbook, plan: pd.DataFrame, fmt: dict[str, Any]) -> None:
    """«План мероприятий»: header on row 1 (read back by ingest), a row per measure, statuses
    chosen from a list."""
    ws = wb.add_worksheet(PLAN_SHEET)
    for c, w in enumerate(PLAN_W):
        ws.set_column(c, c, w, fmt["cell"] if c in (5, 8, 10, 15) else None)
    ws.write_row(0, 0, list(plan.columns), fmt["head"])
    for r, rec in enumerate(plan.itertuples(index=False), start=1):
        for c, v in enumerate(rec):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, str(v))
    first = list(plan.columns).index(next(iter(QUARTER_STATUS.values())))
    ws.data_validation(1, first, max(len(plan), 1) + 200, first + len(QUARTER_STATUS) - 1,
                       {"validate": "list", "source": list(STATUSES),
                        "error_message": "Выберите статус из списка: " + ", ".join(STATUSES)})
    ws.freeze_panes(1, 4)
    ws.autofilter(0, 0, max(len(plan), 1), len(plan.columns) - 1)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)


def _school_sheet(wb: xlsxwriter.Workbook, sheet: str, y: int, rows: list[dict[str, Any]],
                  school: str, fmt: dict[str, Any]) -> None:
    """The appendix-2 form of one school of year y: title, the school and its facts, a note,
    every problem (rows in order; the prioritised ones marked), a blank row for «иное»."""
    ws = wb.add_worksheet(sheet)
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    last = len(HEADERS) - 1
    ws.merge_range(0, 0, 0, last, "Технологическая карта адресной помощи школам с низкими "
                   f"результатами обучения (проект), {year_label(y)} учебный год", fmt["title"])
    ws.merge_range(1, 0, 1, last, f"Школа: {school}", fmt["title"])
    ws.set_row(1, 36)
    ws.merge_range(2, 0, 2, last,
                   "ОО выбирает 1–4 проблемы в порядке приоритета, исключает второстепенное; "
                   "приоритеты проставлены по данным (выделены) — их можно изменить. Формы, "
                   "мероприятия и проекты адресной поддержки можно дополнить и изменить; план "
                   "с их сроками и статусами — на листе «План мероприятий».", fmt["note"])
    ws.set_row(2, 30)
    ws.write_row(3, 0, HEADERS, fmt["head"])
    r = 4
    for rec in rows:
        prio = rec.get("priority")
        chosen = prio is not None and prio == prio
        vals = [int(rec["_n"]) if rec["_n"] != 99 else "", rec["problem"],
                int(prio) if chosen else "", rec["module"], rec.get("evidence") or "",
                *[rec[lvl] for lvl in TECH_LEVELS]]
        ws.write_row(r, 0, vals, fmt["chosen" if chosen else "cell"])
        ws.set_row(r, 90 if chosen else 60)
        r += 1
    ws.write_row(r, 0, [""] * len(HEADERS), fmt["cell"])  # the school's own problem
    ws.set_row(r, 45)
    ws.freeze_panes(4, 2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)


def _modules_sheet(wb: xlsxwriter.Workbook, risk_names: dict[str, str] | None,
                   fmt: dict[str, Any]) -> None:
    """Sheet «Модули»: what each support module offers, then the codes of the risk factors."""
    ws = wb.add_worksheet("Модули")
    ws.set_column(0, 0, 36)
    ws.set_column(1, 1, 80)
    ws.write_row(0, 0, ["Модуль", "Содержание помощи"], fmt["head"])
    for i, (mname, desc) in enumerate(MODULES.items(), start=1):
        ws.write_row(i, 0, [mname, desc], fmt["cell"])
    if risk_names:
        ws.write_row(len(MODULES) + 2, 0, ["Код фактора риска", "Фактор риска"], fmt["head"])
        for i, (code, rname) in enumerate(risk_names.items(), start=len(MODULES) + 3):
            ws.write_row(i, 0, [code, rname], fmt["cell"])


def _sheet_name(school_id: str, used: set[str]) -> str:
    """A unique Excel sheet name of a school id (no []:*?/\\' and at most 31 characters)."""
    base = "".join("_" if ch in "[]:*?/\\'" else ch for ch in str(school_id))[:28] or "школа"
    name, k = base, 1
    while name.lower() in used:
        k += 1
        name = f"{base[:25]}_{k}"
    used.add(name.lower())
    return name
