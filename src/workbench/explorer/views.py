"""Pure view functions over a classification: filters (year, municipality, cluster, category,
search by name or code, a selection on a chart), counts per category, the list with the columns
of lists.xlsx (`identify.lists.list_table`: one small-cell rule, numbers as numbers), its sorted
on-screen rows, the «вошли / вышли» comparison with the run's thresholds, and the line that says
which filters and thresholds are on screen. No widgets: tested without a browser."""
from __future__ import annotations

from typing import Any, Iterable, Sized

import numpy as np
import pandas as pd

from workbench.core.formatting import fmt_num, fmt_pct
from workbench.core.privacy import MIN_CELL, suppressed_short
from workbench.core.vocabulary import CATEGORIES, CATEGORY_ORDER, LISTED_CATEGORIES
from workbench.explorer.escape import esc
from workbench.identify.lists import N_PUPILS
from workbench.identify.lists import list_table as lists_table

ALL = "__all__"
LISTED = "__listed__"
NAMES_SHOWN = 8  # schools named in the «вошли / вышли» line
# the on-screen list: key, header, CSS class of its cells
SCREEN_COLUMNS = [("code", "Код ОО", ""), ("name", "Наименование ОО", "wrap"),
                  ("municipality", "Муниципалитет", "wrap"), ("category", "Категория", "wrap"),
                  ("index", "Устойчивый уровень (95% ДИ)", "num"), ("share_low", "Доля «2»", "num"),
                  ("social", "Соц. индекс", "num"), ("reasons", "Основания", "wide")]
SORT_BY = {"code": "Код ОО", "name": "Наименование ОО", "municipality": "Муниципалитет",
           "category": "Категория", "index": "Устойчивый уровень", "share_low": "Доля «2»",
           "social": "Социальный индекс", "reasons": "Основания"}
DEFAULT_SORT = "index"  # worst result index first
# the columns of the view (one year, the filters) the views and the charts read
VIEW_COLUMNS = ["school_id", "year", "school_name", "municipality", "category", "category_ru",
                "social_index", "result_index", "latitude", "longitude", "n_pupils",
                "quality_index", "share_low", "reasons"]
# the classification's column each screen column sorts on (sort_rows)
SORT_COLUMN = {"code": "school_id", "name": "school_name", "municipality": "municipality",
               "category": "category", "index": "quality_index", "share_low": "share_low",
               "social": "social_index", "reasons": "reasons"}
NUMERIC_SORT = ("quality_index", "share_low", "social_index")
SUPPRESSED_SORT = ("quality_index", "share_low")  # blank in the list under min_cell pupils
# how the headline counts the other categories (a category added later: its own label)
COUNT_LABELS = {"adverse_context": "ШФНСУ", "resilient": "резильентных",
                "high_performing": "с высокими результатами",
                "insufficient_data": "недостаточно данных"}


def filter_view(ident: pd.DataFrame, year: int | None, municipality: str = ALL,
                cluster: Any = ALL, clusters: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows of one year, optionally one municipality and one context cluster."""
    df = ident if year is None else ident[ident["year"] == year]
    if municipality != ALL:
        df = df[df["municipality"] == municipality]
    if cluster != ALL and clusters is not None and not clusters.empty:
        c = clusters[(clusters["year"] == year) & (clusters["cluster"] == cluster)]
        df = df[df["school_id"].isin(set(c["school_id"]))]
    return df


def filter_category(df: pd.DataFrame, category: str = LISTED) -> pd.DataFrame:
    """LISTED = the ШНОР list (both low-results categories), ALL, or one category code."""
    if category == ALL:
        return df
    if category == LISTED:
        return df[df["category"].isin(LISTED_CATEGORIES)]
    return df[df["category"] == category]


def _norm(text: Any) -> pd.Series | str:
    if isinstance(text, pd.Series):
        return text.astype(str).str.lower().str.replace("ё", "е", regex=False)
    return str(text).lower().replace("ё", "е")


def search_rows(df: pd.DataFrame, query: str) -> pd.DataFrame:
    """Rows whose name or code contains every word of `query` (case and ё/е ignored)."""
    words = [w for w in _norm(query).split() if w]  # type: ignore[union-attr]
    if not words:
        return df
    hay = _norm(df["school_name"]) + " " + _norm(df["school_id"])
    keep = np.ones(len(df), dtype=bool)
    for w in words:
        keep &= hay.str.contains(w, regex=False).to_numpy()
    return df[keep]


def filter_selection(df: pd.DataFrame, selected: Iterable[str] | None) -> pd.DataFrame:
    """Rows of the schools selected on a chart (None: no selection)."""
    if selected is None:
        return df
    return df[df["school_id"].astype(str).isin(set(selected))]


def category_counts(df: pd.DataFrame) -> dict[str, int]:
    """Number of schools per category code (every code present, zeros included)."""
    vc = df["category"].value_counts()
    return {c: int(vc.get(c, 0)) for c in CATEGORIES}


def count_html(view: pd.DataFrame, listed: Sized) -> str:
    """The headline: the ШНОР list of the filtered view, the other categories, the table's rows."""
    counts = category_counts(view)
    n_list = sum(counts[c] for c in LISTED_CATEGORIES)
    order = [c for c in CATEGORY_ORDER if c in counts] + [c for c in counts
                                                          if c not in CATEGORY_ORDER]
    others = "; ".join(f"{esc(COUNT_LABELS.get(c, CATEGORIES[c]))}: {counts[c]}" for c in order
                       if c not in LISTED_CATEGORIES and c != "typical")
    return (f"<div class='wb-count'>Список ШНОР: <b>{n_list}</b> из {len(view)} школ "
            f"(ШНОР в НСУ: {counts['low_results_adverse']}, ШНОР: {counts['low_results']}); "
            f"{others}. В таблице: <b>{len(listed)}</b>.</div>")


def changes_html(base: pd.DataFrame, view: pd.DataFrame) -> str:
    """Which schools entered and left the ШНОР list compared with the run's thresholds
    (`base`: the same filter over the classification at the run's thresholds)."""
    b = set(base.loc[base["category"].isin(LISTED_CATEGORIES), "school_id"])
    c = set(view.loc[view["category"].isin(LISTED_CATEGORIES), "school_id"])
    if b == c:
        return "<p class='wb-note'>Список совпадает со списком при порогах расчёта.</p>"
    added, removed = sorted(c - b), sorted(b - c)
    some = set(added[:NAMES_SHOWN]) | set(removed[:NAMES_SHOWN])  # only the names shown
    named = view[view["school_id"].isin(some)]
    names = dict(zip(named["school_id"], named["school_name"]))

    def _names(ids: list[str]) -> str:
        shown = ", ".join(esc(names.get(i, i)) for i in ids[:NAMES_SHOWN])
        return shown + (f" и ещё {len(ids) - NAMES_SHOWN}" if len(ids) > NAMES_SHOWN else "")

    out = "<p class='wb-changes'>По сравнению с порогами расчёта: "
    out += f"вошли {len(added)}" + (f" ({_names(added)})" if added else "")
    out += f"; вышли {len(removed)}" + (f" ({_names(removed)})" if removed else "") + ".</p>"
    return out


def list_table(df: pd.DataFrame, schools: pd.DataFrame, year: int,
               min_cell: int = MIN_CELL) -> pd.DataFrame:
    """The rows of `df` of one year with the columns of lists.xlsx (identify.lists), in the
    order of `df`; the hidden `category` column is kept."""
    own = df.drop(columns=[c for c in ("school_name", "municipality") if c in df.columns])
    own = own[own["year"] == year]
    table = lists_table(own, schools, year, min_cell)
    if table.empty:
        return table
    pos = pd.Index(table["Код ОО"]).get_indexer(own["school_id"].astype(str))
    return table.iloc[pos[pos >= 0]].reset_index(drop=True)


def sort_rows(df: pd.DataFrame, key: str, descending: bool = False,
              min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Rows of a classification in the order of a screen column: missing and suppressed
    (fewer than `min_cell` pupils) values last, categories in their order of importance, ties
    by code — the order of the list on screen and in the what-if xlsx. Sorted on the values,
    so only the rows shown need the list's formatting."""
    if df.empty:
        return df
    col = SORT_COLUMN.get(key, SORT_COLUMN[DEFAULT_SORT])
    small = pd.to_numeric(df["n_pupils"], errors="coerce").fillna(0).lt(min_cell) \
        if "n_pupils" in df.columns else pd.Series(False, index=df.index)
    if col == "category":
        order = {c: i for i, c in enumerate(CATEGORY_ORDER) if c in CATEGORIES}
        values = df["category"].map(order)
    elif col in NUMERIC_SORT:
        values = pd.to_numeric(df[col], errors="coerce") if col in df.columns \
            else pd.Series(np.nan, index=df.index)
        values = values.mask(small) if col in SUPPRESSED_SORT else values
    else:
        values = df[col].fillna("").astype(str).str.lower()
    tmp = pd.DataFrame({"_key": values, "_code": df["school_id"].astype(str)}, index=df.index)
    out = tmp.sort_values(["_key", "_code"], ascending=[not descending, True],
                          na_position="last", kind="mergesort")
    return df.loc[out.index]


def page_bounds(n_rows: int, page: int, size: int) -> tuple[int, int, int]:
    """(page, start, stop) of a list of `n_rows` in pages of `size` (the page kept inside)."""
    last = max((n_rows - 1) // size, 0)
    page = min(max(page, 0), last)
    return page, page * size, min((page + 1) * size, n_rows)


def screen_rows(page: pd.DataFrame, total: int, start: int, max_rows: int,
                min_cell: int = MIN_CELL) -> tuple[list[dict[str, Any]], str]:
    """The rows of one page of the list (`page`: its rows start … of `total`, with the
    columns of lists.xlsx) as the table widget shows them (formatted texts), and the note
    under it when the list is longer than a page (which rows, of how many)."""
    small_mark = suppressed_short(min_cell)
    rows = []
    for r in page.head(max_rows).to_dict("records"):
        small = r[N_PUPILS] == small_mark
        index = ("" if pd.isna(r["Устойчивый уровень"])
                 else f"{fmt_num(r['Устойчивый уровень'])} ({r['95% ДИ уровня']})")
        rows.append({"id": str(r["Код ОО"]), "cells": [
            str(r["Код ОО"]), str(r["Наименование ОО"]), str(r["Муниципалитет"]),
            str(r["Категория"]), f"{small_mark} уч." if small else (index or "—"),
            f"{small_mark} уч." if small else fmt_pct(r["Доля «2»"]),
            fmt_num(r["Социальный индекс"]), str(r["Основания"])]})
    note = ""
    if total > max_rows:
        page_no, pages = start // max_rows + 1, (total - 1) // max_rows + 1
        note = (f"Строки {start + 1}–{min(start + max_rows, total)} из {total} (страница "
                f"{page_no} из {pages}); весь список — в файле xlsx.")
    return rows, note


def screen_columns() -> list[dict[str, str]]:
    return [{"key": k, "label": label, "kind": kind} for k, label, kind in SCREEN_COLUMNS]
