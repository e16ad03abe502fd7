"""Step 7: Russian names of the clusters from the pooled centroid profile, never contradicting
the means beside them.

A name says the locality (share of rural schools), the size (number of pupils) and the most
distinctive indicators of the cluster (|z| of the pooled standardised centroid ≥ `name_z`,
largest first, up to `name_max_phrases`); names are unique (further phrases, then the cluster
number). Every word is checked against the cluster's means of EVERY year (the numbers of
`cluster_profiles`), so a name is true in each year it is shown for:

* «сельские» / «городские» when the share of rural schools is ≥ `rural_share_pure` / ≤ 1 − it in
  every year; «преимущественно сельские» / «…городские» between that and `rural_share_rural` /
  `rural_share_urban`; «смешанные (город и село)» otherwise;
* «малокомплектные» when both the mean and the median number of pupils are below
  `small_school_n` (100) in every year, «крупные» when both are above `large_school_n` (800);
* «высокая доля …» / «низкая доля …» only when the cluster's mean is above / below the region's
  mean of that year in every year (a log- or arcsine-scale centroid can otherwise disagree with
  the raw means for a skewed indicator).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from workbench.config.clusters import ClustersParams
from workbench.core.tables import INDICATOR_LABELS_RU

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
class Evidence:
    """What the name of one cluster may claim: the range over years of its share of rural
    schools and of its size (mean and median pupils), and per indicator +1 / −1 when its mean is
    above / below the region's in every year (0: not in every year)."""

    rural: tuple[float, float] | None = None
    size: tuple[float, float] | None = None
    sides: dict[str, int] = field(default_factory=dict)


def _rural_rows(raw: pd.DataFrame, labelled: pd.DataFrame, schools: pd.DataFrame | None) -> pd.DataFrame | None:
    """year, cluster, rural (1.0/0.0/NaN) of every clustered row: context `is_rural`, else the
    schools' locality («сел…» = rural); None when neither is known."""
    if "is_rural" in raw.columns and pd.to_numeric(raw["is_rural"], errors="coerce").notna().any():
        return pd.DataFrame({"year": raw["year"], "cluster": raw["cluster"],
                             "rural": pd.to_numeric(raw["is_rural"], errors="coerce")})
    if schools is not None and "locality" in schools.columns and schools["locality"].notna().any():
        loc = schools[["school_id", "locality"]].copy()
        loc["school_id"] = loc["school_id"].astype(str)
        loc["rural"] = loc["locality"].astype(str).str.lower().str.startswith("сел").astype(float)
        loc.loc[schools["locality"].isna().to_numpy(), "rural"] = np.nan
        return labelled[["school_id", "year", "cluster"]].merge(loc[["school_id", "rural"]],
                                                                on="school_id", how="left")
    return None


def evidence(raw: pd.DataFrame, labelled: pd.DataFrame, features: list[str],
             schools: pd.DataFrame | None) -> dict[int, Evidence]:
    """Cluster number → `Evidence`, from the raw context rows with their cluster (`raw`) and
    `labelled` (school_id, year, cluster of every clustered row)."""
    clusters = sorted(int(c) for c in labelled["cluster"].unique())
    ev = {c: Evidence() for c in clusters}
    rr = _rural_rows(raw, labelled, schools)
    if rr is not None:
        share = rr.groupby(["cluster", "year"])["rural"].mean().groupby("cluster").agg(["min", "max"])
        for c in clusters:
            if c in share.index and share.loc[c].notna().all():
                ev[c].rural = (float(share.loc[c, "min"]), float(share.loc[c, "max"]))
    if "n_students" in raw.columns and pd.to_numeric(raw["n_students"], errors="coerce").notna().any():
        n = pd.to_numeric(raw["n_students"], errors="coerce")
        g = n.groupby([raw["cluster"], raw["year"]]).agg(["mean", "median"])
        lo = g.min(axis=1).groupby("cluster").min()
        hi = g.max(axis=1).groupby("cluster").max()
        for c in clusters:
            if c in lo.index and lo[c] == lo[c]:
                ev[c].size = (float(lo[c]), float(hi[c]))
    for f in (f for f in features if f in raw.columns):
        v = pd.to_numeric(raw[f], errors="coerce")
        gap = v.groupby([raw["cluster"], raw["year"]]).mean() - v.groupby(raw["year"]).mean()
        for c in clusters:
            d = gap.loc[c].dropna() if c in gap.index.get_level_values(0) else pd.Series(dtype=float)
            ev[c].sides[f] = 1 if len(d) and (d > 0).all() else -1 if len(d) and (d < 0).all() else 0
    return ev


def cluster_names(Z: np.ndarray, labelled: pd.DataFrame, features: list[str], raw: pd.DataFrame,
                  schools: pd.DataFrame | None, k: int, p: ClustersParams,
                  labels: dict[str, str] | None = None) -> dict[int, str]:
    """Cluster number → Russian name, from the centroid of each cluster pooled over years
    (`labelled`: school_id, year, cluster 1..k of each row of Z; `raw`: their context rows;
    `labels`: Russian names of the indicators, params' labels of declared ones included)."""
    if k == 1:
        return {1: "Все школы"}
    cz = pd.DataFrame(Z, columns=features)
    cz["cluster"] = labelled["cluster"].to_numpy()
    pooled_z = cz.groupby("cluster")[features].mean()
    return name_clusters(pooled_z, features, evidence(raw, labelled, features, schools), p,
                         labels)


def _locality(rural: tuple[float, float], p: ClustersParams) -> str:
    lo, hi = rural
    if lo >= p.rural_share_pure:
        return "сельские"
    if hi <= 1 - p.rural_share_pure:
        return "городские"
    if lo >= p.rural_share_rural:
        return "преимущественно сельские"
    if hi <= p.rural_share_urban:
        return "преимущественно городские"
    return "смешанные (город и село)"


def _head(ev: Evidence, p: ClustersParams) -> list[str]:
    """Locality and size words that open a name."""
    head = [_locality(ev.rural, p)] if ev.rural is not None else []
    if ev.size is not None:
        if ev.size[1] < p.small_school_n:
            head.append("малокомплектные")
        elif ev.size[0] > p.large_school_n:
            head.append("крупные")
    return head


def _phrase(f: str, z: float, labels: dict[str, str] | None = None) -> str:
    label = (labels or INDICATOR_LABELS_RU).get(f, f)
    hi, lo = PHRASES_RU.get(f, (f"высокий показатель «{label}»", f"низкий показатель «{label}»"))
    return hi if z > 0 else lo


def _build(head: list[str], order: list[tuple[str, float]], n_phr: int, threshold: float,
           labels: dict[str, str] | None = None) -> str:
    """One name: the head words, then up to n_phr phrases of indicators with |z| ≥ threshold."""
    phr = [_phrase(f, z, labels) for f, z in order if abs(z) >= threshold][:n_phr]
    if not phr and n_phr:  # nothing stands out: name the most distinctive indicator if moderate
        phr = [_phrase(f, z, labels) for f, z in order if abs(z) >= threshold / 2][:1]
    if not phr and head:
        phr = ["средние показатели"]
    parts = [" ".join(head)] if head else []
    parts += phr
    if not parts:
        parts = ["средние условия"]
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def name_clusters(centroids_z: pd.DataFrame, features: list[str], ev: dict[int, Evidence],
                  p: ClustersParams, labels: dict[str, str] | None = None) -> dict[int, str]:
    """Unique Russian names from the pooled standardised centroid of each cluster.

    `centroids_z`: index = cluster number, columns = features; `ev`: what each name may claim.
    Locality and size open the name (see the module docstring); then the most distinctive
    indicators (|z| ≥ name_z, largest first, up to name_max_phrases) whose side of the region's
    mean holds in every year. Duplicated names get further phrases, and finally the cluster number.
    """
    order: dict[int, list[tuple[str, float]]] = {}
    heads: dict[int, list[str]] = {}
    for c, row in centroids_z.iterrows():
        c = int(c)
        e = ev.get(c, Evidence())
        heads[c] = _head(e, p)
        skip = {"is_rural"} if e.rural is not None else set()
        if e.size is not None:
            skip.add("n_students")
        cand = [(f, float(row[f])) for f in features if f not in skip
                and e.sides.get(f, int(np.sign(row[f]))) == np.sign(row[f])]
        order[c] = sorted(cand, key=lambda t: -abs(t[1]))

    n_phr = {c: p.name_max_phrases for c in order}
    names = {c: _build(heads[c], order[c], n_phr[c], p.name_z, labels) for c in order}
    for _ in range(len(features) + 1):
        dup = pd.Series(names).duplicated(keep=False)
        if not dup.any():
            break
        for c in dup[dup].index:
            n_phr[c] += 1
            names[c] = _build(heads[c], order[c], n_phr[c], p.name_z / 2, labels)
    dup = pd.Series(names).duplicated(keep=False)
    for c in dup[dup].index:
        names[c] = f"{names[c]} (группа {c})"
    return names
