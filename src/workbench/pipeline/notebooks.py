"""Executing a stage notebook with papermill and exporting it to HTML without code."""
from __future__ import annotations

import contextlib
import os
import re
import sys
import uuid
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter
from papermill.exceptions import PapermillExecutionError

from workbench.config.stages import Stage
from workbench.core.errors import (EXIT_BUG, EXIT_ENVIRONMENT, EXIT_INTERRUPTED,
                                   environment_problem, user_error_classes)
from workbench.pipeline.errors import RunFailed


def execute_notebook(stage: Stage, params_path: Path, run_dir: Path, nb_dir: Path,
                     final: Path | None = None) -> None:
    """Run one stage notebook with papermill, strip what differs between two runs of the same
    inputs (`strip_volatile`: the build folder's path becomes `final`), export it to HTML
    without code."""
    src = nb_dir / stage.notebook
    out_dir = run_dir / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / stage.notebook
    try:
        with _stderr_into(run_dir / "run.log"):  # kernel warnings belong in the log, not on screen
            pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False,
                                parameters={"params_path": str(params_path),
                                            "run_dir": str(run_dir)},
                                cwd=str(nb_dir), log_output=False)
    except PapermillExecutionError as exc:
        raise kernel_error(stage, exc) from None
    finally:
        if out.exists():
            strip_volatile(out, run_dir, final or run_dir)
            export_html(out)


def kernel_error(stage: Stage, exc: PapermillExecutionError) -> RunFailed:
    """An error raised in a notebook's kernel as the runner's error with its exit code: the
    user's (a WorkbenchError by class name), the machine's (a full disk, no permission), an
    interruption (130) or a bug (1)."""
    cls = user_error_classes().get(exc.ename)
    if cls is not None:  # the user's data or params: the message says what, the class how
        return RunFailed(exc.evalue, exit_code=cls.exit_code)
    if exc.ename == "KeyboardInterrupt":
        return RunFailed("Прервано пользователем.", exit_code=EXIT_INTERRUPTED)
    code = re.match(r"\[Errno (\d+)\]", exc.evalue or "")
    if exc.ename in _OS_ERRORS and code:
        env = environment_problem(OSError(int(code.group(1)), exc.evalue))
        if env is not None:
            return RunFailed(str(env), exit_code=EXIT_ENVIRONMENT)
    return RunFailed(f"Этап «{stage.label_ru}» завершился с ошибкой ({exc.ename}: "
                     f"{exc.evalue}).", exit_code=EXIT_BUG)


_OS_ERRORS = {"OSError", "IOError", "PermissionError", "FileNotFoundError", "IsADirectoryError"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIMING_KEYS = ("start_time", "end_time", "duration", "exception")


def strip_volatile(nb_path: Path, build: Path, final: Path) -> None:
    """Make an executed notebook the same bytes for the same inputs: no run times (papermill's
    and the kernel's timing metadata), the build folder's path replaced by the run's final
    path, random ids (plotly's div ids, widget models) renumbered in order of appearance."""
    text = nb_path.read_text(encoding="utf-8").replace(str(build), str(final))
    ids: dict[str, str] = {}

    def renumber(m: re.Match) -> str:
        key = m.group(0)
        if key not in ids:
            ids[key] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{nb_path.name}#{len(ids)}"))
        return ids[key]

    nb = nbformat.reads(_UUID.sub(renumber, text), as_version=4)
    for key in _TIMING_KEYS:
        nb.metadata.get("papermill", {}).pop(key, None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        for key in _TIMING_KEYS:
            cell.metadata.get("papermill", {}).pop(key, None)
    nbformat.write(nb, nb_path)


@contextlib.contextmanager
def _stderr_into(path: Path):
    """Send this process's (and its children's) stderr file descriptor to a file for a while."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


_CDN = re.compile(r"""<script[^>]*\bsrc=["']https?://[^"']*["'][^>]*>\s*</script>|"""
                  r"""<link[^>]*\bhref=["']https?://[^"']*["'][^>]*>""", re.I)


def export_html(nb_path: Path) -> Path:
    """Export an executed notebook to HTML without code cells, with no internet resources."""
    nb = nbformat.read(nb_path, as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    for trait in ("mathjax_url", "require_js_url", "jquery_url", "mermaid_js_url",
                  "mermaid_layout_elk_js_url", "jupyter_widgets_base_url"):
        if exporter.has_trait(trait):  # nothing from the internet: the HTML must work offline
            setattr(exporter, trait, "")
    html, _ = exporter.from_notebook_node(nb)
    html = _CDN.sub("", html)
    out = nb_path.with_suffix(".html")
    out.write_text(html, encoding="utf-8")
    return out
