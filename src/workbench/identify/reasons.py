"""The Russian reasons of a category: why a school is on a list, or why not, in numbers.

`worst_cells` names the worst subjects of a listed or watched school (share of «2» against the
region, with «N года подряд» when the same cell was below the region several years; classes under
`min_cell` pupils are not named one by one — then the procedure as a whole); `build_reasons`
joins them with the statements of `reason_parts` (the persistent level with its interval, the
rank with its interval, the probability of the bottom group, why a school of the bottom group is
not listed, why a single bad year does not list a school, the social index, the value added and
the objectivity sign). A listed school's reasons start with its worst subject-grade cells.
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from workbench.config.identify import IdentifyParams
from workbench.core.formatting import fmt_num, fmt_pct, lower_first, pctl, years_ru
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import LISTED_CATEGORIES
from workbench.identify import reason_parts as parts_

OBJECTIVITY_DEFAULT = "признаки необъективности результатов ВПР, требуется проверка"


def _cell_phrase(r: Any) -> str:
    subj = lower_first(r.subject)
    where = f"{subj} {int(r.grade)} кл."
    if pd.notna(r.share_low):
        what = "доля «2»" if r.mark_based else "доля не набравших минимальный балл"
        return f"{what} по {r.procedure}, {where}: {fmt_pct(r.share_low)} (регион {fmt_pct(r.share_low_region)})"
    if pd.notna(r.mean_mark):
        return (f"средняя отметка по {r.procedure}, {where}: {fmt_num(r.mean_mark, 2)} "
                f"(регион {fmt_num(r.mean_mark_region, 2)})")
    return (f"средний балл {r.procedure}, {where}: {fmt_num(r.mean_score, 1)} "
            f"(регион {fmt_num(r.mean_score_region, 1)})")


def _run_lengths(c: pd.DataFrame) -> pd.DataFrame:
    """run_len: consecutive years below the region (z < 0) in the same procedure/subject/grade."""
    c = c.sort_values(["school_id", "procedure", "subject", "grade", "year"])
    below = (c["z"] < 0).astype(int)
    grp = [c["school_id"], c["procedure"], c["subject"], c["grade"]]
    gap = c.groupby(grp)["year"].diff().ne(1)
    block = (gap | below.eq(0)).cumsum()
    c["run_len"] = below.groupby(block).cumsum() * below
    return c


def _procedure_shares(c: pd.DataFrame, min_cell: int) -> pd.DataFrame:
    """The fallback for schools whose every class is under min_cell: the share of «2» of each
    procedure as a whole where above the region's, worst gap first."""
    agg = c[c["share_low"].notna()].assign(_low=lambda x: x["share_low"] * x["n"])
    agg = agg.groupby(["school_id", "year", "procedure"], sort=False).agg(
        _low=("_low", "sum"), n=("n", "sum"), mark_based=("mark_based", "all"))
    agg["share_low"] = agg["_low"] / agg["n"]
    reg = c[c["share_low"].notna()].assign(_low=lambda x: x["share_low_region"] * x["n"])
    reg = reg.groupby(["school_id", "year", "procedure"], sort=False)["_low"].sum() / agg["n"]
    agg["share_low_region"] = reg
    agg = agg[(agg["n"] >= min_cell) & (agg["share_low"] > agg["share_low_region"])].reset_index()
    agg["gap"] = agg["share_low"] - agg["share_low_region"]
    return agg.sort_values(["school_id", "year", "gap"], ascending=[True, True, False])


def worst_cells(cells: pd.DataFrame, params: IdentifyParams,
                keys: pd.DataFrame | None = None,
                min_cell: int = MIN_CELL) -> dict[tuple[str, int], list[str]]:
    """(school_id, year) → phrases of its worst subjects (z < 0, at least min_cell pupils), with
    «N года подряд» when the same procedure/subject/grade was below the region several years."""
    if cells is None or len(cells) == 0 or params.reasons_max_subjects == 0:
        return {}
    c = cells[cells["z"].notna()]
    if keys is not None:  # only the schools that need reasons (runs are per school, so exact)
        c = c[c["school_id"].isin(pd.unique(keys["school_id"]))]
    c = _run_lengths(c.copy())
    if keys is not None:
        c = c.merge(keys[["school_id", "year"]], on=["school_id", "year"])
    agg = _procedure_shares(c, min_cell)
    c = c[(c["z"] < 0) & (c["n"] >= min_cell)]
    c = c.sort_values(["school_id", "year", "z"])
    c = c.groupby(["school_id", "year"], sort=False).head(params.reasons_max_subjects)
    out: dict[tuple[str, int], list[str]] = {}
    for r in c.itertuples(index=False):
        phrase = _cell_phrase(r)
        if r.run_len >= 2:
            phrase += f", {years_ru(r.run_len)} подряд"
        out.setdefault((r.school_id, int(r.year)), []).append(phrase)
    for r in agg.itertuples(index=False):
        key = (r.school_id, int(r.year))
        if key in out:
            continue
        what = "доля «2»" if r.mark_based else "доля не набравших минимальный балл"
        out[key] = [f"{what} по {r.procedure}, все предметы и классы: {fmt_pct(r.share_low)} "
                    f"(регион {fmt_pct(r.share_low_region)})"]
    return out


def _listed(r: dict, params: IdentifyParams, detail: list[str]) -> list[str]:
    """A ШНОР row: worst subjects first, the persistent level, the rank, how long listed."""
    parts = [*detail, parts_.level_vs_region(r)]
    parts.append(parts_.in_bottom(r, params) if r["in_bottom"] else
                 parts_.listed_not_in_bottom(r, params))
    parts += [p for p in (parts_.since(r), parts_.short_history(r, params)) if p]
    return parts


def _resilient(r: dict, params: IdentifyParams) -> list[str]:
    """A resilient row: adverse conditions, and above expected or in the top of the region."""
    parts = [parts_.adverse(r, params)]
    if pd.notna(r.get("va_ci_low")) and r["va_ci_low"] > 0:
        parts.append(parts_.above_expected(r))
    else:
        top = fmt_num(100 - params.resilient_percentile, 0)
        parts.append(f"результаты в верхних {top}% региона: {pctl(r['result_percentile'])}, "
                     f"{parts_.level(r)}")
        va = parts_.value_added(r)
        parts += [va] if va else []
    return parts


def _main_parts(r: dict, params: IdentifyParams, detail: list[str], min_cell: int) -> list[str]:
    """The statements of the category itself."""
    cat = r["category"]
    if cat in LISTED_CATEGORIES:
        return _listed(r, params, detail)
    if cat == "watch":
        return [parts_.watch(r, params), parts_.level(r), *detail]
    if cat == "resilient":
        return _resilient(r, params)
    if cat == "high_performing":
        return [parts_.level_vs_region(r) + f", {pctl(r['result_percentile'])} по региону "
                f"(верхние {fmt_num(params.top_share * 100, 0)}%)"]
    if cat == "insufficient_data":
        out = [parts_.insufficient(r, params, min_cell)]
        return out + ([parts_.on_hold(r)] if r.get("list_on_hold") else [])
    return []


def _single_year_low(r: dict, params: IdentifyParams) -> bool:
    """The year alone is in the bottom group, the school is neither listed nor watched."""
    return (r["category"] not in (*LISTED_CATEGORIES, "watch", "insufficient_data")
            and pd.notna(r.get("year_percentile"))
            and r["year_percentile"] <= params.bottom_share * 100)


def _row_reasons(r: dict, params: IdentifyParams, detail: list[str], has_obj: bool,
                 min_cell: int) -> str:
    """The reasons of one row, "; "-joined, in the order the lists show them."""
    cat = r["category"]
    parts = _main_parts(r, params, detail, min_cell)
    if r["adverse_context"] and cat != "resilient" and pd.notna(r.get("social_index")):
        parts.append(parts_.adverse(r, params))
    if r.get("insufficient_data") and cat != "insufficient_data":  # e.g. ШФНСУ without results
        parts.append(parts_.insufficient(r, params, min_cell))
    if _single_year_low(r, params):
        parts.append(parts_.single_year(r, params, min_cell))
    if cat in (*LISTED_CATEGORIES, "watch"):
        va = parts_.value_added(r)
        parts += [va] if va else []
    if r["objectivity_flag"]:
        own = r["objectivity_reason"] if has_obj else None
        parts.append(own if isinstance(own, str) and own else OBJECTIVITY_DEFAULT)
    return "; ".join(parts)


NEED = ["school_id", "year", "category", "result_index", "result_ci_low", "result_ci_high",
        "year_percentile", "quality_index", "quality_ci_low", "quality_ci_high", "n_years",
        "window_from", "result_percentile", "rank_ci_low", "rank_ci_high", "prob_bottom",
        "in_bottom", "years_low", "evidence_years", "years_out", "listed_since", "list_on_hold",
        "benchmark", "shrink_weight", "n_pupils", "n_pooled", "insufficient_data", "social_index",
        "social_percentile", "value_added", "va_ci_low", "va_ci_high", "adverse_context",
        "objectivity_flag"]


def build_reasons(df: pd.DataFrame, params: IdentifyParams,
                  cells: pd.DataFrame | None = None, min_cell: int = MIN_CELL) -> pd.Series:
    """Russian reasons ("; "-joined) for every row that is not typical, is flagged for
    objectivity, or whose year alone is in the bottom group."""
    single = (df["year_percentile"] <= params.bottom_share * 100).fillna(False) \
        if "year_percentile" in df.columns else False
    todo = (df["category"] != "typical") | df["objectivity_flag"] | single
    named = todo & df["category"].isin([*LISTED_CATEGORIES, "watch"])
    detail = worst_cells(cells, params, df.loc[named, ["school_id", "year"]], min_cell) \
        if cells is not None else {}
    out = pd.Series("", index=df.index, dtype=object)
    has_obj = "objectivity_reason" in df.columns
    need = NEED + (["objectivity_reason"] if has_obj else [])
    sub = df.loc[todo, [c for c in need if c in df.columns]]
    out.loc[sub.index] = [_row_reasons(r, params, detail.get((r["school_id"], int(r["year"])), []),
                                       has_obj, min_cell) for r in sub.to_dict("records")]
    return out
