"""Every fault a user can cause ends with its stable exit code (README: 0 ok, 2 data/params,
3 quality gate, 4 environment, 130 interrupted, 1 only for a bug)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from workbench import cli, pipeline
from workbench.core.errors import (EnvironmentProblem, QualityGateError, WorkbenchError,
                                   exit_code_of, user_error_classes)


def _params(tmp_path: Path) -> Path:
    (tmp_path / "params").mkdir(exist_ok=True)
    f = tmp_path / "params" / "p.yaml"
    f.write_text("run_id: t\nstages: [ingest, identify]\ninputs:\n  schools: {path: data/s.csv}\n",
                 encoding="utf-8")
    return f


def _failing(monkeypatch, exc: BaseException) -> None:
    def fake(stage, ctx):
        if stage == "ingest":
            ctx.write_canonical("schools", pd.DataFrame(
                {"school_id": ["1"], "school_name": ["Ш"], "municipality": ["М"]}))
            return {}
        raise exc

    monkeypatch.setattr(pipeline.runner, "run_stage_inprocess", fake)


@pytest.mark.parametrize("exc, code", [
    (WorkbenchError("плохие данные"), 2),
    (QualityGateError("отклонено 98% строк"), 3),
    (EnvironmentProblem("нет места на диске"), 4),
    (KeyboardInterrupt(), 130),
    (ZeroDivisionError("bug"), 1),
])
def test_run_failed_carries_the_exit_code_of_its_cause(tmp_path, monkeypatch, exc, code):
    _failing(monkeypatch, exc)
    with pytest.raises(pipeline.RunFailed) as info:
        pipeline.run(_params(tmp_path), use_notebooks=False)
    assert info.value.exit_code == code and exit_code_of(info.value) == code
    assert (tmp_path / "outputs" / ".failed-t" / "run.log").exists()
    if code == 130:
        assert str(info.value).startswith("Прервано пользователем")


@pytest.mark.parametrize("exc, code", [(QualityGateError("отклонено"), 3),
                                       (EnvironmentProblem("диск"), 4),
                                       (WorkbenchError("данные"), 2)])
def test_cli_exits_with_the_code_and_a_russian_line(tmp_path, monkeypatch, exc, code):
    _failing(monkeypatch, exc)
    out = CliRunner().invoke(cli.app, ["run", str(_params(tmp_path)), "--no-notebooks"])
    assert out.exit_code == code
    assert out.output.startswith("Ошибка: ") and "Traceback" not in out.output


def test_errors_crossing_papermill_are_found_by_class_name():
    classes = user_error_classes()
    assert classes["QualityGateError"].exit_code == 3
    assert classes["EnvironmentProblem"].exit_code == 4
    assert {"WorkbenchError", "ParamsError", "RunFailed", "StoreError"} <= set(classes)
