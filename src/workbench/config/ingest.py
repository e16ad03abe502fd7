"""Params section `ingest`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from workbench.config.base import StrictModel


class IngestParams(StrictModel):
    """Settings of the ingest stage (params section `ingest`)."""

    year_min: int = Field(default=1950, description="earliest acceptable (school) year; wide "
                                                    "enough for historical panels")
    year_max: int = Field(default=2100, description="latest acceptable (school) year")
    max_grade: int = Field(default=11, ge=1, description="highest school grade")
    header_search_rows: int = Field(default=30, ge=1, description="rows searched for the header")
    marks_sum_tolerance: float = Field(
        default=0.0, ge=0, description="allowed |sum of mark counts - participants|")
    pct_sum_tolerance: float = Field(
        default=1.5, ge=0, description="allowed |sum of pct_mark2..5 - 100| (percentage points)")
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description="minimum score per subject ('Математика' or 'ЕГЭ/Математика') for pupil "
                    "rows with scores: a score below it counts as below-minimum (n_low)")
    unknown_school_severity: Literal["error", "warning"] = Field(
        default="error", description="a code missing from the school list: error rejects the row, "
                                     "warning keeps it")
    repair_codes: bool = Field(
        default=True, description="match codes that differ from the school list only by lost "
                                  "leading zeros, spaces or a trailing «.0» (one warning line)")
    detect_percent: bool = Field(
        default=True, description="read mark columns mapped as counts (n_mark2..5) as percent "
                                  "when every row sums to ≈100 and participants are not 100")
    pupils_memory_limit: str = Field(
        default="2GB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$",
        description="предел памяти DuckDB при агрегации файла результатов обучающихся "
                    "(CSV, Parquet любого размера; сверх предела — временные файлы в папке "
                    "запуска), например 2GB")
    pupils_threads: int = Field(
        default=2, ge=1, description="потоков DuckDB при агрегации файла результатов "
                                     "обучающихся")
    use_store: bool = Field(default=True, description="put canonical tables into the DuckDB store")
    html_max_rows: int = Field(default=3000, ge=1, description="problems listed in the HTML page")
