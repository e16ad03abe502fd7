"""Stage 3 of the method: context clusters of schools and resource-school partners.

Steps in order: `features` (1–4), `choose_k` (5), `fit` (6), `naming` (7), `stability` and
`profiles` (8), `percentiles` (9), all chained by `chain.cluster_schools`; then `partners`
(candidates and scores), `assignment` (the optimal pairing), `pairs` (sheets for people);
`figures` and `display` for notebook 03; `stage.run` wires them on a RunContext.
"""
from workbench.clusters.assignment import assign_with_pools, optimal_assignment
from workbench.clusters.chain import cluster_schools
from workbench.clusters.display import show_static
from workbench.clusters.features import prepare_features
from workbench.clusters.pairs import pairs_by_municipality, partners_sheet
from workbench.clusters.partners import (PARTNERS_COLUMNS, PartnersResult, find_partners, haversine_km,
                                         neighbour_clusters)
from workbench.clusters.percentiles import group_percentile
from workbench.clusters.result import ClusterResult
from workbench.clusters.stage import CLUSTERS_COLUMNS, run

__all__ = ["CLUSTERS_COLUMNS", "ClusterResult", "PARTNERS_COLUMNS", "PartnersResult",
           "assign_with_pools", "cluster_schools", "find_partners", "group_percentile",
           "haversine_km", "neighbour_clusters", "optimal_assignment", "pairs_by_municipality",
           "partners_sheet", "prepare_features", "run", "show_static"]
