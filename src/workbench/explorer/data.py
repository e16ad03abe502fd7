"""Loading a finished run: the run folder of a folder or a params file, its tables (with the
per-subject details the reasons name), the params the run used (from manifest.json: region, run
id, identification thresholds, explorer and briefings settings, the small-cell param, the risk
factors' names), gathered once into `ExplorerData`."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.briefings.render import school_file_names
from workbench.config import load_params
from workbench.core.errors import WorkbenchError
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import CATEGORIES

RUN_DIR_ENV = "WORKBENCH_RUN_DIR"
# set by `workbench present` for its server and kernels: the /workbench/ routes (passports,
# plotly.js) are served next to the page
SERVED_ENV = "WORKBENCH_SERVED"
# the run's tables the explorer reads (tables/<name>.parquet; a missing one is an empty frame)
PRODUCED_TABLES = ["identification", "clusters", "cluster_profiles", "partners", "dynamics",
                   "risk_profiles", "schools", "list_changes", "exits", "monitoring_completeness",
                   "tech_map", "effectiveness", "curator_assignments"]
DETAILS = "identification_details"  # one row per results row: the cells the reasons name


@dataclass
class ExplorerData:
    """Everything the explorer shows, read once from a run folder."""

    run_dir: Path
    region: str
    identification: pd.DataFrame  # school × year, with school_name and municipality
    schools: pd.DataFrame
    clusters: pd.DataFrame = field(default_factory=pd.DataFrame)
    cluster_profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    partners: pd.DataFrame = field(default_factory=pd.DataFrame)
    dynamics: pd.DataFrame = field(default_factory=pd.DataFrame)
    risk_profiles: pd.DataFrame = field(default_factory=pd.DataFrame)
    identify_params: dict[str, Any] = field(default_factory=dict)  # as used by the run
    explorer_params: dict[str, Any] = field(default_factory=dict)  # params section `explorer`
    min_cell: int = MIN_CELL  # the run's briefings.min_cell: the one small-cell param
    run_id: str = ""
    cells: pd.DataFrame | None = None  # identification_details as identify.classify reads it
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)  # every table read
    briefings_params: dict[str, Any] = field(default_factory=dict)  # params section `briefings`
    risk_names: dict[str, str] = field(default_factory=dict)  # risk factor code → name

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.identification["year"].dropna().unique())

    def passport_relpath(self, school_id: str) -> str | None:
        """The school's passport inside the run's briefings/ folder (as the briefings stage
        names it), when the run has one."""
        if not hasattr(self, "_stems"):  # the briefings' names rule over every school of the run
            ids = self.schools["school_id"] if "school_id" in self.schools else []
            self._stems = school_file_names(pd.Series(ids).astype(str).drop_duplicates())
        stem = self._stems.get(str(school_id))
        if stem is None:
            return None
        rel = f"school/{stem}.html"
        return rel if (self.run_dir / "briefings" / rel).exists() else None

    def passport_path(self, school_id: str) -> Path | None:
        """Path of the school's briefing passport when the run has one."""
        rel = self.passport_relpath(school_id)
        return self.run_dir / "briefings" / rel if rel else None


def resolve_run_dir(target: str | os.PathLike) -> Path:
    """A run folder from a run folder or a params file (→ outputs/<run_id> of those params).

    Raises WorkbenchError (Russian) when there is nothing to show yet.
    """
    p = Path(target)
    if p.suffix.lower() in (".yaml", ".yml"):
        params = load_params(p)
        run_dir = params.resolve("outputs") / params.run_id
        if not (run_dir / "tables" / "identification.parquet").exists():
            raise WorkbenchError(
                f"Результаты расчёта не найдены: {run_dir}. Сначала выполните расчёт: "
                f"workbench run {p}")
        return run_dir
    if not p.exists():
        raise WorkbenchError(f"Папка результатов не найдена: {p}. Укажите папку outputs/<run_id> "
                             "или файл параметров; сначала выполните workbench run.")
    if not (p / "tables" / "identification.parquet").exists():
        raise WorkbenchError(f"В папке {p} нет таблицы tables/identification.parquet: это не папка "
                             "завершённого расчёта. Сначала выполните workbench run.")
    return p


def _read(run_dir: Path, name: str) -> pd.DataFrame:
    p = run_dir / "tables" / f"{name}.parquet"
    return pd.read_parquet(p) if p.exists() else pd.DataFrame()


def read_cells(run_dir: Path) -> pd.DataFrame | None:
    """identification_details as identify.classify's `cells` (None when the run has none):
    codes as text, `mark_based` where the row had marks (as identify.cells sets it)."""
    d = _read(run_dir, DETAILS)
    if d.empty or "z" not in d.columns:
        return None
    d["school_id"] = d["school_id"].astype(str)
    return d.assign(mark_based=d["mean_mark"].notna() if "mean_mark" in d.columns else False)


def _read_tables(run_dir: Path) -> dict[str, pd.DataFrame]:
    """The produced tables (empty frames for the missing ones), school and partner codes as text."""
    tables = {name: _read(run_dir, name) for name in PRODUCED_TABLES}
    for df in tables.values():
        if "school_id" in df.columns:
            df["school_id"] = df["school_id"].astype(str)
        if "partner_id" in df.columns:
            df["partner_id"] = df["partner_id"].astype("string")
    return tables


def _school_names(ident: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """One row per school with school_name and municipality (from `schools`, else from
    `identification`; a school without a name is named by its code)."""
    if schools.empty:
        cols = [c for c in ("school_id", "school_name", "municipality") if c in ident.columns]
        schools = ident[cols].drop_duplicates("school_id") if cols else pd.DataFrame()
    if "school_id" not in schools.columns:
        schools = pd.DataFrame({"school_id": ident["school_id"].unique()})
    for col, default in (("school_name", None), ("municipality", "не указан")):
        if col not in schools.columns:
            schools[col] = schools["school_id"] if default is None else default
    return schools.drop_duplicates("school_id").reset_index(drop=True)


def _named_identification(ident: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """identification with the names, municipalities (and coordinates, for the map) of
    `schools`, integer years and Russian category labels."""
    ident = ident.drop(columns=[c for c in ("school_name", "municipality") if c in ident.columns])
    cols = ["school_id", "school_name", "municipality"] + [
        c for c in ("latitude", "longitude") if c in schools.columns and c not in ident.columns]
    ident = ident.merge(schools[cols], on="school_id", how="left")
    ident["school_name"] = ident["school_name"].fillna(ident["school_id"])
    ident["municipality"] = ident["municipality"].fillna("не указан")
    ident["year"] = ident["year"].astype(int)
    if "category_ru" not in ident.columns and "category" in ident.columns:
        ident["category_ru"] = ident["category"].map(CATEGORIES)
    return ident


def manifest_params(run_dir: Path) -> dict[str, Any]:
    """What the explorer takes from the run's manifest.json: the region, the params sections
    `identification` and `explorer`, and the one small-cell param (`briefings.min_cell`);
    defaults when the manifest is missing or unreadable."""
    out: dict[str, Any] = {"region": "Регион", "identify_params": {}, "explorer_params": {},
                           "min_cell": MIN_CELL, "run_id": run_dir.name, "briefings_params": {},
                           "risk_names": {}}
    manifest_p = run_dir / "manifest.json"
    if manifest_p.exists():
        try:
            manifest = json.loads(manifest_p.read_text(encoding="utf-8"))
            params = manifest.get("params") or {}
            out["region"] = str(params.get("region") or manifest.get("region") or out["region"])
            out["identify_params"] = dict(params.get("identification") or {})
            out["explorer_params"] = dict(params.get("explorer") or {})
            out["briefings_params"] = dict(params.get("briefings") or {})
            out["min_cell"] = int(out["briefings_params"].get("min_cell", MIN_CELL))
            out["run_id"] = str(manifest.get("run_id") or params.get("run_id") or run_dir.name)
            names = (params.get("risks") or {}).get("risk_factors") or {}
            out["risk_names"] = {str(k): str(v) for k, v in dict(names).items()}
        except (ValueError, AttributeError, TypeError):
            pass
    return out


def load_run(target: str | os.PathLike) -> ExplorerData:
    """Read a finished run (folder or params file) into ExplorerData.

    School names and municipalities come from `tables/schools.parquet`, else from
    `identification` when it has them; a school without a name is shown by its code. The risk
    factors' names come from the run's params, else from its risk profiles.
    """
    run_dir = resolve_run_dir(target)
    tables = _read_tables(run_dir)
    schools = _school_names(tables["identification"], tables["schools"])
    ident = _named_identification(tables["identification"], schools)
    meta = manifest_params(run_dir)
    rp = tables["risk_profiles"]
    if not meta["risk_names"] and {"risk_factor", "risk_name"} <= set(rp.columns):
        meta["risk_names"] = dict(zip(rp["risk_factor"].astype(str), rp["risk_name"].astype(str)))
    return ExplorerData(run_dir=run_dir, identification=ident, schools=schools,
                        clusters=tables["clusters"], cluster_profiles=tables["cluster_profiles"],
                        partners=tables["partners"], dynamics=tables["dynamics"],
                        risk_profiles=tables["risk_profiles"], cells=read_cells(run_dir),
                        tables=tables, **meta)
