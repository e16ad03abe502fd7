"""What a stage sees: params, the run folder being built, and the tables read and written.

Every stage's `run(ctx: RunContext)` reads the canonical tables and earlier stages' tables
through `ctx.table`, writes its own through `ctx.write_table`, and leaves remarks for the
manifest through `ctx.note`."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq

from workbench.config import Params, load_params
from workbench.context.tables_io import sorted_by, write_csv
from workbench.core.errors import EnvironmentProblem
from workbench.core.tables import CANONICAL_TABLES, KEYS, OPTIONAL_COLUMNS, REQUIRED_COLUMNS

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
        df = sorted_by(df, KEYS.get(name, []))
        df.to_parquet(p, index=False)
        self._cache[name] = df.drop(columns=[PROVENANCE], errors="ignore")
        return p

    def write_table(self, name: str, df: pd.DataFrame, key: list[str] | None = None,
                    csv: bool = True) -> None:
        """tables/<name>.csv (UTF-8, ',') and tables/<name>.parquet, sorted by key when given.

        csv=False: Parquet only, for large internal detail tables (millions of rows at national
        scale: beyond what Excel opens, and CSV writing would dominate the run)."""
        self.tables_dir.mkdir(parents=True, exist_ok=True)
        df = sorted_by(df, key or [c for c in ("school_id", "year") if c in df.columns])
        if csv:
            write_csv(df, self.tables_dir / f"{name}.csv")
        df.to_parquet(self.tables_dir / f"{name}.parquet", index=False)
        if name not in CANONICAL_TABLES:  # a published copy of a canonical table (e.g. schools)
            self._cache[name] = df        # must not replace the canonical one for later readers

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


def open_context(params_path: str | Path, run_dir: str | Path | None = None) -> RunContext:
    """Context for a notebook: the run folder given by papermill, or a scratch folder when the
    notebook is opened by hand (outputs/.interactive-<run_id>)."""
    params = load_params(params_path)
    if not run_dir:
        run_dir = params.resolve("outputs") / f".interactive-{params.run_id}"
    run_dir = Path(run_dir)
    if run_dir.is_symlink():  # a scratch folder planted as a link would be written through
        raise EnvironmentProblem(f"{run_dir} — символическая ссылка, а не папка запуска; "
                                 f"удалите её и откройте блокнот снова.")
    run_dir.mkdir(parents=True, exist_ok=True)
    # during `workbench run` the run folder is outputs/.build-*: its parent is the outputs root
    root = run_dir.parent if run_dir.name.startswith((".build-", ".interactive-")) else None
    return RunContext(params, run_dir, outputs_root=root)
