"""Context clusters of schools (design §4 «Context clusters»): the whole chain of steps.

Every threshold lives in `ClustersParams`; each step has its module, in order:

1–4. `features`: context indicators only (never results, never 0/1 flags by default), log1p of
     skewed ones, arcsin √x of shares, the year's median for missing values, one scaler pooled
     over all years.
5.   `choose_k`: k fixed, or the lowest BIC of diagonal Gaussian mixtures fitted to the schools'
     means over years (`method: kmeans`: the best silhouette).
6.   `fit`: the mixture per year started from the chosen one (or k-means per year), numbered by
     social index (1 = most adverse) and matched to the previous year's centroids so that a
     cluster keeps its number.
7.   `naming`: Russian names from the pooled centroid profile that never contradict the means
     of the profiles table, unique.
8.   `stability` (in `profiles`): bootstrap ARI per year, Jaccard per cluster; `separation`: the
     warning when the clusters are weakly separated.
9.   `percentiles`: result-index percentile among similar schools next to the regional one.
"""
from __future__ import annotations

import time

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from workbench.clusters.choose_k import select_k
from workbench.clusters.features import (context_with_clusters, default_features, feature_notes,
                                         prepare_features, social_index_per_row, standardise)
from workbench.clusters.fit import cluster_years, load_previous_centroids
from workbench.clusters.naming import cluster_names
from workbench.clusters.percentiles import add_percentiles
from workbench.clusters.profiles import build_profiles
from workbench.clusters.result import ClusterResult
from workbench.clusters.separation import separation_reasons, separation_warning
from workbench.config.clusters import ClustersParams
from workbench.core.errors import WorkbenchError
from workbench.core.tables import STANDARD_INDICATORS


def cluster_schools(context: pd.DataFrame, p: ClustersParams, directions: dict[str, str] | None = None,
                    identification: pd.DataFrame | None = None,
                    schools: pd.DataFrame | None = None,
                    labels: dict[str, str] | None = None) -> ClusterResult:
    """Cluster school × year rows of `context` by their social context (see module docstring).

    `identification` (optional) gives social_index (for numbering) and result_index (for the
    percentiles); `schools` (optional) gives locality when `is_rural` is absent from context;
    `labels` (optional): Russian names of the indicators (params' labels of declared ones).
    """
    with threadpool_limits(limits=p.threads):
        return _cluster_schools(context, p, directions, identification, schools, labels)


def _cluster_schools(context: pd.DataFrame, p: ClustersParams, directions: dict[str, str] | None,
                     identification: pd.DataFrame | None, schools: pd.DataFrame | None,
                     indicator_labels: dict[str, str] | None = None) -> ClusterResult:
    t0 = time.perf_counter()
    directions = dict(STANDARD_INDICATORS if directions is None else directions)
    features = list(p.features) if p.features else default_features(context, directions, p.include_n_students)
    if context is None or len(context) == 0:
        raise WorkbenchError("Нет данных о контексте школ (таблица context пуста): "
                             "кластеризация по условиям невозможна. Укажите inputs.context в параметрах.")
    df, features, imputed, dropped = prepare_features(context, features, p.log_features,
                                                      p.share_transform)
    transforms = dict(df.attrs.get("transforms", {}))
    notes = feature_notes(imputed, dropped, indicator_labels)
    if not features:
        raise WorkbenchError("Для кластеризации нет ни одного числового показателя контекста "
                             "(стандартные показатели не найдены, clusters.features не задан).")
    Z, mean, sd = standardise(df, features)
    soc = social_index_per_row(df, Z, features, directions, identification)

    choice = select_k(df["year"], df["school_id"].to_numpy(), Z, p)
    k = choice.k
    notes += choice.notes
    prev_C = None
    if p.previous_profiles:
        prev_C = load_previous_centroids(str(p.previous_profiles), features, transforms, mean, sd, k)
        if prev_C is None:
            notes.append("Кластеры: прежние профили кластеров несовместимы (другие показатели или k), "
                         "нумерация выполнена заново.")
    labels, cents, certainty = cluster_years(df["year"].to_numpy(), Z, k, p, soc, prev_C, choice.start)
    while k > 1 and len(np.unique(labels)) < k:  # a component no school falls into in any year
        used = len(np.unique(labels))
        notes.append(f"Кластеры: при k = {k} в {k - used} из них не попала ни одна школа; число "
                     f"кластеров уменьшено до {used}.")
        k = used
        labels, cents, certainty = cluster_years(df["year"].to_numpy(), Z, k, p, soc, None, None)
    df["cluster"] = labels + 1

    raw = context_with_clusters(context, df)
    names = cluster_names(Z, df, features, raw, schools, k, p, indicator_labels)
    df["cluster_name"] = df["cluster"].map(names)
    out, pct_notes = add_percentiles(df[["school_id", "year", "cluster", "cluster_name"]].copy(), identification)
    notes += pct_notes
    profiles, centroids = build_profiles(df, Z, raw, soc, features, cents, names, k, p, certainty)
    stability = profiles.groupby("year")["stability"].first().to_dict() if len(profiles) else {}
    warning = separation_warning(separation_reasons(choice, certainty, stability, p))
    if warning:
        notes.append(warning)

    X_z = df[["school_id", "year"]].copy()
    X_z[features] = Z
    X_z["cluster"] = df["cluster"].to_numpy()
    out = out.sort_values(["school_id", "year"], kind="mergesort").reset_index(drop=True)
    return ClusterResult(clusters=out, profiles=profiles, selection=choice.selection,
                         centroids_z=centroids, features=features, X_z=X_z, k=k, imputed=imputed,
                         dropped=dropped, notes=notes, seconds=time.perf_counter() - t0,
                         separation_warning=warning)
