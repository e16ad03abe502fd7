"""Results shapes: percent distributions become counts, a share alone gives n_low, and pupil
rows are aggregated to school rows (checked against hand-worked values)."""
from __future__ import annotations

import numpy as np
import pytest

from support.ingest import ingest_project


def test_pct_marks_become_counts_and_share_only(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fis.csv").write_text(
        "Код ОО;Год;Предмет;Класс;Участников;2;3;4;5\n"
        "1001;2023;Русский язык;4;30;10,0;40,0;30,0;20,0\n", encoding="utf-8")
    (tmp_path / "data" / "share.csv").write_text(
        "Код ОО;Год;Предмет;Класс;Участников;Доля не преодолевших минимум\n"
        "1002;2023;Математика;11;40;0,05\n", encoding="utf-8")
    res = ingest_project(tmp_path, {"results": [
        {"path": "data/fis.csv", "constants": {"procedure": "ВПР"}, "columns": {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
            "Участников": "n_participants", "2": "pct_mark2", "3": "pct_mark3", "4": "pct_mark4",
            "5": "pct_mark5"}},
        {"path": "data/share.csv", "constants": {"procedure": "ЕГЭ"}, "columns": {
            "Код ОО": "school_id", "Год": "year", "Предмет": "subject", "Класс": "grade",
            "Участников": "n_participants", "Доля не преодолевших минимум": "share_low"}}]})
    r = res.tables["results"].set_index("school_id")
    assert r.loc["1001", ["n_mark2", "n_mark3", "n_mark4", "n_mark5"]].tolist() == [3, 12, 9, 6]
    assert r.loc["1001", "share_low"] == pytest.approx(0.1)
    assert r.loc["1002", "share_low"] == pytest.approx(0.05)
    assert r.loc["1002", "n_low"] == 2
    assert "pct_mark2" not in r.columns


def test_pupil_level_aggregated_by_hand(tmp_path):
    """Marks: school 1001 grade 5 has marks 2,3,3,5 and one score-only pupil; 1002 has 4,4."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "pupils.csv").write_text(
        "Код участника;Код ОО;Год;Процедура;Предмет;Класс;Отметка;Балл\n"
        "A1;1001;2023;ВПР;Математика;5;2;4\n"
        "A2;1001;2023;ВПР;Математика;5;3;8\n"
        "A3;1001;2023;ВПР;Математика;5;3;9\n"
        "A4;1001;2023;ВПР;Математика;5;5;15\n"
        "B1;1002;2023;ВПР;Математика;5;4;12\n"
        "B2;1002;2023;ВПР;Математика;5;4;13\n"
        "C1;1001;2023;ЕГЭ;Математика;11;;20\n"
        "C2;1001;2023;ЕГЭ;Математика;11;;30\n"
        "C3;1001;2023;ЕГЭ;Математика;11;;50\n", encoding="utf-8")
    res = ingest_project(tmp_path, {"results": {"path": "data/pupils.csv", "columns": {
        "Код участника": "student_id", "Код ОО": "school_id", "Год": "year",
        "Процедура": "procedure", "Предмет": "subject", "Класс": "grade", "Отметка": "mark",
        "Балл": "score"}}}, ingest={"min_scores": {"ЕГЭ/Математика": 27}})
    r = res.tables["results"].set_index(["school_id", "procedure"])
    a = r.loc[("1001", "ВПР")]
    assert a["n_participants"] == 4
    assert [a[f"n_mark{k}"] for k in range(2, 6)] == [1, 2, 0, 1]
    assert a["mean_score"] == pytest.approx(9.0)
    assert a["sd_score"] == pytest.approx(np.std([4, 8, 9, 15], ddof=1))
    assert a["n_low"] == 1 and a["share_low"] == pytest.approx(0.25)
    b = r.loc[("1002", "ВПР")]
    assert (b["n_participants"], b["n_low"], b["n_mark4"]) == (2, 0, 2)
    e = r.loc[("1001", "ЕГЭ")]
    assert (e["n_participants"], e["n_low"]) == (3, 1)
    assert e["mean_score"] == pytest.approx(100 / 3) and np.isnan(e["n_mark2"])
    info = [i for i in res.inputs if i["table"] == "results"][0]
    assert (info["rows_read"], info["rows_kept"], info["rows_rejected"]) == (9, 9, 0)
    assert "student_id" not in res.tables["results"].columns
    assert not res.tables["results"].astype(str).isin(["A1", "B1", "C1"]).any().any()
