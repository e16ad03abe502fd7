"""The worked ФИС ОКО example of docs/canonical_tables.md does what the page says: the params
block read as written, the example rows give year 2024 (spring 2025) and counts 2, 8, 6, 4."""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from support.bad_inputs import write_xlsx
from support.ingest import ingest_project

DOC = Path(__file__).resolve().parents[2] / "docs" / "canonical_tables.md"


def test_the_fis_oko_example_of_the_docs(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"Один элемент `results` покрывает все годы:\n\n```yaml\n(.*?)```", text,
                      flags=re.S).group(1)
    spec = yaml.safe_load(block)["results"][0]
    spec["path"] = "data/ВПР_*.xlsx"
    (tmp_path / "data").mkdir()
    header = ["Муниципалитет", "Код ОО", "Наименование ОО", "Предмет", "Класс",
              "Кол-во участников", "2", "3", "4", "5"]
    write_xlsx(tmp_path / "data" / "ВПР_2025.xlsx", {"Лист1": [
        ["Распределение групп баллов в % — ВПР 2025"], header,
        ["Заречный р-н", "1001", "МБОУ «Школа № 1»", "Математика", 5, 20, 10.0, 40.0, 30.0, 20.0],
        ["Итого по Заречный р-н", None, None, None, None, 20, 10.0, 40.0, 30.0, 20.0]]})
    res = ingest_project(tmp_path, {"results": spec})
    row = res.tables["results"].iloc[0]
    assert (row["school_id"], row["year"], row["n_participants"]) == ("1001", 2024, 20)
    assert [row[f"n_mark{k}"] for k in range(2, 6)] == [2, 8, 6, 4]
    assert res.problems["severity"].tolist() == ["info"]
