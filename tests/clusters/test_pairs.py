"""The pairs for people: the «Пары школ» sheet and the summary per municipality."""
from __future__ import annotations

import numpy as np
import pandas as pd
from support.clusters import run_partners

from workbench.clusters import pairs_by_municipality, partners_sheet


def test_partners_sheet_and_summary_in_russian():
    res, cl, ident, schools = run_partners()
    sheet = partners_sheet(res.partners, schools)
    assert list(sheet.columns)[:3] == ["Муниципалитет", "Код ОО", "Наименование ОО"]
    assert "Обоснование" in sheet.columns and "Наименование школы-партнёра" in sheet.columns
    assert len(sheet) == res.n_with_candidates
    assigned = sheet[sheet["Код школы-партнёра"] != ""]
    assert len(assigned) == res.n_assigned
    assert assigned["Наименование школы-партнёра"].str.startswith("Школа № ").all()
    summ = pairs_by_municipality(res.partners, schools)
    assert summ["Назначен партнёр"].sum() == res.n_assigned


def test_partners_sheet_assigned_or_best_candidate():
    pr = pd.DataFrame({
        "school_id": ["A", "A", "B", "B"], "partner_id": ["R1", "R2", "R1", "R3"],
        "rank": [1, 2, 2, 1], "assigned": [False, True, False, False],
        "distance_km": [5.0, 12.5, 7.0, 3.0], "score": [0.9, 0.8, 0.7, 0.75],
        "reasons": ["r-A1", "r-A2", "r-B1", "r-B3"]})
    sch = pd.DataFrame({"school_id": ["A", "B", "R1", "R2", "R3"],
                        "school_name": ["Школа А", "Школа Б", "Р1", "Р2", "Р3"],
                        "municipality": ["М1", "М1", "М1", "М2", "М1"]})
    out = partners_sheet(pr, sch).set_index("Код ОО")
    assert out.loc["A", "Код школы-партнёра"] == "R2"           # the assigned one, not rank 1
    assert out.loc["A", "Муниципалитет партнёра"] == "М2"
    assert out.loc["A", "Расстояние, км"] == 12.5 and out.loc["A", "Обоснование"] == "r-A2"
    assert out.loc["B", "Код школы-партнёра"] == "" and np.isnan(out.loc["B", "Расстояние, км"])
    assert out.loc["B", "Обоснование"] == ("партнёр не назначен (ресурсные школы заняты); "
                                           "лучший кандидат: r-B3")  # best rank among candidates
