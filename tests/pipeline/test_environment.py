"""The machine's faults (issue 17, items 16–18): a full disk, a read-only outputs folder and
Ctrl-C end with a Russian message and their exit codes (4, 4, 130), never «Сообщите
разработчикам», never a pointer to a run.log that does not exist, and leave the previous outputs
and the store as they were. The disk cases run on a real small tmpfs (skipped, visibly, where
this machine cannot mount one)."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from support.runs import tiny_project
from workbench import cli, pipeline
from workbench.context import store

BIN = Path(sys.executable).parent


@contextlib.contextmanager
def tmpfs(path: Path, size: str = "8m"):
    """A tmpfs of `size` mounted at path for the test (root and mount rights needed)."""
    path.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {res.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _remount(path: Path, mode: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{mode}", str(path)], check=True)


def _fill(disk: Path, leave: int) -> Path:
    """Fill the tmpfs so that about `leave` bytes stay free."""
    st = os.statvfs(disk)
    free = st.f_bavail * st.f_frsize
    filler = disk / "filler.bin"
    with open(filler, "wb") as fh:
        with contextlib.suppress(OSError):
            fh.write(b"\0" * max(0, free - leave))
    return filler


def _ingest_only(stage, ctx):
    from workbench import ingest

    return ingest.run(ctx) if stage == "ingest" else {}


@pytest.fixture
def project(tmp_path, monkeypatch):
    params = tiny_project(tmp_path / "proj", n=12, years=(2023, 2024))
    text = params.read_text(encoding="utf-8").replace("run_id: tiny",
                                                      "run_id: tiny\nstages: [ingest, identify]")
    params.write_text(text, encoding="utf-8")
    monkeypatch.setattr(pipeline.runner, "run_stage_inprocess", _ingest_only)
    return params


def _cli_run(params: Path, outputs: Path):
    return CliRunner().invoke(cli.app, ["run", str(params), "--outputs", str(outputs),
                                        "--no-notebooks"])


def _store_rows(root: Path) -> list[tuple]:
    with store.Store(root, read_only=True) as st:
        return st.con.execute("SELECT path, sha256, rows FROM ingestion_log ORDER BY path"
                              ).fetchall()


@pytest.mark.parametrize("leave", [0, 16_384, 90_000])  # 90 kB: the tables fit, the store not
def test_full_disk_is_exit_4_and_changes_nothing(tmp_path, project, leave):
    with tmpfs(tmp_path / "disk") as disk:
        out = _cli_run(project, disk)
        assert out.exit_code == 0, out.output
        manifest = (disk / "tiny" / "manifest.json").read_bytes()
        before = _store_rows(disk)
        data = project.parent.parent / "data"
        (data / "vpr_2023.csv").write_bytes(b"".join(
            (data / "vpr_2023.csv").read_bytes().splitlines(keepends=True)[:7]))
        _fill(disk, leave)
        for _ in range(2):  # and the next run on the still-full disk says the same
            out = _cli_run(project, disk)
            assert out.exit_code == 4, out.output
            assert "Недостаточно места на диске" in out.output, out.output
            for wrong in ("Сообщите разработчикам", "Traceback", "Logging error", "rollback",
                          "Внутренняя ошибка"):
                assert wrong not in out.output, out.output
            for line in out.output.splitlines():
                if "журнал запуска:" in line:
                    assert Path(line.split("журнал запуска:")[1].strip()).exists()
        assert (disk / "tiny" / "manifest.json").read_bytes() == manifest
        assert os.readlink(disk / "latest") == "tiny"
        (disk / "filler.bin").unlink()
        assert _store_rows(disk) == before
        out = _cli_run(project, disk)  # room again: the run goes through
        assert out.exit_code == 0, out.output
        assert _store_rows(disk) != before


def test_read_only_outputs_is_exit_4_without_a_missing_run_log(tmp_path, project):
    with tmpfs(tmp_path / "disk") as disk:
        assert _cli_run(project, disk).exit_code == 0
        manifest = (disk / "tiny" / "manifest.json").read_bytes()
        _remount(disk, "ro")
        try:
            for outputs in (disk, disk / "new-folder"):
                out = _cli_run(project, outputs)
                assert out.exit_code == 4, out.output
                assert "только для чтения" in out.output
                assert "run.log" not in out.output and "Сообщите разработчикам" not in out.output
                assert "Traceback" not in out.output
            assert (disk / "tiny" / "manifest.json").read_bytes() == manifest
        finally:
            _remount(disk, "rw")


def test_bug_outside_a_run_names_no_run_log(monkeypatch, tmp_path):
    def broken(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("workbench.demo.write_demo", broken)
    out = CliRunner().invoke(cli.app, ["demo", "--out", str(tmp_path / "d")])
    assert out.exit_code == 1
    assert "Внутренняя ошибка программы" in out.output and "run.log" not in out.output


@pytest.mark.slow
def test_ctrl_c_during_a_notebook_is_130_and_keeps_the_previous_outputs(tmp_path):
    """Ctrl-C in a terminal: SIGINT to the whole foreground process group (the CLI and the
    notebook kernel), while the second stage's notebook runs."""
    params = tiny_project(tmp_path, n=12, years=(2023, 2024))
    text = params.read_text(encoding="utf-8").replace("run_id: tiny",
                                                      "run_id: tiny\nstages: [ingest, identify]")
    params.write_text(text, encoding="utf-8")
    first = subprocess.run([BIN / "workbench", "run", params, "--no-notebooks"],
                           capture_output=True, text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    manifest = (tmp_path / "outputs" / "tiny" / "manifest.json").read_bytes()
    proc = subprocess.Popen([BIN / "workbench", "run", params], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:  # wait until the identify notebook is running
            logs = list((tmp_path / "outputs").glob(".build-*/run.log"))
            if logs and "stage identify" in logs[0].read_text(encoding="utf-8", errors="replace"):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the identify stage never started")
        time.sleep(1.5)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert "Прервано пользователем" in err and "Traceback" not in err
    assert "Внутренняя ошибка" not in err and "KeyboardInterrupt" not in err
    assert (tmp_path / "outputs" / "tiny" / "manifest.json").read_bytes() == manifest
    assert not list((tmp_path / "outputs").glob(".build-*"))
