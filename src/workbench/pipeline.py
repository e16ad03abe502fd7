"""Run context shared by the stages, and the pipeline runner (papermill, atomic publish, manifest)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.canon import CANONICAL_TABLES, KEYS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS
from workbench.config import Params, load_params

PROVENANCE = "_sha256"  # source file of each canonical row, for the store
CANONICAL_DIR = ".canonical"  # inside a run folder being built; removed before publishing
META_DIR = ".meta"


class RunContext:
    """What a stage sees: params, the run folder being built, and the tables read and written."""

    def __init__(self, params: Params, run_dir: Path, outputs_root: Path | None = None) -> None:
        self.params = params
        self.run_dir = Path(run_dir)
        # where the DuckDB store lives (the outputs folder of the project unless overridden)
        self.outputs_root = Path(outputs_root) if outputs_root else params.resolve("outputs")
        self.tables_dir = self.run_dir / "tables"
        self._cache: dict[str, pd.DataFrame] = {}

    # ----------------------------------------------------------------- paths
    def path(self, *parts: str) -> Path:
        """run_dir / parts, with the parent folder created."""
        p = self.run_dir.joinpath(*parts)
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    # ----------------------------------------------------------------- tables
    def _canonical_path(self, name: str) -> Path:
        return self.run_dir / CANONICAL_DIR / f"{name}.parquet"

    def has_table(self, name: str) -> bool:
        """Canonical: provided and non-empty; produced: written in this run."""
        if name in CANONICAL_TABLES:
            p = self._canonical_path(name)
            return p.exists() and len(self.table(name)) > 0
        return (self.tables_dir / f"{name}.parquet").exists()

    def table(self, name: str) -> pd.DataFrame:
        """A canonical table (empty with its columns when not provided) or a produced table."""
        if name in self._cache:  # copy-on-write (pandas 3): a shallow copy can't alter the cache
            return self._cache[name].copy(deep=False)
        if name in CANONICAL_TABLES:
            p = self._canonical_path(name)
            if p.exists():  # without the `_sha256` provenance column ingest adds for the store
                import pyarrow.parquet as pq

                cols = [c for c in pq.read_schema(p).names if c != PROVENANCE]
                df = pd.read_parquet(p, columns=cols)
            else:
                df = pd.DataFrame(columns=REQUIRED_COLUMNS[name] + OPTIONAL_COLUMNS[name])
        else:
            p = self.tables_dir / f"{name}.parquet"
            if not p.exists():
                raise FileNotFoundError(f"table {name!r} has not been produced in {self.run_dir}")
            df = pd.read_parquet(p)
        self._cache[name] = df
        return df.copy(deep=False)

    def write_canonical(self, name: str, df: pd.DataFrame,
                        provenance: pd.Series | None = None) -> Path:
        """Store a canonical table for the later stages of this run (ingest only). provenance:
        the sha256 of each row's source file, kept in the Parquet file (column `_sha256`, for
        the store) and hidden from `table()`."""
        p = self._canonical_path(name)
        p.parent.mkdir(parents=True, exist_ok=True)
        if provenance is not None:
            df = df.assign(**{PROVENANCE: provenance.array})
        df = _sorted(df, KEYS.get(name, []))
        df.to_parquet(p, index=False)
        self._cache[name] = df.drop(columns=[PROVENANCE], errors="ignore")
        return p

    def write_table(self, name: str, df: pd.DataFrame, key: list[str] | None = None,
                    csv: bool = True) -> None:
        """tables/<name>.csv (UTF-8, ',') and tables/<name>.parquet, sorted by key when given.

        csv=False: Parquet only, for large internal detail tables (millions of rows at national
        scale: beyond what Excel opens, and CSV writing would dominate the run)."""
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        df = _sorted(df, key or [c for c in ("school_id", "year") if c in df.columns])
        if csv:
            write_csv(df, self.tables_dir / f"{name}.csv")
        df.to_parquet(self.tables_dir / f"{name}.parquet", index=False)
        self._cache[name] = df

    # ----------------------------------------------------------------- notes and meta
    def note(self, text: str) -> None:
        """A remark for manifest.json "notes" (Russian, for the user)."""
        p = self.path(META_DIR, "notes.json")
        notes = json.loads(p.read_text(encoding="utf-8")) if p.exists() else []
        if text not in notes:
            notes.append(text)
        p.write_text(json.dumps(notes, ensure_ascii=False, indent=1), encoding="utf-8")

    def write_meta(self, name: str, data: Any) -> None:
        """Machine-readable facts for the manifest (e.g. ingest's input accounting)."""
        self.path(META_DIR, f"{name}.json").write_text(
            json.dumps(data, ensure_ascii=False, indent=1, default=str), encoding="utf-8")

    def read_meta(self, name: str, default: Any = None) -> Any:
        p = self.run_dir / META_DIR / f"{name}.json"
        return json.loads(p.read_text(encoding="utf-8")) if p.exists() else default


def write_csv(df: pd.DataFrame, path: Path) -> None:
    """UTF-8 CSV with ',' via Arrow's C++ writer (7× faster than pandas on national tables);
    text is quoted, booleans are true/false. Falls back to pandas for columns Arrow can't type."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        df.to_csv(path, index=False, encoding="utf-8")
        return
    pcsv.write_csv(table, path, write_options=pcsv.WriteOptions(quoting_style="needed"))


def _sorted(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    key = [c for c in key if c in df.columns]
    if key and len(df):
        df = df.sort_values(key, kind="mergesort").reset_index(drop=True)
    return df


def open_context(params_path: str | Path, run_dir: str | Path | None = None) -> RunContext:
    """Context for a notebook: the run folder given by papermill, or a scratch folder when the
    notebook is opened by hand (outputs/.interactive-<run_id>)."""
    params = load_params(params_path)
    if not run_dir:
        run_dir = params.resolve("outputs") / f".interactive-{params.run_id}"
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    # during `workbench run` the run folder is outputs/.build-*: its parent is the outputs root
    root = run_dir.parent if run_dir.name.startswith((".build-", ".interactive-")) else None
    return RunContext(params, run_dir, outputs_root=root)


# ===================================================================== the runner
import contextlib  # noqa: E402
import datetime as _dt  # noqa: E402
import fcntl  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import time  # noqa: E402
from importlib import import_module  # noqa: E402

import workbench  # noqa: E402
from workbench.canon import WorkbenchError  # noqa: E402

NOTEBOOKS = {
    "ingest": "01_ingest.ipynb",
    "identify": "02_identify.ipynb",
    "clusters": "03_clusters.ipynb",
    "monitoring": "04_monitoring.ipynb",
    "briefings": "05_briefings.ipynb",
}
STAGE_MODULES = {"ingest": "ingest", "identify": "identify", "clusters": "clusters",
                 "monitoring": "monitoring", "briefings": "briefings"}
STAGE_TABLES = {  # what each stage produces (copied from the previous run when the stage is skipped)
    "identify": ["identification", "identification_details", "list_changes"],
    "clusters": ["clusters", "cluster_profiles", "partners"],
    "monitoring": ["dynamics", "effectiveness", "monitoring_completeness", "exits"],
    "briefings": ["risk_profiles", "tech_map"],
}
STAGE_RU = {"ingest": "загрузка данных", "identify": "идентификация", "clusters": "кластеры и партнёры",
            "monitoring": "мониторинг", "briefings": "справки"}
FAIL_ENV = "WORKBENCH_FAIL_STAGE"  # test hook: make the named stage fail (atomicity tests)
log = logging.getLogger("workbench")


class RunFailed(WorkbenchError):
    """The run stopped; the previous outputs are intact. Message is Russian, one line."""


def project_root() -> Path:
    """The checkout the package is installed from (editable install): holds notebooks/."""
    return Path(workbench.__file__).resolve().parents[2]


@contextlib.contextmanager
def run_lock(outputs_root: Path):
    """One run at a time per outputs folder (store and outputs are shared)."""
    outputs_root.mkdir(parents=True, exist_ok=True)
    fh = open(outputs_root / ".workbench.lock", "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise RunFailed(f"Уже идёт другой запуск с папкой результатов {outputs_root}. "
                        "Дождитесь его окончания и запустите снова.") from None
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).astimezone().isoformat(timespec="seconds")


def _attach_log(path: Path) -> logging.Handler:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def execute_notebook(stage: str, params_path: Path, run_dir: Path, nb_dir: Path) -> None:
    """Run one stage notebook with papermill and export it to HTML without code."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    src = nb_dir / NOTEBOOKS[stage]
    out_dir = run_dir / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / NOTEBOOKS[stage]
    try:
        with _stderr_into(run_dir / "run.log"):  # kernel warnings belong in the log, not on screen
            pm.execute_notebook(str(src), str(out), kernel_name="python3", progress_bar=False,
                                parameters={"params_path": str(params_path),
                                            "run_dir": str(run_dir)},
                                cwd=str(nb_dir), log_output=False)
    except PapermillExecutionError as exc:
        if exc.ename in {"DataError", "ParamsError", "WorkbenchError", "RunFailed"}:
            raise WorkbenchError(exc.evalue) from None
        raise RunFailed(f"Этап «{STAGE_RU[stage]}» завершился с ошибкой ({exc.ename}: "
                        f"{exc.evalue}).") from exc
    finally:
        if out.exists():
            export_html(out)


@contextlib.contextmanager
def _stderr_into(path: Path):
    """Send this process's (and its children's) stderr file descriptor to a file for a while."""
    import sys

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
    import nbformat
    from nbconvert import HTMLExporter

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


def run_stage_inprocess(stage: str, ctx: RunContext) -> dict:
    """Call a stage's `stage(ctx)` directly (benchmarks, tests, runs without notebooks)."""
    module = import_module(f"workbench.{STAGE_MODULES[stage]}")
    return module.stage(ctx)


def _finalize_tables(ctx: RunContext) -> None:
    """Tables the explorer and the lists need that no single stage owns."""
    schools = ctx.table("schools")
    cols = [c for c in ("school_id", "school_name", "municipality", "locality", "school_type",
                        "latitude", "longitude") if c in schools.columns]
    ctx.write_table("schools", schools[cols], key=["school_id"])
    if ctx.has_table("identification") and ctx.has_table("partners"):
        try:
            from workbench import identify, partners

            sheet = partners.partners_sheet(ctx.table("partners"), schools)
            identify.write_lists(ctx.run_dir / "lists.xlsx", ctx.table("identification"), schools,
                                 extra_sheets={"Пары школ": sheet})
        except (AttributeError, ImportError) as exc:  # a stage without the helper: keep its lists
            log.warning("partners sheet not added to lists.xlsx: %s", exc)


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


def run(params_path: str | Path, run_id: str | None = None, outputs_root: str | Path | None = None,
        use_notebooks: bool = True, notebooks_dir: str | Path | None = None) -> Path:
    """The whole pipeline: build outputs/<run_id>/ in a temporary folder, then rename it into place.

    A failure at any stage leaves the previous outputs/<run_id>/ untouched, keeps the failed build
    in outputs/.failed-<run_id>/ with its run.log, and raises RunFailed/WorkbenchError.
    """
    params_path = Path(params_path).resolve()
    params = load_params(params_path, overrides={"run_id": run_id} if run_id else None)
    root = Path(outputs_root).resolve() if outputs_root else params.resolve("outputs")
    final = root / params.run_id
    nb_dir = Path(notebooks_dir) if notebooks_dir else project_root() / "notebooks"
    stages = list(params.stages)
    with run_lock(root):
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        build = root / f".build-{params.run_id}-{stamp}-{os.getpid()}"
        shutil.rmtree(build, ignore_errors=True)
        build.mkdir(parents=True)
        handler = _attach_log(build / "run.log")
        ctx = RunContext(params, build, outputs_root=root)
        seconds: dict[str, float] = {}
        started = _now()
        log.info("run %s started: params %s, stages %s", params.run_id, params_path, stages)
        try:
            if "ingest" not in stages:  # canonical tables are always read from the inputs
                t0 = time.perf_counter()
                run_stage_inprocess("ingest", ctx)
                seconds["ingest (без блокнота)"] = round(time.perf_counter() - t0, 2)
            _reuse_previous_tables(final, build, stages)
            for stage in stages:
                t0 = time.perf_counter()
                log.info("stage %s", stage)
                if os.environ.get(FAIL_ENV) == stage:
                    raise RunFailed(f"Этап «{STAGE_RU[stage]}» остановлен намеренно "
                                    f"(переменная {FAIL_ENV}).")
                if use_notebooks:
                    execute_notebook(stage, params_path, build, nb_dir)
                else:
                    run_stage_inprocess(stage, ctx)
                ctx._cache.clear()
                seconds[stage] = round(time.perf_counter() - t0, 2)
                log.info("stage %s done in %.1f s", stage, seconds[stage])
            _finalize_tables(ctx)
            manifest = _manifest(params, params_path, ctx, stages, seconds, started, "ok", None)
            for d in (CANONICAL_DIR, META_DIR):
                shutil.rmtree(build / d, ignore_errors=True)
            (build / "manifest.json").write_text(
                json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            log.info("run %s finished", params.run_id)
        except BaseException as exc:
            reason = str(exc) if isinstance(exc, WorkbenchError) else \
                f"Внутренняя ошибка: {type(exc).__name__}: {exc}"
            log.exception("run failed: %s", reason)
            log.removeHandler(handler)
            handler.close()
            failed = root / f".failed-{params.run_id}"
            shutil.rmtree(failed, ignore_errors=True)
            with contextlib.suppress(Exception):
                manifest = _manifest(params, params_path, ctx, stages, seconds, started, "failed",
                                     reason)
                (build / "manifest.json").write_text(
                    json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
            build.rename(failed)
            msg = (f"{reason}\nПредыдущие результаты в {final} не изменены; журнал запуска: "
                   f"{failed / 'run.log'}")
            raise RunFailed(msg) from (None if isinstance(exc, WorkbenchError) else exc)
        log.removeHandler(handler)
        handler.close()
        _publish(build, final)
        _point_latest(root, final)
    return final


def _reuse_previous_tables(final: Path, build: Path, stages: list[str]) -> None:
    """For stages not run now, take their tables from the previous run of the same run_id."""
    for stage, names in STAGE_TABLES.items():
        if stage in stages:
            continue
        for name in names:
            for ext in ("csv", "parquet"):
                src = final / "tables" / f"{name}.{ext}"
                if src.exists():
                    (build / "tables").mkdir(exist_ok=True)
                    shutil.copy2(src, build / "tables" / src.name)


def _publish(build: Path, final: Path) -> None:
    """Swap the finished build into place: old → .old, build → final, remove .old."""
    old = final.with_name(f".old-{final.name}")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        final.rename(old)
    build.rename(final)
    shutil.rmtree(old, ignore_errors=True)


def _point_latest(root: Path, final: Path) -> None:
    """outputs/latest → the last good run (a relative symlink, replaced atomically)."""
    tmp = root / f".latest-{os.getpid()}"
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    tmp.symlink_to(final.name)
    os.replace(tmp, root / "latest")
