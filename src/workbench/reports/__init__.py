"""The reports stage (seed 003 item 20): the quarterly analytical report of a quarter and the
annual summary report of a school year, as printable HTML and xlsx under `reports/`."""
from __future__ import annotations

from workbench.reports import stage
from workbench.reports.model import as_text
from workbench.reports.stage import run

__all__ = ["as_text", "run", "stage"]
