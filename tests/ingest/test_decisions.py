"""The optional `decisions` table at ingestion: Russian words normalised to codes, a decision or
a category not understood rejected with file, row, column and value."""
from __future__ import annotations

from support.ingest import ingest_project

COLS = {"Код ОО": "school_id", "Учебный год": "year", "Решение": "decision",
        "Категория": "category", "Основание": "reason", "Эксперт": "expert",
        "Дата решения": "decision_date"}


def test_decisions_are_read_and_bad_rows_reported(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "decisions.csv").write_text(
        "Код ОО;Учебный год;Решение;Категория;Основание;Эксперт;Дата решения\n"
        "1001;2024/25;Исключить;;реорганизация;Иванова А. П.;12.03.2025\n"
        "1002;2024/25;включить;ШНОР (низкие результаты обучения);анализ;Петров;12.03.2025\n"
        "1001;2023/24;оставить;;;;\n"
        "1002;2023/24;категория;Зона риска;;;\n"
        "1002;2022/23;категория;;;;\n", encoding="utf-8")
    res = ingest_project(tmp_path, {"decisions": {"path": "data/decisions.csv",
                                                  "columns": COLS}})
    d = res.tables["decisions"].sort_values(["year", "school_id"]).reset_index(drop=True)
    assert list(d["decision"]) == ["category", "exclude", "include"]
    assert list(d["category"].fillna("-")) == ["watch", "-", "low_results"]
    assert list(d["expert"].fillna("-")) == ["-", "Иванова А. П.", "Петров"]
    acc = [i for i in res.inputs if i["table"] == "decisions"][0]
    assert (acc["rows_read"], acc["rows_kept"], acc["rows_rejected"]) == (5, 3, 2)
    p = res.problems[res.problems["file"].str.endswith("decisions.csv")]
    bad = p.set_index("row")
    assert bad.loc[4, "column"] == "Решение" and bad.loc[4, "value"] == "оставить"
    assert "«включить», «исключить» или «категория»" in bad.loc[4, "message"]
    assert bad.loc[6, "column"] == "Решение" and "без категории" in bad.loc[6, "message"]
