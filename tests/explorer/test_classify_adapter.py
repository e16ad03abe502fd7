"""The classify adapter: the explorer works with any classify and params model (a stub here)."""
from __future__ import annotations

import numpy as np
import pandas as pd

import support.explorer as ws
from workbench import explorer
from workbench.config.base import StrictModel


def test_adapter_uses_a_stub_classify(data):
    class StubParams(StrictModel):
        bottom_share: float = 0.1

    calls = []

    def stub(ident: pd.DataFrame, p: StubParams) -> pd.DataFrame:
        calls.append(p.bottom_share)
        cut = ident.groupby("year")["result_index"].transform(lambda s: s.quantile(p.bottom_share))
        return ident.assign(category=np.where(ident["result_index"] <= cut, "low_results", "typical"))

    app = explorer.Explorer(data, classify_fn=stub, params_model=StubParams)
    assert list(app.sliders) == ["bottom_share"]
    n_year = int((data.identification["year"] == app.year.value).sum())
    assert ws.listed_count(app) == round(0.1 * n_year)
    app.sliders["bottom_share"].value = 30  # percent
    assert calls[-1] == 0.3
    assert ws.listed_count(app) == round(0.3 * n_year)
    assert (app.listed["category_ru"] == "ШНОР (низкие результаты обучения)").all()
