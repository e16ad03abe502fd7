"""Step 3: the social index — imputation by the region median, the override of its indicators,
the Russian error without any usable indicator."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench import identify as I
from workbench.core.errors import WorkbenchError
from workbench.identify import IdentifyParams


def test_missing_context_imputed_and_reported(synth):
    res, ctx, schools, q = synth
    ctx2 = ctx.copy()
    ctx2.loc[ctx2.index[:7], "share_low_income"] = np.nan
    df, _, notes = I.identify(res, ctx2, schools, IdentifyParams())
    assert df["social_index"].notna().all()
    assert any("пропуски заменены медианой региона (Доля обучающихся из малообеспеченных семей — 7)"
               in n for n in notes)
    # override of the social index set
    soc, info = I.social_index(ctx2, {}, None, IdentifyParams(social_indicators={"distance_km": "adverse"}))
    assert info["indicators"] == ["distance_km"]
    with pytest.raises(WorkbenchError, match="социальный индекс"):
        I.social_index(ctx2[["school_id", "year"]], {"share_low_income": "adverse"})



def test_school_list_without_localities_does_not_crash():
    """Issue 14 regression: a registry with no `locality` column (all values missing, as
    ingest gives it) crashed the rural-from-locality step with AttributeError; localities that
    are given still make is_rural (село → 1, город → 0, anything else → missing)."""
    ctx = pd.DataFrame({"school_id": ["1", "2", "3"], "year": 2024,
                        "share_low_income": [0.1, 0.3, 0.5]})
    none = pd.DataFrame({"school_id": ["1", "2", "3"], "locality": [None, None, None]})
    soc, info = I.social_index(ctx, {"share_low_income": "adverse", "is_rural": "adverse"}, none)
    assert info["indicators"] == ["share_low_income"]
    assert soc.set_index("school_id")["social_index"].is_monotonic_decreasing
    some = none.assign(locality=["село", "город", None])
    soc, info = I.social_index(ctx, {"share_low_income": "adverse", "is_rural": "adverse"}, some)
    assert soc.set_index("school_id")["is_rural"].tolist()[:2] == [1.0, 0.0]
    assert np.isnan(soc.set_index("school_id")["is_rural"].iloc[2]) or \
        info["n_imputed"]["is_rural"] == 1
