"""The what-if list as a file: an xlsx that cannot be taken for the official list — a header
block with «расчёт "что если", не официальный список», the run, the date, the thresholds (with
the run's where they differ), the filters and what changed; then the list with the columns of
lists.xlsx (`identify.lists.HEADERS`, numbers as numbers, the same small-cell rule); a file name
that carries the year, the thresholds that differ from the run's and the municipality; an
offline download link."""
from __future__ import annotations

import base64
import datetime as dt
import io
from typing import Any

import pandas as pd
import xlsxwriter

from workbench.core.names import slugify
from workbench.explorer.escape import esc
from workbench.identify.lists import HEADERS, N_PUPILS, WIDTHS

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WHAT_IF = "Расчёт «что если», не официальный список"
SHEET = "Что если"
# short names of the thresholds in file names
SHORT = {"bottom_share": "нижние", "persist_years": "лет", "min_n": "мин", "adverse_share": "нсу",
         "top_share": "высокие", "resilient_percentile": "рез"}


def _value_text(v: Any) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).replace(".", ",")


def whatif_filename(year: int, changed: dict[str, Any], municipality: str | None = None) -> str:
    """«что_если_<year>_<thresholds that differ>[_<municipality>].xlsx» (ASCII-safe parts);
    «…_пороги_расчёта…» when none differs."""
    parts = [f"{SHORT.get(k, k)}{_value_text(v)}" for k, v in changed.items()] or ["пороги_расчёта"]
    name = f"что_если_{year}_" + "_".join(parts)
    if municipality:
        name += "_" + slugify(municipality)
    return name.replace(" ", "_").replace("/", "_").replace(",", "-") + ".xlsx"


def header_rows(region: str, run_id: str, year_label: str, thresholds: list[tuple[str, str]],
                filters: list[tuple[str, str]], changes: str,
                now: dt.datetime | None = None) -> list[tuple[str, str]]:
    """The header block: (label, value) rows, Russian."""
    stamp = (now or dt.datetime.now()).strftime("%d.%m.%Y %H:%M")
    return [(WHAT_IF, ""), ("Регион", region), ("Расчёт (папка outputs/)", run_id),
            ("Учебный год", year_label), ("Дата выгрузки", stamp),
            *[(f"Порог: {k}", v) for k, v in thresholds],
            *[(f"Фильтр: {k}", v) for k, v in filters],
            ("По сравнению с порогами расчёта", changes)]


def _formats(wb: Any) -> dict[str, Any]:
    return {"title": wb.add_format({"bold": True, "font_size": 14, "font_color": "#b03a2e"}),
            "label": wb.add_format({"bold": True, "valign": "top"}),
            "value": wb.add_format({"text_wrap": True, "valign": "top"}),
            "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "vcenter",
                                     "bg_color": "#DCE6F1", "border": 1}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
            "pct": wb.add_format({"num_format": "0%", "valign": "top"}),
            "num": wb.add_format({"num_format": "0.00", "valign": "top"}),
            "int": wb.add_format({"num_format": "0", "valign": "top"})}


def _cell(ws: Any, r: int, c: int, v: Any, fmt: Any = None) -> None:
    """Numbers as numbers, blanks blank, text as text (never a formula)."""
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return
    if isinstance(v, bool):
        ws.write_string(r, c, "да" if v else "нет", fmt)
    elif isinstance(v, (int, float)):
        ws.write_number(r, c, float(v), fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _column_format(col: str, f: dict[str, Any]) -> Any:
    return {"Доля «2»": f["pct"], "Устойчивый уровень": f["num"], "Социальный индекс": f["num"],
            "Индекс результатов года": f["num"], "Процентиль": f["int"],
            "Вероятность нижней группы": f["num"], N_PUPILS: f["int"],
            "Основания": f["wrap"]}.get(col)


def whatif_xlsx_bytes(table: pd.DataFrame, header: list[tuple[str, str]],
                      year: int | None = None) -> bytes:
    """The what-if workbook: the header block, then the list (the columns of lists.xlsx).
    Its creation time is 1 September of `year` (the workbench's rule for xlsx files)."""
    t = table[[c for c in HEADERS if c in table.columns]]
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False,
                                   "strings_to_urls": False, "strings_to_numbers": False})
    wb.set_properties({"title": WHAT_IF, "comments": WHAT_IF,
                       "created": dt.datetime(int(year) if year else 2000, 9, 1)})
    f = _formats(wb)
    ws = wb.add_worksheet(SHEET)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_header(f"&C&\"Calibri,Bold\"{WHAT_IF}")
    ws.set_footer("&CСтр. &P из &N")
    ws.write_string(0, 0, header[0][0], f["title"])
    for i, (label, value) in enumerate(header[1:], start=1):
        ws.write_string(i, 0, label, f["label"])
        ws.write_string(i, 1, value, f["value"])
    top = len(header) + 1
    ws.write_row(top, 0, list(t.columns), f["header"])
    ws.set_row(top, 32)
    for j, col in enumerate(t.columns):
        ws.set_column(j, j, WIDTHS.get(col, 14), _column_format(col, f))
    for i, row in enumerate(t.itertuples(index=False), start=top + 1):
        for j, v in enumerate(row):
            _cell(ws, i, j, v.item() if hasattr(v, "item") else v)
    ws.freeze_panes(top + 1, 0)
    ws.autofilter(top, 0, top + max(len(t), 1), len(t.columns) - 1)
    ws.repeat_rows(top)
    wb.close()
    return buf.getvalue()


def download_link_html(data: bytes, filename: str, label: str = "Скачать xlsx") -> str:
    """An <a download> link with the file as a base64 data URI (works offline, in Voilà too)."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f"<a class='wb-download' download='{esc(filename)}' "
            f"href='data:{XLSX_MIME};base64,{b64}'>{esc(label)}: {esc(filename)}</a>")
