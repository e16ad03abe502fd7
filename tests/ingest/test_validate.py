"""Validation of numbers (workbench.ingest.validate): a number that is not finite («inf»,
«1e400») or beyond any plausible value («1e300») is a data-quality error naming file, Excel row,
source column and value, in every numeric column of every table — never a silent infinity that
reaches a later stage (issue 17 item 2: one «inf» in context crashed the clustering)."""
from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest

from support.bad_inputs import (COLUMNS, CTX, CTX_HDR, MON, MON_HDR, RES, RES_HDR, RISK, RISK_HDR,
                                SCHOOLS, SCHOOLS_HDR, Project, write_csv)
from support.runs import tiny_project
from workbench import ingest, pipeline
from workbench.config import parse_params
from workbench.ingest.columns import NUM, column_types

FILES = {"schools": ("schools.csv", SCHOOLS_HDR, SCHOOLS, "utf-8"),
         "results": ("results_2023.csv", RES_HDR, RES, "utf-8"),
         "context": ("context.csv", CTX_HDR, CTX, "cp1251"),
         "monitoring": ("monitoring.csv", MON_HDR, MON, "utf-8"),
         "risk_survey": ("risk.csv", RISK_HDR, RISK, "utf-8")}
PUPIL_HDR = ["ID", "Код ОО", "Год", "Предмет", "Класс", "Отметка", "Балл"]
PUPIL_COLS = {"ID": "student_id", "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
              "Класс": "grade", "Отметка": "mark", "Балл": "score"}
PUPILS = [["S1", "1005", "2023", "Математика", "5", "4", "17"],
          ["S2", "1005", "2023", "Математика", "5", "3", "12"]]
HOSTILE = ["inf", "1e400", "-1e300", "Infinity", "-inf"]


def _numeric_columns() -> list[tuple[str, str]]:
    indicators = {"share_low_income": "", "internet_mbps": "", "n_students": ""}
    cols = [(t, c) for t in FILES for c, kind in column_types(t, indicators).items()
            if kind == NUM and (t != "context" or c in indicators)]
    return cols + [("results_students", "mark"), ("results_students", "score")]


def _put(project: Project, table: str, column: str, value: str) -> tuple[str, str]:
    """`value` in the first data row's cell of `column` (a column is added, mapped, when the
    clean file lacks it); returns (file, source header)."""
    if table == "results_students":
        spec = {"path": "data/pupils.csv", "columns": dict(PUPIL_COLS),
                "constants": {"procedure": "ВПР"}}
        project.params["inputs"]["results"].append(spec)
        rows = copy.deepcopy(PUPILS)
        rows[0][PUPIL_HDR.index({"mark": "Отметка", "score": "Балл"}[column])] = value
        write_csv(project.path("pupils.csv"), PUPIL_HDR, rows)
        return "pupils.csv", {"mark": "Отметка", "score": "Балл"}[column]
    name, hdr, rows, enc = FILES[table]
    hdr, rows = list(hdr), copy.deepcopy(rows)
    src = {v: k for k, v in COLUMNS[table].items()}.get(column)
    if src is None:
        src = f"Поле {column}"
        hdr.append(src)
        rows = [r + [""] for r in rows]
        project.spec(table)["columns"][src] = column
    rows[0][hdr.index(src)] = value
    write_csv(project.path(name), hdr, rows, encoding=enc)
    return name, src


def test_every_numeric_column_is_covered():
    cols = _numeric_columns()
    assert len(cols) == 23 and ("context", "share_low_income") in cols
    assert ("monitoring", "value") in cols and ("results", "mean_score") in cols


@pytest.mark.parametrize("table,column", _numeric_columns())
def test_non_finite_number_is_an_error_of_its_cell(tmp_path, table, column):
    value = HOSTILE[sum(map(ord, column)) % len(HOSTILE)]
    project = Project(tmp_path)
    file, header = _put(project, table, column, value)
    res = ingest.ingest_inputs(parse_params(project.params, base_dir=tmp_path))
    p = res.problems
    hit = p[(p["file"] == f"data/{file}") & (p["row"] == 2) & (p["column"] == header)
            & (p["value"] == value) & (p["severity"] == "error")]
    assert len(hit) == 1, p.to_string()
    assert "правдоподобного диапазона" in hit["message"].iloc[0]
    info = next(i for i in res.inputs if i["path"] == f"data/{file}")
    assert info["rows_rejected"] >= 1
    for df in res.tables.values():  # nothing infinite or absurd reaches a table
        num = df.select_dtypes("number")
        assert not (np.abs(num.to_numpy(dtype="float64")) > 1e12).any()


@pytest.mark.parametrize("value,bad", [("1e12", False), ("-999999999999", False),
                                       ("1,5e13", True), ("1e300", True),
                                       ("inf", True), ("1e400", True)])
def test_plausible_bound(tmp_path, value, bad):
    project = Project(tmp_path)
    _put(project, "monitoring", "value", value)
    res = ingest.ingest_inputs(parse_params(project.params, base_dir=tmp_path))
    hit = res.problems["message"].str.contains("правдоподобного", regex=False)
    assert bool(hit.any()) is bad
    assert len(res.tables["monitoring"]) == (1 if bad else 2)


def test_non_finite_in_parquet_numbers(tmp_path):
    project = Project(tmp_path)
    pd.DataFrame({"Код ОО": ["1001", "1002"], "Год": [2023, 2023], "Доля малообеспеченных":
                  [0.2, 0.3], "Скорость интернета": [np.inf, 5.0], "Обучающихся": [300, 400]}
                 ).to_parquet(project.path("context.parquet"))
    project.params["inputs"]["context"] = {"path": "data/context.parquet",
                                           "columns": dict(COLUMNS["context"])}
    res = ingest.ingest_inputs(parse_params(project.params, base_dir=tmp_path))
    p = res.problems
    assert p[(p["row"] == 2) & (p["column"] == "Скорость интернета")]["value"].tolist() == ["inf"]
    assert res.tables["context"]["school_id"].tolist() == ["1002"]


def test_inf_in_context_does_not_break_the_run(tmp_path):
    """The run of issue 17 item 2: one «inf» in a context cell — now one error in data quality,
    the school's context row rejected, every stage done."""
    params_file = tiny_project(tmp_path, n=30)
    ctx = tmp_path / "data" / "ctx.csv"
    lines = ctx.read_text(encoding="cp1251").splitlines()
    cells = lines[3].split(";")
    cells[2] = "inf"
    lines[3] = ";".join(cells)
    ctx.write_text("\n".join(lines) + "\n", encoding="cp1251")
    final = pipeline.run(params_file, use_notebooks=False)
    dq = pd.read_csv(final / "data_quality.csv", dtype=str)
    row = dq[dq["value"] == "inf"]
    assert row[["file", "row", "column", "severity"]].values.tolist() == [
        ["data/ctx.csv", "4", "Доля малообеспеченных", "error"]]
    dyn_like = [p for p in (final / "tables").glob("*.csv")]
    assert dyn_like and not any("inf" in p.read_text(encoding="utf-8").lower().split(",")
                                for p in dyn_like)
