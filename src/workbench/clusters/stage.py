"""The clusters stage: clusters, partners, curators. Writes `clusters`, `cluster_profiles`,
`partners`, `curator_assignments`, `curator_workload` and lists.xlsx again with the sheets «Пары
школ», «Кураторы» and «Нагрузка кураторов»; returns what notebook 03 shows."""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.clusters.chain import cluster_schools
from workbench.clusters.display import feature_labels, k_choice_note, selection_table, summary_table
from workbench.clusters.figures import (fig_k_choice, fig_pairs_by_municipality, fig_pairs_map, fig_pca_map,
                                        fig_profiles_heatmap, fig_results_by_cluster)
from workbench.clusters.curators import ASSIGNMENT_COLUMNS, WORKLOAD_COLUMNS, assign_curators
from workbench.clusters.pairs import curator_sheets, pairs_by_municipality, partners_sheet
from workbench.clusters.partners import PARTNERS_COLUMNS, find_partners
from workbench.context import RunContext
from workbench.identify.lists import write_lists

CLUSTERS_COLUMNS = ["school_id", "year", "cluster", "cluster_name", "similar_schools_percentile",
                    "regional_percentile"]
_EMPTY_PROFILES = ["cluster", "cluster_name", "n_schools", "social_index", "stability", "year"]
_NO_CONTEXT = ("Кластеры и партнёры не рассчитаны: нет данных о контексте школ (inputs.context). "
               "Добавьте файл с социальными показателями школ.")


def run(ctx: RunContext) -> dict[str, Any]:
    """Clusters then partners: writes `clusters`, `cluster_profiles`, `partners`; returns what the
    notebook shows."""
    params = ctx.params
    context = ctx.table("context")
    schools = ctx.table("schools")
    ident = ctx.table("identification") if ctx.has_table("identification") else None
    if len(context) == 0:
        return _without_context(ctx, ident, schools)
    labels = params.indicator_labels()
    result = cluster_schools(context, params.clusters, params.indicator_directions(), ident, schools,
                             labels)
    for n in result.notes:
        ctx.note(n)
    ctx.write_table("clusters", result.clusters[CLUSTERS_COLUMNS], key=["school_id", "year"])
    ctx.write_table("cluster_profiles", result.profiles, key=["year", "cluster"])

    unmatched = None
    if ident is not None:
        pres = find_partners(ident, result, schools, params.partners, ctx.table("agreements"),
                             ctx.table("programme"))
        for n in pres.notes:
            ctx.note(n)
        pairs, unmatched = pres.partners, pres.unmatched
    else:
        pairs = pd.DataFrame(columns=PARTNERS_COLUMNS)
        ctx.note("Партнёры: нет результатов идентификации, пары не подобраны.")
    ctx.write_table("partners", pairs, key=["school_id", "year", "rank"])
    _curators(ctx, ident, schools)
    _write_lists_with_pairs(ctx, ident, schools, ctx.table("partners"), unmatched)

    latest = int(result.clusters["year"].max())
    return {
        "k": result.k,
        "k_note": k_choice_note(result.selection, result.k, params.clusters.k, params.clusters.method,
                                result.separation_warning),
        "features": feature_labels(result.features, labels),
        "selection": selection_table(result.selection),
        "summary": summary_table(result.profiles, latest),
        "profiles": result.profiles,
        "separation_warning": result.separation_warning,
        "fig_k": fig_k_choice(result.selection),
        "fig_heatmap": fig_profiles_heatmap(result, labels=labels),
        "fig_pca": fig_pca_map(result, ident),
        "fig_results": fig_results_by_cluster(result.clusters, ident),
        "fig_pairs": fig_pairs_by_municipality(pairs, schools),
        "fig_pairs_map": fig_pairs_map(pairs, schools),
        "pairs_table": partners_sheet(pairs, schools, unmatched),
        "pairs_by_municipality": pairs_by_municipality(pairs, schools),
        "notes": result.notes,
        "seconds": round(result.seconds, 2),
    }


def _without_context(ctx: RunContext, ident: pd.DataFrame | None, schools: pd.DataFrame) -> dict[str, Any]:
    """No context table: empty tables with their columns, a note, lists.xlsx with an empty pairs sheet."""
    ctx.note(_NO_CONTEXT)
    ctx.write_table("clusters", pd.DataFrame(columns=CLUSTERS_COLUMNS))
    ctx.write_table("cluster_profiles", pd.DataFrame(columns=_EMPTY_PROFILES))
    ctx.write_table("partners", pd.DataFrame(columns=PARTNERS_COLUMNS))
    _curators(ctx, ident, schools)
    _write_lists_with_pairs(ctx, ident, schools, ctx.table("partners"))
    empty = pd.DataFrame()
    return {"k": 0, "k_note": "", "features": [], "selection": empty, "summary": empty,
            "profiles": empty,
            "fig_k": None, "fig_heatmap": None, "fig_pca": None, "fig_results": None,
            "fig_pairs": None, "fig_pairs_map": None, "pairs_table": empty,
            "pairs_by_municipality": empty, "notes": [_NO_CONTEXT], "seconds": 0.0}


def _curators(ctx: RunContext, ident: pd.DataFrame | None, schools: pd.DataFrame) -> None:
    """`curator_assignments` and `curator_workload` of the latest identification year (no
    clusters needed: curators do not depend on the context)."""
    if ident is None or len(ident) == 0:
        ctx.write_table("curator_assignments", pd.DataFrame(columns=ASSIGNMENT_COLUMNS))
        ctx.write_table("curator_workload", pd.DataFrame(columns=WORKLOAD_COLUMNS))
        return
    year = ctx.params.partners.year or int(pd.to_numeric(ident["year"]).max())
    res = assign_curators(ident, schools, ctx.table("curators"), ctx.table("programme"), year,
                          ctx.params.curators)
    for n in res.notes:
        ctx.note(n)
    ctx.write_table("curator_assignments", res.assignments, key=["school_id", "year"])
    ctx.write_table("curator_workload", res.workload, key=["curator_id", "curator_name"])


def _write_lists_with_pairs(ctx: RunContext, ident: pd.DataFrame | None, schools: pd.DataFrame,
                            pairs: pd.DataFrame, unmatched: pd.DataFrame | None = None) -> None:
    """lists.xlsx with the sheets «Пары школ», «Кураторы» and «Нагрузка кураторов» (in a
    `workbench run` the only writing of the file; the identify stage writes it without them
    only when it runs without this stage, or on its own context)."""
    if ident is None:
        return
    sheets = {"Пары школ": partners_sheet(pairs, schools, unmatched)}
    sheets.update(curator_sheets(ctx.table("curator_assignments"), ctx.table("curator_workload"),
                                 schools))
    write_lists(ctx.path("lists.xlsx"), ident, schools, min_cell=ctx.params.briefings.min_cell,
                extra_sheets=sheets,
                order=ctx.params.order,  # the annex keeps its heading
                decisions=ctx.table("decisions") if ctx.has_table("decisions") else None)
