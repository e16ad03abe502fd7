"""Pupil-level results out of core (issue 19 item 2): a pupil CSV or Parquet file is aggregated
by DuckDB (pupils_sql.py) to the numbers worked out by hand below, with the problems, row
numbers and accounting of the pandas path, which Excel pupil files still take; the two paths
agree on the same rows, and both agree with `aggregate_students` on the rows kept."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from support.bad_inputs import write_xlsx
from support.ingest import ingest_project
from workbench.ingest import files, pupils_sql
from workbench.ingest.students import aggregate_students

HDR = ["Код участника", "Код ОО", "Год", "Процедура", "Предмет", "Класс", "Отметка", "Балл"]
COLS = {"Код участника": "student_id", "Код ОО": "school_id", "Год": "year",
        "Процедура": "procedure", "Предмет": "subject", "Класс": "grade", "Отметка": "mark",
        "Балл": "score"}
# line 1 is the header; the comment of a row says what happens to it
ROWS = [
    ["P01", "1001", "2023/24", "ВПР", "Математика", "5", "2", "4"],      # 2  kept
    ["P02", "1001", "2023/24", "ВПР", "Математика", "5", "3", "8"],      # 3  kept
    ["P03", "1001", "2023", "впр", "Математика", "5 кл", "3", "9,0"],    # 4  kept (same values)
    ["P04", "1001", "2023/24", "ВПР", "Математика", "5", "5", "15"],     # 5  kept
    ["P02", "1001", "2023/24", "ВПР", "Математика", "5", "4", "12"],     # 6  duplicate of 3
    ["P05", "1001", "2023/24", "ВПР", "Математика", "5", "6", "10"],     # 7  mark out of range
    ["", "", "", "", "", "", "", ""],                                      # 8  empty
    ["P06", "01002", "2023/24", "ВПР", "Математика", "5", "4", "12"],    # 9  kept (code repaired)
    ["P07", "1002", "2023/24", "ВПР", "Математика", "5", "4", "13"],     # 10 kept
    ["P08", "7777", "2023/24", "ВПР", "Математика", "5", "4", "13"],     # 11 unknown school
    ["P09", "1002", "2023/24", "ВПР", "Математика", "5", "н/д", ""],     # 12 no result
    ["P10", "1002", "двадцать", "ВПР", "Математика", "5", "3", "7"],     # 13 year not understood
    ["P11", "1001", "2023/24", "ЕГЭ", "Математика", "11", "", "20"],     # 14 kept
    ["P12", "1001", "2023/24", "ЕГЭ", "Математика", "11", "", "30"],     # 15 kept
    ["P13", "1001", "2023/24", "ЕГЭ", "Математика", "11", "", "50"],     # 16 kept
    ["P14", "1001", "2023/24", "ЕГЭ", "Математика", "11", "", "-1"],     # 17 negative score
    ["P15", "1002", "2023/24", "ВПР", "Математика", "5", "P15", ""],     # 18 id in the mark
    ["", "", "Итого", "", "", "", "", ""],                                # 19 total line
]
MIN = {"min_scores": {"ЕГЭ/Математика": 27}}


def _write_csv(path, rows=ROWS, sep=";"):
    lines = [sep.join(HDR)] + [sep.join(r) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _ingest(tmp_path, name, **spec):
    return ingest_project(tmp_path, {"results": {"path": f"data/{name}", "columns": dict(COLS),
                                                 **spec}}, ingest=MIN)


def _problems(res):
    p = res.problems[res.problems["file"].str.contains("pupils")]
    return sorted(map(tuple, p[["row", "column", "value", "severity", "message"]]
                      .astype(str).to_numpy()))


def test_csv_aggregated_by_duckdb_to_hand_worked_numbers(tmp_path):
    (tmp_path / "data").mkdir()
    _write_csv(tmp_path / "data" / "pupils.csv")
    res = _ingest(tmp_path, "pupils.csv")
    r = res.tables["results"].set_index(["school_id", "procedure"])
    a = r.loc[("1001", "ВПР")]  # marks 2, 3, 3, 5; scores 4, 8, 9, 15
    assert (a["year"], a["grade"], a["n_participants"]) == (2023, 5, 4)
    assert [a[f"n_mark{k}"] for k in range(2, 6)] == [1, 2, 0, 1]
    assert a["mean_score"] == pytest.approx(9.0)
    assert a["sd_score"] == pytest.approx(np.std([4, 8, 9, 15], ddof=1))
    assert (a["n_low"], a["share_low"]) == (1, pytest.approx(0.25))
    b = r.loc[("1002", "ВПР")]  # «01002» repaired: marks 4, 4
    assert (b["n_participants"], b["n_mark4"], b["n_low"]) == (2, 2, 0)
    e = r.loc[("1001", "ЕГЭ")]  # scores 20, 30, 50; minimum 27 → one low
    assert (e["n_participants"], e["n_low"]) == (3, 1)
    assert e["mean_score"] == pytest.approx(100 / 3) and np.isnan(e["n_mark2"])
    info = [i for i in res.inputs if i["table"] == "results"][0]
    assert (info["rows_read"], info["rows_kept"], info["rows_rejected"]) == (16, 9, 7)
    assert (info["rows_empty"], info["rows_totals"]) == (1, 1)
    got = {(row, col): msg for row, col, _, _, msg in _problems(res)}
    assert "повтор записи" in got[("6", "Код участника")] and "строка 3" in got[("6", "Код участника")]
    assert "отметка" in got[("7", "Отметка")]
    assert "школы с таким кодом нет" in got[("11", "Код ОО")]
    assert "нет ни отметки, ни балла" in got[("12", "Отметка")]
    assert "не понят год" in got[("13", "Год")]
    assert "не может быть отрицательным" in got[("17", "Балл")]
    assert "ожидается число" in got[("18", "Отметка")]
    assert "восстановлены" in got[("9", "Код ОО")] or "убраны ведущие нули" in got[("9", "Код ОО")]
    assert "итогов" in got[("19", "")]
    assert len(got) == 9


def test_no_pupil_code_leaves_the_duckdb_path(tmp_path):
    (tmp_path / "data").mkdir()
    _write_csv(tmp_path / "data" / "pupils.csv")
    res = _ingest(tmp_path, "pupils.csv")
    shown = res.problems.astype(str)
    codes = {r[0] for r in ROWS if r[0]}
    assert not shown.isin(codes).any().any()
    assert not any(c in m for m in shown["message"] for c in codes)
    assert not res.tables["results"].astype(str).isin(codes).any().any()
    assert (shown["value"] == "(скрыто)").sum() == 2  # the duplicate and the id in the mark


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_duckdb_and_pandas_paths_agree(tmp_path, monkeypatch, fmt):
    """The same file through DuckDB and through the pandas path (forced): same results table,
    problems and accounting; the xlsx of the same rows (pandas) agrees with the CSV too."""
    (tmp_path / "data").mkdir()
    if fmt == "csv":
        _write_csv(tmp_path / "data" / "pupils.csv")
    else:  # no blank cells but NULLs, and a decimal point (Parquet is read with «.»)
        pd.DataFrame(ROWS, columns=HDR).astype(object).replace({"": None, "9,0": "9.0"}
                                                              ).to_parquet(
            tmp_path / "data" / "pupils.parquet", index=False)
    duck = _ingest(tmp_path, f"pupils.{fmt}")
    monkeypatch.setattr(files, "takes_sql_path", lambda path: False)
    pandas_path = _ingest(tmp_path, f"pupils.{fmt}")
    pd.testing.assert_frame_equal(duck.tables["results"], pandas_path.tables["results"],
                                  check_exact=False)
    assert _problems(duck) == _problems(pandas_path)
    acc = [[(i["rows_read"], i["rows_kept"], i["rows_rejected"], i["rows_empty"],
             i["rows_totals"]) for i in r.inputs if i["table"] == "results"]
           for r in (duck, pandas_path)]
    assert acc[0] == acc[1] == [(16, 9, 7, 1, 1)]
    if fmt == "csv":
        write_xlsx(tmp_path / "data" / "pupils.xlsx", {"Лист1": [HDR] + ROWS})
        xlsx = _ingest(tmp_path, "pupils.xlsx")
        pd.testing.assert_frame_equal(duck.tables["results"], xlsx.tables["results"],
                                      check_exact=False)
        assert _problems(duck) == _problems(xlsx)


def test_duckdb_numbers_equal_aggregate_students(tmp_path):
    """The kept rows aggregated by pandas (aggregate_students) give the DuckDB path's numbers."""
    (tmp_path / "data").mkdir()
    kept = [ROWS[i] for i in (0, 1, 3, 12, 13, 14)]
    _write_csv(tmp_path / "data" / "pupils.csv", kept)
    res = _ingest(tmp_path, "pupils.csv")
    df = pd.DataFrame({"school_id": [r[1] for r in kept], "year": 2023.0,
                       "procedure": [r[3] for r in kept], "subject": "Математика",
                       "grade": [float(r[5]) for r in kept],
                       "mark": [float(r[6]) if r[6] else np.nan for r in kept],
                       "score": [float(r[7]) for r in kept], "_file": "x"})
    ref = aggregate_students(df, MIN["min_scores"])
    out = res.tables["results"]
    for c in ("n_participants", "n_mark2", "n_mark3", "n_mark5", "mean_score", "sd_score",
              "n_low"):
        np.testing.assert_allclose(out[c].to_numpy(dtype=float), ref[c].to_numpy(dtype=float),
                                   equal_nan=True)


def test_blank_lines_and_rows_with_many_extra_cells_keep_their_numbers(tmp_path):
    (tmp_path / "data").mkdir()
    rows = [ROWS[0], ROWS[1] + ["x"] * 20, ROWS[3], ROWS[2] + ["лишнее"]]
    text = ";".join(HDR) + "\n" + ";".join(rows[0]) + "\n\n\n" + "\n".join(
        ";".join(r) for r in rows[1:]) + "\n"
    (tmp_path / "data" / "pupils.csv").write_text(text, encoding="utf-8")
    res = _ingest(tmp_path, "pupils.csv")
    info = [i for i in res.inputs if i["table"] == "results"][0]
    assert (info["rows_read"], info["rows_kept"], info["rows_empty"]) == (4, 2, 2)
    assert [p[0] for p in _problems(res)] == ["5", "7"]  # lines 3-4 blank; 5 and 7 too long


def test_cp1251_csv_and_temp_folder_removed(tmp_path):
    (tmp_path / "data").mkdir()
    lines = [";".join(HDR)] + [";".join(r) for r in ROWS[:4]]
    (tmp_path / "data" / "pupils.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1251"))
    res = _ingest(tmp_path, "pupils.csv")
    assert res.tables["results"]["n_participants"].tolist() == [4]
    work = tmp_path / "work"
    info = pupils_sql.aggregate_pupil_file(
        tmp_path / "data" / "pupils.csv", "pupils.csv",
        res_spec(tmp_path), {}, ingest_params(), {"1001"}, work)
    assert info.rows_read == 4 and not work.exists()


def res_spec(tmp_path):
    from workbench.config import InputSpec
    return InputSpec(path="data/pupils.csv", columns=dict(COLS))


def ingest_params():
    from workbench.config.ingest import IngestParams
    return IngestParams(pupils_memory_limit="256MB", pupils_threads=1)


def test_typed_parquet_agrees_with_the_pandas_path(tmp_path, monkeypatch):
    """Numeric codes and marks in Parquet (int, float, a NaN mark with a score): both paths give
    the same table and problems (a repeated pupil 102, an unknown school 7777)."""
    (tmp_path / "data").mkdir()
    pd.DataFrame({"Код участника": [101, 102, 103, 102, 104],
                  "Код ОО": [1001, 1001, 1002, 1001, 7777], "Год": [2023] * 5,
                  "Процедура": ["ВПР"] * 5, "Предмет": ["Математика"] * 5, "Класс": [5] * 5,
                  "Отметка": [2.0, 3.0, np.nan, 4.0, 5.0], "Балл": [4.5, 8, 9, 12, 1]}
                 ).to_parquet(tmp_path / "data" / "pupils.parquet", index=False)
    duck = _ingest(tmp_path, "pupils.parquet")
    monkeypatch.setattr(files, "takes_sql_path", lambda path: False)
    pandas_path = _ingest(tmp_path, "pupils.parquet")
    pd.testing.assert_frame_equal(duck.tables["results"], pandas_path.tables["results"],
                                  check_exact=False)
    assert _problems(duck) == _problems(pandas_path)
    assert [p[:2] for p in _problems(duck)] == [("5", "Код участника"), ("6", "Код ОО")]
    r = duck.tables["results"].set_index("school_id")
    assert (r.loc["1001", "n_participants"], r.loc["1001", "n_low"]) == (2, 1)


@pytest.mark.parametrize("year_from", ["title", "filename"])
def test_year_from_the_title_or_the_file_name(tmp_path, year_from):
    (tmp_path / "data").mkdir()
    hdr = [h for h in HDR if h != "Год"]
    rows = [[c for i, c in enumerate(r) if i != 2] for r in ROWS[:4]]
    lines = ["Результаты РДР 2022/23 учебного года"] + [";".join(hdr)] + [";".join(r) for r in rows]
    (tmp_path / "data" / "pupils_2024.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    cols = {k: v for k, v in COLS.items() if v != "year"}
    res = ingest_project(tmp_path, {"results": {"path": "data/pupils_2024.csv", "columns": cols,
                                                "year_from": year_from}}, ingest=MIN)
    r = res.tables["results"]
    assert r["year"].tolist() == [2022 if year_from == "title" else 2024]
    assert r["n_participants"].tolist() == [4]
