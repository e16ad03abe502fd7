"""Command line: `workbench demo | run | check | present` (design §5).

Errors about the user's data or params print a short Russian message (no traceback) and exit
with the code of their kind (core.errors: 2 data/params, 3 quality gate, 4 environment — disk,
permissions, lock —, 130 interrupted); an internal error prints a one-line Russian reason and
exits 1 (WORKBENCH_DEBUG=1 adds the traceback).
"""
from __future__ import annotations

import functools
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Callable, Optional

import typer

from workbench.cli_russian import RussianCommand, RussianGroup, install_panel_titles
from workbench.core.errors import (EXIT_BUG, EXIT_INTERRUPTED, QualityGateError, WorkbenchError,
                                   environment_problem, exit_code_of)

install_panel_titles()
app = typer.Typer(add_completion=False, no_args_is_help=True, cls=RussianGroup,
                  help="ШНОР workbench: идентификация школ, кластеры, мониторинг, справки.")


def _friendly(fn: Callable) -> Callable:
    """Turn exceptions into a Russian one-line message and a non-zero exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except WorkbenchError as exc:
            typer.echo(f"Ошибка: {exc}", err=True)
            raise typer.Exit(exit_code_of(exc)) from None
        except KeyboardInterrupt:
            typer.echo("Прервано пользователем.", err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as exc:
            env = environment_problem(exc)
            if env is not None:  # the machine: a full disk, no permission, a read-only disk
                typer.echo(f"Ошибка: {env}", err=True)
                raise typer.Exit(env.exit_code) from None
            # a bug outside a run (a run's own bugs come as RunFailed naming its run.log)
            typer.echo(f"Внутренняя ошибка программы: {type(exc).__name__}: {exc}. "
                       "Сообщите разработчикам (WORKBENCH_DEBUG=1 покажет подробности).", err=True)
            if os.environ.get("WORKBENCH_DEBUG"):
                traceback.print_exc()
            raise typer.Exit(EXIT_BUG) from None

    return wrapper


@app.command(cls=RussianCommand)
@_friendly
def demo(
    schools: int = typer.Option(600, "--schools", metavar="ЧИСЛО", help="число школ"),
    seed: int = typer.Option(2026, "--seed", metavar="ЧИСЛО", help="зерно генератора"),
    out: Path = typer.Option(Path("data/demo"), "--out", metavar="ПАПКА",
                             help="папка для файлов демо-региона"),
    params: Optional[Path] = typer.Option(None, "--params", metavar="ФАЙЛ",
                                          help="куда записать params (по умолчанию params/demo.yaml)"),
    effect: float = typer.Option(0.25, "--effect", metavar="ЧИСЛО",
                                 help="заложенный эффект программы (ед. SD)"),
    results_format: str = typer.Option("xlsx", "--results-format", metavar="ФОРМАТ",
                                        help="xlsx | csv | parquet"),
    pupil_results: Optional[str] = typer.Option(
        None, "--pupil-results", metavar="ФОРМАТ",
        help="csv | parquet: ВПР одним файлом по обучающимся (vpr_pupils.*) вместо файлов по "
             "годам; при --schools 40000 — около 50 млн строк"),
) -> None:
    """Записать демонстрационный регион (вымышленный) и его файл параметров."""
    from workbench import demo as demo_mod  # lazy: `workbench --help` stays instant

    if params is None:
        params = Path("params/demo.yaml") if out == Path("data/demo") else out / "demo.yaml"
    t0 = time.perf_counter()
    demo_mod.write_demo(out, params, n_schools=schools, seed=seed, programme_effect=effect,
                        results_format=results_format, pupil_results=pupil_results)
    typer.echo(f"Демо-регион: {schools} школ записан в {out}, параметры — {params} "
               f"({time.perf_counter() - t0:.1f} с).")


@app.command(cls=RussianCommand)
@_friendly
def run(
    params: Path = typer.Argument(..., metavar="ПАРАМЕТРЫ.yaml", help="файл параметров YAML"),
    run_id: Optional[str] = typer.Option(None, "--run-id", metavar="ИМЯ", help="имя папки в outputs/"),
    outputs: Optional[Path] = typer.Option(None, "--outputs", metavar="ПАПКА",
                                              help="папка результатов (outputs/)"),
    no_notebooks: bool = typer.Option(False, "--no-notebooks", metavar="",
                                      help="без блокнотов (быстрее; нет notebooks/ в результатах)"),
    period: Optional[str] = typer.Option(None, "--period", metavar="ПЕРИОД",
                                         help="период отчётов: квартал 2026-Q1 или учебный год "
                                              "2025 (вместо report.period)"),
) -> None:
    """Весь конвейер: загрузка, идентификация, кластеры, мониторинг, справки, отчёты."""
    from workbench import pipeline  # lazy: papermill, pandas, duckdb load only for a run

    t0 = time.perf_counter()
    final = pipeline.run(params, run_id=run_id, outputs_root=outputs, use_notebooks=not no_notebooks,
                         period=period)
    typer.echo(f"Готово за {time.perf_counter() - t0:.0f} с: {final}")
    typer.echo(f"Справки: {final / 'briefings' / 'index.html'}")
    line = _rejected_line(final)
    if line:  # the last line: rejected rows under the gate's threshold are still a warning
        typer.echo(line)


def _rejected_line(final: Path) -> str | None:
    """«Отклонено N из M строк входных данных — …» after a run with rejected rows."""
    try:
        inputs = json.loads((final / "manifest.json").read_text(encoding="utf-8"))["inputs"]
    except (OSError, ValueError, KeyError):
        return None
    rejected = sum(int(i.get("rows_rejected", 0)) for i in inputs)
    read = sum(int(i.get("rows_read", 0)) for i in inputs)
    if not rejected:
        return None
    return (f"Внимание: отклонено {rejected} из {read} строк входных данных — см. качество "
            f"данных: {final / 'data_quality.html'}")


@app.command(cls=RussianCommand)
@_friendly
def check(params: Path = typer.Argument(..., metavar="ПАРАМЕТРЫ.yaml", help="файл параметров YAML")) -> None:
    """Проверить параметры и все входные файлы без расчёта (за секунды)."""
    from workbench import ingest  # lazy: pandas and pydantic load only for the check
    from workbench.config import load_params

    report, failures = ingest.check_inputs(load_params(params))
    typer.echo(report)
    if failures:
        raise QualityGateError(ingest.gate_message(failures))


@app.command(cls=RussianCommand)
@_friendly
def present(
    target: Optional[str] = typer.Argument(None, metavar="ПАРАМЕТРЫ.yaml|ПАПКА",
                                            help="файл параметров или папка запуска"),
    port: Optional[int] = typer.Option(None, "--port", metavar="ПОРТ", help="порт (по умолчанию свободный)"),
    open_browser: bool = typer.Option(False, "--open", metavar="", help="открыть страницу в браузере"),
) -> None:
    """Показ на семинаре: интерактивный обозреватель в Voilà без кода."""
    from workbench import explorer  # lazy: ipywidgets and Voilà load only to present

    explorer.serve(target or "params/demo.yaml", port=port, open_browser=open_browser)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
