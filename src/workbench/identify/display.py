"""Russian tables of the identification for the notebook: counts by category and year, by
municipality, the lists of the year and the changes of the list, small cells suppressed."""
from __future__ import annotations

import pandas as pd

from workbench.core.formatting import fmt_num, fmt_pct
from workbench.core.privacy import MIN_CELL
from workbench.core.vocabulary import CATEGORIES
from workbench.identify.lists import list_table


def latest_year(df: pd.DataFrame) -> int:
    """The current year of the lists: the latest year in the data."""
    return int(df["year"].max())


def counts_by_municipality(df: pd.DataFrame, schools: pd.DataFrame,
                           year: int | None = None) -> pd.DataFrame:
    """Municipality × category counts (Russian labels) for one year, with totals."""
    year = year or latest_year(df)
    d = df[df["year"] == year].merge(
        schools[["school_id", "municipality"]].astype({"school_id": str}), on="school_id",
        how="left")
    d["municipality"] = d["municipality"].fillna("не указан")
    t = pd.crosstab(d["municipality"], d["category"]).reindex(columns=list(CATEGORIES), fill_value=0)
    t.columns = [CATEGORIES[c] for c in t.columns]
    t["Всего"] = t.sum(axis=1)
    t.loc["Итого"] = t.sum(axis=0)
    t.index.name = "Муниципалитет"
    return t.reset_index()


def category_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Year × category counts with Russian labels."""
    t = pd.crosstab(df["category"], df["year"]).reindex(list(CATEGORIES), fill_value=0)
    t.index = [CATEGORIES[c] for c in t.index]
    t.index.name = "Категория"
    t.columns = [f"{int(y)} г." for y in t.columns]
    return t.reset_index()


def listed_for_display(rows: pd.DataFrame, schools: pd.DataFrame,
                       min_cell: int = MIN_CELL) -> pd.DataFrame:
    """Identification rows as the lists show them (Russian headers, small cells suppressed)."""
    if len(rows) == 0:
        return pd.DataFrame()
    t = list_table(rows, schools, min_cell=min_cell).drop(columns="category")
    for col in ("Устойчивый уровень", "Индекс результатов года", "Социальный индекс"):
        t[col] = [fmt_num(v, 2) if pd.notna(v) else "" for v in t[col]]
    t["Вероятность нижней группы"] = [fmt_pct(v) if pd.notna(v) else ""
                                      for v in t["Вероятность нижней группы"]]
    t["Процентиль"] = [fmt_num(v, 0) if pd.notna(v) else "" for v in t["Процентиль"]]
    t["Доля «2»"] = [fmt_pct(v) if pd.notna(v) else "" for v in t["Доля «2»"]]
    return t


def changes_for_display(changes: pd.DataFrame, schools: pd.DataFrame) -> pd.DataFrame:
    """list_changes with school names and Russian headers."""
    sc = schools[[c for c in ("school_id", "school_name", "municipality") if c in schools.columns]]
    d = changes.merge(sc.astype({"school_id": str}), on="school_id", how="left")
    return pd.DataFrame({
        "Код ОО": d["school_id"], "Наименование ОО": d.get("school_name"),
        "Муниципалитет": d.get("municipality"), "Год": d["year"], "Изменение": d["change"],
        "Категория в прошлом году": d["category_before"], "Категория сейчас": d["category_now"]})
