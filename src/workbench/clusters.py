"""Context clusters of schools (design §4 «Context clusters»), and the stage that also runs partners.

Method (every threshold lives in `ClustersParams`):

1. Features = context indicators, never results. Default: the standard indicators of design §3
   present in `context` plus the declared extras (`params.context_indicators`), without
   `n_students` unless `include_n_students`; `ClustersParams.features` overrides the list.
   Columns that are entirely missing or constant are dropped (with a note).
2. Skewed, positive indicators (`log_features`: n_students, distance_km, internet_mbps) are
   transformed with log1p: a school 300 km away is not "ten times as remote" as one at 30 km for
   the purpose of comparing conditions, and raw distances would dominate the Euclidean metric.
3. Missing values are imputed with the year's median (pooled median when a whole year lacks the
   indicator) and reported through `ctx.note` with counts per indicator.
4. Standardisation uses one scaler pooled over all years, so centroids of different years live in
   the same space and can be matched.
5. k: fixed by the user, or the k in `k_min..k_max` with the best silhouette, computed on a fixed
   seeded sample (`silhouette_sample` rows; never the O(n²) silhouette of all schools); the elbow
   curve (inertia per school) is computed alongside. k is chosen once on the pooled years.
6. Each year is clustered with k-means++ (`n_init` starts, fixed seed); MiniBatchKMeans above
   `minibatch_above` rows in a year. Clusters of the first year are numbered by mean social index
   (identification's `social_index`, else a composite of the signed standardised features),
   1 = most adverse; each later year's centroids are matched to the previous year's by the
   Hungarian method on centroid distances, so a cluster keeps its number over years and reruns.
   A later year is also fitted from the previous year's centroids; that fit is kept unless the
   k-means++ one has an inertia lower by more than `warm_start_tolerance` (2%): when schools form
   a continuum, k-means++ may otherwise cut it differently from one year to the next.
   When `previous_profiles` (a former run's cluster_profiles) is given, the first year is matched
   to that run's centroids instead.
7. Russian names come from the pooled centroid profile (locality, size, the most distinctive
   indicators); names are unique.
8. Stability: mean adjusted Rand index between the year's clustering and k-means fitted on
   bootstrap resamples (on a sample of at most `bootstrap_sample` schools), plus per-cluster mean
   Jaccard (Hennig's clusterboot idea).
9. Each school's percentile of result index among its cluster peers of the same year
   (`similar_schools_percentile`) next to its percentile in the region (`regional_percentile`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, model_validator
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.metrics import adjusted_rand_score, silhouette_score

from workbench.canon import (
    ADVERSE,
    CATEGORIES,
    FAVOURABLE,
    INDICATOR_LABELS_RU,
    STANDARD_INDICATORS,
    StrictModel,
    WorkbenchError,
)


class ClustersParams(StrictModel):
    """Settings of the clusters stage (params section `clusters:`)."""

    features: list[str] | None = Field(
        default=None, description="context columns to cluster on; None = standard + declared extras")
    include_n_students: bool = Field(default=False, description="add school size to the default features")
    log_features: list[str] = Field(
        default_factory=lambda: ["n_students", "distance_km", "internet_mbps"],
        description="skewed non-negative indicators transformed with log1p before standardising")
    k: int | None = Field(default=None, ge=1, le=50, description="fixed number of clusters; None = choose")
    k_min: int = Field(default=3, ge=2, le=50)
    k_max: int = Field(default=8, ge=2, le=50)
    silhouette_sample: int = Field(default=3000, ge=100, description="rows for the silhouette")
    selection_fit_sample: int = Field(
        default=20000, ge=100, description="rows (pooled over years) k-means is fitted on to choose k")
    n_init: int = Field(default=10, ge=1, le=50, description="k-means++ starts")
    seed: int = 2026
    minibatch_above: int = Field(default=100_000, ge=1000,
                                 description="rows in a year above which MiniBatchKMeans is used")
    n_bootstrap: int = Field(default=20, ge=0, le=500)
    bootstrap_sample: int = Field(default=3000, ge=50, description="schools per year for the bootstrap")
    min_schools: int = Field(default=10, ge=2, description="fewer schools in a year → one cluster")
    warm_start_tolerance: float = Field(
        default=0.02, ge=0, description="keep last year's partition (k-means started from its "
                                        "centroids) unless k-means++ lowers inertia by more than this share")
    threads: int | None = Field(
        default=1, ge=1, description="BLAS/OpenMP threads for k-means; 1 avoids oversubscription "
                                     "on shared machines (measured: 10× faster under load); None = all")
    previous_profiles: str | None = Field(
        default=None, description="cluster_profiles.csv/parquet of a former run to keep its numbering")
    # naming of clusters from the centroid profile
    name_z: float = Field(default=0.5, gt=0, description="|standardised centroid| that counts as high/low")
    name_max_phrases: int = Field(default=2, ge=0, le=6)
    rural_share_rural: float = Field(default=0.7, ge=0, le=1, description="share rural ≥ → «сельские»")
    rural_share_urban: float = Field(default=0.3, ge=0, le=1, description="share rural ≤ → «городские»")
    small_school_n: float = Field(default=150, ge=0, description="median pupils below → «малокомплектные»")
    large_school_n: float = Field(default=800, ge=0, description="median pupils above → «крупные»")

    @model_validator(mode="after")
    def _range(self) -> "ClustersParams":
        if self.k_min > self.k_max:
            raise ValueError("clusters.k_min должен быть не больше clusters.k_max")
        return self


# Russian phrases for a high / low standardised centroid value of each standard indicator
PHRASES_RU: dict[str, tuple[str, str]] = {
    "share_low_income": ("высокая доля малообеспеченных семей", "низкая доля малообеспеченных семей"),
    "share_single_parent": ("высокая доля неполных семей", "низкая доля неполных семей"),
    "share_parents_no_higher_ed": ("много родителей без высшего образования",
                                   "много родителей с высшим образованием"),
    "share_ovz": ("высокая доля детей с ОВЗ", "низкая доля детей с ОВЗ"),
    "share_non_native": ("много детей с неродным русским языком",
                         "мало детей с неродным русским языком"),
    "share_at_risk_register": ("много детей на профилактическом учёте",
                               "мало детей на профилактическом учёте"),
    "teacher_vacancy_rate": ("дефицит педагогов", "педагоги укомплектованы"),
    "share_teachers_60plus": ("много педагогов 60+", "молодой педагогический коллектив"),
    "internet_mbps": ("быстрый интернет", "медленный интернет"),
    "distance_km": ("удалённые от центра", "близко к центру"),
    "n_students": ("крупные", "малокомплектные"),
    "is_rural": ("сельские", "городские"),
}


@dataclass
class ClusterResult:
    """Everything the clustering produced (tables for ctx, objects for the notebook)."""

    clusters: pd.DataFrame            # school_id, year, cluster, cluster_name, percentiles
    profiles: pd.DataFrame            # cluster_profiles contract table
    selection: pd.DataFrame           # k, silhouette, inertia_per_school, chosen
    centroids_z: pd.DataFrame         # year, cluster, <features> (standardised space)
    features: list[str]
    X_z: pd.DataFrame                 # school_id, year, <features> standardised (after imputation)
    k: int
    imputed: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------------------- features
def default_features(context: pd.DataFrame, directions: dict[str, str],
                     include_n_students: bool = False) -> list[str]:
    """Standard indicators and declared extras present in `context` (n_students only if asked)."""
    out = []
    for name in directions:
        if name == "n_students" and not include_n_students:
            continue
        if name in context.columns and name not in out:
            out.append(name)
    return out


def prepare_features(context: pd.DataFrame, features: list[str], log_features: list[str]
                     ) -> tuple[pd.DataFrame, list[str], dict[str, int], list[str]]:
    """Numeric feature frame (school_id, year, features), log1p where asked, medians imputed.

    Returns (frame, kept features, imputed counts per feature, dropped features with reasons).
    Imputation uses the median of the same year, or the pooled median when the year has none.
    """
    missing = [f for f in features if f not in context.columns]
    if missing:
        raise WorkbenchError(
            "В таблице контекста нет показателей, указанных в clusters.features: "
            + ", ".join(missing) + ". Исправьте список или сопоставление столбцов (columns).")
    df = context[["school_id", "year"]].copy()
    df["school_id"] = df["school_id"].astype(str)
    df["year"] = pd.to_numeric(df["year"]).astype(int)
    dropped: list[str] = []
    kept: list[str] = []
    for f in features:
        v = pd.to_numeric(context[f], errors="coerce").astype(float).to_numpy()
        if f in log_features:
            v = np.log1p(np.clip(v, 0, None))
        if np.all(np.isnan(v)):
            dropped.append(f"{f} (нет значений)")
            continue
        finite = v[~np.isnan(v)]
        if finite.size and np.nanmax(finite) - np.nanmin(finite) == 0:
            dropped.append(f"{f} (одно и то же значение у всех школ)")
            continue
        df[f] = v
        kept.append(f)
    imputed: dict[str, int] = {}
    for f in kept:
        n_missing = int(df[f].isna().sum())
        if n_missing:
            pooled = float(df[f].median())
            med = df.groupby("year")[f].transform("median").fillna(pooled)
            df[f] = df[f].fillna(med)
            imputed[f] = n_missing
    df = df.sort_values(["year", "school_id"], kind="mergesort").reset_index(drop=True)
    return df, kept, imputed, dropped


def standardise(df: pd.DataFrame, features: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Z-scores with one pooled mean/sd over all rows (all years); returns (Z, mean, sd)."""
    X = df[features].to_numpy(dtype=float)
    mean = X.mean(axis=0)
    sd = X.std(axis=0)
    sd[sd == 0] = 1.0
    return (X - mean) / sd, mean, sd


def composite_social_index(Z: np.ndarray, features: list[str], directions: dict[str, str]) -> np.ndarray:
    """Mean of signed z-scores (favourable +, adverse −, neutral ignored); higher = more favourable."""
    signs = np.array([1.0 if directions.get(f) == FAVOURABLE else -1.0 if directions.get(f, ADVERSE) == ADVERSE
                      else 0.0 for f in features])
    if not np.any(signs):
        return np.zeros(len(Z))
    return (Z * signs).sum(axis=1) / np.abs(signs).sum()


# ---------------------------------------------------------------------------- k-means
def _kmeans(k: int, n_rows: int, p: ClustersParams, seed: int | None = None,
            init: Any = "k-means++", n_init: int | None = None):
    seed = p.seed if seed is None else seed
    if n_rows > p.minibatch_above:
        return MiniBatchKMeans(n_clusters=k, init=init, n_init=n_init or p.n_init, random_state=seed,
                               batch_size=4096)
    return KMeans(n_clusters=k, init=init, n_init=n_init or p.n_init, random_state=seed)


def choose_k(Z: np.ndarray, p: ClustersParams) -> pd.DataFrame:
    """Silhouette (on a seeded sample) and elbow (inertia per school) for k in k_min..k_max.

    Returns a frame k, silhouette, inertia_per_school, chosen (bool). With `p.k` set, that k is
    marked chosen (the curves are still computed for the range, for the notebook).
    """
    rng = np.random.default_rng(p.seed)
    n = len(Z)
    fit_idx = rng.choice(n, p.selection_fit_sample, replace=False) if n > p.selection_fit_sample \
        else np.arange(n)
    Zf = Z[fit_idx]
    sil_idx = rng.choice(len(Zf), p.silhouette_sample, replace=False) if len(Zf) > p.silhouette_sample \
        else np.arange(len(Zf))
    n_distinct = len(np.unique(Zf.round(9), axis=0))
    rows = []
    for k in range(p.k_min, p.k_max + 1):
        if k >= n_distinct:
            break
        km = _kmeans(k, len(Zf), p).fit(Zf)
        labels = km.labels_[sil_idx]
        sil = float(silhouette_score(Zf[sil_idx], labels)) if len(np.unique(labels)) > 1 else np.nan
        rows.append({"k": k, "silhouette": sil, "inertia_per_school": float(km.inertia_) / len(Zf)})
    sel = pd.DataFrame(rows, columns=["k", "silhouette", "inertia_per_school"])
    if p.k is not None:
        chosen = p.k
    elif len(sel) and sel["silhouette"].notna().any():
        # ties (to 3 decimals) go to the smaller k: simpler, more stable partitions
        best = sel["silhouette"].round(3).max()
        chosen = int(sel.loc[sel["silhouette"].round(3) == best, "k"].min())
    else:
        chosen = 1
    sel["chosen"] = sel["k"] == chosen
    sel.attrs["chosen"] = chosen
    return sel


def _match(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
    """Hungarian matching: perm[j] = index of the previous centroid matched to current centroid j."""
    cost = ((cur[:, None, :] - prev[None, :, :]) ** 2).sum(axis=2)
    rows, cols = linear_sum_assignment(cost)
    perm = np.empty(len(cur), dtype=int)
    perm[rows] = cols
    return perm


def _fit_year(Z: np.ndarray, k: int, p: ClustersParams, prev: np.ndarray | None = None
              ) -> tuple[np.ndarray, np.ndarray, bool]:
    """k-means++ fit of one year; with the previous year's centroids also a fit started from them,
    kept when its inertia is within `warm_start_tolerance` of the k-means++ one (continuity: the
    same local optimum as last year rather than a different split of a continuum).
    Returns (labels, centroids, warm start kept)."""
    km = _kmeans(k, len(Z), p).fit(Z)
    if prev is not None and len(prev) == k:
        warm = _kmeans(k, len(Z), p, init=prev, n_init=1).fit(Z)
        if warm.inertia_ <= km.inertia_ * (1 + p.warm_start_tolerance):
            return warm.labels_.astype(int), np.asarray(warm.cluster_centers_, dtype=float), True
    return km.labels_.astype(int), np.asarray(km.cluster_centers_, dtype=float), False


def bootstrap_stability(Z: np.ndarray, labels: np.ndarray, k: int, p: ClustersParams,
                        seed: int) -> tuple[float, dict[int, float]]:
    """Mean ARI between `labels` and k-means refitted on bootstrap resamples, and mean Jaccard per
    cluster (best-matching bootstrap cluster), on a seeded sample of at most bootstrap_sample rows."""
    if p.n_bootstrap == 0 or k < 2 or len(Z) < 2 * k:
        return float("nan"), {}
    rng = np.random.default_rng(seed)
    n = len(Z)
    idx = rng.choice(n, p.bootstrap_sample, replace=False) if n > p.bootstrap_sample else np.arange(n)
    Zs, ls = Z[idx], labels[idx]
    m = len(Zs)
    aris: list[float] = []
    jac: dict[int, list[float]] = {int(c): [] for c in np.unique(ls)}
    for b in range(p.n_bootstrap):
        boot = rng.integers(0, m, m)
        km = KMeans(n_clusters=k, n_init=1, random_state=seed + b + 1).fit(Zs[boot])
        pred = km.predict(Zs)
        aris.append(adjusted_rand_score(ls, pred))
        for c in jac:
            a = ls == c
            best = 0.0
            for c2 in range(k):
                bmask = pred == c2
                union = np.count_nonzero(a | bmask)
                if union:
                    best = max(best, np.count_nonzero(a & bmask) / union)
            jac[c].append(best)
    return float(np.mean(aris)), {c: float(np.mean(v)) for c, v in jac.items()}


def _load_previous_centroids(path: str, features: list[str], log_features: list[str],
                             mean: np.ndarray, sd: np.ndarray, k: int) -> np.ndarray | None:
    """Standardised centroids (ordered by cluster number) from a former run's cluster_profiles."""
    pth = Path(path)
    if not pth.exists():
        raise WorkbenchError(f"clusters.previous_profiles: файл не найден: {pth}")
    prof = pd.read_parquet(pth) if pth.suffix == ".parquet" else pd.read_csv(pth)
    if not set(features) <= set(prof.columns) or "cluster" not in prof.columns:
        return None
    if "year" in prof.columns:
        prof = prof[prof["year"] == prof["year"].max()]
    prof = prof.sort_values("cluster")
    if len(prof) != k:
        return None
    C = prof[features].to_numpy(dtype=float)
    for j, f in enumerate(features):
        if f in log_features:
            C[:, j] = np.log1p(np.clip(C[:, j], 0, None))
    return (C - mean) / sd


# ---------------------------------------------------------------------------- names
def name_clusters(centroids_z: pd.DataFrame, features: list[str], rural_share: dict[int, float],
                  median_size: dict[int, float], p: ClustersParams) -> dict[int, str]:
    """Unique Russian names from the pooled standardised centroid of each cluster.

    `centroids_z`: index = cluster number, columns = features. Locality comes from the share of
    rural schools, size from the median number of pupils; then the most distinctive indicators
    (|z| ≥ name_z, largest first, up to name_max_phrases). Duplicated names get further phrases,
    and finally the cluster number.
    """
    def phrase(f: str, z: float) -> str:
        hi, lo = PHRASES_RU.get(f, (f"высокий показатель «{INDICATOR_LABELS_RU.get(f, f)}»",
                                    f"низкий показатель «{INDICATOR_LABELS_RU.get(f, f)}»"))
        return hi if z > 0 else lo

    order: dict[int, list[tuple[str, float]]] = {}
    heads: dict[int, list[str]] = {}
    for c, row in centroids_z.iterrows():
        c = int(c)
        head = []
        share = rural_share.get(c, np.nan)
        if share == share:
            if share >= p.rural_share_rural:
                head.append("сельские")
            elif share <= p.rural_share_urban:
                head.append("городские")
            else:
                head.append("смешанные (город и село)")
        size = median_size.get(c, np.nan)
        if size == size:
            if size < p.small_school_n:
                head.append("малокомплектные")
            elif size > p.large_school_n:
                head.append("крупные")
        heads[c] = head
        skip = {"is_rural"} if share == share else set()
        if size == size:
            skip.add("n_students")
        cand = [(f, float(row[f])) for f in features if f not in skip]
        order[c] = sorted(cand, key=lambda t: -abs(t[1]))

    def build(c: int, n_phr: int, threshold: float) -> str:
        phr = [phrase(f, z) for f, z in order[c] if abs(z) >= threshold][:n_phr]
        if not phr and n_phr:  # nothing stands out: name the most distinctive indicator if moderate
            phr = [phrase(f, z) for f, z in order[c] if abs(z) >= threshold / 2][:1]
        if not phr and heads[c]:
            phr = ["средние показатели"]
        parts = [" ".join(heads[c])] if heads[c] else []
        parts += phr
        if not parts:
            parts = ["средние условия"]
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    n_phr = {c: p.name_max_phrases for c in order}
    names = {c: build(c, n_phr[c], p.name_z) for c in order}
    for _ in range(len(features) + 1):
        dup = pd.Series(names).duplicated(keep=False)
        if not dup.any():
            break
        for c in dup[dup].index:
            n_phr[c] += 1
            names[c] = build(c, n_phr[c], p.name_z / 2)
    dup = pd.Series(names).duplicated(keep=False)
    for c in dup[dup].index:
        names[c] = f"{names[c]} (группа {c})"
    return names


# ---------------------------------------------------------------------------- percentiles
def group_percentile(values: pd.Series, groups: list[pd.Series]) -> pd.Series:
    """Percentile 0–100 of each value within its group: 100·(mid-rank − 0.5)/n; NaN stays NaN."""
    v = pd.to_numeric(values, errors="coerce").astype(float)
    key = pd.concat(groups, axis=1) if groups else None
    if key is None:
        r = v.rank(method="average")
        n = v.notna().sum()
        return 100 * (r - 0.5) / n
    g = v.groupby([s.to_numpy() for s in groups], dropna=False)
    r = g.rank(method="average")
    n = g.transform("count")
    return 100 * (r - 0.5) / n


# ---------------------------------------------------------------------------- main function
def cluster_schools(context: pd.DataFrame, p: ClustersParams, directions: dict[str, str] | None = None,
                    identification: pd.DataFrame | None = None,
                    schools: pd.DataFrame | None = None) -> ClusterResult:
    """Cluster school × year rows of `context` by their social context (see module docstring).

    `identification` (optional) gives social_index (for numbering) and result_index (for the
    percentiles); `schools` (optional) gives locality when `is_rural` is absent from context.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=p.threads):
        return _cluster_schools(context, p, directions, identification, schools)


def _cluster_schools(context: pd.DataFrame, p: ClustersParams, directions: dict[str, str] | None,
                     identification: pd.DataFrame | None, schools: pd.DataFrame | None) -> ClusterResult:
    t0 = time.perf_counter()
    directions = dict(STANDARD_INDICATORS if directions is None else directions)
    notes: list[str] = []
    features = list(p.features) if p.features else default_features(context, directions, p.include_n_students)
    if context is None or len(context) == 0:
        raise WorkbenchError("Нет данных о контексте школ (таблица context пуста): "
                             "кластеризация по условиям невозможна. Укажите inputs.context в параметрах.")
    df, features, imputed, dropped = prepare_features(context, features, p.log_features)
    if dropped:
        notes.append("Кластеры: исключены показатели: " + "; ".join(dropped) + ".")
    if imputed:
        notes.append("Кластеры: пропуски заменены медианой года (число значений за все годы): " + ", ".join(
            f"{INDICATOR_LABELS_RU.get(f, f)} — {n}" for f, n in imputed.items()) + ".")
    if not features:
        raise WorkbenchError("Для кластеризации нет ни одного числового показателя контекста "
                             "(стандартные показатели не найдены, clusters.features не задан).")
    Z, mean, sd = standardise(df, features)
    years = sorted(df["year"].unique().tolist())

    # social index per row: identification's when present, else composite of features
    soc = composite_social_index(Z, features, directions)
    if identification is not None and "social_index" in identification.columns and len(identification):
        ident_si = identification[["school_id", "year", "social_index"]].copy()
        ident_si["school_id"] = ident_si["school_id"].astype(str)
        ident_si["year"] = ident_si["year"].astype(int)
        merged = df[["school_id", "year"]].merge(ident_si, on=["school_id", "year"], how="left")
        si = pd.to_numeric(merged["social_index"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(si).sum() >= max(2, 0.5 * len(si)):
            soc = si

    # choice of k (pooled years)
    per_year_n = df.groupby("year").size()
    if per_year_n.min() < p.min_schools:
        selection = pd.DataFrame(columns=["k", "silhouette", "inertia_per_school", "chosen"])
        k = 1
        notes.append(f"Кластеры: мало школ в году ({int(per_year_n.min())}), все школы в одном кластере.")
    else:
        selection = choose_k(Z, p)
        k = int(selection.attrs.get("chosen", p.k or 1))
        k = min(k, int(per_year_n.min()))

    labels = np.zeros(len(df), dtype=int)
    cents: dict[int, np.ndarray] = {}
    prev_C: np.ndarray | None = None
    if p.previous_profiles:
        prev_C = _load_previous_centroids(str(p.previous_profiles), features, p.log_features, mean, sd, k)
        if prev_C is None:
            notes.append("Кластеры: прежние профили кластеров несовместимы (другие показатели или k), "
                         "нумерация выполнена заново.")
    for y in years:
        m = (df["year"] == y).to_numpy()
        Zy = Z[m]
        if k == 1:
            lab, C = np.zeros(len(Zy), dtype=int), Zy.mean(axis=0, keepdims=True)
        else:
            lab, C, _warm = _fit_year(Zy, k, p, prev_C)
        if prev_C is None:
            # first year: number by mean social index, 1 = most adverse
            means = np.array([np.nanmean(soc[m][lab == j]) if np.any(lab == j) else np.inf for j in range(k)])
            order = np.argsort(means, kind="stable")
            perm = np.empty(k, dtype=int)
            perm[order] = np.arange(k)
        else:
            perm = _match(prev_C, C)
        lab = perm[lab]
        C_sorted = np.empty_like(C)
        C_sorted[perm] = C
        labels[m] = lab
        cents[y] = C_sorted
        prev_C = C_sorted
    df["cluster"] = labels + 1

    # names from the pooled centroid profile
    cz = pd.DataFrame(Z, columns=features)
    cz["cluster"] = df["cluster"].to_numpy()
    pooled_z = cz.groupby("cluster")[features].mean()
    raw = context.copy()
    raw["school_id"] = raw["school_id"].astype(str)
    raw["year"] = pd.to_numeric(raw["year"]).astype(int)
    lab_df = df[["school_id", "year", "cluster"]]
    raw = lab_df.merge(raw, on=["school_id", "year"], how="left")
    rural_share: dict[int, float] = {}
    if "is_rural" in raw.columns and pd.to_numeric(raw["is_rural"], errors="coerce").notna().any():
        rural_share = pd.to_numeric(raw["is_rural"], errors="coerce").groupby(raw["cluster"]).mean().to_dict()
    elif schools is not None and "locality" in schools.columns and schools["locality"].notna().any():
        loc = schools[["school_id", "locality"]].copy()
        loc["school_id"] = loc["school_id"].astype(str)
        loc["rural"] = loc["locality"].astype(str).str.lower().str.startswith("сел").astype(float)
        loc.loc[schools["locality"].isna().to_numpy(), "rural"] = np.nan
        lr = lab_df.merge(loc[["school_id", "rural"]], on="school_id", how="left")
        rural_share = lr.groupby("cluster")["rural"].mean().to_dict()
    median_size: dict[int, float] = {}
    if "n_students" in raw.columns and pd.to_numeric(raw["n_students"], errors="coerce").notna().any():
        median_size = pd.to_numeric(raw["n_students"], errors="coerce").groupby(raw["cluster"]).median().to_dict()
    if k == 1:
        names = {1: "Все школы"}
    else:
        names = name_clusters(pooled_z, features, rural_share, median_size, p)
    df["cluster_name"] = df["cluster"].map(names)

    # percentiles of the result index
    out = df[["school_id", "year", "cluster", "cluster_name"]].copy()
    if identification is not None and "result_index" in identification.columns and len(identification):
        ri = identification[["school_id", "year", "result_index"]].copy()
        ri["school_id"] = ri["school_id"].astype(str)
        ri["year"] = ri["year"].astype(int)
        out = out.merge(ri, on=["school_id", "year"], how="left")
        out["similar_schools_percentile"] = group_percentile(out["result_index"], [out["year"], out["cluster"]])
        out["regional_percentile"] = group_percentile(out["result_index"], [out["year"]])
        out = out.drop(columns=["result_index"])
    else:
        out["similar_schools_percentile"] = np.nan
        out["regional_percentile"] = np.nan
        notes.append("Кластеры: нет индекса результатов (этап identify не выполнен), "
                     "процентили среди похожих школ не рассчитаны.")
    out["similar_schools_percentile"] = out["similar_schools_percentile"].astype(float).round(1)
    out["regional_percentile"] = out["regional_percentile"].astype(float).round(1)

    # profiles per year, with stability
    prof_rows = []
    raw_feats = [f for f in features if f in raw.columns]
    extra_means = [c for c in ("n_students",) if c in raw.columns and c not in raw_feats]
    cent_rows = []
    soc_s = pd.Series(soc, index=df.index)
    for y in years:
        m = (df["year"] == y).to_numpy()
        lab_y = df.loc[m, "cluster"].to_numpy()
        ari, jac = bootstrap_stability(Z[m], lab_y, k, p, seed=p.seed + int(y))
        ry = raw[raw["year"] == y]
        for c in range(1, k + 1):
            mc = lab_y == c
            row: dict[str, Any] = {"year": int(y), "cluster": c, "cluster_name": names[c],
                                   "n_schools": int(mc.sum())}
            rc = ry[ry["cluster"] == c]
            for f in raw_feats + extra_means:
                row[f] = float(pd.to_numeric(rc[f], errors="coerce").mean()) if len(rc) else np.nan
            row["social_index"] = float(np.nanmean(soc_s[m].to_numpy()[mc])) if mc.any() else np.nan
            row["stability"] = round(ari, 3) if ari == ari else np.nan
            row["stability_cluster"] = round(jac.get(c, np.nan), 3)
            prof_rows.append(row)
            cent_rows.append({"year": int(y), "cluster": c, **dict(zip(features, cents[y][c - 1]))})
    profiles = pd.DataFrame(prof_rows)
    lead = ["cluster", "cluster_name", "n_schools"]
    profiles = profiles[lead + [c for c in profiles.columns if c not in lead + ["year"]] + ["year"]]
    profiles = profiles.sort_values(["year", "cluster"], kind="mergesort").reset_index(drop=True)
    centroids = pd.DataFrame(cent_rows)
    X_z = df[["school_id", "year"]].copy()
    X_z[features] = Z
    X_z["cluster"] = df["cluster"].to_numpy()
    out = out.sort_values(["school_id", "year"], kind="mergesort").reset_index(drop=True)
    return ClusterResult(clusters=out, profiles=profiles, selection=selection, centroids_z=centroids,
                         features=features, X_z=X_z, k=k, imputed=imputed, dropped=dropped,
                         notes=notes, seconds=time.perf_counter() - t0)


# ---------------------------------------------------------------------------- figures
def k_choice_note(selection: pd.DataFrame, k: int, fixed: int | None) -> str:
    """One Russian sentence on how the number of clusters was chosen."""
    if fixed is not None:
        best = selection.loc[selection["silhouette"].idxmax(), "k"] \
            if len(selection) and selection["silhouette"].notna().any() else None
        tail = f" (по силуэту лучшим было бы k = {int(best)})" if best is not None and best != k else ""
        return f"Число кластеров задано в параметрах: k = {k}{tail}."
    return f"Число кластеров выбрано по наибольшему силуэту: k = {k}."


def fig_k_choice(selection: pd.DataFrame):
    """Silhouette and elbow (inertia per school) curves side by side; chosen k marked."""
    if selection is None or len(selection) == 0:
        return None
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=1, cols=2, subplot_titles=("Силуэт (выше — лучше)",
                                                        "Локоть: внутрикластерный разброс на школу"))
    fig.add_trace(go.Scatter(x=selection["k"], y=selection["silhouette"], mode="lines+markers",
                             name="силуэт"), row=1, col=1)
    fig.add_trace(go.Scatter(x=selection["k"], y=selection["inertia_per_school"], mode="lines+markers",
                             name="разброс"), row=1, col=2)
    ch = selection[selection["chosen"]]
    if len(ch):
        fig.add_trace(go.Scatter(x=ch["k"], y=ch["silhouette"], mode="markers", name="выбранное k",
                                 marker=dict(size=14, symbol="star", color="crimson")), row=1, col=1)
        fig.add_trace(go.Scatter(x=ch["k"], y=ch["inertia_per_school"], mode="markers", showlegend=False,
                                 marker=dict(size=14, symbol="star", color="crimson")), row=1, col=2)
    fig.update_xaxes(title_text="число кластеров k", dtick=1)
    fig.update_layout(height=380, margin=dict(t=60, l=40, r=20, b=40))
    return fig


def fig_profiles_heatmap(result: ClusterResult, year: int | None = None):
    """Heatmap of standardised centroids (clusters × indicators) of one year (default: latest)."""
    cz = result.centroids_z
    if cz is None or len(cz) == 0:
        return None
    import plotly.graph_objects as go

    year = int(cz["year"].max()) if year is None else year
    c = cz[cz["year"] == year].sort_values("cluster")
    names = result.profiles.drop_duplicates("cluster").set_index("cluster")["cluster_name"]
    ylab = [f"{int(k)}. {names.get(k, '')}" for k in c["cluster"]]
    xlab = [INDICATOR_LABELS_RU.get(f, f) for f in result.features]
    z = c[result.features].to_numpy()
    fig = go.Figure(go.Heatmap(z=z, x=xlab, y=ylab, colorscale="RdBu_r", zmid=0,
                               text=np.round(z, 1), texttemplate="%{text}",
                               colorbar=dict(title="z")))
    fig.update_layout(title=f"Профили кластеров, {year} г. (стандартизованные средние)",
                      height=160 + 60 * len(c), margin=dict(l=20, r=20, t=60, b=20),
                      yaxis=dict(autorange="reversed"))
    return fig


def fig_pca_map(result: ClusterResult, identification: pd.DataFrame | None = None, year: int | None = None,
                max_points: int = 5000):
    """2-D PCA map of schools (one year) coloured by cluster, categories as marker symbols; at most
    `max_points` schools drawn (a seeded sample, listed schools always kept) so the HTML stays light."""
    X = result.X_z
    if X is None or len(X) == 0 or len(result.features) < 2:
        return None
    import plotly.express as px
    from sklearn.decomposition import PCA

    year = int(X["year"].max()) if year is None else year
    d = X[X["year"] == year].copy()
    pca = PCA(n_components=2, random_state=0).fit(X[result.features].to_numpy())
    pc = pca.transform(d[result.features].to_numpy())
    d["ГК1"], d["ГК2"] = pc[:, 0], pc[:, 1]
    names = result.profiles.drop_duplicates("cluster").set_index("cluster")["cluster_name"]
    labels = {c: f"{c}. {names.get(c, '')}" for c in pd.unique(d["cluster"])}
    d["Кластер"] = d["cluster"].map(labels)
    d["Категория"] = "—"
    if identification is not None and "category" in identification.columns:
        cat = identification[["school_id", "year", "category"]].copy()
        cat["school_id"] = cat["school_id"].astype(str)
        cat["year"] = cat["year"].astype(int)
        d = d.drop(columns="Категория").merge(cat, on=["school_id", "year"], how="left")
        d["Категория"] = d["category"].map(CATEGORIES).fillna("—")
    if len(d) > max_points:
        listed = d["Категория"].isin([CATEGORIES["low_results"], CATEGORIES["low_results_adverse"]])
        rest = d[~listed]
        n_rest = max(max_points - int(listed.sum()), 0)
        d = pd.concat([d[listed], rest.sample(n=min(n_rest, len(rest)), random_state=0)])
    ev = pca.explained_variance_ratio_
    fig = px.scatter(d.sort_values("cluster"), x="ГК1", y="ГК2", color="Кластер", symbol="Категория",
                     hover_data={"school_id": True, "ГК1": ":.2f", "ГК2": ":.2f"},
                     title=f"Школы на плоскости главных компонент, {year} г.")
    fig.update_traces(marker=dict(size=7, opacity=0.8))
    fig.update_layout(xaxis_title=f"ГК1 ({ev[0]:.0%} разброса)", yaxis_title=f"ГК2 ({ev[1]:.0%} разброса)",
                      height=560, legend=dict(font=dict(size=10)))
    return fig


def fig_results_by_cluster(clusters: pd.DataFrame, identification: pd.DataFrame | None,
                           year: int | None = None):
    """Box plot of the result index by cluster (one year)."""
    if identification is None or "result_index" not in identification.columns or len(clusters) == 0:
        return None
    import plotly.express as px

    year = int(clusters["year"].max()) if year is None else year
    ri = identification[["school_id", "year", "result_index"]].copy()
    ri["school_id"] = ri["school_id"].astype(str)
    ri["year"] = ri["year"].astype(int)
    d = clusters[clusters["year"] == year].merge(ri, on=["school_id", "year"], how="left")
    d = d.dropna(subset=["result_index"]).sort_values("cluster")
    if len(d) == 0:
        return None
    d["Кластер"] = [f"{c}. {n}" for c, n in zip(d["cluster"], d["cluster_name"])]
    fig = px.box(d, x="Кластер", y="result_index", points="outliers",
                 labels={"result_index": "индекс результатов"},
                 title=f"Результаты по кластерам, {year} г.")
    fig.update_layout(height=460, xaxis_tickangle=-20)
    return fig


# ---------------------------------------------------------------------------- stage
CLUSTERS_COLUMNS = ["school_id", "year", "cluster", "cluster_name", "similar_schools_percentile",
                    "regional_percentile"]


def stage(ctx) -> dict:
    """Clusters then partners: writes `clusters`, `cluster_profiles`, `partners`; returns what the
    notebook shows."""
    from workbench import partners as partners_mod

    params = ctx.params
    p: ClustersParams = params.clusters
    context = ctx.table("context")
    schools = ctx.table("schools")
    ident = ctx.table("identification") if ctx.has_table("identification") else None
    if len(context) == 0:
        msg = ("Кластеры и партнёры не рассчитаны: нет данных о контексте школ (inputs.context). "
               "Добавьте файл с социальными показателями школ.")
        ctx.note(msg)
        ctx.write_table("clusters", pd.DataFrame(columns=CLUSTERS_COLUMNS))
        ctx.write_table("cluster_profiles", pd.DataFrame(
            columns=["cluster", "cluster_name", "n_schools", "social_index", "stability", "year"]))
        ctx.write_table("partners", pd.DataFrame(columns=partners_mod.PARTNERS_COLUMNS))
        empty = pd.DataFrame()
        return {"k": 0, "features": [], "selection": empty, "summary": empty, "profiles": empty,
                "fig_k": None, "fig_heatmap": None, "fig_pca": None, "fig_results": None,
                "fig_pairs": None, "fig_pairs_map": None, "pairs_table": empty,
                "pairs_by_municipality": empty, "notes": [msg], "seconds": 0.0}
    result = cluster_schools(context, p, params.indicator_directions(), ident, schools)
    for n in result.notes:
        ctx.note(n)
    ctx.write_table("clusters", result.clusters[CLUSTERS_COLUMNS], key=["school_id", "year"])
    ctx.write_table("cluster_profiles", result.profiles, key=["year", "cluster"])

    pp = params.partners
    if ident is not None:
        pres = partners_mod.find_partners(ident, result, schools, pp)
        for n in pres.notes:
            ctx.note(n)
        pairs = pres.partners
    else:
        pairs = pd.DataFrame(columns=partners_mod.PARTNERS_COLUMNS)
        ctx.note("Партнёры: нет результатов идентификации, пары не подобраны.")
    ctx.write_table("partners", pairs, key=["school_id", "year", "rank"])

    latest = int(result.clusters["year"].max())
    summary = result.profiles[result.profiles["year"] == latest][
        ["cluster", "cluster_name", "n_schools", "social_index", "stability", "stability_cluster"]].rename(
        columns={"cluster": "Кластер", "cluster_name": "Название", "n_schools": "Школ",
                 "social_index": "Социальный индекс (среднее)", "stability": "Устойчивость (ARI)",
                 "stability_cluster": "Устойчивость кластера (Жаккар)"})
    sel = result.selection.assign(chosen=result.selection["chosen"].map({True: "да", False: ""})).rename(
        columns={"k": "k", "silhouette": "Силуэт", "inertia_per_school": "Разброс на школу",
                 "chosen": "Выбрано"})
    return {
        "k": result.k,
        "k_note": k_choice_note(result.selection, result.k, ctx.params.clusters.k),
        "features": [INDICATOR_LABELS_RU.get(f, f) for f in result.features],
        "selection": sel,
        "summary": summary,
        "profiles": result.profiles,
        "fig_k": fig_k_choice(result.selection),
        "fig_heatmap": fig_profiles_heatmap(result),
        "fig_pca": fig_pca_map(result, ident),
        "fig_results": fig_results_by_cluster(result.clusters, ident),
        "fig_pairs": partners_mod.fig_pairs_by_municipality(pairs, schools),
        "fig_pairs_map": partners_mod.fig_pairs_map(pairs, schools),
        "pairs_table": partners_mod.partners_sheet(pairs, schools),
        "pairs_by_municipality": partners_mod.pairs_by_municipality(pairs, schools),
        "notes": result.notes,
        "seconds": round(result.seconds, 2),
    }
