"""The error of an input that cannot be used at all."""
from __future__ import annotations

import pandas as pd

from workbench.core.errors import WorkbenchError


class DataError(WorkbenchError):
    """An input file cannot be used at all (unreadable, empty, missing sheet or column).

    `problems` (optional) holds the row problems found before stopping, so that the stage can
    still write data_quality.* for the user."""

    def __init__(self, message: str, problems: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.problems = problems
