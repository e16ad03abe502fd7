"""The threshold sliders are the identify thresholds; shares are shown in percent."""
from __future__ import annotations

import pytest

from workbench import explorer


def test_sliders_are_the_identify_thresholds(app):
    from workbench.identify import IdentifyParams

    assert explorer.identify_params_model() is IdentifyParams
    assert {"bottom_share", "persist_years", "min_n", "adverse_share"} <= set(app.sliders)
    # shares are shown and typed in percent; the params get the share back exactly
    assert app.sliders["bottom_share"].value == pytest.approx(IdentifyParams().bottom_share * 100)
    assert app.sliders["bottom_share"].description.endswith(", %")
    app.sliders["bottom_share"].value = 17
    assert app.current_params().bottom_share == 0.17
    assert app.sliders["min_n"].value == IdentifyParams().min_n  # counts stay counts
