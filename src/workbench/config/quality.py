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
        description="наибольшая доля строк входной таблицы, которую можно отклонить; если отклонено "
                    "больше, запуск останавливается (код выхода 3) и ничего не публикует")
    tables: dict[InputTable, float] = Field(
        default_factory=dict,
        description="свой порог для отдельной таблицы, например `{results: 0.10}`; для остальных "
                    "действует max_rejected_share")
    enabled: bool = Field(
        default=True, description="`false`: отклонённые строки никогда не останавливают запуск (об "
                                  "этом говорят только предупреждение на страницах справок и строка "
                                  "в консоли)")

    def threshold(self, table: str) -> float:
        """The rejected-share threshold of a table."""
        value = self.tables.get(table)  # type: ignore[call-overload]
        return self.max_rejected_share if value is None else float(value)
