"""Reproducible artefacts (issue 17, item 19): two runs of the same inputs, with the notebooks,
give byte-identical files everywhere — tables, data quality, lists.xlsx and the tech-map
workbooks (their creation time comes from the data), every briefing, every executed notebook
and its HTML (no run times, build paths or random ids). Only run.log and the manifest's times
(started, finished, seconds) say when the run happened."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.runs import tiny_project

BIN = Path(sys.executable).parent
TIMES = ("started", "finished", "seconds")
pytestmark = pytest.mark.slow


def _files(run: Path) -> dict[str, str]:
    return {str(p.relative_to(run)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(run.rglob("*")) if p.is_file() and p.name != "run.log"}


def _run(params: Path) -> None:
    out = subprocess.run([BIN / "workbench", "run", params], capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr


def test_two_runs_give_byte_identical_folders(tmp_path):
    params = tiny_project(tmp_path, n=20)
    _run(params)
    first = tmp_path / "first"
    shutil.copytree(tmp_path / "outputs" / "tiny", first, symlinks=True)
    _run(params)
    again = tmp_path / "outputs" / "tiny"
    a, b = _files(first), _files(again)
    assert set(a) == set(b)
    assert any(k.startswith("notebooks/") and k.endswith(".ipynb") for k in a)
    assert any(k.startswith("briefings/tech_maps/") for k in a) and "lists.xlsx" in a
    differ = sorted(k for k in a if a[k] != b[k])
    assert differ == ["manifest.json"], differ
    m1, m2 = (json.loads((d / "manifest.json").read_text(encoding="utf-8")) for d in (first, again))
    assert {k: v for k, v in m1.items() if k not in TIMES} == \
        {k: v for k, v in m2.items() if k not in TIMES}
    with zipfile.ZipFile(again / "lists.xlsx") as z:  # the creation time is the data's
        assert "<dcterms:created" in z.read("docProps/core.xml").decode() and \
            "2024-09-01T00:00:00Z" in z.read("docProps/core.xml").decode()
    nb = (again / "notebooks" / "02_identify.ipynb").read_text(encoding="utf-8")
    assert ".build-" not in nb and '"start_time"' not in nb and '"duration"' not in nb
