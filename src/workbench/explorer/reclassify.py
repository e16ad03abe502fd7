"""`identify.classify` made fast for a slider move over a national run (issue 19): the same
steps and functions, with what a threshold does not change computed once per run, and the
Russian reasons worded only for the rows on screen.

What `Reclassifier.classify(params)` returns equals `identify.classify(ident, params)` (every
flag, rank and category of every row; a test compares them) except that `reasons` is "" until
`reasons(classified, rows, params)` words the rows asked for — the reasons of a row depend on
that row and its school's subject cells only, so they are the ones `identify.classify` writes.

Kept between calls, per run:
- the frame completed for classify (`identify.classify._complete`: the columns a frame of an
  older run lacks) and the school × year positions of its rows;
- per `min_n` (it decides which rows are ranked): the percentile of each ranked row, its 95%
  rank interval (the expensive mixture CDF on a grid: it depends on the estimates only, not on
  the share of the bottom group), the benchmark and the year's own percentile;
- per (`min_n`, `bottom_share`): the cut of the bottom group of each year (bisection);
- the run's subject cells sorted by school, so a school's cells are a slice, not a scan of
  millions of rows.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Hashable

import numpy as np
import pandas as pd
from scipy.special import ndtr

from workbench.config.identify import IdentifyParams
from workbench.core.privacy import MIN_CELL
from workbench.identify import build_reasons, entry_evidence, listing
from workbench.identify.classify import _categories, _complete
from workbench.identify.ranks import bottom_cut, rank_interval
from workbench.identify.reasons import NEED

CACHE = 16  # rank tables and cuts kept (a few min_n values, a few dozen shares)
# the threshold fields whose change keeps the completed frame (all others rebuild it)
THRESHOLDS = ("bottom_share", "persist_years", "min_n", "adverse_share", "top_share",
              "resilient_percentile")


@dataclass
class _Ranks:
    """The share-independent part of `identify.ranks.year_ranks` and `classify._ranks`."""

    insufficient: np.ndarray
    percentile: np.ndarray      # result_percentile (NaN for unranked rows)
    ci_low: np.ndarray
    ci_high: np.ndarray
    benchmark: np.ndarray
    year_percentile: np.ndarray
    groups: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]]  # (year, rows, est, se)


def _lru_get(cache: OrderedDict, key: Hashable, make: Any) -> Any:
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    value = cache[key] = make()
    if len(cache) > CACHE:
        cache.popitem(last=False)
    return value


class Reclassifier:
    """identify.classify over one run's identification, fast for repeated calls."""

    def __init__(self, identification: pd.DataFrame, cells: pd.DataFrame | None = None,
                 min_cell: int = MIN_CELL) -> None:
        self.identification = identification
        self.min_cell = min_cell
        self._frames: OrderedDict = OrderedDict()
        self._ranks: OrderedDict = OrderedDict()
        self._cuts: OrderedDict = OrderedDict()
        self._ahead: dict[tuple, dict[int, float]] = {}  # cuts computed in the background
        self._lock = threading.Lock()
        self.ahead_thread: threading.Thread | None = None
        self.cells, self._cell_slices = _by_school(cells)

    # ------------------------------------------------------------------ the frame
    def _key(self, params: IdentifyParams) -> tuple:
        d = params.model_dump()
        return tuple(sorted((k, repr(v)) for k, v in d.items() if k not in THRESHOLDS))

    def _frame(self, params: IdentifyParams) -> pd.DataFrame:
        def make() -> pd.DataFrame:
            df = self.identification.copy()
            df["year"] = df["year"].astype(int)
            _complete(df, params)
            return df
        return _lru_get(self._frames, self._key(params), make)

    def _rank_table(self, df: pd.DataFrame, params: IdentifyParams) -> _Ranks:
        def make() -> _Ranks:
            return _rank_table(df, params)
        return _lru_get(self._ranks, (self._key(params), params.min_n), make)

    def _year_cuts(self, r: _Ranks, params: IdentifyParams) -> dict[int, float]:
        key = (self._key(params), params.min_n, params.bottom_share)
        with self._lock:
            ahead = self._ahead.get(key)
        if ahead is not None:
            return ahead

        def make() -> dict[int, float]:
            return _cuts(r, params.bottom_share)
        return _lru_get(self._cuts, key, make)

    def precompute_cuts(self, params: IdentifyParams, shares: list[float]) -> threading.Thread:
        """Compute the bottom cuts of these shares (the slider's positions) in a background
        thread (numpy releases the GIL in the mixture CDF), so that moving the slider later
        finds them ready; returns the started thread."""
        r = self._rank_table(self._frame(params), params)
        prefix = (self._key(params), params.min_n)

        def work() -> None:
            for share in shares:
                key = (*prefix, share)
                with self._lock:
                    if key in self._ahead:
                        continue
                cuts = _cuts(r, share)
                with self._lock:
                    self._ahead[key] = cuts
        t = threading.Thread(target=work, name="workbench-cuts", daemon=True)
        t.start()
        self.ahead_thread = t
        return t

    # ------------------------------------------------------------------ classify
    def classify(self, params: IdentifyParams) -> pd.DataFrame:
        """`identify.classify(identification, params)` with `reasons` "" (see `reasons`)."""
        base = self._frame(params)
        df = base.copy(deep=False)
        if len(df) == 0:
            from workbench.identify import classify
            return classify(self.identification, params, reasons_years=[])
        r = self._rank_table(base, params)
        cuts = self._year_cuts(r, params)
        n = len(df)
        prob, cut = np.full(n, np.nan), np.full(n, np.nan)
        for y, rows, e, s in r.groups:
            if y in cuts:
                cut[rows] = cuts[y]
                prob[rows] = ndtr((cuts[y] - e) / np.maximum(s, 1e-9))
        df["insufficient_data"] = r.insufficient
        df["result_percentile"] = r.percentile
        df["rank_ci_low"], df["rank_ci_high"] = r.ci_low, r.ci_high
        df["prob_bottom"], df["bottom_cut"] = prob, cut
        df["in_bottom"] = (df["result_percentile"] <= params.bottom_share * 100).fillna(False)
        df["benchmark"] = r.benchmark
        df["year_percentile"] = r.year_percentile
        df["entry_evidence"] = entry_evidence(df, params)
        lst = listing(df, params)
        for c in lst.columns:
            df[c] = lst[c]
        _categories(df, params)
        df["reasons"] = ""
        return df

    # ------------------------------------------------------------------ reasons
    def school_cells(self, school_ids: Any) -> pd.DataFrame | None:
        """The subject cells of these schools (a slice per school of the sorted cells)."""
        if self.cells is None:
            return None
        parts = [self._cell_slices[s] for s in pd.unique(pd.Series(list(school_ids), dtype=object))
                 if s in self._cell_slices]
        if not parts:
            return self.cells.iloc[:0]
        take = np.concatenate([np.arange(a, b) for a, b in parts])
        return self.cells.iloc[take]

    def reasons(self, classified: pd.DataFrame, rows: pd.Index, params: IdentifyParams
                ) -> pd.Series:
        """The Russian reasons of these rows of a classification (index labels), as
        `identify.classify` words them."""
        cols = [c for c in (*NEED, "objectivity_reason") if c in classified.columns]
        sub = classified.loc[rows, cols]  # what build_reasons reads: a narrow frame is faster
        if len(sub) == 0:
            return pd.Series("", index=sub.index, dtype=object)
        cells = self.school_cells(sub["school_id"].astype(str))
        return build_reasons(sub, params, cells, self.min_cell)


def _cuts(r: _Ranks, share: float) -> dict[int, float]:
    """The cut of the bottom group of each year (`ranks.bottom_cut`, as year_ranks calls it)."""
    return {y: bottom_cut(e, s, share) for y, _rows, e, s in r.groups if len(e) >= 3}


def _by_school(cells: pd.DataFrame | None) -> tuple[pd.DataFrame | None,
                                                    dict[str, tuple[int, int]]]:
    """The cells sorted by school (stable: the order within a school kept) and each school's
    [start, end) rows."""
    if cells is None or len(cells) == 0:
        return cells, {}
    cells = cells[cells["z"].notna()]  # worst_cells' first step: the others never count
    ids = cells["school_id"].astype(str).to_numpy()
    order = np.argsort(ids, kind="stable")
    sorted_cells = cells.iloc[order].reset_index(drop=True)
    for col in sorted_cells.columns:  # Arrow text in one chunk: taking a school's rows from
        arr = sorted_cells[col].array  # many chunks is ten times slower
        if hasattr(arr, "__arrow_array__"):
            sorted_cells[col] = pd.array(arr.__arrow_array__().combine_chunks(),
                                         dtype=sorted_cells[col].dtype)
    sid = ids[order]
    starts = np.flatnonzero(np.r_[True, sid[1:] != sid[:-1]])
    ends = np.r_[starts[1:], len(sid)]
    return sorted_cells, {sid[a]: (int(a), int(b)) for a, b in zip(starts, ends)}


def _rank_table(df: pd.DataFrame, params: IdentifyParams) -> _Ranks:
    """What `classify._ranks` and `ranks.year_ranks` compute that the bottom share does not
    change, with the same functions."""
    insufficient = ((df["n_pooled"].fillna(0) < params.min_n)
                    | df["result_index"].isna() | df["quality_index"].isna())
    shrunk = params.rank_on == "shrunk"
    est = df["quality_index"] if shrunk else df["pooled_index"]
    se = df["quality_se"] if shrunk else df["pooled_se"]
    ranked = ~insufficient
    n = len(df)
    pct, lo_all, hi_all = np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
    use = ranked & est.notna() & se.notna()
    pos = pd.Series(np.arange(n), index=df.index)
    groups = []
    for y, g in est[use].groupby(df["year"][use]):
        rows = pos[g.index].to_numpy()
        e = g.to_numpy(float)
        s = se[g.index].to_numpy(float)
        pct[rows] = g.rank(pct=True).to_numpy() * 100
        if len(g) < 3:
            continue
        lo, hi = rank_interval(e, s, params.z_crit)
        lo_all[rows], hi_all[rows] = lo, hi
        groups.append((int(y), rows, e, s))
    if params.benchmark == "mean":
        bench = np.zeros(n)
    else:
        q = est[ranked].groupby(df["year"][ranked]).quantile(params.benchmark_percentile / 100)
        bench = df["year"].map(q).to_numpy(float)
    yr = df["result_index"].where(ranked)
    year_pct = (yr.groupby(df["year"]).rank(pct=True) * 100).to_numpy(float)
    return _Ranks(insufficient.to_numpy(bool), pct, lo_all, hi_all, bench, year_pct, groups)
