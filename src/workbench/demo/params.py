"""What the demo generator is told and what it gives back: the knobs (`DemoParams`), the fixed
vocabulary of the fictional region (name, years, context types, indicators, procedures and
subjects with their integer codes) and the generated region (`DemoRegion`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import Field

from workbench.config.base import StrictModel

REGION_NAME = "Демонстрационный край"
DEFAULT_YEARS: tuple[int, ...] = (2021, 2022, 2023, 2024, 2025)

CONTEXT_TYPE_NAMES: dict[int, str] = {
    1: "Городские гимназии и лицеи",
    2: "Городские массовые школы",
    3: "Школы пригородов и малых городов",
    4: "Сельские школы",
    5: "Малокомплектные удалённые сельские школы",
}

# context indicators in the order they are generated (design §3 standard names)
INDICATORS = ["n_students", "share_low_income", "share_single_parent",
              "share_parents_no_higher_ed", "share_ovz", "share_non_native",
              "share_at_risk_register", "teacher_vacancy_rate", "share_teachers_60plus",
              "internet_mbps", "distance_km", "is_rural"]
SHARE_INDICATORS = INDICATORS[1:9]

# procedures and subjects: integer codes in alphabetical order (the results table is sorted by them)
RUS, MATH, WORLD = "Русский язык", "Математика", "Окружающий мир"
MATH_PROFILE = "Математика профильная"
PROC_CODES = {name: i for i, name in enumerate(sorted(["ВПР", "ОГЭ", "ЕГЭ", "РДР"]))}
SUBJ_CODES = {name: i for i, name in enumerate(sorted([RUS, MATH, WORLD, MATH_PROFILE]))}
SUBJECT_DIFFICULTY = {RUS: 0.0, MATH: -0.08, WORLD: 0.25, MATH_PROFILE: 0.0}


class DemoParams(StrictModel):
    """Knobs of the demo generator (defaults give the documented demo region)."""

    type_shares_city: list[float] = Field(default=[0.22, 0.62, 0.16, 0.0, 0.0],
                                          description="context types 1..5 in a city district")
    type_shares_district: list[float] = Field(default=[0.02, 0.14, 0.26, 0.36, 0.22],
                                              description="context types 1..5 in a rural district")
    share_city_municipalities: float = 0.15
    concentration: float = Field(default=55.0, gt=0,
                                 description="Beta concentration of shares (higher = tighter types)")
    lognormal_sigma: float = Field(default=0.35, gt=0, description="spread of internet/distance")
    non_native_municipal_sd: float = 0.6
    quality_sd: float = Field(default=0.5, description="latent school quality, SD units")
    context_sd: float = Field(default=0.5, description="SD of the context effect")
    gymnasium_bonus: float = 0.3
    drift_sd: float = Field(default=0.07, description="yearly random walk of the true result")
    context_drift_sd: float = Field(default=0.06, description="yearly drift of context (logit)")
    share_missing_context: float = 0.01
    pupil_beta: float = Field(default=0.6, description="pupil ability = beta·true result + N(0,1)")
    mark_cuts: list[float] = Field(default=[-1.25, -0.1, 1.0], description="cuts of marks 2|3|4|5")
    cohort_sd: float = 0.15
    subject_sd: float = 0.1
    vpr_participation: float = 0.92
    share_inflated: float = 0.02
    inflation_shift: float = Field(default=1.1, description="ВПР ability shift of inflated schools")
    n_tiny: int = 3
    share_participants: float = 0.08
    share_selected_low: float = Field(default=0.8, description="participants chosen for low results")
    selection_noise: float = 0.35
    share_late_cohort: float = Field(default=0.2, description="participants joining a year later")
    share_with_partner: float = 0.6
    share_missing_waves: float = 0.05
    share_other_surveyed: float = Field(default=0.5,
                                        description="low non-participants that answered the survey")


@dataclass
class DemoRegion:
    """The generated region: canonical tables, pupil rows, ground truth and meta.

    - `tables`: schools, context, results (ВПР, ОГЭ, ЕГЭ and the РДР rows aggregated from
      `students`, exactly what ingesting the written files gives), monitoring, risk_survey,
      programme — canonical columns and dtypes (architecture.md).
    - `students`: student_id, school_id, year, procedure («РДР»), subject, grade (7), mark (2–5),
      for the last two years.
    - `truth` (per school): school_id, municipality, context_type (1..5), context_type_name,
      context_effect, latent_quality, inflated_vpr, tiny_extreme, extreme_year (Int64, tiny only),
      participant, participation_year (Int64, participants only).
    - `truth_years` (school × year): true_result (SD units, includes the programme effect),
      true_low (bottom 10% of the year, noise-free), treated (participant in that year).
    - `meta`: region, seed, n_schools, n_municipalities, programme_effect, years,
      programme_start_year, context_types, missing_waves [(school_id, year, domain, wave)],
      n_participants, n_inflated_vpr, n_tiny_extreme.
    """

    tables: dict[str, pd.DataFrame]
    students: pd.DataFrame
    truth: pd.DataFrame
    truth_years: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


def default_n_municipalities(n_schools: int) -> int:
    """About one municipality per 30 schools, between 3 and 60."""
    return int(min(60, max(3, round(n_schools / 30))))
