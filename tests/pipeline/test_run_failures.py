"""Unusable inputs stop `workbench run` with a short Russian message, keep the previous outputs,
and still leave the user the data-quality list of what was wrong."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from workbench import demo

BIN = Path(sys.executable).parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    proj = tmp_path_factory.mktemp("fail")
    demo.write_demo(proj / "data" / "demo", proj / "params" / "demo.yaml", n_schools=30, seed=9)
    out = subprocess.run([BIN / "workbench", "run", proj / "params" / "demo.yaml", "--no-notebooks"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return proj


def _run(proj: Path) -> subprocess.CompletedProcess:
    return subprocess.run([BIN / "workbench", "run", proj / "params" / "demo.yaml", "--no-notebooks"],
                          capture_output=True, text=True)


def test_schools_file_without_a_usable_row(project):
    path = project / "data" / "demo" / "schools.xlsx"
    original = path.read_bytes()
    before = (project / "outputs" / "demo" / "manifest.json").read_bytes()
    try:
        schools = pd.read_excel(path, sheet_name="ОО", dtype=str, engine="calamine")
        schools["Код ОО"] = ""
        schools.to_excel(path, sheet_name="ОО", index=False)
        out = _run(project)
    finally:
        path.write_bytes(original)
    assert out.returncode == 2
    err = out.stderr
    assert "schools.xlsx" in err and "нет ни одной пригодной строки" in err
    assert "строка 2" in err and "Код ОО" in err, err
    assert "Traceback" not in err
    assert (project / "outputs" / "demo" / "manifest.json").read_bytes() == before
    dq = pd.read_csv(project / "outputs" / ".failed-demo" / "data_quality.csv")
    assert len(dq) >= 30 and set(dq["column"]) == {"Код ОО"}


def test_missing_required_column_names_it_and_lists_the_headers(project):
    path = project / "data" / "demo" / "context.csv"
    original = path.read_bytes()
    try:
        path.write_bytes(original.replace("Учебный год".encode("cp1251"), "Год обучения".encode("cp1251")))
        out = _run(project)
    finally:
        path.write_bytes(original)
    assert out.returncode == 2, out.stderr
    assert "context.csv" in out.stderr and "Учебный год" in out.stderr
    assert "Год обучения" in out.stderr  # the headers the file has
    assert "Traceback" not in out.stderr


def test_unreadable_file_is_a_clear_error(project):
    path = project / "data" / "demo" / "vpr_2023.xlsx"
    original = path.read_bytes()
    try:
        path.write_bytes(b"this is not an xlsx file")
        out = _run(project)
    finally:
        path.write_bytes(original)
    assert out.returncode == 2, out.stderr
    assert "vpr_2023.xlsx" in out.stderr and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) <= 4
