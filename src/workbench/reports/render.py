"""A report written twice: printable HTML (one page per report, A4, text from data escaped) and
xlsx (a sheet «Отчёт» with the paragraphs, then a sheet per table; text never a formula)."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from jinja2 import Environment, FileSystemLoader, select_autoescape

from workbench.context.tables_io import fix_workbook_time
from workbench.core.formatting import fmt_num
from workbench.reports.model import Report

TEMPLATES = Path(__file__).parent / "templates"
MAX_HTML_ROWS = 300


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)) or v is pd.NA:
        return ""
    if isinstance(v, (float, np.floating)):
        return fmt_num(float(v), 0 if float(v).is_integer() else 2)
    return str(v)


def _environment() -> Environment:
    """The reports' templates, text from data escaped."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES)),
                       autoescape=select_autoescape(["html"]))


def write_html(report: Report, path: Path) -> Path:
    """The printable page of the report."""
    env = _environment()
    path.write_text(env.get_template("report.html").render(r=report, cell=_cell,
                                                           max_rows=MAX_HTML_ROWS),
                    encoding="utf-8")
    return path


def write_index(reports: list[Report], folder: Path, region: str, run_id: str | None,
                notes: list[str], briefings: bool) -> Path:
    """reports/index.html: the period's reports with their files, or why there are none;
    `briefings`: the run has briefings to link back to."""
    env = _environment()
    path = folder / "index.html"
    path.write_text(env.get_template("index.html").render(
        reports=reports, region=region, run_id=run_id, notes=notes, briefings=briefings),
        encoding="utf-8")
    return path


def _sheet_name(caption: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", caption).strip()[:28] or "Таблица"
    name, k = base, 2
    while name.lower() in used:
        name, k = f"{base[:25]} {k}", k + 1
    used.add(name.lower())
    return name


def write_xlsx(report: Report, path: Path, year: int | None = None) -> Path:
    """The report's xlsx: «Отчёт» (title, lines, headings and paragraphs), a sheet per table."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "nan_inf_to_errors": True})
    fix_workbook_time(wb, year)
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    head = wb.add_format({"bold": True, "text_wrap": True, "bg_color": "#DDEBF7", "border": 1})
    ws = wb.add_worksheet("Отчёт")
    ws.set_column(0, 0, 110, wrap)
    r = 0
    for line in [report.title, *report.subtitle]:
        ws.write_string(r, 0, line, bold if r == 0 else None)
        r += 1
    used = {"отчёт"}
    for s in report.sections:
        r += 1
        ws.write_string(r, 0, s.heading, bold)
        r += 1
        for p in s.paragraphs:
            ws.write_string(r, 0, p, wrap)
            r += 1
        for caption, t in s.tables:
            name = _sheet_name(f"{caption}", used)
            ws.write_string(r, 0, f"Таблица «{caption}» — лист «{name}»")
            r += 1
            _table_sheet(wb.add_worksheet(name), t, head)
    wb.close()
    return path


def _table_sheet(ws, t: pd.DataFrame, head) -> None:
    ws.write_row(0, 0, [str(c) for c in t.columns], head)
    for j, c in enumerate(t.columns):
        width = max([len(str(c))] + [len(str(v)) for v in t[c].head(100)])
        ws.set_column(j, j, min(60, max(10, width + 2)))
    for i, row in enumerate(t.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            if v is None or v is pd.NA or (isinstance(v, float) and not np.isfinite(v)):
                continue
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
                ws.write_number(i, j, float(v))
            else:
                ws.write_string(i, j, str(v))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(t), 1), max(len(t.columns) - 1, 0))
