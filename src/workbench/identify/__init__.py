"""Identification of ШНОР (low results) and ШФНСУ (adverse social conditions), design §4.

The steps, one module each, in order: `cells` (1: cell scores; classes under min_class_n out of
the index), `result_index` (2: the year's index, its interval, pupils who wrote the works),
`social_index` (3), `objectivity` (5: a flag for review, never an exclusion; needed before 4),
`components` (4a′: school × year, drift and school × subject variance estimated from the data),
`pooled` (4a: the index over a window of years), `value_added` (4b: the context-expected result),
`quality` (4c: the persistent level shrunk toward it), `classify` (6: `ranks` — percentile, rank
interval, probability of the bottom group; `listing` — entry with evidence, exit by criteria;
categories including the watch list) with `reasons` and `reason_parts` (the Russian reasons);
`chain.identify` runs them all. Then `changes` (who entered the list, who met its exit criteria),
`lists` (the one writer of lists.xlsx), `display` and `figures` (what notebook 02 shows) and
`stage` (`run(ctx)`, called by the pipeline).
"""
from workbench.config.identify import IdentifyParams
from workbench.identify.cells import cell_scores
from workbench.identify.chain import identify
from workbench.identify.changes import list_changes
from workbench.identify.classify import classify
from workbench.identify.components import school_subject_variance, school_year_variance
from workbench.identify.display import (category_counts, changes_for_display,
                                        counts_by_municipality, latest_year, listed_for_display)
from workbench.identify.figures import counts_figure, funnel_figure, social_figure
from workbench.identify.listing import entry_evidence, listing
from workbench.identify.lists import list_table, write_lists
from workbench.identify.objectivity import objectivity
from workbench.identify.pooled import pool_window, pooled_estimates
from workbench.identify.quality import quality
from workbench.identify.ranks import year_ranks
from workbench.identify.reasons import build_reasons, worst_cells
from workbench.identify.result_index import (aggregate_index, pupil_counts, result_index,
                                             shrink_index)
from workbench.identify.social_index import social_directions, social_index
from workbench.identify.stage import run
from workbench.identify.value_added import value_added

__all__ = ["IdentifyParams", "aggregate_index", "build_reasons", "category_counts", "cell_scores",
           "changes_for_display", "classify", "counts_by_municipality", "counts_figure",
           "entry_evidence", "funnel_figure", "identify", "latest_year", "list_changes",
           "list_table", "listed_for_display", "listing", "objectivity", "pool_window",
           "pooled_estimates", "pupil_counts", "quality", "result_index", "run",
           "school_subject_variance", "school_year_variance", "shrink_index",
           "social_directions", "social_figure", "social_index", "value_added", "worst_cells",
           "write_lists", "year_ranks"]
