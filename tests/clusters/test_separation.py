"""Step 8b: the weak-separation warning: given for a continuum without groups, not for clear
types; each reason names its number and threshold."""
from __future__ import annotations

import numpy as np
import pandas as pd
from support.clusters import blobs

from workbench.clusters import cluster_schools
from workbench.clusters.choose_k import KChoice
from workbench.clusters.separation import separation_reasons, separation_warning
from workbench.config.clusters import ClustersParams


def _continuum(n: int = 400, years=(2024, 2025), seed: int = 4) -> pd.DataFrame:
    """One cloud of schools (correlated shares), no groups."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(n)
    rows = []
    for y in years:
        e = 0.02 * rng.standard_normal((n, 3))
        rows.append(pd.DataFrame({
            "school_id": [f"S{i:04d}" for i in range(n)], "year": y,
            "share_low_income": np.clip(0.25 + 0.08 * z + 0.06 * rng.standard_normal(n) + e[:, 0], 0.01, 0.9),
            "share_parents_no_higher_ed": np.clip(0.6 + 0.1 * z + 0.08 * rng.standard_normal(n) + e[:, 1], 0.01, 0.99),
            "internet_mbps": 40 * np.exp(-0.4 * z + 0.3 * rng.standard_normal(n) + e[:, 2])}))
    return pd.concat(rows, ignore_index=True)


def test_continuum_gets_the_warning():
    res = cluster_schools(_continuum(), ClustersParams(n_bootstrap=5))
    assert res.separation_warning is not None
    assert res.separation_warning.startswith("Кластеры разделены слабо: ")
    assert res.separation_warning in res.notes
    # the mixture itself says there are no groups: one component has the best BIC
    assert "без деления на группы" in res.separation_warning or "вероятностью" in res.separation_warning


def test_clear_types_get_no_warning():
    ctx, _ = blobs()
    res = cluster_schools(ctx, ClustersParams(n_bootstrap=5))
    assert res.separation_warning is None
    assert not any("разделены слабо" in n for n in res.notes)


def test_each_reason_with_its_number_and_threshold():
    sel = pd.DataFrame({"k": [3, 4], "bic": [100.0, 90.0], "silhouette": [0.2, 0.18],
                        "chosen": [False, True]})
    p = ClustersParams(min_certainty=0.8, min_stability=0.6)
    reasons = separation_reasons(KChoice(selection=sel, k=4, bic_one=85.0),
                                 {2024: 0.9, 2025: 0.71}, {2024: 0.45, 2025: 0.7}, p)
    assert reasons == [
        "школа относится к своему кластеру в среднем с вероятностью 0,71 (2025 г.; порог 0,80)",
        "модель без деления на группы описывает данные не хуже (по BIC)",
        "разбиение плохо воспроизводится на случайных подвыборках школ (устойчивость 0,45 в "
        "2024 г.; порог 0,60)"]
    km = separation_reasons(KChoice(selection=sel, k=4), {}, {}, ClustersParams(method="kmeans"))
    assert km == ["силуэт 0,18 (ниже 0,25 — группы почти не выражены)"]
    assert separation_reasons(KChoice(selection=sel, k=4, bic_one=200.0), {2025: 0.95},
                              {2025: 0.9}, p) == []
    assert separation_warning([]) is None
