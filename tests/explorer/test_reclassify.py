"""The explorer's fast classify (`Reclassifier`, `LiveClassification`) gives what
identify.classify gives: every column of every row at any thresholds, in any order of slider
moves (its caches), and the reasons of the rows it words — on the synthetic run and on a real
run with subject cells and expert decisions."""
from __future__ import annotations

import pandas as pd
import pytest

from workbench import explorer
from workbench.explorer.classify_adapter import classify as adapter_classify
from workbench.explorer.live import LiveClassification
from workbench.explorer.reclassify import Reclassifier
from workbench.identify import IdentifyParams, classify

MOVES = [{}, {"bottom_share": 0.25}, {"bottom_share": 0.25, "min_n": 40},
         {"bottom_share": 0.05, "persist_years": 1}, {"adverse_share": 0.35, "top_share": 0.05,
                                                      "resilient_percentile": 60},
         {"bottom_share": 0.25}, {}]  # back to values seen before: from the caches


def _params(data, move: dict) -> IdentifyParams:
    known = {k: v for k, v in data.identify_params.items() if k in IdentifyParams.model_fields}
    return IdentifyParams(**{**known, **move})


def _same_as_classify(data, rc: Reclassifier, p: IdentifyParams) -> pd.DataFrame:
    want = classify(data.identification, p, cells=data.cells, min_cell=data.min_cell)
    got = rc.classify(p)
    assert list(got.columns) == list(want.columns)
    cols = [c for c in want.columns if c != "reasons"]
    pd.testing.assert_frame_equal(got[cols], want[cols])
    assert (got["reasons"] == "").all()  # nothing worded until asked
    return want


def test_reclassify_equals_identify_classify_at_every_move(data):
    rc = Reclassifier(data.identification, data.cells, data.min_cell)
    for move in MOVES:
        p = _params(data, move)
        want = _same_as_classify(data, rc, p)
        got = rc.classify(p)
        some = want.index[want["reasons"] != ""][::7]
        assert len(some) > 10
        assert rc.reasons(got, some, p).tolist() == want.loc[some, "reasons"].tolist()
    assert len(rc._ranks) == 2 and len(rc._cuts) == 4  # min_n 2 values, share × min_n 4


@pytest.mark.slow
def test_on_a_real_run_with_cells_and_decisions(explorer_demo_run):
    data = explorer.load_run(explorer_demo_run)
    assert data.cells is not None and data.identification["decision"].notna().any()
    live = LiveClassification(data)
    for move in MOVES[:4]:
        p = _params(data, move)
        _same_as_classify(data, live.re, p)
        want = adapter_classify(data.identification, p, cells=data.cells,
                                min_cell=data.min_cell)  # identify.classify + the decisions
        live.update(p)
        live.word(live.current.index)  # as if every row were shown
        assert live.current["reasons"].tolist() == want["reasons"].tolist()
        assert live.current["category"].tolist() == want["category"].tolist()
        decided = want["decision"].notna()
        assert want.loc[decided, "reasons"].ne("").all()


def test_cuts_computed_in_the_background_are_the_ones_classify_uses(data):
    rc = Reclassifier(data.identification, data.cells, data.min_cell)
    p = _params(data, {})
    rc.precompute_cuts(p, [0.07, 0.33]).join()
    assert len(rc._ahead) == 2 and not rc._cuts
    for share in (0.07, 0.33):
        _same_as_classify(data, rc, _params(data, {"bottom_share": share}))
    assert not rc._cuts  # both came from the background
