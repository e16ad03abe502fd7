"""Expert decisions after the statistics: hand-made identification rows, hand-checked outcomes."""
from __future__ import annotations

import pandas as pd

from workbench.identify.decisions import apply_decisions, decision_counts


def _ident() -> pd.DataFrame:
    return pd.DataFrame({
        "school_id": ["A", "B", "C", "D"], "year": [2024] * 4,
        "category": ["low_results", "typical", "adverse_context", "low_results_adverse"],
        "category_ru": ["x"] * 4, "adverse_context": [False, False, True, True],
        "reasons": ["низкие результаты", "типичные", "НСУ", "низкие и НСУ"]})


def _decisions(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["school_id", "year", "decision", "category", "reason",
                                       "expert", "decision_date"])


def test_exclusion_moves_a_listed_school_to_the_watch_list_and_says_why():
    d = _decisions([("A", 2024, "exclude", None, "школа реорганизована", "Иванова А. П.",
                     "12.03.2025")])
    out, notes = apply_decisions(_ident(), d)
    a = out.set_index("school_id").loc["A"]
    assert a["category"] == "watch" and a["category_statistical"] == "low_results"
    assert a["decision"] == "exclude"
    assert a["decision_text"] == ("Исключена из списка ШНОР решением экспертной группы "
                                  "(Иванова А. П., 12.03.2025). Основание: школа реорганизована; "
                                  "по статистике — «ШНОР (низкие результаты обучения)».")
    assert a["reasons"].startswith(a["decision_text"]) and "низкие результаты" in a["reasons"]
    assert a["category_ru"].startswith("Зона риска")
    others = out.set_index("school_id").loc[["B", "C", "D"]]
    assert (others["category"] == others["category_statistical"]).all()
    assert others["decision"].isna().all() and "исключено 1" in notes[0]


def test_inclusion_follows_the_social_conditions_unless_a_category_is_given():
    d = _decisions([("B", 2024, "include", None, "", "", ""),
                    ("C", 2024, "include", None, "", "", "")])
    out = apply_decisions(_ident(), d)[0].set_index("school_id")
    assert out.loc["B", "category"] == "low_results"          # not adverse
    assert out.loc["C", "category"] == "low_results_adverse"  # adverse social conditions
    assert out.loc["C", "decision_text"] == (
        "Включена в список ШНОР решением экспертной группы; по статистике — «ШФНСУ "
        "(неблагоприятные социальные условия)».")
    assert decision_counts(out.reset_index(), 2024) == {"include": 2, "exclude": 0,
                                                       "category": 0}


def test_a_decision_that_changes_nothing_is_not_applied_and_noted():
    d = _decisions([("B", 2024, "exclude", None, "", "", ""),   # not on the list
                    ("Z", 2024, "include", None, "", "", ""),   # unknown school
                    ("D", 2024, "category", "adverse_context", "", "", "")])
    out, notes = apply_decisions(_ident(), d)
    o = out.set_index("school_id")
    assert o.loc["B", "category"] == "typical" and pd.isna(o.loc["B", "decision"])
    assert o.loc["D", "category"] == "adverse_context" and o.loc["D", "decision"] == "category"
    assert "«ШНОР в неблагоприятных социальных условиях» → «ШФНСУ" in o.loc["D", "decision_text"]
    assert any("школе Z" in n and "нет этой школы" in n for n in notes)
    assert any("школе B" in n and "не меняет" in n for n in notes)
    assert all("за 2024/25 учебный год" in n for n in notes if "не применено" in n)


def test_no_decisions_leaves_the_statistics():
    out, notes = apply_decisions(_ident(), None)
    assert (out["category"] == out["category_statistical"]).all() and notes == []
    assert (out["decision_text"] == "").all()
