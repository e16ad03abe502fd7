"""lists.xlsx: the lists of the identification for a ministry order (one sheet per category).

The first sheet «Приложение к приказу» is the annex itself (identify/annex.py: heading with the
order's number and date from params `order`, title, «№ п/п», one combined list of participants,
short reasons, signature block); an expert decision stands beside the statistics in the column
«Решение экспертной группы» of the category sheets.

The ONE writer of lists.xlsx (the identify stage writes it, the clusters stage writes it again
with the sheet «Пары школ»). Russian headers, current year (the latest in `identification`), a
summary sheet, the sheet «Изменения» (who entered/left the ШНОР list since the previous year), a
sheet of schools to check for objectivity, and any extra sheets. Formatted: column widths,
frozen header, autofilter, wrapped reasons, printable as an annex. Figures computed from fewer
than `min_cell` pupils (the one small-cell param, `briefings.min_cell`) are suppressed («<5» /
blank).
"""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter

from workbench.config.identify import OrderParams
from workbench.context.tables_io import fix_workbook_time
from workbench.core.formatting import fmt_ci, finite, round_half_up
from workbench.core.privacy import MIN_CELL, suppressed_short
from workbench.core.vocabulary import CATEGORIES
from workbench.identify.changes import COLUMNS as CHANGES_COLUMNS
from workbench.identify.changes import list_changes
from workbench.identify.annex import (ANNEX_SHEET, annex_table, annex_title, category_legend,
                                      heading_lines, signature_lines)

SHEET_NAMES = {  # ≤ 31 characters (Excel limit)
    "low_results_adverse": "ШНОР в НСУ",
    "low_results": "ШНОР",
    "watch": "Зона риска",
    "adverse_context": "ШФНСУ",
    "resilient": "Резильентные",
    "high_performing": "Высокие результаты",
    "typical": "Типичные",
    "insufficient_data": "Недостаточно данных",
}
SUMMARY_SHEET = "Сводка"
CHANGES_SHEET = "Изменения"
OBJECTIVITY_SHEET = "Проверка объективности"
N_PUPILS = "Число обучающихся, писавших работы"
DECISION = "Решение экспертной группы"
HEADERS = ["Код ОО", "Наименование ОО", "Муниципалитет", "Категория", DECISION, "Основания",
           "Устойчивый уровень", "95% ДИ уровня", "Процентиль", "95% интервал процентиля",
           "Вероятность нижней группы", "Индекс результатов года", "95% ДИ индекса года",
           "Доля «2»", "Социальный индекс", N_PUPILS]
WIDTHS = {"Код ОО": 12, "Наименование ОО": 40, "Муниципалитет": 24, "Категория": 28, DECISION: 30,
          "Основания": 90, "Устойчивый уровень": 12, "95% ДИ уровня": 16, "Процентиль": 11,
          "95% интервал процентиля": 13, "Вероятность нижней группы": 12,
          "Индекс результатов года": 12, "95% ДИ индекса года": 16, "Доля «2»": 10,
          "Социальный индекс": 12, N_PUPILS: 14}
CHANGES_WIDTHS = {"Наименование ОО": 40, "Муниципалитет": 24, "Категория в прошлом году": 36,
                  "Категория сейчас": 36, "Изменение": 18}


def _with_names(df: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """df with school_name and municipality of its schools ("" columns when schools lack them)."""
    sc = schools.copy()
    sc["school_id"] = sc["school_id"].astype(str)
    cols = [c for c in ("school_id", "school_name", "municipality") if c in sc.columns]
    df = df.merge(sc[cols], on="school_id", how="left")
    for c in ("school_name", "municipality"):
        if c not in df.columns:
            df[c] = ""
    return df


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    """A numeric column of df, NaN when absent (lists of minimal frames)."""
    if name not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[name], errors="coerce").astype(float)


def _intervals(low: pd.Series, high: pd.Series, digits: int = 2) -> list[str]:
    """«−1,90…−0,90» per row ("" where an end is missing)."""
    return [fmt_ci(a, b, digits) if finite(a) is not None and finite(b) is not None else ""
            for a, b in zip(low, high)]


def _rank_intervals(low: pd.Series, high: pd.Series) -> list[str]:
    """«2–9» (percentiles, between the 1st and the 99th) per row."""
    out = []
    for a, b in zip(low, high):
        if finite(a) is None or finite(b) is None:
            out.append("")
            continue
        lo = int(min(99, max(1, math.floor(a))))
        out.append(f"{lo}–{int(min(99, max(lo, math.ceil(b))))}")
    return out


def list_table(identification: pd.DataFrame, schools: pd.DataFrame,
               year: int | None = None, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The rows of the lists for one year with the Russian headers (suppression applied) and a
    hidden `category` column to split the sheets on."""
    df = identification.copy()
    if len(df) == 0:
        return pd.DataFrame(columns=HEADERS + ["category"])
    year = int(df["year"].max()) if year is None else int(year)
    df = df[df["year"] == year].copy()
    df["school_id"] = df["school_id"].astype(str)
    df = _with_names(df, schools)
    n = pd.to_numeric(df["n_pupils"], errors="coerce").fillna(0)
    small = (n < min_cell).to_numpy()
    suppressed = suppressed_short(min_cell)

    def num(values: pd.Series, digits: int = 2) -> np.ndarray:  # blank where suppressed
        rounded = [round_half_up(v, digits) if finite(v) is not None else np.nan for v in values]
        return np.where(small, np.nan, np.asarray(rounded, dtype=float))

    def text(values: list[str]) -> np.ndarray:
        return np.where(small, "", np.asarray(values, dtype=object))

    out = pd.DataFrame({
        "Код ОО": df["school_id"].to_numpy(),
        "Наименование ОО": df["school_name"].fillna("").astype(str).to_numpy(),
        "Муниципалитет": df["municipality"].fillna("").astype(str).to_numpy(),
        "Категория": df["category"].map(CATEGORIES).fillna("").to_numpy(),
        DECISION: (df["decision_text"].fillna("").astype(str).to_numpy()
                   if "decision_text" in df.columns else np.full(len(df), "", dtype=object)),
        "Основания": df["reasons"].fillna("").astype(str).to_numpy(),
        "Устойчивый уровень": num(_col(df, "quality_index")),
        "95% ДИ уровня": text(_intervals(_col(df, "quality_ci_low"), _col(df, "quality_ci_high"))),
        "Процентиль": num(_col(df, "result_percentile").clip(1, 99), 0),
        "95% интервал процентиля": text(_rank_intervals(_col(df, "rank_ci_low"),
                                                         _col(df, "rank_ci_high"))),
        "Вероятность нижней группы": num(_col(df, "prob_bottom"), 3),
        "Индекс результатов года": num(_col(df, "result_index")),
        "95% ДИ индекса года": text(_intervals(_col(df, "result_ci_low"),
                                               _col(df, "result_ci_high"))),
        "Доля «2»": num(_col(df, "share_low"), 4),
        "Социальный индекс": _col(df, "social_index").round(2).to_numpy(),
        N_PUPILS: [suppressed if s and v > 0 else int(v) for s, v in zip(small, n)],
        "category": df["category"].to_numpy(),
    }, index=df.index)
    return out.sort_values(["Муниципалитет", "Код ОО"], kind="mergesort").reset_index(drop=True)


def _safe_sheet(name: str, used: set[str]) -> str:
    s = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip()[:31] or "Лист"
    base, k = s, 2
    while s in used:
        suffix = f" ({k})"
        s = base[:31 - len(suffix)] + suffix
        k += 1
    used.add(s)
    return s


def _column_format(col: str, fmts: dict):
    if col in ("Доля «2»", "Вероятность нижней группы"):
        return fmts["pct"]
    if col in ("Устойчивый уровень", "Индекс результатов года", "Социальный индекс"):
        return fmts["num"]
    return fmts["wrap"] if col in ("Основания", DECISION) else None


def _write_sheet(wb, ws_name: str, df: pd.DataFrame, fmts: dict, widths: dict | None = None,
                 title: str = "") -> None:
    ws = wb.add_worksheet(ws_name)
    # printing as an annex: A4 landscape, fit to page width, header row on every page
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header(f"&C&\"Calibri,Bold\"{_escape_amp(title or ws_name)}")
    ws.set_footer("&CСтр. &P из &N")
    ws.write_row(0, 0, list(df.columns), fmts["header"])
    ws.set_row(0, 32)
    for j, col in enumerate(df.columns):
        w = (widths or {}).get(col)
        if w is None:
            vals = [len(str(col))] + [len(str(v)) for v in df[col].head(200)]
            w = min(60, max(10, int(np.percentile(vals, 90)) + 2))
        ws.set_column(j, j, w, _column_format(col, fmts))
    # cells as Python values once per column (numbers, texts, None for blanks); then row by row,
    # as xlsxwriter's constant-memory mode requires
    cols = [_cell_values(df[c]) for c in df.columns]
    # the undecorated writers (no A1-notation parsing per cell) where this xlsxwriter has them
    write_number = getattr(ws, "_write_number", ws.write_number)
    write_string = getattr(ws, "_write_string", ws.write_string)
    for i, row in enumerate(zip(*cols), start=1):
        for j, v in enumerate(row):
            if v is None:
                continue  # an empty cell: nothing to write
            if v.__class__ is str:
                write_string(i, j, v)
            else:
                write_number(i, j, v)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(df), 1), max(len(df.columns) - 1, 0))


def _cell_values(s: pd.Series) -> list:
    """A column as Python values for xlsxwriter: float for numbers, str for text ("да"/"нет"
    for booleans), None for blanks and non-finite numbers."""
    if pd.api.types.is_bool_dtype(s):
        return ["да" if v else "нет" for v in s.to_numpy()]
    if pd.api.types.is_numeric_dtype(s):
        v = s.to_numpy(dtype=float, na_value=np.nan)
        out = v.astype(object)
        out[~np.isfinite(v)] = None
        return out.tolist()
    out = []
    for v in s.to_numpy(dtype=object):
        if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA:
            out.append(None)
        elif isinstance(v, (bool, np.bool_)):
            out.append("да" if v else "нет")
        elif isinstance(v, (int, float, np.integer, np.floating)):
            out.append(float(v))
        else:
            out.append(str(v))
    return out


def _escape_amp(text: str) -> str:
    return str(text).replace("&", "&&")


def _formats(wb) -> dict:
    return {
        "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                 "bg_color": "#DCE6F1", "border": 1}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "pct": wb.add_format({"num_format": "0%", "valign": "top"}),
        "num": wb.add_format({"num_format": "0.00", "valign": "top"}),
        "right": wb.add_format({"align": "right"}),
        "title": wb.add_format({"bold": True, "align": "center", "valign": "vcenter",
                                "text_wrap": True, "font_size": 12}),
        "cell": wb.add_format({"text_wrap": True, "valign": "top", "border": 1}),
        "note": wb.add_format({"italic": True, "text_wrap": True}),
    }


def _summary(table: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """«Сводка»: every category, its sheet and its number of schools."""
    counts = table["category"].value_counts()
    return pd.DataFrame({
        "Категория": [CATEGORIES[c] for c in CATEGORIES],
        "Лист": [SHEET_NAMES[c] for c in CATEGORIES],
        f"Число школ, {year} г.": [int(counts.get(c, 0)) for c in CATEGORIES],
    })


def _objectivity_rows(table: pd.DataFrame, identification: pd.DataFrame,
                      year: int | None) -> pd.DataFrame:
    """«Проверка объективности»: the list rows of the year's flagged schools."""
    cur = identification[identification["year"] == year]
    ids = set(cur.loc[cur["objectivity_flag"].fillna(False).astype(bool), "school_id"].astype(str))
    return table[table["Код ОО"].isin(ids)].drop(columns="category")


def _changes_sheet(changes: pd.DataFrame, schools: pd.DataFrame,
                   year: int | None) -> pd.DataFrame:
    """«Изменения»: the year's entries and exits with school names, Russian headers."""
    ch = changes.copy()
    ch["school_id"] = ch["school_id"].astype(str)
    ch = _with_names(ch, schools)
    ch = ch[ch["year"] == year] if year is not None else ch
    return pd.DataFrame({
        "Код ОО": ch["school_id"], "Наименование ОО": ch["school_name"].fillna(""),
        "Муниципалитет": ch["municipality"].fillna(""), "Год": ch["year"].astype(int),
        "Изменение": ch["change"], "Категория в прошлом году": ch["category_before"],
        "Категория сейчас": ch["category_now"]})


def _write_annex(wb, name: str, table: pd.DataFrame, order: OrderParams, year: int | None,
                 fmts: dict) -> None:
    """The sheet «Приложение к приказу»: heading (right), title, the numbered list, the legend
    of the categories and the signature block; printable A4 landscape."""
    ws = wb.add_worksheet(name)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    last = len(table.columns) - 1
    for j, w in enumerate([7, 24, 11, 44, 12, 60]):
        ws.set_column(j, j, w, fmts["wrap"] if j in (3, 5) else None)
    for i, line in enumerate(heading_lines(order)):
        ws.merge_range(i, 3, i, last, line, fmts["right"])
    ws.merge_range(4, 0, 4, last, annex_title(order, year), fmts["title"])
    ws.set_row(4, 48)
    top = 6
    ws.write_row(top, 0, list(table.columns), fmts["header"])
    ws.repeat_rows(top)
    for i, rec in enumerate(table.itertuples(index=False), start=top + 1):
        for j, v in enumerate(rec):
            if j == 0:
                ws.write_number(i, j, int(v), fmts["cell"])
            else:
                ws.write_string(i, j, str(v), fmts["cell"])
    r = top + len(table) + 2
    if not len(table):
        ws.write_string(r - 1, 0, "В текущем году в перечень не вошла ни одна школа.")
    ws.merge_range(r, 0, r, last, category_legend(), fmts["note"])
    for k, line in enumerate(signature_lines(order), start=r + 2):
        ws.merge_range(k, 0, k, last, line)
    ws.set_footer("&CСтр. &P из &N")


def write_lists(path: str | Path, identification: pd.DataFrame, schools: pd.DataFrame,
                extra_sheets: dict[str, pd.DataFrame] | None = None,
                changes: pd.DataFrame | None = None, year: int | None = None,
                min_cell: int = MIN_CELL, order: OrderParams | None = None,
                decisions: pd.DataFrame | None = None) -> Path:
    """Write lists.xlsx: «Приложение к приказу» (the annex, params `order`), «Сводка», one sheet
    per category (current year), «Проверка объективности», «Изменения» and the extra sheets
    (name → DataFrame, written as given)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = list_table(identification, schools, year, min_cell=min_cell)
    year = int(identification["year"].max()) if year is None and len(identification) else year
    if changes is None:
        changes = list_changes(identification) if len(identification) else pd.DataFrame(
            columns=CHANGES_COLUMNS)
    tmp = path.with_name(path.name + ".tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "constant_memory": True})
    fix_workbook_time(wb, year)  # the same bytes for the same inputs
    fmts = _formats(wb)
    used: set[str] = set()
    _write_annex(wb, _safe_sheet(ANNEX_SHEET, used),
                 annex_table(identification, schools, year, decisions, min_cell),
                 order or OrderParams(), year, fmts)
    _write_sheet(wb, _safe_sheet(SUMMARY_SHEET, used), _summary(table, year), fmts,
                 {"Категория": 48, "Лист": 22})
    for cat in CATEGORIES:
        part = table[table["category"] == cat].drop(columns="category")
        _write_sheet(wb, _safe_sheet(SHEET_NAMES[cat], used), part, fmts, WIDTHS,
                     title=f"{CATEGORIES[cat]}, {year} г.")
    if "objectivity_flag" in identification.columns:
        _write_sheet(wb, _safe_sheet(OBJECTIVITY_SHEET, used),
                     _objectivity_rows(table, identification, year), fmts, WIDTHS)
    _write_sheet(wb, _safe_sheet(CHANGES_SHEET, used), _changes_sheet(changes, schools, year),
                 fmts, CHANGES_WIDTHS)
    for name, extra in (extra_sheets or {}).items():
        _write_sheet(wb, _safe_sheet(name, used), extra.reset_index(drop=True), fmts)
    wb.close()
    tmp.replace(path)
    return path
