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

    name: str = Field(description="canonical column name")
    scale: Scale = Field(default="share", description="percent: values are divided by 100")


def _column_kind(value: Any) -> str:
    return "<spec>" if isinstance(value, (dict, ColumnSpec)) else "<name>"


# a plain canonical name or {name, scale}; the discriminator keeps the errors of one form only
ColumnTarget = Annotated[Union[Annotated[str, Tag("<name>")], Annotated[ColumnSpec, Tag("<spec>")]],
                         Discriminator(_column_kind)]


class InputSpec(StrictModel):
    """One source file (or a glob of yearly files) and how it maps onto a canonical table."""

    path: str = Field(description="file or glob (several yearly files), relative to the project")
    sheet: int | str = Field(default=0, description="Excel sheet: name or 0-based number")
    encoding: str | None = Field(default=None, description="CSV encoding; None = detect")
    sep: str | None = Field(default=None, description="CSV separator; None = detect")
    decimal: str | None = Field(default=None, description="decimal mark; None = detect")
    thousands: str | None = Field(default=None, description="thousands separator")
    header_row: int | None = Field(default=None, ge=1, description="1-based; None = detect")
    columns: dict[str, ColumnTarget] = Field(
        default_factory=dict,
        description="source header → canonical name, or {name, scale: percent}")
    constants: dict[str, Any] = Field(
        default_factory=dict, description="canonical column → value for a column the file lacks")
    year_from: Literal["column", "filename", "title"] = Field(
        default="column",
        description="where the year comes from: the mapped year column, the file name, or the "
                    "title rows above the header")
    year_pattern: str | None = Field(
        default=None,
        description="regular expression finding the year in the file name or title (its first "
                    "group, else the whole match); None = a four-digit year or a school year "
                    "such as 2023-2024")
    year_is: Literal["school_year", "spring_calendar"] = Field(
        default="school_year",
        description="school_year: 2024 means 2024/25; spring_calendar: 2024 is the calendar year "
                    "of a spring procedure, i.e. school year 2023/24 (values such as «2023/24» "
                    "are school years either way)")

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

    schools: InputSpec = Field(description="the school list (required)")
    context: InputSpec | None = Field(default=None, description="context indicators, school × year")
    results: list[InputSpec] = Field(
        default_factory=list, description="assessment results: one entry or a list of entries")
    monitoring: InputSpec | None = Field(default=None, description="monitoring waves")
    risk_survey: InputSpec | None = Field(default=None, description="risk survey answers")
    programme: InputSpec | None = Field(default=None, description="programme participation")
    agreements: InputSpec | None = Field(
        default=None, description="partnership agreements: school, partner school, number, date, "
                                  "valid until, status")
    curators: InputSpec | None = Field(
        default=None, description="curators: code, name, organisation, municipality, capacity")
    decisions: InputSpec | None = Field(
        default=None, description="expert decisions: include / exclude / category, applied after "
                                  "the statistics of identification")
    plan: InputSpec | None = Field(
        default=None, description="the plans of measures sent back by the schools: the "
                                  "technological-map workbooks (a glob; sheet «План "
                                  "мероприятий», its headers need no `columns`)")

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
