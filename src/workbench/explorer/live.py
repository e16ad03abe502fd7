"""The explorer's live classification: the categories at the sliders' thresholds for every
school and year (the run's expert decisions kept), with the Russian reasons worded only for the
rows that are shown — a page of the list, a school's card, an export — and kept until the
thresholds change (issue 19: a national run has 200,000 school × year rows, a screen shows a
few dozen).

With the default classify (`classify_adapter.classify`) the work is done by a `Reclassifier`
(same results as `identify.classify`); any other classify function (a test's stub) is called
as it is and its reasons are taken whole.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pandas as pd

from workbench.config.base import StrictModel
from workbench.explorer.classify_adapter import align, classify, with_decisions
from workbench.explorer.data import ExplorerData
from workbench.explorer.reclassify import Reclassifier
from workbench.identify.decisions import decided_reasons


class LiveClassification:
    """`current`: the classification at the last params (reasons of the worded rows);
    `update(params)` re-derives it, `word(rows)` writes the reasons of these rows."""

    def __init__(self, data: ExplorerData,
                 classify_fn: Callable[[pd.DataFrame, Any], pd.DataFrame] | None = None) -> None:
        self.data = data
        self.fast = classify_fn is None or classify_fn is classify
        self.classify_fn = classify_fn or classify
        self.re = Reclassifier(data.identification, data.cells, data.min_cell) if self.fast \
            else None
        ident = data.identification
        self.current = ident
        self.raw = ident  # the statistical classification (before the decisions), for wording
        self.params: StrictModel | None = None
        self.worded = np.ones(len(ident), dtype=bool)  # the run's own reasons are all there

    def categories_at(self, params: StrictModel) -> pd.DataFrame:
        """A classification at `params` for its categories (the run's thresholds, which the
        «вошли / вышли» line compares with); reasons are not worded."""
        ident = self.data.identification
        if self.re is None:
            return align(ident, self.classify_fn(ident, params))
        return with_decisions(ident, self.re.classify(params))

    def update(self, params: StrictModel) -> pd.DataFrame:
        """Re-derive the categories at `params`; reasons are worded again on demand."""
        ident = self.data.identification
        self.params = params
        if not self.fast:
            self.current = self.raw = align(ident, self.classify_fn(ident, params))
            self.worded = np.ones(len(ident), dtype=bool)
            return self.current
        assert self.re is not None
        raw = self.re.classify(params)  # ident's rows and columns, category_ru from category
        self.raw = raw
        self.current = with_decisions(ident, raw)
        self.worded = np.zeros(len(ident), dtype=bool)
        return self.current

    def word(self, rows: pd.Index) -> bool:
        """Write the reasons of these rows (index labels of `current`) that are not worded yet;
        True when something was written."""
        if self.re is None or self.params is None or len(rows) == 0:
            return False
        pos = self.current.index.get_indexer(rows)
        pos = pos[(pos >= 0)]
        pos = pos[~self.worded[pos]]
        if len(pos) == 0:
            return False
        todo = self.current.index[pos]
        raw = self.re.reasons(self.raw, todo, self.params)
        ident = self.data.identification
        out = raw.to_numpy(dtype=object, copy=True)
        if "decision" in ident.columns:
            decided = ident.loc[todo, "decision"].notna().to_numpy()
            if decided.any():
                out[decided] = decided_reasons(ident.loc[todo[decided], "decision_text"],
                                               raw[decided])
        current = self.current.copy(deep=False)
        reasons = current["reasons"].to_numpy(dtype=object, copy=True)
        reasons[pos] = out
        current["reasons"] = reasons
        self.current = current
        self.worded[pos] = True
        return True

    def word_school(self, school_id: str, year: int) -> None:
        """The reasons of one school up to `year` (its card)."""
        c = self.current
        self.word(c.index[(c["school_id"] == school_id) & (c["year"] <= year)])
