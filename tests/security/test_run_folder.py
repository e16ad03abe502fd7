"""Security of the run folder (issue 17, items 5, 8, 10): nothing the runner writes follows a
symlink someone planted in outputs/, leftovers of an interrupted publish never block the next
run, reserved run ids are refused before anything runs."""
from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench import cli, pipeline
from workbench.context import open_context
from workbench.core.errors import EXIT_ENVIRONMENT, WorkbenchError


def _params(tmp_path: Path, run_id: str = "t") -> Path:
    (tmp_path / "params").mkdir(exist_ok=True)
    f = tmp_path / "params" / "p.yaml"
    f.write_text(f"run_id: {run_id}\nstages: [ingest, identify]\n"
                 "inputs:\n  schools: {path: data/s.csv}\n", encoding="utf-8")
    return f


@pytest.fixture
def fake_stages(monkeypatch):
    def fake(stage, ctx):
        if stage == "ingest":
            ctx.write_canonical("schools", pd.DataFrame(
                {"school_id": ["1"], "school_name": ["Школа"], "municipality": ["М"]}))
        else:
            ctx.write_table("identification", pd.DataFrame({"school_id": ["1"], "year": [2024]}))
        return {}

    monkeypatch.setattr(pipeline.runner, "run_stage_inprocess", fake)


def _outputs(tmp_path: Path) -> Path:
    out = tmp_path / "outputs"
    out.mkdir(exist_ok=True)
    return out


def test_lock_symlink_is_refused_and_its_target_untouched(tmp_path, fake_stages):
    target = tmp_path / "precious.txt"
    target.write_text("не трогать\n", encoding="utf-8")
    (_outputs(tmp_path) / ".workbench.lock").symlink_to(target)
    with pytest.raises(WorkbenchError) as info:
        pipeline.run(_params(tmp_path), use_notebooks=False)
    assert info.value.exit_code == EXIT_ENVIRONMENT
    assert "символическая ссылка" in str(info.value)
    assert target.read_text(encoding="utf-8") == "не трогать\n"
    assert not (tmp_path / "outputs" / "t").exists()


def test_lock_hard_link_and_fifo_are_refused(tmp_path, fake_stages):
    target = tmp_path / "precious.txt"
    target.write_text("не трогать\n", encoding="utf-8")
    lock = _outputs(tmp_path) / ".workbench.lock"
    os.link(target, lock)
    with pytest.raises(WorkbenchError, match="не обычный файл") as info:
        pipeline.run(_params(tmp_path), use_notebooks=False)
    assert info.value.exit_code == EXIT_ENVIRONMENT
    assert target.read_text(encoding="utf-8") == "не трогать\n"
    lock.unlink()
    os.mkfifo(lock)
    with pytest.raises(WorkbenchError, match="не обычный файл"):
        pipeline.run(_params(tmp_path), use_notebooks=False)


@pytest.mark.parametrize("leftover", ["symlink", "file", "folder", "dangling"])
def test_leftover_old_folder_never_blocks_a_publish(tmp_path, fake_stages, leftover):
    pipeline.run(_params(tmp_path), use_notebooks=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("x", encoding="utf-8")
    old = tmp_path / "outputs" / ".old-t"
    {"symlink": lambda: old.symlink_to(elsewhere), "file": lambda: old.write_text("x"),
     "folder": lambda: old.mkdir(), "dangling": lambda: old.symlink_to(tmp_path / "nowhere")
     }[leftover]()
    final = pipeline.run(_params(tmp_path), use_notebooks=False)
    assert (final / "tables" / "identification.csv").exists()
    assert (elsewhere / "keep.txt").exists()  # removed as a link, never through it
    names = {p.name for p in (tmp_path / "outputs").iterdir()}
    assert not {n for n in names if n.startswith((".build", ".old", ".latest-"))}, names
    assert os.readlink(tmp_path / "outputs" / "latest") == "t"


def test_leftover_failed_symlink_is_replaced_not_followed(tmp_path, fake_stages, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("x", encoding="utf-8")
    (_outputs(tmp_path) / ".failed-t").symlink_to(elsewhere)
    monkeypatch.setenv(pipeline.FAIL_ENV, "identify")
    with pytest.raises(WorkbenchError):
        pipeline.run(_params(tmp_path), use_notebooks=False)
    failed = tmp_path / "outputs" / ".failed-t"
    assert not failed.is_symlink() and (failed / "run.log").exists()
    assert (elsewhere / "keep.txt").exists() and len(list(elsewhere.iterdir())) == 1


def test_latest_that_is_not_a_link_stops_the_run_before_it_starts(tmp_path, fake_stages):
    (_outputs(tmp_path) / "latest").mkdir()
    (tmp_path / "outputs" / "latest" / "mine.txt").write_text("x", encoding="utf-8")
    with pytest.raises(WorkbenchError, match="latest") as info:
        pipeline.run(_params(tmp_path), use_notebooks=False)
    assert info.value.exit_code == EXIT_ENVIRONMENT
    assert (tmp_path / "outputs" / "latest" / "mine.txt").exists()
    assert not (tmp_path / "outputs" / "t").exists()
    assert not [p for p in (tmp_path / "outputs").iterdir() if p.name.startswith(".build")]


@pytest.mark.parametrize("name", ["t", "store.duckdb", "store.duckdb.wal"])
def test_run_folder_or_store_that_is_a_symlink_is_refused(tmp_path, fake_stages, name):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (_outputs(tmp_path) / name).symlink_to(elsewhere / "target")
    with pytest.raises(WorkbenchError, match="символическая ссылка") as info:
        pipeline.run(_params(tmp_path), use_notebooks=False)
    assert info.value.exit_code == EXIT_ENVIRONMENT
    assert not list(elsewhere.iterdir())


def test_interactive_scratch_folder_that_is_a_symlink_is_refused(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (_outputs(tmp_path) / ".interactive-t").symlink_to(elsewhere)
    with pytest.raises(WorkbenchError, match="символическая ссылка"):
        open_context(_params(tmp_path))


@pytest.mark.parametrize("run_id", ["latest", "store.duckdb", ".hidden", "../x"])
def test_reserved_run_id_from_the_command_line_exits_2_and_changes_nothing(tmp_path, fake_stages,
                                                                           run_id):
    final = pipeline.run(_params(tmp_path), use_notebooks=False)
    before = sorted(p.name for p in (tmp_path / "outputs").iterdir())
    out = CliRunner().invoke(cli.app, ["run", str(_params(tmp_path)), "--run-id", run_id,
                                       "--no-notebooks"])
    assert out.exit_code == 2, out.output
    assert "run_id" in out.output and "Traceback" not in out.output
    assert sorted(p.name for p in (tmp_path / "outputs").iterdir()) == before
    assert os.readlink(tmp_path / "outputs" / "latest") == final.name
    again = pipeline.run(_params(tmp_path), use_notebooks=False)  # and later runs still work
    assert again == final and os.readlink(tmp_path / "outputs" / "latest") == "t"
