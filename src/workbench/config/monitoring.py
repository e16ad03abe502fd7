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
        description="ожидаемые волны по направлениям и годам (исходный документ 003, п. 13)")
    # ---- trend against measurement noise
    z: float = Field(default=1.96, gt=0, description="квантиль нормального распределения для минимального "
                                   "обнаружимого изменения, MDC (1,96 = 95 %)")
    reliability: float = Field(
        default=0.8, ge=0, lt=1,
        description="надёжность показателя без n: MDC = z·SD·√(2(1−r)) (SD — по школам)")
    binomial_for_shares: bool = Field(
        default=True,
        description="показатели со значениями в [0, 1] и заданным n: биномиальный шум")
    min_schools_for_spread: int = Field(default=5, ge=2,
                                        description="сколько школ нужно, чтобы оценить разброс "
                                                    "показателя в году")
    mdc_override: dict[str, float] = Field(
        default_factory=dict,
        description="показатель → заданное минимальное обнаружимое изменение")
    year_on_year: bool = Field(
        default=True,
        description="направления с одной волной: изменение к той же волне годом раньше")
    # ---- programme effect
    outcome: str = Field(default="result_index", description="столбец идентификации, по которому "
                                                             "оценивается результат")
    n_neighbours: int = Field(default=3, ge=1, description="сколько подобранных контрольных школ "
                                                           "на участника (с возвращением)")
    caliper: float = Field(default=1.0, gt=0,
                           description="наибольшее расстояние до контрольной школы, в SD "
                                       "показателей подбора")
    match_lags: int = Field(
        default=2, ge=1,
        description="окно отбора — годы до первого года программы, по которым отбирались "
                    "участники; каждая когорта подбирается по индексу результатов этих лет и всех "
                    "следующих лет до её собственного начала, а плацебо использует только годы до "
                    "окна")
    match_column: str = Field(
        default="result_index_shrunk",
        description="столбец идентификации, по которому идёт подбор в базовые годы (если его "
                    "нет — outcome)")
    match_on_size: bool = Field(default=True,
                                description="подбирать также по log(число обучающихся) "
                                            "базового года")
    match_extra: list[str] = Field(
        default_factory=lambda: ["vpr_mean_mark"],
        description="столбцы идентификации, по которым также идёт подбор в каждый год окна "
                    "отбора (те, что есть; школе без значения подставляется среднее года): цифры, "
                    "по которым отбирались участники, если это не сам индекс результатов, — по "
                    "умолчанию средняя отметка ВПР; без них участники остаются ниже подобранных "
                    "контрольных школ на то, что видел отбор и не видел индекс, и это смещает и "
                    "эффект, и плацебо")
    baseline: Literal["year_before", "pre_mean"] = Field(
        default="year_before",
        description="база «разности разностей»: предыдущий год (P−1) или среднее за "
                    "match_lags лет до него")
    bias_correction: bool = Field(
        default=True,
        description="регрессионная поправка по подобранным контрольным школам (Абади — Имбенс)")
    exclude_all_participants: bool = Field(
        default=True,
        description="контрольные школы ни в одном году не участвовали в программе")
    outlier_mad: float = Field(
        default=5.0, gt=0,
        description="школы, у которых изменение результата (в единицах его стандартной ошибки) "
                    "дальше от медианы, чем на столько робастных SD, не входят в оценку эффекта "
                    "(их число — в n_outliers)")
    effect_se: Literal["bootstrap", "abadie_imbens"] = Field(
        default="bootstrap",
        description="интервал эффекта: процентильный бутстреп, который заново выбирает "
                    "участников и контрольные школы и заново подбирает пары (n_boot повторов), "
                    "или стандартная ошибка Абади — Имбенса для подбора с возвращением (учтено, "
                    "сколько раз использована каждая контрольная школа) с нормальным интервалом; "
                    "сравнение — в docs/effect_method.md")
    variance_matches: int = Field(
        default=3, ge=1,
        description="при effect_se abadie_imbens: со сколькими контрольными школами "
                    "сравнивается каждая контрольная школа, чтобы оценить дисперсию её изменения "
                    "(J в стандартной ошибке Абади — Имбенса)")
    n_boot: int = Field(default=400, ge=50, description="число бутстреп-повторов для интервалов")
    ci_level: float = Field(default=0.95, gt=0.5, lt=1,
                            description="уровень доверительного интервала эффекта")
    mde_power: float = Field(
        default=0.8, gt=0.5, lt=1,
        description="мощность минимального обнаружимого эффекта рядом с каждой оценкой: "
                    "MDE = (z интервала + z этой мощности) × стандартная ошибка")
    seed: int = Field(default=2026,
                      description="начальное значение генератора случайных чисел (бутстреп)")
    min_treated: int = Field(default=5, ge=1, description="если подобранных участников меньше — "
                                                       "оценки нет")
