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
        description="2025-Q1 … 2025-Q4: the quarterly analytical report of a calendar quarter "
                    "(seed 003 item 20.1; Q1–Q2 belong to the school year 2024/25, Q3–Q4 to "
                    "2025/26); 2024: the annual summary report of the school year 2024/25 "
                    "(item 20.2); None = the quarterly report of the latest quarter of the "
                    "current school year and its annual report")
    plan_target: float = Field(0.7, gt=0, le=1,
                               description="share of the year's due measures done below which "
                                           "the annual report recommends a review")
    deadline_day: int = Field(15, ge=1, le=28, description="the report is due by this day of "
                                                           "the month after the quarter")

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
