"""Params sections `clusters`, `partners` and `curators`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.config.base import StrictModel


class ClustersParams(StrictModel):
    """Settings of the clusters stage (params section `clusters:`)."""

    features: list[str] | None = Field(
        default=None, description="показатели контекста, по которым строятся кластеры; `null` — "
                                  "стандартные и объявленные показатели, кроме показателей 0/1 "
                                  "(is_rural описывает кластеры, но не делит их)")
    include_n_students: bool = Field(default=False, description="добавить размер школы к показателям по "
                                                                "умолчанию")
    log_features: list[str] = Field(
        default_factory=lambda: ["n_students", "distance_km", "internet_mbps"],
        description="неотрицательные показатели с сильной асимметрией: перед стандартизацией "
                    "преобразуются через log1p")
    share_transform: bool = Field(
        default=True, description="показатели, все значения которых лежат в [0, 1] (доли, а не "
                                  "флаги 0/1), преобразуются через arcsin √x: тогда разброс доли "
                                  "одинаков при любом её уровне (стабилизация дисперсии для долей)")
    method: Literal["gmm", "kmeans"] = Field(
        default="gmm", description="`gmm`: смесь нормальных распределений с диагональной "
                                   "ковариацией в каждом кластере, число кластеров k — по BIC; "
                                   "`kmeans`: метод k-средних, k — по силуэту (прежний вариант по "
                                   "умолчанию)")
    k: int | None = Field(default=None, ge=1, le=50, description="заданное число кластеров; `null` — "
                                                                 "выбрать автоматически")
    k_min: int = Field(default=3, ge=2, le=50, description="наименьшее число кластеров при "
                                                           "автоматическом выборе k")
    k_max: int = Field(default=8, ge=2, le=50, description="наибольшее число кластеров при "
                                                           "автоматическом выборе k")
    reg_covar: float = Field(default=1e-3, gt=0, le=1,
                             description="`gmm`: нижняя граница дисперсии показателя внутри "
                                         "кластера (в стандартизованных единицах)")
    min_certainty: float = Field(
        default=0.8, ge=0, le=1,
        description="`gmm`: средняя вероятность принадлежности школы своему кластеру ниже этого → "
                    "«кластеры разделены слабо» (предупреждение из задачи 15)")
    min_stability: float = Field(
        default=0.6, ge=0, le=1,
        description="бутстреп-ARI года ниже этого → «кластеры разделены слабо»")
    min_silhouette: float = Field(
        default=0.25, ge=-1, le=1,
        description="`kmeans`: силуэт ниже этого → «кластеры разделены слабо» (Кауфман — Руссеу)")
    silhouette_sample: int = Field(default=3000, ge=100, description="сколько строк берётся для расчёта "
                                                                     "силуэта")
    selection_fit_sample: int = Field(
        default=20000, ge=100,
        description="на скольких школах (их средних за годы) подбираются модели при выборе k")
    n_init: int = Field(default=10, ge=1, le=50, description="число запусков k-средних / смеси "
                                                             "распределений при выборе k")
    seed: int = Field(2026, description="начальное значение генератора случайных чисел (повторный "
                                        "запуск на тех же данных даёт те же кластеры)")
    minibatch_above: int = Field(default=100_000, ge=1000,
                                 description="`kmeans`: если строк в году больше, используется "
                                             "MiniBatchKMeans")
    n_bootstrap: int = Field(default=20, ge=0, le=500, description="число бутстреп-повторов для оценки "
                                                                   "устойчивости кластеров; 0 — не оценивать")
    bootstrap_sample: int = Field(default=3000, ge=50, description="сколько школ года берётся для бутстрепа")
    min_schools: int = Field(default=10, ge=2, description="если школ в году меньше — один кластер")
    min_cluster_schools: int = Field(
        default=8, ge=1,
        description="k не больше числа школ региона, делённого на это число: в кластере из меньшего "
                    "числа школ нет группы «похожих школ» для сравнения (36 школ — не больше 4 "
                    "кластеров)")
    warm_start_tolerance: float = Field(
        default=0.02, ge=0, description="`kmeans`: сохранять разбиение прошлого года (k-средние, "
                                        "запущенные от его центроидов), если k-means++ снижает "
                                        "инерцию не больше чем на эту долю")
    threads: int | None = Field(
        default=1, ge=1, description="потоков BLAS/OpenMP для k-средних; 1 не перегружает общий "
                                     "сервер (по замерам под нагрузкой так в 10 раз быстрее); "
                                     "`null` — все")
    previous_profiles: str | None = Field(
        default=None, description="cluster_profiles.csv/parquet прежнего запуска, чтобы сохранить "
                                  "его нумерацию кластеров")
    # naming of clusters from the centroid profile
    name_z: float = Field(default=0.5, gt=0, description="модуль стандартизованного центроида "
                                                         "кластера, начиная с которого показатель "
                                                         "называется в названии кластера высоким "
                                                         "или низким")
    name_max_phrases: int = Field(default=2, ge=0, le=6, description="сколько самых отличительных показателей "
                                                                     "называть в названии кластера")
    rural_share_pure: float = Field(
        default=0.9, ge=0.5, le=1,
        description="доля сельских школ ≥ этого в каждом году → «сельские», ≤ 1 − этого → "
                    "«городские»")
    rural_share_rural: float = Field(default=0.7, ge=0, le=1,
                                     description="доля сельских школ ≥ этого в каждом году → "
                                                 "«преимущественно сельские»")
    rural_share_urban: float = Field(default=0.3, ge=0, le=1,
                                     description="доля сельских школ ≤ этого в каждом году → "
                                                 "«преимущественно городские»")
    small_school_n: float = Field(
        default=100, ge=0,
        description="среднее и медиана числа обучающихся ниже этого в каждом году → "
                    "«малокомплектные»")
    large_school_n: float = Field(
        default=800, ge=0, description="среднее и медиана числа обучающихся выше этого в каждом "
                                       "году → «крупные»")

    @model_validator(mode="after")
    def _range(self) -> "ClustersParams":
        if self.k_min > self.k_max:
            raise ValueError("clusters.k_min должен быть не больше clusters.k_max")
        return self


class PartnersParams(StrictModel):
    """Settings of the partner search (params section `partners:`)."""

    year: int | None = Field(default=None, description="год подбора пар; `null` — последний год")
    low_column: str = Field(default="low_results", description="логический столбец идентификации: школа "
                                                               "с низкими результатами")
    index_column: str = Field(default="result_index", description="индекс результатов, который сравнивается")
    level_column: str = Field(
        default="quality_index",
        description="сведённый уровень из идентификации, который сравнивается со средним по региону "
                    "(если его нет — index_column)")
    level_ci_low_column: str = Field(default="quality_ci_low",
                                     description="нижняя граница его 95-процентного интервала")
    level_ci_high_column: str = Field(default="quality_ci_high",
                                      description="верхняя граница его 95-процентного интервала")
    resource_categories: list[str] = Field(
        default_factory=lambda: ["high_performing", "resilient"],
        description="школа с высокими результатами (high_performing) — ресурсная; остальные "
                    "категории — только при уровне выше среднего по региону вместе со всем "
                    "интервалом")
    top_cluster_percentile: float | None = Field(
        default=90.0, ge=0, le=100,
        description="ресурсная также при similar_schools_percentile ≥ этого, если уровень выше "
                    "среднего по региону вместе со всем интервалом; `null` — только по категориям")
    objectivity_years: int = Field(
        default=2, ge=0, le=10,
        description="не ресурсная школа, если за столько последних лет у неё был признак "
                    "необъективности")
    listed_years: int = Field(
        default=3, ge=0, le=10,
        description="не ресурсная школа, если за столько последних лет она была в списке или в зоне "
                    "риска")
    n_candidates: int = Field(default=3, ge=1, le=20, description="сколько лучших кандидатов в партнёры "
                                                                  "сохранять для каждой школы (по порядку)")
    capacity: int = Field(default=2, ge=1, le=20, description="наибольшее число школ у одной ресурсной "
                                                              "школы")
    n_neighbour_clusters: int = Field(default=1, ge=0, description="сколько ближайших кластеров (по "
                                                                   "расстоянию между центроидами) "
                                                                   "допускается помимо своего")
    min_gap: float = Field(default=0.0, ge=0, description="индекс партнёра должен превышать индекс "
                                                          "школы больше чем на столько")
    max_distance_km: float | None = Field(
        default=150.0, gt=0,
        description="жёсткое ограничение расстояния, где есть координаты (поездка туда и обратно за "
                    "день по дорогам района, см. partners.py); `null` — без ограничения")
    assignment_pool: int = Field(default=20, ge=1, description="сколько лучших кандидатов на школу "
                                                               "рассматривается при распределении")
    assignment_pool_max: int = Field(
        default=160, ge=1, description="школе, оставшейся без партнёра, число кандидатов "
                                       "удваивается, но не больше этого")
    max_dense_cells: int = Field(default=4_000_000, ge=1, description="предел числа ячеек полной матрицы затрат "
                                                                      "на одну компоненту связности задачи "
                                                                      "распределения")
    w_context: float = Field(default=0.3, ge=0, description="вес сходства контекста в оценке пары")
    w_gap: float = Field(default=0.3, ge=0, description="вес разрыва в индексе результатов в оценке "
                                                        "пары")
    w_distance: float = Field(default=0.5, ge=0, description="вес близости (расстояния) в оценке пары")
    w_municipality: float = Field(
        default=1.2, ge=0, description="больше w_context + w_gap + w_distance: тот же муниципалитет "
                                       "предпочтительнее любого расстояния")
    w_same_cluster: float = Field(
        default=2.5, ge=0, description="больше всех остальных весов вместе: сначала тот же кластер")
    inactive_statuses: list[str] = Field(
        default_factory=lambda: ["расторгнуто", "расторгнут", "прекращено", "прекращён",
                                 "недействительно", "истекло", "истёк", "закрыто"],
        description="значения agreements.status (без учёта регистра) у соглашения, которое больше "
                    "не действует")
    context_scale: float = Field(default=0.5, gt=0, description="масштаб сходства контекста: вклад "
                                                                "сходства равен exp(−расстояние / "
                                                                "масштаб), где расстояние — "
                                                                "среднеквадратичное по стандартизованным "
                                                                "показателям")
    gap_scale: float = Field(default=1.0, gt=0, description="разрыв в индексе, при котором вклад "
                                                            "разрыва в оценку полный")
    distance_scale_km: float = Field(default=50.0, gt=0, description="масштаб расстояния, км: вклад близости в "
                                                                     "оценку пары равен exp(−расстояние / "
                                                                     "масштаб)")


class CuratorsParams(StrictModel):
    """Settings of the curator assignment (params section `curators:`)."""

    assign: Literal["listed", "participants", "both"] = Field(
        default="both",
        description="кому назначается куратор: `listed` (ШНОР года), `participants` (участники "
                    "программы в этом году) или `both` (и тем и другим)")
    default_capacity: int = Field(default=5, ge=1, le=100,
                                  description="сколько школ у куратора, когда `capacity` не "
                                              "заполнено")
    w_municipality: float = Field(
        default=1.0, ge=0, description="балл куратора из того же муниципалитета, что и школа")
    balance: float = Field(
        default=0.01, ge=0, le=0.1,
        description="цена каждой следующей школы куратора: из одинаково хороших вариантов "
                    "выбирается тот, где нагрузка распределена равномернее")
