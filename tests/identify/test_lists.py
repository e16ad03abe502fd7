"""lists.xlsx: small cells suppressed, thresholds change the lists."""
from __future__ import annotations

import pandas as pd
import pytest

from workbench import identify as I
from workbench.identify import IdentifyParams


def test_lists_suppress_small_cells(tmp_path):
    import openpyxl

    ident = pd.DataFrame({
        "school_id": ["A", "B"], "year": [2024, 2024], "n_pupils": [3.0, 40.0],
        "result_index": [-2.0, -1.5], "result_ci_low": [-4.0, -2.0], "result_ci_high": [0.0, -1.0],
        "share_low": [0.67, 0.3], "social_index": [-1.0, -0.5], "category": ["insufficient_data",
                                                                             "low_results"],
        "reasons": ["недостаточно данных", "низкие"], "objectivity_flag": [False, False]})
    schools = pd.DataFrame({"school_id": ["A", "B"], "school_name": ["Школа А", "Школа Б"],
                            "municipality": ["Район", "Район"]})
    I.write_lists(tmp_path / "l.xlsx", ident, schools)
    wb = openpyxl.load_workbook(tmp_path / "l.xlsx")
    head = [c.value for c in wb["ШНОР"][1]]
    col = {h: k for k, h in enumerate(head)}
    a = [c.value for c in wb["Недостаточно данных"][2]]
    assert a[0] == "A" and a[col["Число обучающихся, писавших работы"]] == "<5"
    assert a[col["Индекс результатов года"]] is None and a[col["Доля «2»"]] is None
    assert not a[col["95% ДИ индекса года"]]
    b = [c.value for c in wb["ШНОР"][2]]
    assert b[col["Число обучающихся, писавших работы"]] == 40
    assert b[col["Индекс результатов года"]] == pytest.approx(-1.5)
    assert b[col["95% ДИ индекса года"]] == "−2,00…−1,00"


def test_threshold_change_changes_the_xlsx_lists(demo600_ident, demo600, tmp_path):
    import openpyxl

    df, cells, notes, m = demo600_ident

    def listed_rows(frame, name):
        I.write_lists(tmp_path / name, frame, demo600.tables["schools"])
        wb = openpyxl.load_workbook(tmp_path / name)
        return {wb[s].cell(r, 1).value for s in ("ШНОР", "ШНОР в НСУ")
                for r in range(2, wb[s].max_row + 1)}

    base = listed_rows(df, "a.xlsx")
    wider = listed_rows(I.classify(df, IdentifyParams(bottom_share=0.2), cells), "b.xlsx")
    stricter = listed_rows(I.classify(df, IdentifyParams(persist_years=2), cells), "c.xlsx")
    assert base < wider and stricter < base
    assert len(base) == df[(df["year"] == df["year"].max()) & df["low_results"]].shape[0]

