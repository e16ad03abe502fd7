"""The lists as an annex to a ministry order: one combined list of the programme's participants
(ШНОР в НСУ, ШНОР, ШФНСУ) with «№ п/п», municipality, school, category and a short reason, under
the heading «Приложение № … к приказу … от … № …» and above a signature block. lists.xlsx gets it
as its first sheet through the one writer (`identify/lists.py`); `write_annex_docx` writes the
same as a Word document (python-docx), since orders are Word documents.

The short reason is one sentence worded from the row's own numbers (the long statistical
reasons stay in the category sheets); a figure of fewer than `min_cell` pupils is left out."""
from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import docx
import pandas as pd
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from docx.table import _Cell

from workbench.config.identify import OrderParams
from workbench.context.tables_io import fix_zip_times, workbook_created
from workbench.core.formatting import finite, fmt_pct, year_label
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import CATEGORIES

PARTICIPANTS = ["low_results_adverse", "low_results", "adverse_context"]
ANNEX_SHEET = "Приложение к приказу"
ANNEX_HEADERS = ["№ п/п", "Муниципалитет", "Код ОО", "Наименование ОО", "Категория",
                 "Основание"]
SHORT_CATEGORY = {"low_results_adverse": "ШНОР в НСУ", "low_results": "ШНОР",
                  "adverse_context": "ШФНСУ"}
BLANK_NUMBER, BLANK_DATE = "______", "«___» __________ 20___ г."
# characters a Word document cannot hold (XML 1.0): control characters other than tab/newline
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value: object) -> str:
    """Text safe for a .docx: the characters XML forbids replaced by a space."""
    return _NOT_XML.sub(" ", str(value))


def heading_lines(order: OrderParams) -> list[str]:
    """«Приложение № 1», «к приказу министерства образования», «от 15.09.2025 № 123»."""
    return [f"Приложение № {order.annex_number}", f"к приказу {order.issuer}".strip(),
            f"от {order.date or BLANK_DATE} № {order.number or BLANK_NUMBER}"]


def annex_title(order: OrderParams, year: int | None) -> str:
    """The title with the school year."""
    return f"{order.title} на {year_label(year)} учебный год" if year is not None else order.title


def signature_lines(order: OrderParams) -> list[str]:
    """The signature block: position, a line to sign on, the name (or a blank)."""
    return [f"{order.signatory_position}  _______________  {order.signatory_name or '_' * 18}"]


def short_reason(row: dict, min_cell: int = MIN_CELL) -> str:
    """One sentence of a participant's row from its own numbers (none below min_cell pupils)."""
    cat = row["category"]
    parts = []
    if row.get("decision"):
        parts.append("решение экспертной группы" + (f" ({row['decision_date']})"
                                                     if row.get("decision_date") else ""))
    small = (finite(row.get("n_pupils")) or 0) < min_cell
    if cat in ("low_results_adverse", "low_results") and row.get("category_statistical",
                                                                 cat) == cat:
        p, pb = finite(row.get("result_percentile")), finite(row.get("prob_bottom"))
        text = "устойчиво низкие результаты"
        if not small and p is not None:
            text += f" (процентиль {int(min(99, max(1, round(p))))}"
            text += f", вероятность нижней группы {fmt_pct(pb)})" if pb is not None else ")"
        parts.append(text)
    if cat in ("low_results_adverse", "adverse_context"):
        sp = finite(row.get("social_percentile"))
        parts.append("неблагоприятные социальные условия" + (
            f" (социальный индекс — процентиль {int(min(99, max(1, round(sp))))})"
            if sp is not None else ""))
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def annex_table(identification: pd.DataFrame, schools: pd.DataFrame, year: int | None,
                decisions: pd.DataFrame | None = None, min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The combined list of participants of `year`, ordered by category then municipality and
    name, numbered «№ п/п»."""
    if year is None or len(identification) == 0:
        return pd.DataFrame(columns=ANNEX_HEADERS)
    cur = identification[(identification["year"] == year)
                         & identification["category"].isin(PARTICIPANTS)].copy()
    cur["school_id"] = cur["school_id"].astype(str)
    sc = schools.assign(school_id=schools["school_id"].astype(str))
    cur = cur.merge(sc[[c for c in ("school_id", "school_name", "municipality")
                        if c in sc.columns]], on="school_id", how="left")
    dates = {} if decisions is None or not len(decisions) or "decision_date" not in decisions \
        else {(str(s), int(y)): d for s, y, d in zip(decisions["school_id"], decisions["year"],
                                                     decisions["decision_date"])
              if d is not None and d == d}
    cur["decision_date"] = [dates.get((s, int(year)), "") for s in cur["school_id"]]
    cur["order"] = cur["category"].map({c: i for i, c in enumerate(PARTICIPANTS)})
    cur = cur.sort_values(["order", "municipality", "school_name", "school_id"],
                          kind="mergesort", na_position="last")
    recs = cur.to_dict("records")
    return pd.DataFrame({
        "№ п/п": list(range(1, len(recs) + 1)),
        "Муниципалитет": [str(r.get("municipality") or "") for r in recs],
        "Код ОО": [r["school_id"] for r in recs],
        "Наименование ОО": [str(r.get("school_name") or "") for r in recs],
        "Категория": [SHORT_CATEGORY[r["category"]] for r in recs],
        "Основание": [short_reason(r, min_cell) for r in recs],
    }, columns=ANNEX_HEADERS)


def category_legend() -> str:
    """The abbreviations of the categories, for a note under the table."""
    return "; ".join(f"{s} — {CATEGORIES[c].lower() if c != 'low_results' else CATEGORIES[c]}"
                     for c, s in SHORT_CATEGORY.items())


def _annex_grid(doc: Any, table: pd.DataFrame) -> None:
    """The numbered table: all its rows made at once and filled cell by cell through their XML
    elements (python-docx's `add_row` and `row.cells` walk the whole table each time: quadratic,
    minutes for the 10,000 schools of a national list)."""
    grid = doc.add_table(rows=1, cols=len(ANNEX_HEADERS))
    grid.style = "Table Grid"
    for cell, head in zip(grid.rows[0].cells, ANNEX_HEADERS):
        cell.text = head
        cell.paragraphs[0].runs[0].bold = True
    tbl = grid._tbl
    if len(table):  # a row as python-docx adds it, copied for every record
        template = copy.deepcopy(grid.add_row()._tr)
        tbl.remove(tbl.tr_lst[-1])
    for rec in table.itertuples(index=False):
        tr = copy.deepcopy(template)
        for tc, value in zip(tr.tc_lst, rec):
            _Cell(tc, grid).text = xml_text(value)
        tbl.append(tr)
    widths = [Cm(1.2), Cm(4.0), Cm(2.2), Cm(7.5), Cm(2.3), Cm(9.5)]
    for tr in tbl.tr_lst:
        for tc, w in zip(tr.tc_lst, widths):
            _Cell(tc, grid).width = w


def write_annex_docx(path: str | Path, table: pd.DataFrame, order: OrderParams,
                     year: int | None) -> Path:
    """The annex as a Word document: heading at the right, the title, the numbered table, the
    legend of the categories, the signature block (A4 landscape)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = docx.Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.LANDSCAPE
    sec.page_width, sec.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, side, Cm(1.5))
    doc.styles["Normal"].font.name = "Times New Roman"
    doc.styles["Normal"].font.size = Pt(11)
    for line in heading_lines(order):
        p = doc.add_paragraph(xml_text(line))
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        p.paragraph_format.space_after = Pt(0)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(xml_text(annex_title(order, year))).bold = True
    _annex_grid(doc, table)
    if not len(table):
        doc.add_paragraph("В текущем году в перечень не вошла ни одна школа.")
    doc.add_paragraph(category_legend()).runs[0].italic = True
    for line in signature_lines(order):
        doc.add_paragraph().add_run(xml_text(line))
    tmp = path.with_name(path.name + ".tmp")
    props = doc.core_properties
    props.title = xml_text(annex_title(order, year))
    props.author = props.last_modified_by = "workbench"
    props.created = props.modified = workbook_created(year)  # same inputs, same text
    props.revision = 1
    doc.save(str(tmp))
    fix_zip_times(tmp, year)  # and the zip entries' times too
    tmp.replace(path)
    return path
