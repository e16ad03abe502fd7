"""The order annex: the lists.xlsx sheet and the .docx, opened and read back."""
from __future__ import annotations

import docx
import openpyxl
import pandas as pd

from workbench.config.identify import OrderParams
from workbench.identify import write_lists
from workbench.identify.annex import annex_table, write_annex_docx
from workbench.identify.decisions import apply_decisions

ORDER = OrderParams(number="123-п", date="15.09.2024", signatory_name="А. Б. Петров")


def _region() -> tuple[pd.DataFrame, pd.DataFrame]:
    ident = pd.DataFrame({
        "school_id": ["01", "02", "03", "04", "05"], "year": [2024] * 5,
        "category": ["low_results", "low_results_adverse", "adverse_context", "typical",
                     "low_results"],
        "adverse_context": [False, True, True, False, False],
        "n_pupils": [40.0, 60.0, 30.0, 50.0, 3.0],
        "result_percentile": [4.2, 2.0, 40.0, 55.0, 1.0], "prob_bottom": [0.91, 0.99, 0.1,
                                                                        0.0, 0.8],
        "social_percentile": [60.0, 8.0, 12.0, 50.0, 70.0],
        "reasons": ["r1", "r2", "r3", "r4", "r5"], "objectivity_flag": [False] * 5,
        "category_ru": [""] * 5})
    schools = pd.DataFrame({"school_id": ["01", "02", "03", "04", "05"],
                            "school_name": ["Школа № 1", "Школа № 2", "Школа № 3", "Школа № 4",
                                            "Школа № 5"],
                            "municipality": ["Б-район", "А-район", "А-район", "А-район",
                                             "Б-район"]})
    return ident, schools


def test_annex_rows_are_one_numbered_list_with_short_true_reasons():
    ident, schools = _region()
    t = annex_table(ident, schools, 2024)
    assert list(t["№ п/п"]) == [1, 2, 3, 4]
    assert list(t["Код ОО"]) == ["02", "01", "05", "03"]  # ШНОР в НСУ, ШНОР (by name), ШФНСУ
    assert list(t["Категория"]) == ["ШНОР в НСУ", "ШНОР", "ШНОР", "ШФНСУ"]
    assert t["Основание"][1] == "Устойчиво низкие результаты (процентиль 4, вероятность " \
                                "нижней группы 91%)"
    assert t["Основание"][2] == "Устойчиво низкие результаты"  # 3 pupils: no figures
    assert t["Основание"][0].endswith("неблагоприятные социальные условия (социальный индекс "
                                      "— процентиль 8)")
    assert all(len(r) < 160 for r in t["Основание"])


def test_annex_sheet_and_docx_read_back(tmp_path):
    ident, schools = _region()
    d = pd.DataFrame({"school_id": ["04"], "year": [2024], "decision": ["include"],
                      "category": [None], "reason": ["углублённый анализ"],
                      "expert": ["Эксперт"], "decision_date": ["01.09.2024"]})
    ident, _ = apply_decisions(ident, d)
    write_lists(tmp_path / "lists.xlsx", ident, schools, order=ORDER, decisions=d)
    ws = openpyxl.load_workbook(tmp_path / "lists.xlsx")["Приложение к приказу"]
    cells = [[c for c in r] for r in ws.iter_rows(values_only=True)]
    flat = [str(v) for r in cells for v in r if v is not None]
    assert "Приложение № 1" in flat and "от 15.09.2024 № 123-п" in flat
    assert any(v.endswith("на 2024/25 учебный год") for v in flat)
    head = next(i for i, r in enumerate(cells) if r[0] == "№ п/п")
    assert list(cells[head]) == ["№ п/п", "Муниципалитет", "Код ОО", "Наименование ОО",
                                 "Категория", "Основание"]
    body = [r for r in cells[head + 1:] if isinstance(r[0], int)]
    assert [r[2] for r in body] == ["02", "04", "01", "05", "03"]
    assert body[1][5] == "Решение экспертной группы (01.09.2024)"
    assert any("А. Б. Петров" in v and "Министр образования" in v for v in flat)
    path = write_annex_docx(tmp_path / "annex.docx", annex_table(ident, schools, 2024, d),
                            ORDER, 2024)
    doc = docx.Document(str(path))
    paras = [p.text for p in doc.paragraphs]
    assert paras[:3] == ["Приложение № 1", "к приказу министерства образования",
                         "от 15.09.2024 № 123-п"]
    rows = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert rows[0][0] == "№ п/п" and len(rows) == 6
    assert [r[2] for r in rows[1:]] == ["02", "04", "01", "05", "03"]
    assert any("А. Б. Петров" in p for p in paras)


def test_blank_order_number_and_date_are_printed_as_blanks(tmp_path):
    ident, schools = _region()
    path = write_annex_docx(tmp_path / "a.docx", annex_table(ident, schools, 2024),
                            OrderParams(), 2024)
    assert docx.Document(str(path)).paragraphs[2].text == "от «___» __________ 20___ г. № ______"
    again = write_annex_docx(tmp_path / "b.docx", annex_table(ident, schools, 2024),
                             OrderParams(), 2024)
    assert docx.Document(str(again)).core_properties.created == \
        docx.Document(str(path)).core_properties.created


def test_hostile_names_reach_the_docx_as_text(tmp_path):
    ident, schools = _region()
    schools.loc[0, "school_name"] = "=HYPERLINK(\"x\")\x00\x07<b>Школа</b>\x1f"
    path = write_annex_docx(tmp_path / "h.docx", annex_table(ident, schools, 2024), ORDER, 2024)
    names = [r.cells[3].text for r in docx.Document(str(path)).tables[0].rows]
    assert "=HYPERLINK(\"x\")  <b>Школа</b> " in names
