"""The top-level params model and reading a params file (YAML): validated with pydantic;
unknown keys and wrong types are errors in Russian that name the key."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Union

import yaml
from pydantic import (Discriminator, Field, Tag, ValidationError, field_validator,
                      model_validator)

from workbench.config.base import Direction, StrictModel
from workbench.config.briefings import BriefingsParams, RisksParams
from workbench.config.clusters import ClustersParams, CuratorsParams, PartnersParams
from workbench.config.explorer import ExplorerParams
from workbench.config.identify import IdentifyParams, OrderParams
from workbench.config.inputs import InputSpec, InputsSpec  # noqa: F401  (public face)
from workbench.config.ingest import IngestParams
from workbench.config.messages import DOCS_PARAMS, format_errors
from workbench.config.monitoring import MonitoringParams
from workbench.config.quality import QualityParams
from workbench.config.reports import ReportParams
from workbench.config.safe_yaml import YamlLimitError, read_params_file
from workbench.config.stages import STAGE_NAMES
from workbench.config.vocabulary import mapping_errors
from workbench.core.errors import WorkbenchError
from workbench.core.names import check_run_id
from workbench.core.tables import INDICATOR_LABELS_RU, REQUIRED_COLUMNS, STANDARD_INDICATORS

StageName = Literal[tuple(STAGE_NAMES)]  # type: ignore[valid-type]


class ParamsError(WorkbenchError):
    """Params file is unusable; the message is Russian and meant for the user."""


class IndicatorSpec(StrictModel):
    """A declared context indicator: its direction and the Russian label every output shows."""

    direction: Direction = Field(description="`adverse` (чем больше значение, тем неблагоприятнее "
                                             "условия), `favourable` (чем больше, тем "
                                             "благоприятнее) или `neutral` (в социальный индекс не "
                                             "входит)")
    label: str | None = Field(default=None, min_length=1,
                              description="русское название показателя во всех результатах; `null` "
                                          "— показывается код")


def _indicator_kind(value: Any) -> str:
    return "<indicator>" if isinstance(value, (dict, IndicatorSpec)) else "<direction>"


# `share_migrants: adverse` or `share_migrants: {direction: adverse, label: "…"}`
IndicatorEntry = Annotated[Union[Annotated[Direction, Tag("<direction>")],
                                 Annotated[IndicatorSpec, Tag("<indicator>")]],
                           Discriminator(_indicator_kind)]


class Params(StrictModel):
    """The whole params file."""

    run_id: str = Field(default="run", description="имя запуска: результаты пишутся в папку "
                                                   "outputs/<run_id>/")
    region: str = Field(default="Регион", description="название региона во всех результатах")
    stages: list[StageName] = Field(default_factory=lambda: list(STAGE_NAMES),
                                    description="какие этапы выполнять (в порядке, в котором они "
                                                "идут в методе)")
    context_indicators: dict[str, IndicatorEntry] = Field(
        default_factory=dict,
        description="дополнительные числовые показатели контекста: имя → направление или имя → "
                    "`{direction, label}` с русским названием, которое показывают результаты")
    inputs: InputsSpec = Field(description="входные файлы и сопоставление их столбцов")
    ingest: IngestParams = Field(default_factory=IngestParams,
                                 description="загрузка и проверка входных данных")
    quality: QualityParams = Field(default_factory=QualityParams,
                                   description="контроль качества данных")
    identification: IdentifyParams = Field(default_factory=IdentifyParams,
                                           description="методика идентификации")
    clusters: ClustersParams = Field(default_factory=ClustersParams,
                                     description="кластеры по контексту")
    partners: PartnersParams = Field(default_factory=PartnersParams,
                                     description="ресурсные школы и школы-партнёры")
    curators: CuratorsParams = Field(default_factory=CuratorsParams,
                                     description="кураторы школ из списков")
    monitoring: MonitoringParams = Field(default_factory=MonitoringParams,
                                         description="мониторинг и эффект программы")
    risks: RisksParams = Field(default_factory=RisksParams,
                               description="профили рисков и технологическая карта")
    briefings: BriefingsParams = Field(default_factory=BriefingsParams,
                                       description="HTML-справки")
    explorer: ExplorerParams = Field(default_factory=ExplorerParams,
                                     description="интерактивный обозреватель")
    order: OrderParams = Field(default_factory=OrderParams,
                               description="списки в виде приложения к приказу министерства")
    report: ReportParams = Field(default_factory=ReportParams,
                                 description="квартальные и годовые отчёты")
    # where relative paths are resolved; set by load_params, not by the user
    base_dir: Path | None = Field(default=None, exclude=True)

    @field_validator("run_id")
    @classmethod
    def _safe_run_id(cls, v: str) -> str:
        return check_run_id(v)  # the one names rule: no «/», «..», leading dot, reserved names

    @field_validator("context_indicators")
    @classmethod
    def _not_a_key(cls, v: dict[str, Any]) -> dict[str, Any]:
        bad = [k for k in v if k in REQUIRED_COLUMNS["context"] or not k.isidentifier()]
        if bad:
            raise ValueError(f"«{bad[0]}» не может быть показателем контекста: имя показателя — "
                             f"латинские буквы, цифры и «_», не school_id и не year")
        return v

    @model_validator(mode="after")
    def _stages_in_order(self) -> "Params":
        if [s for s in STAGE_NAMES if s in self.stages] != self.stages:
            raise ValueError(f"stages: этапы должны идти в порядке {', '.join(STAGE_NAMES)} без "
                             f"повторов")
        return self

    @model_validator(mode="after")
    def _mapping_in_vocabulary(self) -> "Params":
        lines = mapping_errors(self.inputs, list(self.context_indicators))
        if lines:
            raise ValueError("\n- ".join(lines))
        return self

    def indicator_directions(self) -> dict[str, str]:
        """Standard context indicators plus the declared extras, name → direction."""
        declared = {k: (v.direction if isinstance(v, IndicatorSpec) else v)
                    for k, v in self.context_indicators.items()}
        return {**STANDARD_INDICATORS, **declared}

    def indicator_labels(self) -> dict[str, str]:
        """Russian label of every context indicator: the standard ones and the declared labels
        (a declared indicator without a label is shown by its code)."""
        labels = dict(INDICATOR_LABELS_RU)
        for k, v in self.context_indicators.items():
            if isinstance(v, IndicatorSpec) and v.label:
                labels[k] = v.label
        return labels

    def resolve(self, path: str | Path) -> Path:
        """A path from params, resolved against the project base directory."""
        p = Path(path)
        return p if p.is_absolute() else (self.base_dir or Path.cwd()) / p


def base_dir_for(params_path: Path) -> Path:
    """Project directory of a params file: the parent of `params/`, else the file's folder."""
    folder = params_path.resolve().parent
    return folder.parent if folder.name == "params" else folder


def parse_params(data: dict[str, Any], source: str = "params", base_dir: Path | None = None) -> Params:
    """Validate a params mapping; raise ParamsError with a Russian message naming the key."""
    if not isinstance(data, dict):
        raise ParamsError(f"{source}: файл параметров должен быть словарём YAML (ключ: значение)")
    try:
        params = Params.model_validate(data)
    except ValidationError as exc:
        lines = format_errors(exc.errors(), Params)
        raise ParamsError(f"{source}: ошибки в параметрах:\n- " + "\n- ".join(lines) +
                          f"\nВсе ключи параметров — в {DOCS_PARAMS}.") from None
    params.base_dir = base_dir
    return params


def load_params(path: str | Path, overrides: dict[str, Any] | None = None) -> Params:
    """Read a YAML params file with the safe loader and validate it."""
    p = Path(path)
    if not p.exists():
        raise ParamsError(f"Файл параметров не найден: {p}")
    try:
        data = read_params_file(p)  # the safe loader with limits on size, aliases and depth
    except YamlLimitError as exc:
        raise ParamsError(f"{p}: {exc}") from None
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
