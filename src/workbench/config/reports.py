"""Params section `report`: the period of the quarterly and annual reports (stage `reports`)."""
from __future__ import annotations

import re

from pydantic import Field, ValidationError, field_validator

from workbench.config.base import StrictModel
from workbench.core.errors import WorkbenchError

PERIOD = re.compile(r"^(?:19|20)\d{2}(?:-Q[1-4])?$")


class ReportParams(StrictModel):
    """Which report the `reports` stage writes (the CLI option --period overrides it)."""

    period: str | None = Field(
        default=None,
        description="2025-Q1 … 2025-Q4: квартальный аналитический отчёт за календарный квартал (п. "
                    "20.1 исходного документа 003; Q1–Q2 относятся к учебному году 2024/25, Q3–Q4 — "
                    "к 2025/26); 2024: годовой итоговый отчёт за учебный год 2024/25 (п. 20.2); "
                    "`null` — квартальный отчёт за последний квартал текущего учебного года и "
                    "годовой отчёт за этот год")
    plan_target: float = Field(0.7, gt=0, le=1,
                               description="ориентир: доля выполненных мероприятий из тех, срок "
                                           "которых в году наступил; если выполнено меньше, годовой "
                                           "отчёт рекомендует разобрать просроченные мероприятия")
    deadline_day: int = Field(15, ge=1, le=28, description="отчёт сдаётся до этого числа месяца, "
                                                           "следующего за кварталом")

    @field_validator("period")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None and not PERIOD.match(v.strip()):
            raise ValueError(f"период «{v}» не распознан: напишите год (2025) или квартал "
                             f"учебного года (2025-Q1 … 2025-Q4)")
        return v.strip() if v is not None else v


def with_period(report: ReportParams, period: str) -> ReportParams:
    """The section with the period of the command line (`workbench run --period`), checked like
    the params key: a bad period is a Russian error (exit code 2)."""
    try:
        return ReportParams.model_validate({**report.model_dump(), "period": period})
    except ValidationError as exc:
        msg = exc.errors()[0].get("msg", "").removeprefix("Value error, ")
        raise WorkbenchError(f"--period: {msg}") from None
