"""Params section `monitoring`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field

from workbench.config.base import StrictModel
from workbench.core.vocabulary import SCHEDULE


class MonitoringParams(StrictModel):
    """Settings of the monitoring stage (params section ``monitoring:``)."""

    schedule: dict[str, list[Literal["entry", "intermediate", "final"]]] = Field(
        default_factory=lambda: {k: list(v) for k, v in SCHEDULE.items()},
        description="waves expected per domain and year (seed 003, item 13)")
    # ---- trend against measurement noise
    z: float = Field(default=1.96, gt=0, description="normal quantile of the MDC (1.96 = 95%)")
    reliability: float = Field(
        default=0.8, ge=0, lt=1,
        description="reliability of an indicator without n: MDC = z·SD·√(2(1−r)) (SD across schools)")
    binomial_for_shares: bool = Field(
        default=True, description="indicators with values in [0,1] and n given: binomial noise")
    min_schools_for_spread: int = Field(default=5, ge=2,
                                        description="schools needed to estimate the spread of an indicator in a year")
    mdc_override: dict[str, float] = Field(
        default_factory=dict, description="indicator → fixed minimum detectable change")
    year_on_year: bool = Field(
        default=True, description="single-wave domains: change against the same wave a year before")
    # ---- programme effect
    outcome: str = Field(default="result_index", description="identification column used as outcome")
    n_neighbours: int = Field(default=3, ge=1, description="matched controls per participant (with replacement)")
    caliper: float = Field(default=1.0, gt=0,
                           description="max distance to a matched control, in SD of the matching features")
    match_lags: int = Field(
        default=2, ge=1,
        description="the selection window: the years before the programme's first year on which "
                    "participants were chosen; every cohort is matched on the result index of these "
                    "years and of any later year before its own start, and the placebo uses only "
                    "the years before the window")
    match_column: str = Field(
        default="result_index_shrunk",
        description="identification column matched on in the baseline years (falls back to outcome)")
    match_on_size: bool = Field(default=True, description="also match on log(pupils) of the base year")
    match_extra: list[str] = Field(
        default_factory=lambda: ["vpr_mean_mark"],
        description="identification columns also matched on in every year of the selection window "
                    "(those present; a school without a value gets the year's mean): the numbers "
                    "participants were chosen on when they are not the result index itself — by "
                    "default the mean ВПР mark; without it participants stay lower than their "
                    "matched controls by what the selection saw and the index did not, which "
                    "biases the effect and the placebo alike")
    baseline: Literal["year_before", "pre_mean"] = Field(
        default="year_before",
        description="base of the DiD: the year before (P−1) or the mean of the match_lags years before")
    bias_correction: bool = Field(
        default=True, description="regression adjustment of matched controls (Abadie–Imbens)")
    exclude_all_participants: bool = Field(
        default=True, description="controls never took part in the programme in any year")
    outlier_mad: float = Field(
        default=5.0, gt=0,
        description="schools whose outcome change (in units of its standard error) is further than "
                    "this many robust SDs from the median are left out of the effect estimate "
                    "(counted in n_outliers)")
    effect_se: Literal["bootstrap", "abadie_imbens"] = Field(
        default="bootstrap",
        description="interval of the effect: percentile bootstrap that resamples participants and "
                    "controls and redoes the matching (n_boot replicates), or the Abadie–Imbens "
                    "standard error of matching with replacement (each control's reuse counted) "
                    "with the normal interval; measured in docs/effect_method.md")
    variance_matches: int = Field(
        default=3, ge=1,
        description="with effect_se abadie_imbens: controls each control is compared with to "
                    "estimate the variance of its change (J of the Abadie–Imbens standard error)")
    n_boot: int = Field(default=400, ge=50, description="bootstrap replicates for the intervals")
    ci_level: float = Field(default=0.95, gt=0.5, lt=1)
    mde_power: float = Field(
        default=0.8, gt=0.5, lt=1,
        description="power of the minimum detectable effect shown beside each estimate: "
                    "MDE = (z of the interval + z of this power) × standard error")
    seed: int = 2026
    min_treated: int = Field(default=5, ge=1, description="fewer matched participants: no estimate")
