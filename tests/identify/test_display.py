"""The identification list as notebook 02 shows it: the columns of lists.xlsx, formatted in
Russian, small schools suppressed."""
from __future__ import annotations

import pandas as pd

from workbench.identify import listed_for_display


def _rows() -> pd.DataFrame:
    return pd.DataFrame({
        "school_id": ["001", "002"], "year": [2024, 2024],
        "category": ["low_results", "low_results"], "reasons": ["a", "b"],
        "quality_index": [-0.8125, -1.0], "quality_ci_low": [-1.2, -1.5],
        "quality_ci_high": [-0.4, -0.5], "result_percentile": [4.4, 2.0],
        "rank_ci_low": [1.0, 1.0], "rank_ci_high": [9.0, 6.0], "prob_bottom": [0.875, 0.9],
        "result_index": [-0.905, -1.1], "result_ci_low": [-1.4, -1.6],
        "result_ci_high": [-0.4, -0.6], "share_low": [0.125, 0.3], "social_index": [0.215, 0.1],
        "n_pupils": [40, 3]})


def test_numbers_in_russian_and_the_small_school_blank():
    schools = pd.DataFrame({"school_id": ["001", "002"], "school_name": ["Школа 1", "Школа 2"],
                            "municipality": ["Район", "Район"]})
    t = listed_for_display(_rows(), schools, min_cell=5).set_index("Код ОО")
    big, small = t.loc["001"], t.loc["002"]
    assert big["Устойчивый уровень"] == "−0,81" and big["Индекс результатов года"] == "−0,91"
    assert big["Доля «2»"] == "13%" and big["Вероятность нижней группы"] == "88%"
    assert big["Процентиль"] == "4" and big["Социальный индекс"] == "0,22"
    assert small["Устойчивый уровень"] == "" and small["Доля «2»"] == ""  # 3 pupils < 5
    assert "category" not in t.columns
