"""No pupil identifier in any message (issue 17 item 1): a pupil-level results file without its
header row listed its first record («UCHSECRET0000000X», «0101001», «2024/25», …) as the file's
columns — on the console, in run.log and in the failed run's manifest.

Every case of the bad-input corpus (tests/support/bad_inputs.py), run on a project that also
has a pupil-level results file, and the pupil-level bad cases below, go through a real run
(stage ingest); the exception's message and every byte the run leaves in the outputs folder
(run.log, manifest.json, data_quality.*, the store) are searched for the pupils' codes."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Callable

import pytest

from support.bad_inputs import CASES, Project, write_csv, write_xlsx
from workbench import pipeline
from workbench.core.errors import WorkbenchError
from workbench.ingest.headers import looks_like_header, looks_like_value

SECRET = "UCHSECRET"
HDR = ["ID", "Код ОО", "Год", "Предмет", "Класс", "Отметка"]
COLS = {"ID": "student_id", "Код ОО": "school_id", "Год": "year", "Предмет": "subject",
        "Класс": "grade", "Отметка": "mark"}
PUPILS = [[f"{SECRET}{i:07d}X", "1005", "2023/24", "Математика", "5", str(2 + i % 4)]
          for i in range(8)]


def _with_pupils(p: Project, rows: list[list[str]] | None = None, header: bool = True,
                 name: str = "pupils.csv", **spec: object) -> None:
    p.params["inputs"]["results"].append({"path": f"data/{name}", "columns": dict(COLS),
                                          "constants": {"procedure": "ВПР"}, **spec})
    body = copy.deepcopy(PUPILS if rows is None else rows)
    if name.endswith(".xlsx"):
        write_xlsx(p.path(name), {"Лист1": ([HDR] if header else []) + body})
    else:
        write_csv(p.path(name), HDR if header else None, body)


def _rows(change: Callable[[list[list[str]]], None]) -> list[list[str]]:
    rows = copy.deepcopy(PUPILS)
    change(rows)
    return rows


PUPIL_CASES: dict[str, Callable[[Project], None]] = {
    "no_header_row": lambda p: _with_pupils(p, header=False),
    "no_header_row_xlsx": lambda p: _with_pupils(p, header=False, name="pupils.xlsx"),
    "no_header_row_header_row_param": lambda p: _with_pupils(p, header=False, header_row=1),
    "school_column_renamed": lambda p: (_with_pupils(p), write_csv(
        p.path("pupils.csv"), ["ID", "Школа"] + HDR[2:], PUPILS)),
    "duplicate_pupil": lambda p: _with_pupils(p, PUPILS + [PUPILS[0]]),
    "shifted_cells": lambda p: _with_pupils(p, _rows(lambda r: r.__setitem__(
        2, [""] + r[2][:5]))),
    "id_in_mark_column": lambda p: _with_pupils(p, _rows(lambda r: r[1].__setitem__(
        5, r[1][0]))),
    "extra_cells": lambda p: _with_pupils(p, _rows(lambda r: r[3].extend(["лишнее", r[3][0]]))),
    "total_line_after_an_id": lambda p: _with_pupils(p, PUPILS + [
        [f"{SECRET}9999999X", "", "", "Итого", "", "8"]]),
    "blank_school": lambda p: _with_pupils(p, _rows(lambda r: r[0].__setitem__(1, ""))),
    "unknown_school": lambda p: _with_pupils(p, _rows(lambda r: r[0].__setitem__(1, "77"))),
    "no_result_column": lambda p: (_with_pupils(p), write_csv(
        p.path("pupils.csv"), HDR[:5] + ["Оценка"], PUPILS)),
    "repeated_header_row": lambda p: _with_pupils(p, PUPILS[:3] + [HDR] + PUPILS[3:]),
}


def _run(root: Path, params: dict) -> tuple[str, Path]:
    """A run of the ingest stage; (the error's message or «», the outputs folder)."""
    params = {**params, "run_id": "ids", "stages": ["ingest"]}
    (root / "params").mkdir(exist_ok=True)
    path = root / "params" / "ids.yaml"
    path.write_text(json.dumps(params, ensure_ascii=False), encoding="utf-8")
    try:
        pipeline.run(path, outputs_root=root / "outputs", use_notebooks=False)
    except WorkbenchError as exc:
        return str(exc), root / "outputs"
    return "", root / "outputs"


def _leaks(message: str, outputs: Path) -> list[str]:
    found = [f"message: {message}"] if SECRET in message else []
    for f in outputs.rglob("*"):
        if f.is_file() and SECRET.encode() in f.read_bytes():
            found.append(str(f.relative_to(outputs)))
    return found


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_pupil_id_in_any_corpus_case(tmp_path, name):
    project = Project(tmp_path)
    _with_pupils(project)
    CASES[name](project)
    message, outputs = _run(tmp_path, project.params)
    assert (outputs / "ids").exists() or any(outputs.glob(".failed-*"))  # a run took place
    assert not _leaks(message, outputs), _leaks(message, outputs)


@pytest.mark.parametrize("name", sorted(PUPIL_CASES))
def test_no_pupil_id_in_pupil_level_bad_cases(tmp_path, name):
    project = Project(tmp_path)
    PUPIL_CASES[name](project)
    message, outputs = _run(tmp_path, project.params)
    assert not _leaks(message, outputs), _leaks(message, outputs)
    if name.startswith("no_header_row"):  # the first record is not listed as the columns
        assert "нет обязательного столбца" in message and "pupils." in message
        for cell in PUPILS[0][:3]:
            assert cell not in message
        assert "нет строки заголовка" in message and "данные обучающихся" in message
        run_log = next(outputs.glob(".failed-*/run.log")).read_text(encoding="utf-8")
        assert "нет строки заголовка" in run_log


def test_corpus_run_reports_the_data_quality_of_the_pupils(tmp_path):
    """The searched outputs hold the pupil file's problems (the search is not vacuous)."""
    project = Project(tmp_path)
    PUPIL_CASES["duplicate_pupil"](project)
    message, outputs = _run(tmp_path, project.params)
    assert "(скрыто)" in message  # the gate's message quotes the problem, redacted
    dq = next(outputs.glob("*/data_quality.csv")).read_text(encoding="utf-8")
    assert "data/pupils.csv,10,ID,(скрыто),error" in dq
    assert "повтор записи" in dq


def test_a_school_level_file_without_header_shows_only_header_like_cells(tmp_path):
    project = Project(tmp_path)
    write_csv(project.path("schools.csv"), None, [["1001", "Школа № 1", "Район А", "55,1"]])
    message, _ = _run(tmp_path, project.params)
    assert "нет строки заголовка" in message
    assert "«Школа № 1», «Район А»" in message and "1001" not in message


@pytest.mark.parametrize("cell,header,value", [
    ("UCHSECRET0000000X", False, True), ("0101001", False, True), ("2024/25", False, True),
    ("12.05.2011", False, True), ("S000123", False, True), ("А1234", False, True),
    ("Код ОО", True, False), ("Участников", True, False), ("n_mark2", True, False),
    ("«2», %", False, False), ("2", False, False), ("Класс 5А", True, False),
    ("Результаты 2024", True, False), (None, False, True), (12.0, False, True)])
def test_header_or_value(cell, header, value):
    assert looks_like_header(cell) is header
    assert looks_like_value(cell) is value
