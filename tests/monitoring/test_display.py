"""What notebook 04 shows: trend counts, the schools picked for the trajectory chart, Russian
column names of the tables."""
from __future__ import annotations

import re

import pandas as pd

from workbench import monitoring as mon
from workbench.config.monitoring import MonitoringParams
from workbench.monitoring.display import pick_schools_to_show


def test_trend_counts_and_picks(hand_monitoring):
    d = mon.compute_dynamics(hand_monitoring, None, MonitoringParams(min_schools_for_spread=3))
    t = mon.trend_counts(d).set_index(["год", "показатель"])
    assert set(t["направление"]) == {"результаты обучения", "качество управления"}
    assert t.loc[(2025, "mean_mark"), "ухудшение"] == 1  # B: 3.0 → 2.5
    assert t.loc[(2025, "mean_mark"), "без значимых изменений"] == 3
    # mean signed change in results: A +0.2, C +0.1, D 0 (mean mark only), B −0.3
    assert pick_schools_to_show(d, 2025) == ["A", "C", "B"]
    assert pick_schools_to_show(d, 2030) == []


def _effect_rows() -> pd.DataFrame:
    """Two rows of an effectiveness table: a placebo and a DiD of the 2024 cohort."""
    return pd.DataFrame({
        "programme_year": [2024, 2024], "cohort_ru": ["с 2024/25 уч. г., 40 школ"] * 2,
        "n_cohort": [40, 40], "estimate": ["placebo DiD", "DiD"],
        "estimate_ru": ["плацебо-проверка (год до отбора участников)",
                        "разность разностей (участники vs сопоставимые неучастники)"],
        "year": [2021, 2024], "base_year": [2023, 2023], "domain": ["results"] * 2,
        "domain_ru": ["результаты обучения"] * 2, "indicator": ["result_index"] * 2,
        "indicator_ru": ["индекс результатов"] * 2, "effect": [-0.0412, 0.376],
        "ci_low": [-0.25, 0.125], "ci_high": [0.1849, 0.6], "se": [0.11, 0.12],
        "mde": [0.308, 0.3361], "n_treated": [35, 34], "n_control": [50, 48],
        "n_unmatched": [4, 5], "n_outliers": [1, 1], "conclusion": ["…", "…"]})


def test_effect_table_russian_with_cohort_and_decimal_commas():
    t = mon.effectiveness_table(_effect_rows())
    assert list(t.columns) == [
        "Когорта", "Метод", "Год", "База", "Направление", "Показатель", "Оценка", "95% ДИ от",
        "95% ДИ до", "Минимальный обнаружимый эффект", "Участников", "Школ сравнения",
        "Исключено (аномалии)", "Вывод"]
    first = t.iloc[0]
    assert first["Когорта"] == "с 2024/25 уч. г., 40 школ" and first["Показатель"] == "индекс результатов"
    assert (first["Год"], first["База"]) == ("2021/22", "2023/24")
    assert (first["Оценка"], first["95% ДИ от"], first["95% ДИ до"]) == ("−0,04", "−0,25", "+0,18")
    assert t.iloc[1]["Минимальный обнаружимый эффект"] == "0,34" and t.iloc[1]["Участников"] == "34"
    assert not t.map(lambda v: re.search(r"\d\.\d", str(v)) is not None).any().any()  # no decimal points
    assert "result_index" not in t.to_string()
    assert list(mon.effectiveness_table(pd.DataFrame()).columns) == list(t.columns)


def test_tables_in_russian():
    shares = mon.exit_shares(pd.DataFrame({"school_id": ["A"], "year": [2024], "cluster": [1],
                                           "left": [True]}), "cluster")
    assert list(mon.exit_shares_table(shares).columns) == [
        "Кластер", "Год в списке", "В списке", "Есть данные через год", "Вышли", "Доля вышедших"]
    summary = mon.completeness_summary(pd.DataFrame(columns=["municipality", "year", "school_id",
                                                             "present"]))
    assert list(mon.completeness_table(summary).columns) == [
        "Муниципалитет", "Год", "Школ", "Все замеры проведены", "Доля полных", "Пропущено замеров"]
    assert list(mon.missing_table(mon.missing_waves(pd.DataFrame(
        {"present": pd.Series(dtype=bool)}))).columns) == [
        "Код ОО", "Год", "Муниципалитет", "Пропущено", "Пропущенные замеры"]
