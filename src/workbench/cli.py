"""Command line: `workbench demo | run | present` (design §5).

Errors about the user's data or params print a short Russian message (no traceback) and exit 2;
an internal error prints a one-line Russian reason and exits 1.
"""
from __future__ import annotations

import functools
import sys
import time
from pathlib import Path
from typing import Callable, Optional

import typer

from workbench.canon import WorkbenchError

app = typer.Typer(add_completion=False, no_args_is_help=True,
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
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("Прервано пользователем.", err=True)
            raise typer.Exit(130) from None
        except Exception as exc:  # a bug: say so in one line, details in run.log
            typer.echo(f"Внутренняя ошибка программы: {type(exc).__name__}: {exc}. "
                       "Сообщите разработчикам; подробности в run.log папки запуска.", err=True)
            raise typer.Exit(1) from None

    return wrapper


@app.command()
@_friendly
def demo(
    schools: int = typer.Option(600, "--schools", help="число школ"),
    seed: int = typer.Option(2026, "--seed", help="зерно генератора"),
    out: Path = typer.Option(Path("data/demo"), "--out", help="папка для файлов демо-региона"),
    params: Optional[Path] = typer.Option(None, "--params",
                                          help="куда записать params (по умолчанию params/demo.yaml)"),
    effect: float = typer.Option(0.25, "--effect", help="заложенный эффект программы (ед. SD)"),
    results_format: str = typer.Option("xlsx", "--results-format", help="xlsx | csv | parquet"),
) -> None:
    """Записать демонстрационный регион (вымышленный) и его файл параметров."""
    from workbench import demo as demo_mod

    if params is None:
        params = Path("params/demo.yaml") if out == Path("data/demo") else out / "demo.yaml"
    t0 = time.perf_counter()
    demo_mod.write_demo(out, params, n_schools=schools, seed=seed, programme_effect=effect,
                        results_format=results_format)
    typer.echo(f"Демо-регион: {schools} школ записан в {out}, параметры — {params} "
               f"({time.perf_counter() - t0:.1f} с).")


@app.command()
@_friendly
def run(
    params: Path = typer.Argument(..., help="файл параметров YAML"),
    run_id: Optional[str] = typer.Option(None, "--run-id", help="имя папки в outputs/"),
    outputs: Optional[Path] = typer.Option(None, "--outputs", help="папка результатов (outputs/)"),
    no_notebooks: bool = typer.Option(False, "--no-notebooks",
                                      help="без блокнотов (быстрее; нет notebooks/ в результатах)"),
) -> None:
    """Весь конвейер: загрузка, идентификация, кластеры, мониторинг, справки."""
    from workbench import pipeline

    t0 = time.perf_counter()
    final = pipeline.run(params, run_id=run_id, outputs_root=outputs, use_notebooks=not no_notebooks)
    typer.echo(f"Готово за {time.perf_counter() - t0:.0f} с: {final}")
    typer.echo(f"Справки: {final / 'briefings' / 'index.html'}")


@app.command()
@_friendly
def present(
    target: Optional[str] = typer.Argument(None, help="файл параметров или папка запуска"),
    port: Optional[int] = typer.Option(None, "--port", help="порт (по умолчанию свободный)"),
    open_browser: bool = typer.Option(False, "--open", help="открыть страницу в браузере"),
) -> None:
    """Показ на семинаре: интерактивный обозреватель в Voilà без кода."""
    from workbench import widgets

    widgets.serve(target or "params/demo.yaml", port=port, open_browser=open_browser)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
