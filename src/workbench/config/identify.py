"""Params section `identification`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.config.base import Direction, StrictModel

Indicator = Literal["share_low", "mean_mark", "mean_score"]


class IdentifyParams(StrictModel):
    """Settings of the identify stage (params section `identification`)."""

    # --- result index
    indicators: list[Indicator] = Field(
        default_factory=lambda: ["share_low", "mean_mark", "mean_score"],
        description="cell indicators combined into the result index (those present are used)")
    indicator_correlation: float = Field(
        0.8, ge=0, le=1, description="assumed correlation of the sampling errors of the indicators "
        "of one cell (share of «2» and mean mark come from the same pupils)")
    within_grade_correlation: float = Field(
        0.5, ge=0, le=1, description="assumed correlation of sampling errors between subjects of one "
        "grade (the same pupils sit them)")
    assumed_icc: float = Field(
        0.2, gt=0, lt=1, description="intra-school correlation used to guess the pupil-level spread "
        "of scores when no sd_score is given")
    confidence: float = Field(0.95, gt=0.5, lt=1, description="level of every interval (the "
                              "year's index, the persistent level, the rank, the value added)")
    shrink: bool = Field(True, description="also keep the year's index shrunk toward the region "
                         "mean (result_index_shrunk, the outcome the monitoring compares); the "
                         "persistent level that ranks is shrunk toward the context (rank_on)")
    # --- persistent quality (pooled over a window of years, shrunk toward the context)
    min_class_n: int = Field(
        5, ge=1, description="result rows (procedure × subject × grade) with fewer pupils are kept "
        "out of the index (their share of «2» is noise)")
    window_years: int = Field(
        3, ge=1, le=10, description="years pooled (this year and the previous ones) for the "
        "persistent quality that places a school in the bottom group")
    year_shock_df: float = Field(
        4.0, ge=0, description="Student-t degrees of freedom of the school × year term: a year far "
        "from the school's other years weighs less in the pooled estimate; 0 = normal (no "
        "down-weighting)")
    subject_term: bool = Field(
        True, description="count the school's persistent subject profile (strong in one subject, "
        "weak in another; estimated from the data) as uncertainty about its general level")
    # --- flags
    rank_on: Literal["shrunk", "raw"] = Field(
        "shrunk", description="which estimate places a school in the bottom/top group: the pooled "
        "quality shrunk toward the context-expected value (shrunk) or the pooled index (raw)")
    bottom_share: float = Field(0.10, gt=0, lt=1, description="bottom group of the region")
    min_probability: float = Field(
        0.5, ge=0, le=1, description="entry to the list needs the posterior probability of being "
        "in the bottom group at least this (and the whole interval below the benchmark)")
    benchmark: Literal["mean", "percentile"] = Field(
        "mean", description="the regional level the whole interval of a listed school lies below")
    benchmark_percentile: float = Field(
        25.0, ge=0, le=100, description="used when benchmark = percentile (of the persistent "
        "levels of the year)")
    persist_years: int = Field(
        1, ge=1, description="consecutive years with the evidence for entry (bottom group, "
        "probability, interval) before a school is listed")
    min_years: int = Field(
        2, ge=1, description="years with results in the window a listing needs; fewer: see "
        "short_history")
    short_history: Literal["available", "strict"] = Field(
        "strict", description="a school with fewer than min_years years of results (e.g. the first "
        "year of data): not listed but put on the watch list (strict), or listed on the years "
        "available with a reason saying so (available)")
    exit_years: int = Field(
        2, ge=1, description="a listed school meets the exit criteria after this many consecutive "
        "years out of the bottom group ...")
    exit_on_interval: bool = Field(
        True, description="... or as soon as its whole 95% interval lies above the entry threshold "
        "(the cut of the bottom group)")
    min_n: int = Field(10, ge=1, description="fewer pupils who wrote the works (pooled over the "
                       "window) → insufficient_data")
    pool_years: bool = Field(True, description="min_n counts the pupils of the whole window "
                             "(false: of this year alone)")
    top_share: float = Field(0.15, gt=0, lt=1, description="top group: high_performing")
    resilient_percentile: float = Field(
        75.0, ge=0, le=100, description="adverse context and result percentile at least this → "
        "resilient (or value added significantly above 0)")
    # --- social index
    social_indicators: dict[str, Direction] | None = Field(
        None, description="indicators and directions of the social index; default: every standard "
        "and declared indicator present in context")
    adverse_share: float = Field(0.25, gt=0, lt=1, description="bottom share by social index")
    rural_from_locality: bool = Field(
        True, description="derive is_rural from schools.locality («село») when context lacks it")
    # --- objectivity
    objectivity_z: float = Field(
        2.5, gt=0, description="ВПР above what the school's ОГЭ/ЕГЭ predict by this many "
        "standard deviations of the noise (pooled over objectivity_pool_years) → flag")
    objectivity_pool_years: int = Field(2, ge=1, description="consecutive years the ВПР-vs-exams "
                                        "signs are summed over")
    objectivity_gap: float = Field(
        0.75, ge=0, description="... and ВПР is above that prediction by at least this much "
        "(index units ≈ SD of school results): a large gap, not merely a significant one")
    objectivity_min_vpr_index: float = Field(
        0.0, description="the gap sign counts only when the school's ВПР index is at least this "
        "(ВПР results high for the region, not merely less low than its exams)")
    objectivity_min_n: int = Field(8, ge=1, description="participations (pupil-results) needed "
                                   "on each side")
    objectivity_share5_excess: float = Field(
        0.25, gt=0, lt=1, description="ВПР share of «5» above the region's by this much → flag")
    objectivity_share5_z: float = Field(3.0, ge=0, description="... and the excess of «5» is "
                                        "significant at this binomial z")
    objectivity_share5_exam_ceiling: float = Field(
        0.0, description="share-of-«5» sign counts only when the school's ОГЭ/ЕГЭ index is below "
        "this: high ВПР backed by high exams is not suspicious; without exams it is not judged")
    objectivity_exams_only: bool = Field(
        True, description="a school flagged for non-objective ВПР is placed by its ОГЭ/ЕГЭ alone "
        "(its ВПР would place it too high); the reasons say so")
    # --- reasons
    reasons_max_subjects: int = Field(2, ge=0, le=10, description="worst subject-grade rows named "
                                      "in the reasons of a listed or watched school")

    @model_validator(mode="after")
    def _top_bottom(self) -> "IdentifyParams":
        if self.bottom_share + self.top_share > 1:
            raise ValueError("bottom_share + top_share должно быть не больше 1")
        return self

    @property
    def z_crit(self) -> float:
        from scipy.stats import norm

        return float(norm.ppf(0.5 + self.confidence / 2))


class OrderParams(StrictModel):
    """Params section `order`: the heading and the signature of the lists as an annex to a
    ministry order (lists.xlsx sheet «Приложение к приказу» and lists_annex.docx). Empty number
    or date are printed as blanks to fill in by hand."""

    annex_number: str = Field("1", description="the annex number: «Приложение № 1»")
    issuer: str = Field("министерства образования", description="whose order: «к приказу …»")
    number: str = Field("", description="the order number; empty = a blank to fill in")
    date: str = Field("", description="the order date as printed, e.g. 15.09.2025; empty = a "
                                      "blank to fill in")
    title: str = Field(
        "Перечень общеобразовательных организаций — участников региональной программы "
        "поддержки школ с низкими результатами обучения и школ, функционирующих в "
        "неблагоприятных социальных условиях",
        description="the title of the list (the school year is added)")
    signatory_position: str = Field("Министр образования",
                                    description="position in the signature block")
    signatory_name: str = Field("", description="name in the signature block; empty = a blank")
