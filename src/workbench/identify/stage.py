"""The identify stage: the chain over the run's canonical tables, then the expert decisions
(optional table `decisions`, applied after the statistics); writes `identification`,
`identification_details`, `list_changes`, lists.xlsx with its annex sheet and lists_annex.docx;
returns the figures and tables the notebook shows. In a `workbench run` that also runs the
clusters stage, lists.xlsx is written once, by the clusters stage (with the sheets of partner
pairs and curators): the runner says so in the run's meta `lists`."""
from __future__ import annotations

from typing import Any

from workbench.config.identify import IdentifyParams
from workbench.context import RunContext
from workbench.core.formatting import year_label
from workbench.core.vocabulary import LISTED_CATEGORIES
from workbench.identify.annex import annex_table, write_annex_docx
from workbench.identify.chain import identify
from workbench.identify.decisions import apply_decisions
from workbench.identify.changes import list_changes
from workbench.identify.display import category_counts, counts_by_municipality, latest_year
from workbench.identify.figures import counts_figure, funnel_figure, social_figure
from workbench.identify.lists import write_lists

DETAILS = ["school_id", "year", "procedure", "subject", "grade", "n", "share_low",
           "share_low_region", "mean_mark", "mean_mark_region", "mean_score",
           "mean_score_region", "z", "z_se"]


def writes_lists(ctx: RunContext) -> bool:
    """Whether this stage writes lists.xlsx: unless the runner named another stage the writer
    (a notebook or a test on its own context always gets the file)."""
    return (ctx.read_meta("lists", {}) or {}).get("writer", "identify") == "identify"


def run(ctx: RunContext) -> dict[str, Any]:
    """Identification stage: writes identification, identification_details, list_changes and
    lists.xlsx; returns figures and tables for the notebook (the ШНОР list, the watch list, the
    objectivity flags and the changes of the current year)."""
    params: IdentifyParams = ctx.params.identification
    schools = ctx.table("schools")
    schools["school_id"] = schools["school_id"].astype(str)
    min_cell = ctx.params.briefings.min_cell
    ident, cells, notes = identify(ctx.table("results"), ctx.table("context"), schools, params,
                                   ctx.params.indicator_directions(), min_cell=min_cell,
                                   labels=ctx.params.indicator_labels())
    decisions = ctx.table("decisions") if ctx.has_table("decisions") else None
    ident, decision_notes = apply_decisions(ident, decisions)
    notes += decision_notes
    year = latest_year(ident)
    cur = ident[ident["year"] == year]
    n_obj = int(cur["objectivity_flag"].sum())
    if n_obj:
        notes.append(f"Признаки необъективности результатов ВПР в {year_label(year)} учебном году: "
                     f"{n_obj} школ — "
                     "для проверки (из расчёта не исключены; лист «Проверка объективности» в "
                     "lists.xlsx).")
    for n in notes:
        ctx.note(n)
    changes = list_changes(ident)
    ctx.write_table("identification", ident)
    ctx.write_table("identification_details", cells[DETAILS],  # one row per results row: Parquet only
                    key=["school_id", "year", "procedure", "subject", "grade"], csv=False)
    ctx.write_table("list_changes", changes, key=["year", "school_id"])
    if writes_lists(ctx):
        write_lists(ctx.path("lists.xlsx"), ident, schools, changes=changes, min_cell=min_cell,
                    order=ctx.params.order, decisions=decisions)
    write_annex_docx(ctx.path("lists_annex.docx"),
                     annex_table(ident, schools, year, decisions, min_cell), ctx.params.order,
                     year)
    return {
        "year": year,
        "identification": ident,
        "notes": notes,
        "funnel": funnel_figure(ident, year, params),
        "social": social_figure(ident, year),
        "counts": category_counts(ident),
        "by_municipality": counts_by_municipality(ident, schools, year),
        "counts_figure": counts_figure(ident, schools, year),
        "listed": cur[cur["category"].isin(LISTED_CATEGORIES)],
        "watch": cur[cur["category"] == "watch"],
        "objectivity": cur[cur["objectivity_flag"]],
        "changes": changes[changes["year"] == year],
        "decisions": cur[cur["decision"].notna()],
    }
