"""Report periods: calendar quarters in their school year, the due date, bad periods in Russian."""
from __future__ import annotations

import datetime as dt

import pytest

from workbench.config.reports import ReportParams, with_period
from workbench.core.errors import WorkbenchError
from workbench.reports.period import parse_period, quarter


def test_quarters_belong_to_the_school_year_they_end_in():
    q1 = parse_period("2026-Q1")
    assert (q1.school_year, q1.status, q1.end, q1.due) == (2025, "status_mar",
                                                          dt.date(2026, 3, 31),
                                                          dt.date(2026, 4, 15))
    q4 = quarter(2025, 4)
    assert (q4.school_year, q4.status, q4.due) == (2025, "status_dec", dt.date(2026, 1, 15))
    q3 = quarter(2025, 3)
    assert q3.school_year == 2025 and q3.previous().school_year == 2024  # a new school year
    assert q1.previous() == q4 and q1.label == "I квартал 2026 г."
    assert parse_period("2025") == 2025


def test_bad_periods_are_russian_errors():
    with pytest.raises(ValueError, match="не распознан"):
        ReportParams(period="2025Q1")
    with pytest.raises(WorkbenchError, match="--period: период «весна» не распознан"):
        with_period(ReportParams(), "весна")
    assert with_period(ReportParams(), "2026-Q2").period == "2026-Q2"
