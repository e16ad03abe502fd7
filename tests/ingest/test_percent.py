"""Percent where counts or shares are expected: a ФИС ОКО «Распределение групп баллов в %»
mapped as counts is recognised (or, when only part of it looks so, said), and a context column
declared `scale: percent` is divided by 100."""
from __future__ import annotations

from support.bad_inputs import write_csv
from support.ingest import ingest_project

HDR = ["Код ОО", "Предмет", "Класс", "Участников", "2", "3", "4", "5"]
COUNTS = {"Код ОО": "school_id", "Предмет": "subject", "Класс": "grade",
          "Участников": "n_participants", "2": "n_mark2", "3": "n_mark3", "4": "n_mark4",
          "5": "n_mark5"}
SPEC = {"path": "data/vpr.csv", "columns": COUNTS, "constants": {"procedure": "ВПР", "year": 2024}}


def test_percent_distribution_mapped_as_counts_is_read_as_percent(tmp_path):
    (tmp_path / "data").mkdir()
    write_csv(tmp_path / "data" / "vpr.csv", HDR, [
        ["1001", "Математика", "5", "20", "10", "40", "30", "20"],
        ["1002", "Математика", "5", "8", "12,5", "37,5", "25", "25"]])
    res = ingest_project(tmp_path, {"results": SPEC})
    r = res.tables["results"].set_index("school_id")
    assert r.loc["1001", ["n_mark2", "n_mark3", "n_mark4", "n_mark5"]].tolist() == [2, 8, 6, 4]
    assert r.loc["1002", ["n_mark2", "n_mark3", "n_mark4", "n_mark5"]].tolist() == [1, 3, 2, 2]
    assert r.loc["1001", "share_low"] == 0.1
    assert res.inputs[1]["rows_rejected"] == 0
    (line,) = res.problems[res.problems["file"] == "data/vpr.csv"].itertuples()
    assert line.severity == "warning" and line.row == 1 and line.column == "2"
    assert "прочитан как проценты" in line.message and "pct_mark2…pct_mark5" in line.message


def test_counts_are_left_alone_and_a_partial_pattern_is_said(tmp_path):
    (tmp_path / "data").mkdir()
    rows = [["1001", "Математика", "5", "20", "2", "8", "6", "4"],      # counts: sum = 20
            ["1002", "Математика", "5", "100", "10", "40", "30", "20"]]  # 100 pupils: can't tell
    write_csv(tmp_path / "data" / "vpr.csv", HDR, rows)
    res = ingest_project(tmp_path, {"results": SPEC})
    assert res.problems.empty
    assert res.tables["results"]["n_mark2"].tolist() == [2, 10]
    rows[0] = ["1001", "Математика", "5", "20", "10", "40", "30", "20"]   # percent: sum 100 ≠ 20
    rows.append(["1001", "Русский язык", "5", "20", "2", "8", "6", "4"])
    rows.append(["1002", "Русский язык", "5", "10", "1", "4", "3", "2"])
    write_csv(tmp_path / "data" / "vpr.csv", HDR, rows)
    res = ingest_project(tmp_path, {"results": SPEC})
    p = res.problems
    assert (p["severity"] == "error").sum() == 1  # the one percent row is rejected
    hint = p[p["severity"] == "warning"]["message"]
    assert len(hint) == 1 and hint.iloc[0].startswith("похоже, это проценты: в 1 из 3 строк")


def test_scale_percent_divides_by_100(tmp_path):
    (tmp_path / "data").mkdir()
    write_csv(tmp_path / "data" / "ctx.csv", ["Код ОО", "Год", "Доля ОВЗ, %", "Доля мигрантов"],
              [["1001", "2024/25", "25,5", "0,1"], ["1002", "2024/25", "140", "0,2"]])
    res = ingest_project(tmp_path, {"context": {"path": "data/ctx.csv", "columns": {
        "Код ОО": "school_id", "Год": "year",
        "Доля ОВЗ, %": {"name": "share_ovz", "scale": "percent"},
        "Доля мигрантов": "share_migrants"}}},
        context_indicators={"share_migrants": {"direction": "adverse", "label": "Мигранты"}})
    c = res.tables["context"]
    assert c["share_ovz"].tolist() == [0.255] and c["share_migrants"].tolist() == [0.1]
    bad = res.problems[res.problems["severity"] == "error"]
    assert bad["value"].tolist() == ["140"] and bad["column"].tolist() == ["Доля ОВЗ, %"]
