"""What missing optional inputs leave out, said in Russian only where something downstream
really changes; and results years without context listed in data quality with the year used."""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.config import parse_params
from workbench.ingest.absent import absent_notes
from workbench.ingest.coverage import borrowed_context, borrowed_lines

BASE = {"inputs": {"schools": {"path": "s"}, "programme": {"path": "p"},
                   "risk_survey": {"path": "r"}}}


def _results(proc, **cols):
    n = 2
    df = pd.DataFrame({"school_id": ["1", "2"], "year": 2024, "procedure": proc,
                       "subject": "Математика", "grade": 9, "n_participants": [10, 12]})
    for c in ("n_mark2", "n_mark3", "n_mark4", "n_mark5", "mean_score", "sd_score", "n_low",
              "share_low"):
        df[c] = cols.get(c, [np.nan] * n)
    return df


def test_nothing_missing_nothing_said():
    params = parse_params(BASE)
    schools = pd.DataFrame({"school_id": ["1"], "locality": ["село"], "latitude": [55.0],
                            "longitude": [37.0]})
    ctx = pd.DataFrame({"school_id": ["1"], "year": [2024], "n_students": [100.0]})
    res = pd.concat([_results("ВПР", n_mark2=[1, 2], n_mark3=[3, 4], n_mark4=[3, 3],
                              n_mark5=[3, 3]),
                     _results("ОГЭ", mean_score=[15.0, 16.0], sd_score=[4.0, 5.0],
                              n_low=[1.0, 0.0])])
    mon = pd.DataFrame({"school_id": ["1"], "n": [20.0], "higher_is_better": [False]})
    tables = {"schools": schools, "context": ctx, "results": res, "monitoring": mon}
    assert absent_notes(params, tables, {"monitoring": {"n", "higher_is_better"}}) == []


def test_each_missing_thing_is_said():
    params = parse_params({"inputs": {"schools": {"path": "s"}},
                           "context_indicators": {"share_migrants": {"direction": "adverse",
                                                                     "label": "Мигранты"}}})
    schools = pd.DataFrame({"school_id": ["1"], "locality": [None], "latitude": [np.nan],
                            "longitude": [np.nan]})
    ctx = pd.DataFrame({"school_id": ["1"], "year": [2024], "share_ovz": [0.1]})
    res = pd.concat([_results("ОГЭ", mean_score=[15.0, np.nan]), _results("ЕГЭ")])
    mon = pd.DataFrame({"school_id": ["1"], "n": [np.nan], "higher_is_better": [True]})
    notes = " | ".join(absent_notes(params, {"schools": schools, "context": ctx, "results": res,
                                             "monitoring": mon}, {"monitoring": {"value"}}))
    for fragment in ["нет типа населённого пункта (locality)", "нет координат",
                     "нет численности обучающихся (n_students)", "«Мигранты» (share_migrants)",
                     "Результатов ВПР нет", "1 строк результатов (ОГЭ) содержат только число",
                     "2 строк результатов (ЕГЭ)", "Для ОГЭ нет стандартного отклонения",
                     "Для ОГЭ нет числа не преодолевших минимум",
                     "нет числа участников замеров (n)", "не указано направление показателей",
                     "Участие в программе не передано", "Анкеты рисков не переданы"]:
        assert fragment in notes, fragment


def test_borrowed_context_by_results_year():
    res = pd.DataFrame({"school_id": ["1", "2", "1", "2", "3"], "year": [2023, 2023, 2024, 2024,
                                                                         2024]})
    ctx = pd.DataFrame({"school_id": ["1", "2", "3"], "year": [2023, 2023, 2025]})
    b = borrowed_context(res, ctx)
    # 2024: schools 1 and 2 take 2023 (earlier first), school 3 takes 2025 (the only one)
    assert b.to_dict("records") == [{"year": 2024, "used_year": 2023, "n_schools": 2},
                                    {"year": 2024, "used_year": 2025, "n_schools": 1}]
    lines = borrowed_lines(b, "data/ctx.csv")
    assert lines["severity"].tolist() == ["warning", "warning"]
    assert lines["message"].iloc[0].startswith("за 2024/25 учебный год нет данных о контексте "
                                               "для 2 школ с результатами: их социальный индекс "
                                               "взят из данных 2023/24 учебного года")
    assert borrowed_context(res[res["year"] == 2023], ctx).empty
