"""Who entered the ШНОР list and who met its exit criteria since the previous year (the table
`list_changes` and the sheet «Изменения» of lists.xlsx). A listed school leaves the list only by
meeting the exit criteria (`identify.listing`) or by an expert decision (`identify.decisions`,
said so); one that has no data this year is not «out»: its decision waits."""
from __future__ import annotations

import pandas as pd

from workbench.core.vocabulary import CATEGORIES, LISTED_CATEGORIES

COLUMNS = ["school_id", "year", "change", "category_before", "category_now"]
ENTERED = "вошла в список"
EXITED = "выполнены критерии выхода"
ON_HOLD = "нет данных: решение о выходе отложено"
BY_DECISION = {"include": "включена решением экспертной группы",
               "exclude": "исключена решением экспертной группы"}


def _left_label(exit_met: bool | None, category_now: object) -> str:
    """EXITED when the criteria are met (or, for a table without exit_met, the school has a
    judgement this year), ON_HOLD otherwise."""
    if exit_met is not None:
        return EXITED if exit_met else ON_HOLD
    return ON_HOLD if not isinstance(category_now, str) or category_now == "insufficient_data" \
        else EXITED


def list_changes(identification: pd.DataFrame,
                 listed: list[str] | None = None) -> pd.DataFrame:
    """Who entered the ШНОР list (LISTED_CATEGORIES) and who met its exit criteria compared with
    the previous year present in the data: school_id, year, change, category_before,
    category_now."""
    listed = listed or LISTED_CATEGORIES
    cols = ["school_id", "year", "category"] + [c for c in ("exit_met", "decision")
                                                if c in identification]
    df = identification[cols].copy()
    years = sorted(df["year"].unique().tolist())
    rows = []
    for prev, cur in zip(years[:-1], years[1:]):
        a = df[df["year"] == prev].set_index("school_id")["category"]
        now = df[df["year"] == cur].set_index("school_id")
        b = now["category"]
        ids = a.index.union(b.index)
        a, b = a.reindex(ids), b.reindex(ids)
        met = now["exit_met"].reindex(ids).fillna(False).astype(bool) if "exit_met" in now \
            else None
        was, is_now = a.isin(listed), b.isin(listed)
        dec = now["decision"].reindex(ids) if "decision" in now else pd.Series(None, index=ids)
        for sid in ids[is_now & ~was]:
            label = BY_DECISION["include"] if dec.get(sid) == "include" else ENTERED
            rows.append((sid, cur, label, a.get(sid), b.get(sid)))
        for sid in ids[was & ~is_now]:
            label = BY_DECISION["exclude"] if dec.get(sid) == "exclude" else \
                _left_label(None if met is None else bool(met[sid]), b.get(sid))
            rows.append((sid, cur, label, a.get(sid), b.get(sid)))
    out = pd.DataFrame(rows, columns=COLUMNS)
    for c in ("category_before", "category_now"):
        out[c] = out[c].map(lambda v: CATEGORIES.get(v, "нет данных") if isinstance(v, str) else
                            "нет данных")
    return out.sort_values(["year", "change", "school_id"], kind="mergesort").reset_index(drop=True)
