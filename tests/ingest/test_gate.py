"""The data-quality gate: a table that loses more than its threshold of rows, or that a requested
stage needs and ends empty, stops the run after data_quality.* are written, with a message that
names the table, each file, the share rejected and the most frequent problems."""
from __future__ import annotations

import pandas as pd
import pytest

from support.bad_inputs import write_csv
from support.ingest import SCH, SCH_COLS
from workbench import ingest
from workbench.config import parse_params
from workbench.context import RunContext
from workbench.core.errors import EXIT_QUALITY_GATE, QualityGateError

RES = {"Код ОО": "school_id", "Предмет": "subject", "Класс": "grade",
       "Участников": "n_participants", "2": "n_mark2", "3": "n_mark3", "4": "n_mark4",
       "5": "n_mark5"}
GOOD = [["1001", "Математика", "5", "20", "2", "8", "6", "4"],
        ["1002", "Математика", "5", "10", "1", "4", "3", "2"],
        ["1001", "Русский язык", "5", "20", "2", "8", "6", "4"],
        ["1002", "Русский язык", "5", "10", "1", "4", "3", "2"]]


def _project(tmp_path, rows_2024, rows_2025=None, **extra):
    d = tmp_path / "data"
    d.mkdir(exist_ok=True)
    (d / "schools.csv").write_text(SCH, encoding="utf-8")
    write_csv(d / "vpr_2024.csv", list(RES), rows_2024)
    write_csv(d / "vpr_2025.csv", list(RES), rows_2025 if rows_2025 is not None else GOOD)
    params = {"inputs": {"schools": {"path": "data/schools.csv", "columns": SCH_COLS},
                         "results": {"path": "data/vpr_*.csv", "columns": RES,
                                     "year_from": "filename",
                                     "constants": {"procedure": "ВПР"}}},
              "ingest": {"use_store": False}, **extra}
    return parse_params(params, base_dir=tmp_path)


def test_gate_stops_after_writing_data_quality(tmp_path):
    bad = [r[:3] + ["н/д"] + r[4:] for r in GOOD[:3]] + GOOD[3:]   # 3 of 8 rows: 37,5 %
    params = _project(tmp_path, bad)
    ctx = RunContext(params, tmp_path / "run")
    with pytest.raises(QualityGateError) as err:
        ingest.run(ctx)
    assert err.value.exit_code == EXIT_QUALITY_GATE == 3
    msg = str(err.value)
    assert "Таблица «результаты» (results): отклонено 3 из 8 строк (37,5%) при допустимых 5,0%" in msg
    assert "Файл «data/vpr_2024.csv»: отклонено 3 из 4 строк (75,0%)" in msg
    assert "data/vpr_2025.csv" not in msg                       # a file without rejections
    assert "• 3 — не заполнено обязательное поле «Участников»" in msg
    page = (tmp_path / "run" / "data_quality.html").read_text(encoding="utf-8")
    assert 'class="gate"' in page and "Проверка качества данных не пройдена" in page
    assert len(pd.read_csv(tmp_path / "run" / "data_quality.csv")) == 3
    assert not (tmp_path / "run" / ".canonical").exists()         # nothing for later stages


def test_per_table_threshold_and_switching_off(tmp_path):
    bad = [r[:3] + ["н/д"] + r[4:] for r in GOOD[:1]] + GOOD[1:]   # 1 of 8 rows: 12,5 %
    ingest.run(RunContext(_project(tmp_path, bad, quality={"tables": {"results": 0.2}}),
                          tmp_path / "run"))
    with pytest.raises(QualityGateError):
        ingest.run(RunContext(_project(tmp_path, bad, quality={"max_rejected_share": 0.2,
                                                                "tables": {"results": 0.1}}),
                              tmp_path / "run2"))
    out = ingest.run(RunContext(_project(tmp_path, bad, quality={"enabled": False}),
                                tmp_path / "run3"))
    assert out["n_errors"] == 1


def test_a_needed_table_that_ends_empty_fails_even_under_a_lax_threshold(tmp_path):
    bad = [r[:3] + ["н/д"] + r[4:] for r in GOOD]
    params = _project(tmp_path, bad, bad, quality={"max_rejected_share": 1.0})
    with pytest.raises(QualityGateError) as err:
        ingest.run(RunContext(params, tmp_path / "run"))
    assert "пуста после загрузки, а этап «идентификация» без неё невозможен" in str(err.value)
    # without the identify stage nothing needs the results: the lax threshold lets it pass
    params = _project(tmp_path, bad, bad, quality={"max_rejected_share": 1.0},
                      stages=["ingest", "clusters"])
    ingest.run(RunContext(params, tmp_path / "run2"))


def test_gate_diagnoses_percent_and_foreign_codes(tmp_path):
    pct = [["1001", "Математика", "5", "20", "10", "40", "30", "20"],
           ["1002", "Математика", "5", "10", "10", "40", "30", "20"],
           ["1001", "Русский язык", "5", "20", "2", "8", "6", "4"]]
    failures = _gate(tmp_path, pct, [["ИНН" + r[0]] + r[1:] for r in GOOD])
    text = ingest.gate_message(failures)
    assert "➜ похоже, это проценты: в 2 из 3 строк" in text
    assert "➜ почти ни один код школы не найден в списке школ" in text
    assert "«data/vpr_2024.csv»: отклонено 2 из 3" in text and "«data/vpr_2025.csv»: отклонено 4 из 4" in text


def _gate(tmp_path, rows_2024, rows_2025):
    params = _project(tmp_path, rows_2024, rows_2025)
    res = ingest.ingest_inputs(params)
    return ingest.evaluate_gate(params, res.inputs, res.problems, res.tables)


def test_gate_counts_each_kind_of_problem(tmp_path):
    """The counts beside the most frequent problems are the problems' own (a bug showed the
    width of a pandas row, 3, for every kind), and a kind with one text shows that text."""
    bad = [r[:3] + ["н/д"] + r[4:] for r in GOOD[:2]] + GOOD[2:]   # 2 of 8 rows
    with pytest.raises(QualityGateError) as err:
        ingest.run(RunContext(_project(tmp_path, bad), tmp_path / "run"))
    msg = str(err.value)
    assert "• 2 — не заполнено обязательное поле «Участников» — заполните ячейку" in msg
    assert "• 3 —" not in msg
