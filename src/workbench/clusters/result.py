"""What the clustering produced: the one result object read by the stage, the figures and the
partner search (it lives here, below both, so that clustering and partners import no circle)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class ClusterResult:
    """Everything the clustering produced (tables for ctx, objects for the notebook)."""

    clusters: pd.DataFrame            # school_id, year, cluster, cluster_name, percentiles
    profiles: pd.DataFrame            # cluster_profiles contract table
    selection: pd.DataFrame           # k, bic, icl, certainty, silhouette, inertia_per_school, chosen
    centroids_z: pd.DataFrame         # year, cluster, <features> (standardised space)
    features: list[str]
    X_z: pd.DataFrame                 # school_id, year, <features> standardised (after imputation)
    k: int
    imputed: dict[str, int] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    separation_warning: str | None = None  # Russian, when the clusters are weakly separated
