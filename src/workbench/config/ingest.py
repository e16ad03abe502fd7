"""Params section `ingest`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from workbench.config.base import StrictModel


class IngestParams(StrictModel):
    """Settings of the ingest stage (params section `ingest`)."""

    year_min: int = Field(default=1950, description="самый ранний допустимый (учебный) год; с "
                                                    "запасом для исторических рядов")
    year_max: int = Field(default=2100, description="самый поздний допустимый (учебный) год")
    max_grade: int = Field(default=11, ge=1, description="старший класс школы")
    header_search_rows: int = Field(default=30, ge=1, description="в скольких первых строках искать "
                                                                  "заголовок")
    marks_sum_tolerance: float = Field(
        default=0.0, ge=0, description="допустимое расхождение |сумма числа отметок − число "
                                       "участников|")
    pct_sum_tolerance: float = Field(
        default=1.5, ge=0, description="допустимое расхождение |сумма pct_mark2..5 − 100| "
                                       "(процентные пункты)")
    min_scores: dict[str, float] = Field(
        default_factory=dict,
        description="минимальный балл по предмету (`Математика` или `ЕГЭ/Математика`) для строк "
                    "обучающихся с баллами: балл ниже него считается результатом ниже минимального "
                    "(n_low)")
    unknown_school_severity: Literal["error", "warning"] = Field(
        default="error", description="код, которого нет в списке школ: `error` — строка "
                                     "отклоняется, `warning` — строка остаётся")
    repair_codes: bool = Field(
        default=True, description="сопоставлять коды, которые отличаются от кодов списка школ "
                                  "только потерянными ведущими нулями, пробелами или «.0» в конце "
                                  "(одна строка предупреждения)")
    detect_percent: bool = Field(
        default=True, description="читать столбцы отметок, сопоставленные как количества "
                                  "(n_mark2..5), как проценты, если в каждой строке их сумма ≈ 100, "
                                  "а число участников не 100")
    pupils_memory_limit: str = Field(
        default="2GB", pattern=r"^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$",
        description="предел памяти DuckDB при агрегации файла результатов обучающихся "
                    "(CSV, Parquet любого размера; сверх предела — временные файлы в папке "
                    "запуска), например 2GB")
    pupils_threads: int = Field(
        default=2, ge=1, description="потоков DuckDB при агрегации файла результатов "
                                     "обучающихся")
    use_store: bool = Field(default=True, description="складывать канонические таблицы в хранилище "
                                                      "DuckDB")
    html_max_rows: int = Field(default=3000, ge=1, description="сколько проблем в данных показывать на "
                                                               "странице data_quality.html")
