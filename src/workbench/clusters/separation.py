"""Step 8b: is the typology real? A Russian warning when the clusters are weakly separated.

The clusters are a working grouping in any case (percentiles among similar schools need one),
but a reader must know when their borders are arbitrary. The warning is given when any of:

* the mean probability of a school's own cluster (the mixture's `certainty`) is below
  `min_certainty` in some year — schools sit between clusters;
* one group (k = 1) has a BIC no worse than the chosen k — the data show no groups at all;
* the bootstrap ARI (`stability`) is below `min_stability` in some year — the partition is
  not reproduced on resamples;
* with k-means, the silhouette of the chosen k is below `min_silhouette` (Kaufman and
  Rousseeuw: below 0.25 no substantial structure).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.clusters.choose_k import KChoice
from workbench.config.clusters import ClustersParams
from workbench.core.formatting import fmt_num


def _worst(values: dict[int, float]) -> tuple[int, float] | None:
    """The year with the lowest finite value, or None."""
    finite = {y: v for y, v in values.items() if v == v}
    if not finite:
        return None
    y = min(finite, key=lambda t: (finite[t], t))
    return y, finite[y]


def separation_reasons(choice: KChoice, certainty: dict[int, float], stability: dict[int, float],
                       p: ClustersParams) -> list[str]:
    """The Russian reasons to call the clusters weakly separated (empty: they are not)."""
    if choice.k <= 1:
        return []
    reasons = []
    worst = _worst(certainty)
    if worst and worst[1] < p.min_certainty:
        reasons.append(f"школа относится к своему кластеру в среднем с вероятностью "
                       f"{fmt_num(worst[1], 2)} ({worst[0]} г.; порог {fmt_num(p.min_certainty, 2)})")
    sel = choice.selection
    chosen = sel[sel["k"] == choice.k]
    if len(chosen) and np.isfinite(choice.bic_one) and choice.bic_one <= float(chosen["bic"].iloc[0]):
        reasons.append("модель без деления на группы описывает данные не хуже (по BIC)")
    worst = _worst(stability)
    if worst and worst[1] < p.min_stability:
        reasons.append(f"разбиение плохо воспроизводится на случайных подвыборках школ (устойчивость "
                       f"{fmt_num(worst[1], 2)} в {worst[0]} г.; порог {fmt_num(p.min_stability, 2)})")
    if p.method == "kmeans" and len(chosen) and pd.notna(chosen["silhouette"].iloc[0]) \
            and float(chosen["silhouette"].iloc[0]) < p.min_silhouette:
        reasons.append(f"силуэт {fmt_num(float(chosen['silhouette'].iloc[0]), 2)} "
                       f"(ниже {fmt_num(p.min_silhouette, 2)} — группы почти не выражены)")
    return reasons


def separation_warning(reasons: list[str]) -> str | None:
    """One Russian sentence for the notes and the notebook, or None."""
    if not reasons:
        return None
    return ("Кластеры разделены слабо: " + "; ".join(reasons) + ". Границы между кластерами "
            "условны: школа у границы могла попасть в соседний кластер, поэтому сравнение «среди "
            "похожих школ» — ориентир, а не точная мера.")
