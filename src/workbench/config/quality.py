"""Params section `quality`: the data-quality gate. A run in which an input table loses more
than its share of rows (or a table a requested stage needs ends empty) publishes nothing."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from workbench.config.base import StrictModel

InputTable = Literal["schools", "context", "results", "monitoring", "risk_survey", "programme",
                     "agreements", "curators", "decisions", "plan"]


class QualityParams(StrictModel):
    """Settings of the data-quality gate (params section `quality`)."""

    max_rejected_share: float = Field(
        default=0.05, ge=0, le=1,
        description="largest share of an input table's rows that may be rejected; above it the "
                    "run stops (exit code 3) and publishes nothing")
    tables: dict[InputTable, float] = Field(
        default_factory=dict,
        description="a threshold of its own per table, e.g. {results: 0.10}; the others use "
                    "max_rejected_share")
    enabled: bool = Field(
        default=True, description="false: rejected rows never stop the run (only the banner and "
                                  "the console line say so)")

    def threshold(self, table: str) -> float:
        """The rejected-share threshold of a table."""
        value = self.tables.get(table)  # type: ignore[call-overload]
        return self.max_rejected_share if value is None else float(value)
