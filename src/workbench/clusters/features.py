"""Steps 1–4 of the clustering: which context indicators, their scale, imputation, one scaler.

1. Features = context indicators, never results. Default: the standard indicators of design §3
   present in `context` plus the declared extras (`params.context_indicators`), without
   `n_students` unless `include_n_students`, and without 0/1 indicators (`is_rural`): a flag
   cuts any mixed group (suburbs with a quarter of rural schools) into its 0 and 1 halves and has
   no spread within a cluster, so it describes the clusters (their names say «сельские») rather
   than defining them. `ClustersParams.features` overrides the list.
   Columns that are entirely missing or constant are dropped (with a note).
2. Skewed, positive indicators (`log_features`: n_students, distance_km, internet_mbps) are
   transformed with log1p: a school 300 km away is not "ten times as remote" as one at 30 km for
   the purpose of comparing conditions, and raw distances would dominate the Euclidean metric.
   Shares (every value in [0, 1], `share_transform`) are transformed with arcsin √x, the
   variance-stabilising transform of a proportion: a share near 5% varies much less from school to
   school than one near 50%, and without the transform a cluster of low shares looks tighter
   than it is.
3. Missing values are imputed with the year's median (pooled median when a whole year lacks the
   indicator) and reported through `ctx.note` with counts per indicator.
4. Standardisation uses one scaler pooled over all years, so centroids of different years live in
   the same space and can be matched.

The social index that numbers the clusters (identification's, else a composite of the signed
standardised features) is computed here too.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.core.errors import WorkbenchError
from workbench.core.tables import ADVERSE, FAVOURABLE, INDICATOR_LABELS_RU


def is_binary(values: pd.Series) -> bool:
    """True for a 0/1 indicator (every known value is 0 or 1)."""
    v = pd.to_numeric(values, errors="coerce").dropna()
    return bool(len(v)) and bool(v.isin([0.0, 1.0]).all())


def is_share(values: np.ndarray) -> bool:
    """True when every known value lies in [0, 1] and the column is not a 0/1 flag."""
    v = values[~np.isnan(values)]
    return bool(len(v)) and bool((v >= 0).all() and (v <= 1).all()) and not bool(np.isin(v, [0.0, 1.0]).all())


def default_features(context: pd.DataFrame, directions: dict[str, str],
                     include_n_students: bool = False) -> list[str]:
    """Standard indicators and declared extras present in `context` (n_students only if asked),
    without 0/1 indicators (see the module docstring)."""
    out = []
    for name in directions:
        if name == "n_students" and not include_n_students:
            continue
        if name in context.columns and name not in out and not is_binary(context[name]):
            out.append(name)
    return out


def transform_values(v: np.ndarray, kind: str | None) -> np.ndarray:
    """The scale a feature is clustered on: «log» → log1p, «arcsine» → arcsin √x, None → as is."""
    if kind == "log":
        return np.log1p(np.clip(v, 0, None))
    if kind == "arcsine":
        return np.arcsin(np.sqrt(np.clip(v, 0, 1)))
    return v


def prepare_features(context: pd.DataFrame, features: list[str], log_features: list[str],
                     share_transform: bool = False
                     ) -> tuple[pd.DataFrame, list[str], dict[str, int], list[str]]:
    """Numeric feature frame (school_id, year, features), log1p where asked, arcsin √x of shares
    with `share_transform`, medians imputed.

    Returns (frame, kept features, imputed counts per feature, dropped features with reasons);
    `frame.attrs["transforms"]` maps each transformed feature to «log» or «arcsine».
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
    transforms: dict[str, str] = {}
    for f in features:
        v = pd.to_numeric(context[f], errors="coerce").astype(float).to_numpy()
        kind = "log" if f in log_features else "arcsine" if share_transform and is_share(v) else None
        v = transform_values(v, kind)
        if np.all(np.isnan(v)):
            dropped.append(f"{f} (нет значений)")
            continue
        finite = v[~np.isnan(v)]
        if finite.size and np.nanmax(finite) - np.nanmin(finite) == 0:
            dropped.append(f"{f} (одно и то же значение у всех школ)")
            continue
        df[f] = v
        kept.append(f)
        if kind:
            transforms[f] = kind
    imputed: dict[str, int] = {}
    for f in kept:
        n_missing = int(df[f].isna().sum())
        if n_missing:
            pooled = float(df[f].median())
            med = df.groupby("year")[f].transform("median").fillna(pooled)
            df[f] = df[f].fillna(med)
            imputed[f] = n_missing
    df = df.sort_values(["year", "school_id"], kind="mergesort").reset_index(drop=True)
    df.attrs["transforms"] = transforms
    return df, kept, imputed, dropped


def feature_notes(imputed: dict[str, int], dropped: list[str],
                  labels: dict[str, str] | None = None) -> list[str]:
    """Russian notes on dropped indicators and imputed values (for `ctx.note`)."""
    labels = labels or INDICATOR_LABELS_RU
    notes = []
    if dropped:
        notes.append("Кластеры: исключены показатели: " + "; ".join(dropped) + ".")
    if imputed:
        notes.append("Кластеры: пропуски заменены медианой года (число значений за все годы): " + ", ".join(
            f"{labels.get(f, f)} — {n}" for f, n in imputed.items()) + ".")
    return notes


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


def social_index_per_row(df: pd.DataFrame, Z: np.ndarray, features: list[str], directions: dict[str, str],
                         identification: pd.DataFrame | None) -> np.ndarray:
    """Social index of each row of `df`: identification's when it covers at least half of the rows
    (and two), else the composite of the standardised features."""
    soc = composite_social_index(Z, features, directions)
    if identification is not None and "social_index" in identification.columns and len(identification):
        ident_si = identification[["school_id", "year", "social_index"]].copy()
        ident_si["school_id"] = ident_si["school_id"].astype(str)
        ident_si["year"] = ident_si["year"].astype(int)
        merged = df[["school_id", "year"]].merge(ident_si, on=["school_id", "year"], how="left")
        si = pd.to_numeric(merged["social_index"], errors="coerce").to_numpy(dtype=float)
        if np.isfinite(si).sum() >= max(2, 0.5 * len(si)):
            soc = si
    return soc


def context_with_clusters(context: pd.DataFrame, labelled: pd.DataFrame) -> pd.DataFrame:
    """The raw context rows (original scale) in the order of `labelled` (school_id, year, cluster):
    what the names and the profiles describe."""
    raw = context.copy()
    raw["school_id"] = raw["school_id"].astype(str)
    raw["year"] = pd.to_numeric(raw["year"]).astype(int)
    return labelled[["school_id", "year", "cluster"]].merge(raw, on=["school_id", "year"], how="left")
