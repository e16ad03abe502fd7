"""Params sections `clusters`, `partners` and `curators`."""
from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from workbench.config.base import StrictModel


class ClustersParams(StrictModel):
    """Settings of the clusters stage (params section `clusters:`)."""

    features: list[str] | None = Field(
        default=None, description="context columns to cluster on; None = standard + declared extras "
                                  "without 0/1 indicators (is_rural describes clusters, it does not cut them)")
    include_n_students: bool = Field(default=False, description="add school size to the default features")
    log_features: list[str] = Field(
        default_factory=lambda: ["n_students", "distance_km", "internet_mbps"],
        description="skewed non-negative indicators transformed with log1p before standardising")
    share_transform: bool = Field(
        default=True, description="indicators whose values all lie in [0, 1] (shares, not 0/1 flags) "
                                  "are transformed with arcsin √x: a share then has the same spread "
                                  "at any level (variance-stabilising for proportions)")
    method: Literal["gmm", "kmeans"] = Field(
        default="gmm", description="gmm: Gaussian mixture with a diagonal covariance per cluster, "
                                   "k by BIC; kmeans: k-means, k by the silhouette (the former default)")
    k: int | None = Field(default=None, ge=1, le=50, description="fixed number of clusters; None = choose")
    k_min: int = Field(default=3, ge=2, le=50)
    k_max: int = Field(default=8, ge=2, le=50)
    reg_covar: float = Field(default=1e-3, gt=0, le=1,
                             description="gmm: variance floor of a feature in a cluster (standardised units)")
    min_certainty: float = Field(
        default=0.8, ge=0, le=1,
        description="gmm: mean probability of a school's own cluster below this → «кластеры разделены "
                    "слабо» (the warning of issue 15)")
    min_stability: float = Field(
        default=0.6, ge=0, le=1,
        description="bootstrap ARI of a year below this → «кластеры разделены слабо»")
    min_silhouette: float = Field(
        default=0.25, ge=-1, le=1,
        description="kmeans: silhouette below this → «кластеры разделены слабо» (Kaufman–Rousseeuw)")
    silhouette_sample: int = Field(default=3000, ge=100, description="rows for the silhouette")
    selection_fit_sample: int = Field(
        default=20000, ge=100,
        description="schools (their mean over years) the models are fitted on to choose k")
    n_init: int = Field(default=10, ge=1, le=50, description="starts of k-means / of the mixture when choosing k")
    seed: int = 2026
    minibatch_above: int = Field(default=100_000, ge=1000,
                                 description="kmeans: rows in a year above which MiniBatchKMeans is used")
    n_bootstrap: int = Field(default=20, ge=0, le=500)
    bootstrap_sample: int = Field(default=3000, ge=50, description="schools per year for the bootstrap")
    min_schools: int = Field(default=10, ge=2, description="fewer schools in a year → one cluster")
    min_cluster_schools: int = Field(
        default=8, ge=1,
        description="k is at most the region's schools ÷ this: a cluster of fewer schools gives no "
                    "group of «похожих школ» to compare with (36 schools: at most 4 clusters)")
    warm_start_tolerance: float = Field(
        default=0.02, ge=0, description="kmeans: keep last year's partition (k-means started from its "
                                        "centroids) unless k-means++ lowers inertia by more than this share")
    threads: int | None = Field(
        default=1, ge=1, description="BLAS/OpenMP threads for k-means; 1 avoids oversubscription "
                                     "on shared machines (measured: 10× faster under load); None = all")
    previous_profiles: str | None = Field(
        default=None, description="cluster_profiles.csv/parquet of a former run to keep its numbering")
    # naming of clusters from the centroid profile
    name_z: float = Field(default=0.5, gt=0, description="|standardised centroid| that counts as high/low")
    name_max_phrases: int = Field(default=2, ge=0, le=6)
    rural_share_pure: float = Field(
        default=0.9, ge=0.5, le=1,
        description="share rural ≥ this in every year → «сельские», ≤ 1 − this → «городские»")
    rural_share_rural: float = Field(default=0.7, ge=0, le=1,
                                     description="share rural ≥ this in every year → «преимущественно сельские»")
    rural_share_urban: float = Field(default=0.3, ge=0, le=1,
                                     description="share rural ≤ this in every year → «преимущественно городские»")
    small_school_n: float = Field(
        default=100, ge=0,
        description="mean and median pupils below this in every year → «малокомплектные»")
    large_school_n: float = Field(
        default=800, ge=0, description="mean and median pupils above this in every year → «крупные»")

    @model_validator(mode="after")
    def _range(self) -> "ClustersParams":
        if self.k_min > self.k_max:
            raise ValueError("clusters.k_min должен быть не больше clusters.k_max")
        return self


class PartnersParams(StrictModel):
    """Settings of the partner search (params section `partners:`)."""

    year: int | None = Field(default=None, description="year of the pairing; None = latest year")
    low_column: str = Field(default="low_results", description="bool column of identification")
    index_column: str = Field(default="result_index", description="result index compared")
    level_column: str = Field(
        default="quality_index",
        description="pooled level of identification judged against the regional average "
                    "(index_column when absent)")
    level_ci_low_column: str = Field(default="quality_ci_low",
                                     description="lower end of its 95% interval")
    level_ci_high_column: str = Field(default="quality_ci_high",
                                      description="upper end of its 95% interval")
    resource_categories: list[str] = Field(
        default_factory=lambda: ["high_performing", "resilient"],
        description="high_performing is a resource school; the other categories only with a level "
                    "above the regional average and its interval above it")
    top_cluster_percentile: float | None = Field(
        default=90.0, ge=0, le=100,
        description="also resource: similar_schools_percentile ≥ this, with a level above the "
                    "regional average and its interval above it; None = categories only")
    objectivity_years: int = Field(
        default=2, ge=0, le=10,
        description="not a resource school if flagged for objectivity in the last so many years")
    listed_years: int = Field(
        default=3, ge=0, le=10,
        description="not a resource school if listed or watch-listed in the last so many years")
    n_candidates: int = Field(default=3, ge=1, le=20)
    capacity: int = Field(default=2, ge=1, le=20)
    n_neighbour_clusters: int = Field(default=1, ge=0, description="nearest clusters also allowed")
    min_gap: float = Field(default=0.0, ge=0, description="partner index must exceed by more than this")
    max_distance_km: float | None = Field(
        default=150.0, gt=0,
        description="hard limit where coordinates exist (a day's return trip by road in a "
                    "regional district, see partners.py); None = none")
    assignment_pool: int = Field(default=20, ge=1, description="best candidates per school in the assignment")
    assignment_pool_max: int = Field(
        default=160, ge=1, description="a school left without a partner gets its pool doubled up to this")
    max_dense_cells: int = Field(default=4_000_000, ge=1, description="dense cost matrix limit per component")
    w_context: float = Field(default=0.3, ge=0)
    w_gap: float = Field(default=0.3, ge=0)
    w_distance: float = Field(default=0.5, ge=0)
    w_municipality: float = Field(
        default=1.2, ge=0, description="above w_context + w_gap + w_distance: the same "
                                       "municipality is preferred over any distance")
    w_same_cluster: float = Field(
        default=2.5, ge=0, description="above all the others together: the same cluster first")
    inactive_statuses: list[str] = Field(
        default_factory=lambda: ["расторгнуто", "расторгнут", "прекращено", "прекращён",
                                 "недействительно", "истекло", "истёк", "закрыто"],
        description="agreements.status values (any case) of an agreement no longer in force")
    context_scale: float = Field(default=0.5, gt=0, description="RMS z-distance scale of similarity")
    gap_scale: float = Field(default=1.0, gt=0, description="index gap giving the full gap score")
    distance_scale_km: float = Field(default=50.0, gt=0)


class CuratorsParams(StrictModel):
    """Settings of the curator assignment (params section `curators:`)."""

    assign: Literal["listed", "participants", "both"] = Field(
        default="both",
        description="who gets a curator: listed (ШНОР of the year), participants (programme "
                    "participants of the year) or both")
    default_capacity: int = Field(default=5, ge=1, le=100,
                                  description="schools per curator when `capacity` is empty")
    w_municipality: float = Field(
        default=1.0, ge=0, description="score of a curator of the school's own municipality")
    balance: float = Field(
        default=0.01, ge=0, le=0.1,
        description="cost of each further school of a curator: among equally good assignments "
                    "the workload is spread evenly")
