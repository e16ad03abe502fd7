"""Params (YAML) models: validated with pydantic, unknown keys are errors that name the key.

The top-level model assembles the section models that live beside their stage modules
(`identify.IdentifyParams`, `clusters.ClustersParams`, ...), so that each stage owns its settings.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from workbench.canon import STANDARD_INDICATORS, StrictModel, WorkbenchError
from workbench.briefings import BriefingsParams
from workbench.clusters import ClustersParams
from workbench.identify import IdentifyParams
from workbench.ingest import IngestParams
from workbench.monitoring import MonitoringParams
from workbench.partners import PartnersParams
from workbench.risks import RisksParams
from workbench.widgets import ExplorerParams

STAGES = ["ingest", "identify", "clusters", "monitoring", "briefings"]
Direction = Literal["adverse", "favourable", "neutral"]


class ParamsError(WorkbenchError):
    """Params file is unusable; the message is Russian and meant for the user."""


class InputSpec(StrictModel):
    """One source file (or a glob of yearly files) and how it maps onto a canonical table."""

    path: str
    sheet: int | str = 0
    encoding: str | None = None
    sep: str | None = None
    decimal: str | None = None
    thousands: str | None = None
    header_row: int | None = Field(default=None, ge=1, description="1-based; None = detect")
    columns: dict[str, str] = Field(default_factory=dict)
    constants: dict[str, Any] = Field(default_factory=dict)


class InputsSpec(StrictModel):
    schools: InputSpec
    context: InputSpec | None = None
    results: list[InputSpec] = Field(default_factory=list)
    monitoring: InputSpec | None = None
    risk_survey: InputSpec | None = None
    programme: InputSpec | None = None

    @field_validator("results", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v


class Params(StrictModel):
    run_id: str = "run"
    region: str = "Регион"
    stages: list[Literal["ingest", "identify", "clusters", "monitoring", "briefings"]] = Field(
        default_factory=lambda: list(STAGES))
    context_indicators: dict[str, Direction] = Field(
        default_factory=dict, description="extra numeric context columns and their direction")
    inputs: InputsSpec
    ingest: IngestParams = Field(default_factory=IngestParams)
    identification: IdentifyParams = Field(default_factory=IdentifyParams)
    clusters: ClustersParams = Field(default_factory=ClustersParams)
    partners: PartnersParams = Field(default_factory=PartnersParams)
    monitoring: MonitoringParams = Field(default_factory=MonitoringParams)
    risks: RisksParams = Field(default_factory=RisksParams)
    briefings: BriefingsParams = Field(default_factory=BriefingsParams)
    explorer: ExplorerParams = Field(default_factory=ExplorerParams)
    # where relative paths are resolved; set by load_params, not by the user
    base_dir: Path | None = Field(default=None, exclude=True)

    @field_validator("run_id")
    @classmethod
    def _safe_run_id(cls, v: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,80}", v) or ".." in v:
            raise ValueError("run_id: только латинские буквы, цифры, «_», «-», «.»; без «/» и «..»")
        return v

    @model_validator(mode="after")
    def _stages_in_order(self) -> "Params":
        if [s for s in STAGES if s in self.stages] != self.stages:
            raise ValueError(f"stages: этапы должны идти в порядке {STAGES} без повторов")
        return self

    def indicator_directions(self) -> dict[str, str]:
        """Standard context indicators plus the declared extras, name → direction."""
        return {**STANDARD_INDICATORS, **self.context_indicators}

    def resolve(self, path: str | Path) -> Path:
        """A path from params, resolved against the project base directory."""
        p = Path(path)
        return p if p.is_absolute() else (self.base_dir or Path.cwd()) / p


def base_dir_for(params_path: Path) -> Path:
    """Project directory of a params file: the parent of `params/`, else the file's folder."""
    folder = params_path.resolve().parent
    return folder.parent if folder.name == "params" else folder


def _format_error(err: dict[str, Any]) -> str:
    loc = ".".join(str(x) for x in err.get("loc", ()))
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return f"неизвестный ключ «{loc}» (проверьте написание; допустимые ключи — в README)"
    if kind == "missing":
        return f"не задан обязательный ключ «{loc}»"
    value = err.get("input")
    shown = "" if isinstance(value, (dict, list)) else f" (значение: {value!r})"
    msg = err.get("msg", "")
    msg = msg.replace("Value error, ", "")
    return f"ключ «{loc}»: {msg}{shown}"


def parse_params(data: dict[str, Any], source: str = "params", base_dir: Path | None = None) -> Params:
    """Validate a params mapping; raise ParamsError with a Russian message naming the key."""
    if not isinstance(data, dict):
        raise ParamsError(f"{source}: файл параметров должен быть словарём YAML (ключ: значение)")
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        lines = [_format_error(e) for e in exc.errors()]
        raise ParamsError(f"{source}: ошибки в параметрах:\n- " + "\n- ".join(lines)) from None
    params.base_dir = base_dir
    return params


def load_params(path: str | Path, overrides: dict[str, Any] | None = None) -> Params:
    """Read a YAML params file with the safe loader and validate it."""
    p = Path(path)
    if not p.exists():
        raise ParamsError(f"Файл параметров не найден: {p}")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ParamsError(f"{p}: файл параметров должен быть в кодировке UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", строка {mark.line + 1}, столбец {mark.column + 1}" if mark else ""
        raise ParamsError(f"{p}: ошибка синтаксиса YAML{where}: {getattr(exc, 'problem', exc)}") from None
    data = dict(data or {}) if isinstance(data, dict) or data is None else data
    if overrides and isinstance(data, dict):
        data.update({k: v for k, v in overrides.items() if v is not None})
    return parse_params(data, source=str(p), base_dir=base_dir_for(p))
