"""Params section `inputs`: which files feed which canonical table, and how their columns map.

A `columns` entry maps a source header onto a canonical name, either as a plain name
(`"Код ОО": school_id`) or with a scale (`"Доля ОВЗ, %": {name: share_ovz, scale: percent}`:
the file gives percent, the table holds a share). The year of a file may come from its year
column (the default), its file name or its title row (`year_from`), and may be declared the
calendar year of a spring procedure (`year_is: spring_calendar`: school year = year − 1)."""
from __future__ import annotations

import re
from typing import Annotated, Any, Literal, Union

from pydantic import Discriminator, Field, Tag, field_validator

from workbench.config.base import StrictModel

Scale = Literal["share", "percent"]
YEAR_PATTERN = r"(?<!\d)((?:19|20)\d{2})(?:\s*[-/–_]\s*(?:19|20)?\d{2})?(?!\d)"


class ColumnSpec(StrictModel):
    """A source column mapped onto a canonical name, with the scale of its values."""

    name: str = Field(description="каноническое имя столбца")
    scale: Scale = Field(default="share", description="`percent`: значения делятся на 100 (в файле "
                                                      "проценты, в таблице доли)")


def _column_kind(value: Any) -> str:
    return "<spec>" if isinstance(value, (dict, ColumnSpec)) else "<name>"


# a plain canonical name or {name, scale}; the discriminator keeps the errors of one form only
ColumnTarget = Annotated[Union[Annotated[str, Tag("<name>")], Annotated[ColumnSpec, Tag("<spec>")]],
                         Discriminator(_column_kind)]


class InputSpec(StrictModel):
    """One source file (or a glob of yearly files) and how it maps onto a canonical table."""

    path: str = Field(description="файл или шаблон имён (несколько файлов по годам), путь "
                                  "относительно папки проекта")
    sheet: int | str = Field(default=0, description="лист Excel: название или номер, считая с 0")
    encoding: str | None = Field(default=None, description="кодировка CSV; `null` — определить "
                                                           "автоматически")
    sep: str | None = Field(default=None, description="разделитель полей CSV; `null` — определить "
                                                      "автоматически")
    decimal: str | None = Field(default=None, description="десятичный разделитель; `null` — "
                                                          "определить автоматически")
    thousands: str | None = Field(default=None, description="разделитель разрядов (тысяч)")
    header_row: int | None = Field(default=None, ge=1, description="номер строки заголовка, считая с 1; "
                                                                   "`null` — найти автоматически")
    columns: dict[str, ColumnTarget] = Field(
        default_factory=dict,
        description="заголовок столбца в файле → каноническое имя или `{name, scale: percent}`")
    constants: dict[str, Any] = Field(
        default_factory=dict, description="каноническое имя столбца → значение для столбца, "
                                          "которого нет в файле")
    year_from: Literal["column", "filename", "title"] = Field(
        default="column",
        description="откуда берётся год: из сопоставленного столбца года (`column`), из имени файла "
                    "(`filename`) или из строк названия над заголовком (`title`)")
    year_pattern: str | None = Field(
        default=None,
        description="регулярное выражение, находящее год в имени файла или в названии (берётся "
                    "первая группа, если её нет — всё совпадение); `null` — четырёхзначный год или "
                    "учебный год вида 2023-2024")
    year_is: Literal["school_year", "spring_calendar"] = Field(
        default="school_year",
        description="`school_year`: 2024 означает 2024/25; `spring_calendar`: 2024 — календарный "
                    "год весенней процедуры, то есть учебный год 2023/24 (значения вида «2023/24» в "
                    "обоих случаях — учебные годы)")

    @field_validator("year_pattern")
    @classmethod
    def _valid_regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"не регулярное выражение: {exc}") from None
        return v

    def targets(self) -> dict[str, str]:
        """Source header → canonical name."""
        return {src: (dst.name if isinstance(dst, ColumnSpec) else dst)
                for src, dst in self.columns.items()}

    def scales(self) -> dict[str, str]:
        """Canonical name → scale, for the columns declared in percent."""
        return {dst.name: dst.scale for dst in self.columns.values()
                if isinstance(dst, ColumnSpec) and dst.scale != "share"}

    def year_regex(self) -> str:
        """The pattern that finds the year in a file name or a title."""
        return self.year_pattern or YEAR_PATTERN


class InputsSpec(StrictModel):
    """The input files of the region, one entry per canonical table (results: a list)."""

    schools: InputSpec = Field(description="список школ (обязательный)")
    context: InputSpec | None = Field(default=None, description="показатели контекста, школа × год")
    results: list[InputSpec] = Field(
        default_factory=list, description="результаты оценочных процедур: одна запись или список "
                                          "записей")
    monitoring: InputSpec | None = Field(default=None, description="волны мониторинга")
    risk_survey: InputSpec | None = Field(default=None, description="ответы анкеты о факторах риска")
    programme: InputSpec | None = Field(default=None, description="участие в программе")
    agreements: InputSpec | None = Field(
        default=None, description="соглашения о партнёрстве: школа, школа-партнёр, номер, дата, "
                                  "срок действия, статус")
    curators: InputSpec | None = Field(
        default=None, description="кураторы: код, ФИО, организация, муниципалитет, сколько школ "
                                  "может вести")
    decisions: InputSpec | None = Field(
        default=None, description="решения экспертной группы: включить / исключить / категория; "
                                  "применяются после статистической идентификации")
    plan: InputSpec | None = Field(
        default=None, description="планы мероприятий, присланные школами: книги Excel "
                                  "технологической карты (шаблон имён; лист «План мероприятий», для "
                                  "его заголовков `columns` не нужен)")

    @field_validator("results", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, dict) else v

    def entries(self) -> list[tuple[str, InputSpec, str]]:
        """(table, spec, params location) of every input, schools first."""
        out: list[tuple[str, InputSpec, str]] = [("schools", self.schools, "inputs.schools")]
        for name in ("context", "results", "monitoring", "risk_survey", "programme", "agreements",
                     "curators", "decisions", "plan"):
            value = getattr(self, name)
            if isinstance(value, list):
                out += [(name, s, f"inputs.{name}.{i}" if len(value) > 1 else f"inputs.{name}")
                        for i, s in enumerate(value)]
            elif value is not None:
                out.append((name, value, f"inputs.{name}"))
        return out
