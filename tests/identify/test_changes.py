"""Who entered the ШНОР list and who met its exit criteria."""
from __future__ import annotations

import pandas as pd

from workbench import identify as I


def test_list_changes():
    df = pd.DataFrame({"school_id": ["A", "A", "B", "B", "C", "D", "D"],
                       "year": [2023, 2024, 2023, 2024, 2024, 2023, 2024],
                       "category": ["low_results", "typical", "typical", "low_results_adverse",
                                    "low_results", "low_results", "insufficient_data"],
                       "exit_met": [False, True, False, False, False, False, False]})
    ch = I.list_changes(df).set_index("school_id")
    assert ch.loc["A", "change"] == "выполнены критерии выхода"
    assert ch.loc["A", "category_now"] == "Типичная"
    assert ch.loc["B", "change"] == "вошла в список"
    assert ch.loc["C", "category_before"] == "нет данных"
    assert ch.loc["D", "change"] == "нет данных: решение о выходе отложено"
    assert (ch["year"] == 2024).all() and len(ch) == 4
    # a table without exit_met (an older run): a judgement this year counts as an exit
    old = I.list_changes(df.drop(columns="exit_met")).set_index("school_id")
    assert old.loc["A", "change"] == "выполнены критерии выхода"
    assert old.loc["D", "change"] == "нет данных: решение о выходе отложено"
