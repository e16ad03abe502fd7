"""lists.xlsx: the lists of the identification for a ministry order (one sheet per category).

Russian headers, current year (the latest in `identification`), a summary sheet, the sheet
«Изменения» (who entered/left the ШНОР list since the previous year), a sheet of schools to check
for objectivity, and any extra sheets (e.g. the partners stage adds «Пары школ»). Formatted:
column widths, frozen header, autofilter, wrapped reasons. Figures computed from fewer than
`canon.MIN_CELL` pupils are suppressed («<5» / blank).
"""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.canon import CATEGORIES, MIN_CELL

SHEET_NAMES = {  # ≤ 31 characters (Excel limit)
    "low_results_adverse": "ШНОР в НСУ",
    "low_results": "ШНОР",
    "adverse_context": "ШФНСУ",
    "resilient": "Резильентные",
    "high_performing": "Высокие результаты",
    "typical": "Типичные",
    "insufficient_data": "Недостаточно данных",
}
SUMMARY_SHEET = "Сводка"
CHANGES_SHEET = "Изменения"
OBJECTIVITY_SHEET = "Проверка объективности"
HEADERS = ["Код ОО", "Наименование ОО", "Муниципалитет", "Категория", "Основания",
           "Индекс результатов", "95% ДИ", "Доля «2»", "Социальный индекс", "Число участников"]
WIDTHS = {"Код ОО": 12, "Наименование ОО": 40, "Муниципалитет": 24, "Категория": 28,
          "Основания": 90, "Индекс результатов": 12, "95% ДИ": 16, "Доля «2»": 10,
          "Социальный индекс": 12, "Число участников": 12}
SUPPRESSED = f"<{MIN_CELL}"


def _ru(x: float, digits: int = 2) -> str:
    if x is None or not np.isfinite(x):
        return ""
    s = f"{x:.{digits}f}"
    if float(s) == 0:
        s = s.lstrip("-")
    return s.replace(".", ",").replace("-", "\u2212")


def list_table(identification: pd.DataFrame, schools: pd.DataFrame,
               year: int | None = None) -> pd.DataFrame:
    """The rows of the lists for one year with the Russian headers (suppression applied) and a
    hidden `category` column to split the sheets on."""
    df = identification.copy()
    if len(df) == 0:
        return pd.DataFrame(columns=HEADERS + ["category"])
    year = int(df["year"].max()) if year is None else int(year)
    df = df[df["year"] == year].copy()
    df["school_id"] = df["school_id"].astype(str)
    sc = schools.copy()
    sc["school_id"] = sc["school_id"].astype(str)
    cols = [c for c in ("school_id", "school_name", "municipality") if c in sc.columns]
    df = df.merge(sc[cols], on="school_id", how="left")
    for c in ("school_name", "municipality"):
        if c not in df.columns:
            df[c] = ""
    n = pd.to_numeric(df["n_pupils"], errors="coerce").fillna(0)
    small = n < MIN_CELL
    ci = [f"{_ru(a)}…{_ru(b)}" if np.isfinite(a) and np.isfinite(b) else ""
          for a, b in zip(df["result_ci_low"].astype(float), df["result_ci_high"].astype(float))]
    out = pd.DataFrame({
        "Код ОО": df["school_id"].to_numpy(),
        "Наименование ОО": df["school_name"].fillna("").astype(str).to_numpy(),
        "Муниципалитет": df["municipality"].fillna("").astype(str).to_numpy(),
        "Категория": df["category"].map(CATEGORIES).fillna("").to_numpy(),
        "Основания": df["reasons"].fillna("").astype(str).to_numpy(),
        "Индекс результатов": df["result_index"].astype(float).round(2).where(~small).to_numpy(),
        "95% ДИ": np.where(small, "", ci),
        "Доля «2»": df["share_low"].astype(float).where(~small).to_numpy(),
        "Социальный индекс": df["social_index"].astype(float).round(2).to_numpy(),
        "Число участников": np.where(small & (n > 0), SUPPRESSED, n.astype(int).astype(str)),
        "category": df["category"].to_numpy(),
    }, index=df.index)
    # participants as a number where not suppressed
    out["Число участников"] = [v if v == SUPPRESSED else int(v) for v in out["Число участников"]]
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
        fmt = fmts["wrap"] if col == "Основания" else None
        if col in ("Доля «2»",):
            fmt = fmts["pct"]
        elif col in ("Индекс результатов", "Социальный индекс"):
            fmt = fmts["num"]
        ws.set_column(j, j, w, fmt)
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


def write_lists(path: str | Path, identification: pd.DataFrame, schools: pd.DataFrame,
                extra_sheets: dict[str, pd.DataFrame] | None = None,
                changes: pd.DataFrame | None = None, year: int | None = None) -> Path:
    """Write lists.xlsx: «Сводка», one sheet per category (current year), «Проверка
    объективности», «Изменения» and the extra sheets (name → DataFrame, written as given)."""
    import xlsxwriter

    from workbench.identify import list_changes

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table = list_table(identification, schools, year)
    year = int(identification["year"].max()) if year is None and len(identification) else year
    if changes is None:
        changes = list_changes(identification) if len(identification) else pd.DataFrame(
            columns=["school_id", "year", "change", "category_before", "category_now"])
    tmp = path.with_name(path.name + ".tmp")
    wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True, "strings_to_formulas": False,
                                        "strings_to_urls": False, "constant_memory": True})
    fmts = {
        "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                 "bg_color": "#DCE6F1", "border": 1}),
        "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
        "pct": wb.add_format({"num_format": "0%", "valign": "top"}),
        "num": wb.add_format({"num_format": "0.00", "valign": "top"}),
    }
    used: set[str] = set()
    # summary
    counts = table["category"].value_counts()
    summary = pd.DataFrame({
        "Категория": [CATEGORIES[c] for c in CATEGORIES],
        "Лист": [SHEET_NAMES[c] for c in CATEGORIES],
        f"Число школ, {year} г.": [int(counts.get(c, 0)) for c in CATEGORIES],
    })
    _write_sheet(wb, _safe_sheet(SUMMARY_SHEET, used), summary, fmts,
                 {"Категория": 48, "Лист": 22})
    for cat in CATEGORIES:
        part = table[table["category"] == cat].drop(columns="category")
        _write_sheet(wb, _safe_sheet(SHEET_NAMES[cat], used), part, fmts, WIDTHS,
                     title=f"{CATEGORIES[cat]}, {year} г.")
    if "objectivity_flag" in identification.columns:
        cur = identification[identification["year"] == year]
        ids = set(cur.loc[cur["objectivity_flag"].fillna(False).astype(bool), "school_id"].astype(str))
        part = table[table["Код ОО"].isin(ids)].drop(columns="category")
        _write_sheet(wb, _safe_sheet(OBJECTIVITY_SHEET, used), part, fmts, WIDTHS)
    ch = changes.copy()
    ch["school_id"] = ch["school_id"].astype(str)
    sc = schools.copy()
    sc["school_id"] = sc["school_id"].astype(str)
    ch = ch.merge(sc[[c for c in ("school_id", "school_name", "municipality") if c in sc.columns]],
                  on="school_id", how="left")
    for c in ("school_name", "municipality"):
        if c not in ch.columns:
            ch[c] = ""
    ch = ch[ch["year"] == year] if year is not None else ch
    ch_out = pd.DataFrame({
        "Код ОО": ch["school_id"], "Наименование ОО": ch["school_name"].fillna(""),
        "Муниципалитет": ch["municipality"].fillna(""), "Год": ch["year"].astype(int),
        "Изменение": ch["change"], "Категория в прошлом году": ch["category_before"],
        "Категория сейчас": ch["category_now"]})
    _write_sheet(wb, _safe_sheet(CHANGES_SHEET, used), ch_out, fmts,
                 {"Наименование ОО": 40, "Муниципалитет": 24, "Категория в прошлом году": 36,
                  "Категория сейчас": 36, "Изменение": 18})
    for name, extra in (extra_sheets or {}).items():
        _write_sheet(wb, _safe_sheet(name, used), extra.reset_index(drop=True), fmts)
    wb.close()
    tmp.replace(path)
    return path
