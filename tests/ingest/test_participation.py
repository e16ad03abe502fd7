"""Monitoring rows of schools outside the programme (workbench.ingest.participation; issue 17
item 14): a warning in data quality naming file, row, school and year, the row left out of the
monitoring table and so of `dynamics`; the quality gate does not count it as a data fault;
years the programme table does not cover are kept with one warning; without a programme table
nothing is checked."""
from __future__ import annotations

import json

import pandas as pd

from support.bad_inputs import MON, MON_HDR, Project, write_csv
from workbench import ingest
from workbench.config import parse_params
from workbench.context import RunContext
from workbench.pipeline.runner import run_stage_inprocess

# programme (clean project): 1001 takes part in 2023, 1003 is listed as «нет», 1002 not listed
ROWS = MON + [["1003", "2023", "входной", "результаты", "Доля 2", "0,4"],   # row 4
              ["1003", "2023", "итоговый", "результаты", "Доля 2", "0,1"],  # row 5
              ["1002", "2023", "итоговый", "результаты", "Доля 2", "0,3"],  # row 6
              ["1001", "2022", "итоговый", "результаты", "Доля 2", "0,5"]]  # row 7: not covered


def _project(tmp_path, programme: bool = True) -> Project:
    project = Project(tmp_path)
    write_csv(project.path("monitoring.csv"), MON_HDR, ROWS)
    if not programme:
        del project.params["inputs"]["programme"]
    project.params["ingest"] = {"use_store": False}
    return project


def test_rows_of_non_participants_are_set_apart(tmp_path):
    res = ingest.ingest_inputs(parse_params(_project(tmp_path).params, base_dir=tmp_path))
    p = res.problems[res.problems["file"] == "data/monitoring.csv"]
    rows = p[p["message"].str.startswith("школа не участвует в программе")]
    assert rows[["row", "column", "value", "severity"]].values.tolist() == [
        [4, "Код ОО", "1003", "warning"], [5, "Код ОО", "1003", "warning"],
        [6, "Код ОО", "1002", "warning"]]
    assert rows["message"].str.contains("в 2023/24 учебном году", regex=False).all()
    year = p[p["column"] == "year"]
    assert year["value"].tolist() == ["2022/23"] and year["row"].isna().all()
    mon = res.tables["monitoring"]
    assert sorted(zip(mon["school_id"], mon["year"])) == [("1001", 2022), ("1001", 2023),
                                                          ("1001", 2023)]
    info = next(i for i in res.inputs if i["table"] == "monitoring")
    assert (info["rows_read"], info["rows_kept"], info["rows_rejected"], info["rows_outside"]) \
        == (6, 3, 3, 3)


def test_without_programme_nothing_is_checked(tmp_path):
    res = ingest.ingest_inputs(parse_params(_project(tmp_path, programme=False).params,
                                            base_dir=tmp_path))
    assert len(res.tables["monitoring"]) == 6 and res.problems.empty


def test_not_in_dynamics_and_the_gate_passes(tmp_path):
    params = parse_params(_project(tmp_path).params, base_dir=tmp_path)
    ctx = RunContext(params, tmp_path / "run")
    run_stage_inprocess("ingest", ctx)  # 3 of 6 monitoring rows set apart: not a gate failure
    assert set(ctx.table("monitoring")["school_id"]) == {"1001"}
    run_stage_inprocess("monitoring", ctx)
    dyn = ctx.table("dynamics")
    assert len(dyn) and set(dyn["school_id"]) == {"1001"}
    comp = ctx.table("monitoring_completeness")
    assert set(comp["school_id"]) == {"1001"}
    page = (tmp_path / "run" / "data_quality.html").read_text(encoding="utf-8")
    assert "строк мониторинга школ вне программы: <b>3</b> (не вошли в расчёт)" in page
    assert "предупреждение (строка не вошла в расчёт)" in page
    dq = pd.read_csv(tmp_path / "run" / "data_quality.csv", dtype=str)
    assert (dq["severity"] == "warning").sum() == 4
    notes = json.loads((tmp_path / "run" / ".meta" / "notes.json").read_text(encoding="utf-8"))
    assert "Мониторинг: строки школ, не участвующих в программе в том учебном году (3), не " \
        "вошли в расчёт динамики и полноты (см. data_quality.html)." in notes, notes



def test_check_counts_them_apart(tmp_path):
    text, failures = ingest.check_inputs(parse_params(_project(tmp_path).params,
                                                      base_dir=tmp_path))
    assert not failures
    last = text.rstrip().splitlines()[-1]
    assert last.startswith("Проверка качества будет пройдена: отклонено 0 из ")
    assert last.endswith("; строк мониторинга школ вне программы, не вошедших в расчёт: 3.")
    assert "data/monitoring.csv: предупреждение (строка не вошла в расчёт) — " in text
