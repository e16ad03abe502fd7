"""`workbench run`: every stage in order, in a temporary run folder published atomically, with
the manifest (params, inputs, seconds per stage) and the run log."""
from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import os
import shutil
import time
from importlib import import_module
from pathlib import Path
from typing import Any

import workbench
from workbench.config import Params, load_params
from workbench.config.reports import with_period
from workbench.config.stages import STAGES, Stage, stage_named
from workbench.context import CANONICAL_DIR, META_DIR, RunContext
from workbench.context.store import PendingUpdate, pending_from_run
from workbench.core.errors import WorkbenchError, environment_problem, exit_code_of
from workbench.pipeline.errors import RunFailed
from workbench.pipeline.notebooks import execute_notebook
from workbench.pipeline.publish import (check_outputs, keep_failed, new_build, point_latest,
                                        publish, reuse_previous_tables, run_lock)

FAIL_ENV = "WORKBENCH_FAIL_STAGE"  # test hook: make the named stage fail (atomicity tests)
log = logging.getLogger("workbench")


def project_root() -> Path:
    """The checkout the package is installed from (editable install): holds notebooks/."""
    return Path(workbench.__file__).resolve().parents[2]


def stage_function(stage: Stage) -> Any:
    """The `run(ctx)` of a stage (imported by name: the registry sits below the stages)."""
    return import_module(stage.module).run


def run_stage_inprocess(stage: str, ctx: RunContext) -> dict:
    """Call a stage's `run(ctx)` directly (benchmarks, tests, runs without notebooks)."""
    return stage_function(stage_named(stage))(ctx)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


class _QuietFileHandler(logging.FileHandler):
    """The run log: a write that fails (a full disk) is dropped, never printed to the console
    as a «Logging error» traceback; the run's own error says what happened."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        pass


def _attach_log(path: Path) -> logging.Handler:
    handler = _QuietFileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def _detach_log(handler: logging.Handler) -> None:
    log.removeHandler(handler)
    with contextlib.suppress(Exception):
        handler.close()


def _manifest(params: Params, params_path: Path, ctx: RunContext, stages: list[str],
              seconds: dict[str, float], started: str, status: str, error: str | None) -> dict:
    return {
        "run_id": params.run_id,
        "region": params.region,
        "status": status,
        "error": error,
        "stages": stages,
        "params_file": str(params_path),
        "params": params.model_dump(mode="json"),
        "inputs": ctx.read_meta("inputs", []),
        "notes": ctx.read_meta("notes", []),
        "package_version": workbench.__version__,
        "started": started,
        "finished": _now(),
        "seconds": seconds,
    }


def lists_writer(stages: list[str]) -> str:
    """The one stage of the run that writes lists.xlsx: clusters when it runs (its file adds
    the pairs and curators sheets to identify's), else identify."""
    return "clusters" if "clusters" in stages else "identify"


def _write_manifest(build: Path, manifest: dict) -> None:
    (build / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2),
                                         encoding="utf-8")


def _run_stages(ctx: RunContext, params_path: Path, stages: list[str], final: Path,
                use_notebooks: bool, nb_dir: Path, seconds: dict[str, float],
                pending: list[PendingUpdate]) -> None:
    """Every requested stage in registry order (ingest in-process when not requested: the
    canonical tables are always read from the inputs). Once ingest is done, the store update
    starts beside the later stages (appended to `pending`, committed at publish)."""
    if "ingest" not in stages:
        t0 = time.perf_counter()
        run_stage_inprocess("ingest", ctx)
        seconds["ingest (без блокнота)"] = round(time.perf_counter() - t0, 2)
        _start_store(ctx, pending)
    reuse_previous_tables(final, ctx.run_dir, stages)
    for stage in (s for s in STAGES if s.name in stages):
        t0 = time.perf_counter()
        log.info("stage %s", stage.name)
        if os.environ.get(FAIL_ENV) == stage.name:
            raise RunFailed(f"Этап «{stage.label_ru}» остановлен намеренно "
                            f"(переменная {FAIL_ENV}).")
        if use_notebooks:
            execute_notebook(stage, params_path, ctx.run_dir, nb_dir, final)
        else:
            run_stage_inprocess(stage.name, ctx)
        ctx._cache.clear()
        seconds[stage.name] = round(time.perf_counter() - t0, 2)
        log.info("stage %s done in %.1f s", stage.name, seconds[stage.name])
        if stage.name == "ingest":
            _start_store(ctx, pending)


def _start_store(ctx: RunContext, pending: list[PendingUpdate]) -> None:
    if ctx.params.ingest.use_store:
        pending.append(pending_from_run(ctx.outputs_root, ctx.run_dir))


def _reason(exc: BaseException, root: Path | None = None) -> str:
    """The first line of a failed run's message (Russian); `root`: the outputs folder, named
    when the error does not say which file it could not write."""
    if isinstance(exc, KeyboardInterrupt):
        return "Прервано пользователем."
    if isinstance(exc, WorkbenchError):
        return str(exc)
    env = environment_problem(exc, None if getattr(exc, "filename", None) else root)
    if env is not None:
        return str(env)
    return f"Внутренняя ошибка: {type(exc).__name__}: {exc}"


def run(params_path: str | Path, run_id: str | None = None, outputs_root: str | Path | None = None,
        use_notebooks: bool = True, notebooks_dir: str | Path | None = None,
        period: str | None = None) -> Path:
    """The whole pipeline: build outputs/<run_id>/ in a temporary folder, then rename it into place.

    A failure at any stage leaves the previous outputs/<run_id>/, `latest` and the store
    untouched, keeps the failed build in outputs/.failed-<run_id>/ with its run.log, and raises
    RunFailed/WorkbenchError.
    """
    params_path = Path(params_path).resolve()
    params = load_params(params_path, overrides={"run_id": run_id} if run_id else None)
    if period is not None:  # --period: checked like the params key, kept for the notebooks
        params = params.model_copy(update={"report": with_period(params.report, period)})
    root = Path(outputs_root).resolve() if outputs_root else params.resolve("outputs")
    nb_dir = Path(notebooks_dir) if notebooks_dir else project_root() / "notebooks"
    with run_lock(root):
        check_outputs(root, params.run_id)
        build = new_build(root, params.run_id, _dt.datetime.now().strftime("%Y%m%d-%H%M%S"))
        return _build_and_publish(params, params_path, root, build, use_notebooks, nb_dir)


def _build_and_publish(params: Params, params_path: Path, root: Path, build: Path,
                       use_notebooks: bool, nb_dir: Path) -> Path:
    """Every stage into `build`, then the store committed and the build published; on any
    failure the store rolled back and the build kept aside."""
    final = root / params.run_id
    stages = list(params.stages)
    handler = _attach_log(build / "run.log")
    ctx = RunContext(params, build, outputs_root=root)
    ctx.write_meta("report", {"period": params.report.period})  # the reports stage reads it
    ctx.write_meta("lists", {"writer": lists_writer(stages)})  # the identify stage reads it
    seconds: dict[str, float] = {}
    started = _now()
    pending: list[PendingUpdate] = []
    log.info("run %s started: params %s, stages %s", params.run_id, params_path, stages)
    try:
        _run_stages(ctx, params_path, stages, final, use_notebooks, nb_dir, seconds, pending)
        _write_manifest(build, _manifest(params, params_path, ctx, stages, seconds, started, "ok",
                                         None))
        for job in pending:  # the store changes now, just before the outputs do
            job.commit()
        for d in (CANONICAL_DIR, META_DIR):
            shutil.rmtree(build / d, ignore_errors=True)
        log.info("run %s finished", params.run_id)
        _detach_log(handler)
        publish(build, final)
        point_latest(root, final)
    except BaseException as exc:
        for job in pending:
            job.abort()
        log.exception("run failed: %s", _reason(exc, root))
        _detach_log(handler)
        raise _failed(exc, params, params_path, ctx, stages, seconds, started) from (
            None if isinstance(exc, (WorkbenchError, KeyboardInterrupt)) else exc)
    return final


def _failed(exc: BaseException, params: Params, params_path: Path, ctx: RunContext,
            stages: list[str], seconds: dict[str, float], started: str) -> RunFailed:
    """The failed build kept aside with its manifest; the error the user sees (it names the
    run log only where one was written)."""
    build, root = ctx.run_dir, ctx.outputs_root
    reason = _reason(exc, root)
    try:
        _write_manifest(build, _manifest(params, params_path, ctx, stages, seconds, started,
                                         "failed", reason))
    except Exception:  # the manifest of a failed run is a courtesy, never a second error
        pass
    failed = keep_failed(build, root, params.run_id)
    logfile = failed / "run.log"
    where = f"; журнал запуска: {logfile}" if logfile.exists() else ""
    store = " и хранилище" if params.ingest.use_store else ""
    msg = f"{reason}\nПредыдущие результаты в {root / params.run_id}{store} не изменены{where}"
    if (failed / "data_quality.html").exists():  # the gate's or a data error's list of problems
        msg += f"\nСписок проблем данных: {failed / 'data_quality.html'}"
    return RunFailed(msg, exit_code=exit_code_of(exc))
