"""Russian wording of the effect never claims more than the intervals allow."""
from __future__ import annotations

import pandas as pd

from workbench import monitoring as mon


def test_conclusions_do_not_overclaim():
    assert mon.conclusion_ru("DiD", 0.1, -0.05, 0.25, n_treated=30).startswith("эффект не отличим от нуля")
    assert "согласуется с положительным" in mon.conclusion_ru("DiD", 0.3, 0.1, 0.5, n_treated=30)
    assert "осторожно" in mon.conclusion_ru("placebo DiD", -0.3, -0.5, -0.1, n_treated=30)
    assert "до отбора участников" in mon.conclusion_ru("placebo DiD pooled", -0.3, -0.5, -0.1, n_treated=30)
    assert "проверка пройдена" in mon.conclusion_ru("placebo DiD", 0.05, -0.2, 0.3, n_treated=30)
    assert "не оценка эффекта" in mon.conclusion_ru("до/после участников", -0.1, -0.15, -0.05,
                                                   higher_is_better=False, n_treated=30)
    assert mon.conclusion_ru("DiD", 0.3, 0.1, 0.5, n_treated=2).startswith("оценка невозможна")
    assert mon.overall_conclusion(pd.DataFrame()).startswith("Оценить эффект программы нельзя")


def test_no_placebo_without_years_before_the_selection():
    eff = pd.DataFrame({"programme_year": [2024], "estimate": ["DiD"], "year": [2024],
                        "base_year": [2023], "effect": [0.05], "ci_low": [-0.2], "ci_high": [0.3],
                        "mde": [0.35], "n_treated": [30], "n_control": [40]})
    text = mon.overall_conclusion(eff)
    assert "Плацебо-проверку провести нельзя: нет данных за годы до отбора участников" in text
    assert "не подтверждён, но и не исключён" in text
    assert "С вероятностью 80% такое сравнение обнаружило бы лишь эффект не меньше 0,35 ед. индекса" in text
    assert "С вероятностью 90%" in mon.overall_conclusion(eff, power=0.9)
