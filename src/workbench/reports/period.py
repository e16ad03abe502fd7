"""The period of a report (seed 003 item 20): a calendar quarter «2026-Q1» (the quarterly
analytical report, due by the 15th of the next month) or a school year «2025» (the annual summary
of 2025/26). A quarter belongs to the school year it ends in: Q1 and Q2 of 2026 to 2025/26, Q3
and Q4 of 2026 to 2026/27; its end is the column of the plan's statuses read for it."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from workbench.core.errors import WorkbenchError
from workbench.core.formatting import year_label
from workbench.ingest.plan import QUARTER_END, QUARTER_STATUS

STATUS_OF_QUARTER = {1: "status_mar", 2: "status_jun", 3: "status_sep", 4: "status_dec"}
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
QUARTERS_OF_YEAR = list(QUARTER_STATUS)  # sep, dec, mar, jun: the order within a school year


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter and where it sits in the school year."""

    year: int            # calendar year
    q: int               # 1…4
    school_year: int     # 2025 = 2025/26
    status: str          # the plan's status column at its end
    end: dt.date
    due: dt.date         # the report is due by this day

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.q}"

    @property
    def label(self) -> str:
        return f"{ROMAN[self.q]} квартал {self.year} г."

    def previous(self, deadline_day: int = 15) -> "Quarter":
        """The quarter before."""
        return quarter(self.year - 1, 4, deadline_day) if self.q == 1 else \
            quarter(self.year, self.q - 1, deadline_day)


def quarter(year: int, q: int, deadline_day: int = 15) -> Quarter:
    """Quarter `q` of calendar `year`."""
    status = STATUS_OF_QUARTER[q]
    add, month, day = QUARTER_END[status]
    school_year = year - add
    end = dt.date(year, month, day)
    due = dt.date(year + (month == 12), month % 12 + 1, deadline_day)
    return Quarter(year, q, school_year, status, end, due)


def quarter_of_status(school_year: int, status: str, deadline_day: int = 15) -> Quarter:
    """The quarter whose end is the status column `status` of the school year."""
    add, month, _ = QUARTER_END[status]
    return quarter(school_year + add, (month - 1) // 3 + 1, deadline_day)


def parse_period(text: str, deadline_day: int = 15) -> Quarter | int:
    """«2026-Q1» → the quarter; «2025» → the school year 2025 (2025/26)."""
    t = str(text).strip()
    try:
        if "-Q" in t:
            y, q = t.split("-Q")
            return quarter(int(y), int(q), deadline_day)
        return int(t)
    except (ValueError, KeyError):
        raise WorkbenchError(f"Период отчёта «{text}» не распознан: напишите год (2025 — "
                             f"{year_label(2025)} учебный год) или квартал (2026-Q1).") from None


def school_quarters(school_year: int) -> list[Quarter]:
    """The four quarter ends of a school year, in order (30.09, 31.12, 31.03, 30.06)."""
    return [quarter_of_status(school_year, s) for s in QUARTERS_OF_YEAR]
