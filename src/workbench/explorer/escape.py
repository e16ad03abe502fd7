"""HTML escaping of any cell value the explorer shows (names, reasons, labels are text)."""
from __future__ import annotations

import html
from typing import Any

import pandas as pd


def esc(x: Any) -> str:
    """Escaped text of a value; None and missing values are the empty string."""
    return html.escape("" if x is None or (not isinstance(x, str) and pd.isna(x)) else str(x))
