"""The runner: atomic publish, failure keeps previous outputs, lock, latest link, manifest."""
from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest

from workbench import pipeline
from workbench.context import CANONICAL_DIR
from workbench.core.errors import WorkbenchError


def _params(tmp_path: Path, stages=("ingest", "identify")) -> Path:
    (tmp_path / "params").mkdir(exist_ok=True)
    f = tmp_path / "params" / "p.yaml"
    f.write_text("run_id: t\nregion: Тест\nstages: [" + ", ".join(stages) + "]\n"
                 "inputs:\n  schools: {path: data/s.csv}\n", encoding="utf-8")
    return f


@pytest.fixture
def fake_stages(monkeypatch):
    """Stages that write a table whose content says which call made it."""
    calls = {"n": 0}

    def fake(stage, ctx):
        calls["n"] += 1
        if stage == "ingest":
            ctx.write_canonical("schools", pd.DataFrame(
                {"school_id": ["1"], "school_name": ["Школа"], "municipality": ["М"]}))
            ctx.write_meta("inputs", [{"path": "data/s.csv", "rows_read": 1, "rows_kept": 1,
                                       "rows_rejected": 0}])
            (ctx.run_dir / "data_quality.csv").write_text("file,row\n", encoding="utf-8")
        else:
            ctx.write_table("identification", pd.DataFrame({"school_id": ["1"], "year": [2024],
                                                            "call": [calls["n"]]}))
        ctx.note(f"этап {stage}")
        return {}

    monkeypatch.setattr(pipeline.runner, "run_stage_inprocess", fake)
    return calls


def test_run_publishes_atomically_with_manifest_and_latest(tmp_path, fake_stages):
    final = pipeline.run(_params(tmp_path), use_notebooks=False)
    assert final == tmp_path / "outputs" / "t"
    man = json.loads((final / "manifest.json").read_text(encoding="utf-8"))
    assert man["stages"] == ["ingest", "identify"] and man["status"] == "ok"
    assert man["inputs"][0]["rows_read"] == 1 and set(man["seconds"]) == {"ingest", "identify"}
    assert "этап identify" in man["notes"]
    assert (final / "run.log").exists()
    assert not (final / CANONICAL_DIR).exists()
    assert os.readlink(tmp_path / "outputs" / "latest") == "t"
    assert not [p for p in (tmp_path / "outputs").iterdir() if p.name.startswith(".build")]


def test_failure_in_a_late_stage_keeps_previous_outputs(tmp_path, fake_stages, monkeypatch):
    params = _params(tmp_path)
    final = pipeline.run(params, use_notebooks=False)
    before = (final / "tables" / "identification.csv").read_bytes()
    monkeypatch.setenv(pipeline.FAIL_ENV, "identify")
    with pytest.raises(WorkbenchError) as err:
        pipeline.run(params, use_notebooks=False)
    msg = str(err.value)
    assert "идентификация" in msg and "не изменены" in msg and "run.log" in msg
    assert (final / "tables" / "identification.csv").read_bytes() == before
    failed = tmp_path / "outputs" / ".failed-t"
    assert (failed / "run.log").exists()
    assert json.loads((failed / "manifest.json").read_text(encoding="utf-8"))["status"] == "failed"
    assert os.readlink(tmp_path / "outputs" / "latest") == "t"


def _hold_lock(root: str, ready, release) -> None:
    with pipeline.publish.run_lock(Path(root)):
        ready.set()
        release.wait(10)


def test_second_run_at_once_gets_a_clear_message(tmp_path, fake_stages):
    ctx = multiprocessing.get_context("fork")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path / "outputs"), ready, release))
    proc.start()
    try:
        assert ready.wait(10)
        with pytest.raises(WorkbenchError, match="Уже идёт другой запуск") as info:
            pipeline.run(_params(tmp_path), use_notebooks=False)
        assert info.value.exit_code == 4  # the lock is the environment's, not the data's
    finally:
        release.set()
        proc.join(10)
    assert pipeline.run(_params(tmp_path), use_notebooks=False).exists()


def test_skipped_stage_reuses_the_previous_tables(tmp_path, fake_stages):
    pipeline.run(_params(tmp_path), use_notebooks=False)
    final = pipeline.run(_params(tmp_path, stages=("ingest",)), use_notebooks=False)
    assert (final / "tables" / "identification.parquet").exists()


def test_export_html_strips_internet_resources(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1+1", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/html": "<b>привет</b>"})])]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    p = tmp_path / "x.ipynb"
    nbformat.write(nb, p)
    html = pipeline.export_html(p).read_text(encoding="utf-8")
    assert "привет" in html and "1+1" not in html
    assert not pipeline.notebooks._CDN.search(html)
    assert "https://cdn" not in html


def test_lists_xlsx_has_one_writer_per_run():
    from workbench.pipeline.runner import lists_writer
    assert lists_writer(["ingest", "identify", "clusters", "monitoring"]) == "clusters"
    assert lists_writer(["ingest", "identify", "briefings"]) == "identify"
    assert lists_writer(["clusters"]) == "clusters"
