"""Value coercion: Russian numbers, yes/no, school years, text normalisation; long columns
(Arrow path) give what the per-value path gives."""
from __future__ import annotations

import numpy as np
import pandas as pd

from support.ingest import ingest_project
from workbench.ingest.coerce import COERCERS, to_number, to_text
from workbench.ingest.columns import YEAR


def test_programme_yes_no_and_rural_flag(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "p.csv").write_text(
        "Код ОО;Год;Участник;Куратор\n1001;2024/25;Да;Петрова\n1002;2024/25;нет;\n",
        encoding="utf-8")
    (tmp_path / "data" / "c.csv").write_text(
        "Код ОО;Год;Сельская\n1001;2024;да\n1002;2024;нет\n", encoding="utf-8")
    res = ingest_project(tmp_path, {
        "programme": {"path": "data/p.csv", "columns": {"Код ОО": "school_id", "Год": "year",
                                                        "Участник": "participant",
                                                        "Куратор": "curator"}},
        "context": {"path": "data/c.csv", "columns": {"Код ОО": "school_id", "Год": "year",
                                                      "Сельская": "is_rural"}}})
    prog = res.tables["programme"]
    assert prog["participant"].tolist() == [True, False] and prog["year"].tolist() == [2024, 2024]
    assert prog["curator"].tolist()[0] == "Петрова" and prog["curator"].isna().tolist()[1]
    assert res.tables["context"]["is_rural"].tolist() == [1.0, 0.0]


def test_to_number_variants():
    s = pd.Series(["1 234,5", "1\u00a0234", "−3", "", "н/д", "12.5", "abc", None], dtype=object)
    vals, bad = to_number(s, ",")
    assert vals.tolist()[:3] == [1234.5, 1234.0, -3.0]
    assert np.isnan(vals.iloc[3]) and np.isnan(vals.iloc[4]) and vals.iloc[5] == 12.5
    assert bad.tolist() == [False, False, False, False, False, False, True, False]
    vals, bad = to_number(pd.Series(["1,234", "2,5"], dtype=object), ".")
    assert vals.iloc[0] == 1234 and bad.tolist() == [False, True]


TRICKY_TEXTS = ["  Школа  №1 ", "школа\u00a0№1", "-", "н/д", "", None, "N/A", "#Н/Д", "1001",
                "Ёлка", "a\tb", float("nan"), "NULL", "1\u202f001\u2009 \u3000"]


def test_text_long_column_same_as_short():
    """Long all-text columns go through Arrow; the result must equal the per-value path."""
    short = [to_text(pd.Series([v], dtype=object))[0].iloc[0] for v in TRICKY_TEXTS]
    assert short[:6] == ["Школа №1", "школа №1", None, None, None, None]
    for many in (False, True):  # ids (all distinct) and a low-cardinality column
        filler = [f"ID{i:06d}" if many else f"Предмет {i % 7}" for i in range(6000)]
        col = pd.Series(TRICKY_TEXTS + filler, dtype=object)
        long_vals, bad = to_text(col)
        got = long_vals.iloc[:len(TRICKY_TEXTS)].tolist()
        assert [None if pd.isna(v) else v for v in got] == \
            [None if pd.isna(v) else v for v in short], many
        assert long_vals.iloc[-1] == filler[-1] and not bad.any()


def test_category_on_long_columns():
    years = pd.Series(["2024/25", " 2023 ", "-", None, "двадцать"] * 2000, dtype=object)
    vals, bad = COERCERS[YEAR](years)
    assert vals.iloc[:5].tolist() == [2024, 2023, None, None, None]
    assert bad[:5].tolist() == [False, False, False, False, True] and bad.sum() == 2000
