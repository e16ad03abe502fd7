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
        description="показатели ячейки (процедура × предмет × класс), из которых складывается "
                    "индекс результатов (используются те, что есть в данных)")
    indicator_correlation: float = Field(
        0.8, ge=0, le=1, description="принятая корреляция выборочных ошибок показателей одной "
                                     "ячейки (доля «2» и средняя отметка получены по одним и тем же "
                                     "обучающимся)")
    within_grade_correlation: float = Field(
        0.5, ge=0, le=1, description="принятая корреляция выборочных ошибок разных предметов одного "
                                     "класса (их пишут одни и те же обучающиеся)")
    assumed_icc: float = Field(
        0.2, gt=0, lt=1, description="внутришкольная корреляция, по которой оценивается разброс "
                                     "баллов обучающихся, когда sd_score не задан")
    confidence: float = Field(0.95, gt=0.5, lt=1, description="уровень всех интервалов (индекс года, "
                                                              "устойчивый уровень, место в рейтинге, "
                                                              "результат с учётом контекста)")
    shrink: bool = Field(True, description="хранить также индекс года, сглаженный к среднему по "
                                           "региону (result_index_shrunk — результат, который "
                                           "сравнивает мониторинг); устойчивый уровень, по которому "
                                           "ранжируются школы, сглаживается к ожидаемому по "
                                           "контексту (см. rank_on)")
    # --- persistent quality (pooled over a window of years, shrunk toward the context)
    min_class_n: int = Field(
        5, ge=1, description="строки результатов (процедура × предмет × класс), в которых "
                             "обучающихся меньше, в индекс не входят (их доля «2» — случайный шум)")
    window_years: int = Field(
        3, ge=1, le=10, description="сколько лет (этот и предыдущие) сводятся в устойчивый уровень, "
                                    "по которому школа попадает в нижнюю группу")
    year_shock_df: float = Field(
        4.0, ge=0, description="число степеней свободы распределения Стьюдента для слагаемого школа "
                               "× год: год, далёкий от других лет школы, меньше весит в сведённой "
                               "оценке; 0 — нормальное распределение (без понижения веса)")
    subject_term: bool = Field(
        True, description="учитывать устойчивый предметный профиль школы (сильна в одном предмете, "
                          "слаба в другом; оценивается по данным) как неопределённость её общего "
                          "уровня")
    # --- flags
    rank_on: Literal["shrunk", "raw"] = Field(
        "shrunk", description="по какой оценке школа попадает в нижнюю или верхнюю группу: "
                              "сведённый за окно уровень, сглаженный к ожидаемому по контексту "
                              "значению (`shrunk`), или сведённый за окно индекс (`raw`)")
    bottom_share: float = Field(0.10, gt=0, lt=1, description="доля нижней группы региона")
    min_probability: float = Field(
        0.5, ge=0, le=1, description="для включения в список апостериорная вероятность оказаться в "
                                     "нижней группе должна быть не меньше этой (а весь интервал — "
                                     "ниже ориентира, см. benchmark)")
    benchmark: Literal["mean", "percentile"] = Field(
        "mean", description="региональный уровень, ниже которого должен лежать весь интервал школы "
                            "из списка: среднее (`mean`) или процентиль (`percentile`)")
    benchmark_percentile: float = Field(
        25.0, ge=0, le=100, description="процентиль устойчивых уровней года, когда benchmark = "
                                        "percentile")
    persist_years: int = Field(
        1, ge=1, description="сколько лет подряд должны выполняться условия включения (нижняя "
                             "группа, вероятность, интервал), чтобы школа попала в список")
    min_years: int = Field(
        2, ge=1, description="сколько лет с результатами в окне нужно для включения в список; если "
                             "меньше — см. short_history")
    short_history: Literal["available", "strict"] = Field(
        "strict", description="школа, у которой лет с результатами меньше min_years (например, в "
                              "первый год данных): не включается в список, а попадает в зону риска "
                              "(`strict`), или включается по имеющимся годам с причиной, где это "
                              "сказано (`available`)")
    exit_years: int = Field(
        2, ge=1, description="школа из списка выполняет условия выхода, если столько лет подряд не "
                             "входит в нижнюю группу…")
    exit_on_interval: bool = Field(
        True, description="…или как только весь её 95-процентный интервал оказывается выше порога "
                          "включения (границы нижней группы)")
    min_n: int = Field(10, ge=1, description="если обучающихся, писавших работы (за всё окно), "
                                             "меньше — недостаточно данных (insufficient_data)")
    pool_years: bool = Field(True, description="min_n считает обучающихся за всё окно (`false` — "
                                               "только за этот год)")
    top_share: float = Field(0.15, gt=0, lt=1, description="доля верхней группы: высокие результаты "
                                                           "(high_performing)")
    resilient_percentile: float = Field(
        75.0, ge=0, le=100, description="неблагоприятный контекст и процентиль результатов не ниже "
                                        "этого (или результат с учётом контекста значимо выше 0) → "
                                        "резильентная школа (resilient)")
    # --- social index
    social_indicators: dict[str, Direction] | None = Field(
        None, description="показатели социального индекса и их направления; по умолчанию — все "
                          "стандартные и объявленные показатели, которые есть в данных контекста")
    adverse_share: float = Field(0.25, gt=0, lt=1, description="доля школ года с самым низким социальным "
                                                               "индексом: неблагоприятные социальные "
                                                               "условия (ШФНСУ)")
    rural_from_locality: bool = Field(
        True, description="выводить is_rural из schools.locality («село»), когда в данных контекста "
                          "этого показателя нет")
    # --- objectivity
    objectivity_z: float = Field(
        2.5, gt=0, description="ВПР выше, чем предсказывают ОГЭ/ЕГЭ школы, на столько стандартных "
                               "отклонений шума (суммарно за objectivity_pool_years) → признак "
                               "необъективности")
    objectivity_pool_years: int = Field(2, ge=1, description="за сколько лет подряд суммируются "
                                                             "признаки расхождения ВПР и экзаменов")
    objectivity_gap: float = Field(
        0.75, ge=0, description="…и ВПР выше этого предсказания не меньше чем на столько (в "
                                "единицах индекса ≈ SD результатов школ): расхождение большое, а не "
                                "только значимое")
    objectivity_min_vpr_index: float = Field(
        0.0, description="признак расхождения учитывается, только если индекс ВПР школы не ниже "
                         "этого (результаты ВПР высокие для региона, а не просто менее низкие, чем "
                         "её экзамены)")
    objectivity_min_n: int = Field(8, ge=1, description="сколько участий (результатов обучающихся) "
                                                        "нужно с каждой стороны")
    objectivity_share5_excess: float = Field(
        0.25, gt=0, lt=1, description="доля «5» на ВПР выше региональной на столько → признак "
                                      "необъективности")
    objectivity_share5_z: float = Field(3.0, ge=0, description="…и превышение доли «5» значимо при таком "
                                                               "биномиальном z")
    objectivity_share5_exam_ceiling: float = Field(
        0.0, description="признак по доле «5» учитывается, только если индекс ОГЭ/ЕГЭ школы ниже "
                         "этого: высокие ВПР, подтверждённые высокими экзаменами, не подозрительны; "
                         "без экзаменов признак не оценивается")
    objectivity_exams_only: bool = Field(
        True, description="для школы с признаком необъективности ВПР место определяется только по "
                          "ОГЭ/ЕГЭ (по ВПР она оказалась бы слишком высоко); об этом сказано в "
                          "причинах")
    # --- reasons
    reasons_max_subjects: int = Field(2, ge=0, le=10, description="сколько худших строк предмет × класс "
                                                                  "называть в причинах для школы из списка "
                                                                  "или из зоны риска")

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

    annex_number: str = Field("1", description="номер приложения: «Приложение № 1»")
    issuer: str = Field("министерства образования", description="чей приказ: «к приказу …»")
    number: str = Field("", description="номер приказа; пусто — пропуск для заполнения")
    date: str = Field("", description="дата приказа, как её печатать, например 15.09.2025; пусто — "
                                      "пропуск для заполнения")
    title: str = Field(
        "Перечень общеобразовательных организаций — участников региональной программы "
        "поддержки школ с низкими результатами обучения и школ, функционирующих в "
        "неблагоприятных социальных условиях",
        description="название списка (к нему добавляется учебный год)")
    signatory_position: str = Field("Министр образования",
                                    description="должность в подписи")
    signatory_name: str = Field("", description="ФИО в подписи; пусто — пропуск")
