"""Matching: the batched bootstrap regression equals the one-replicate regression."""
from __future__ import annotations

import numpy as np

from workbench.monitoring import matching


def test_batched_bootstrap_slopes_equal_one_by_one():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 3))
    y = x @ np.array([0.5, -1.0, 2.0]) + rng.normal(size=300)
    weights = np.stack([np.bincount(rng.integers(0, 300, 300), minlength=300).astype(float)
                        for _ in range(6)] + [np.zeros(300)])  # last: nothing drawn
    batch = matching._ols_slopes_batch(x, y, weights)
    for w, b in zip(weights, batch):
        np.testing.assert_allclose(b, matching._ols_slope(x, y, w), rtol=1e-8, atol=1e-10)
    assert np.all(batch[-1] == 0) and abs(batch[0][2] - 2.0) < 0.3


def test_extra_features_of_the_window_years_with_missing_values_filled():
    import pandas as pd

    # S3 wrote no ВПР in 2023: it keeps a feature, the year's mean of the others (3.0 + 4.0)/2
    idn = pd.DataFrame({"school_id": ["S1", "S2", "S3"] * 2, "year": [2022] * 3 + [2023] * 3,
                        "result_index": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
                        "social_index": [0.0, 1.0, -1.0] * 2,
                        "vpr_mean_mark": [3.2, 3.4, 3.6, 3.0, 4.0, np.nan]})
    f = matching.matching_features(idn, 2023, [2022, 2023], "result_index", extra=("vpr_mean_mark",
                                   "not_a_column"), extra_years=(2022, 2023))
    assert list(f.columns) == ["social_index", "result_index_2023", "result_index_2022",
                               "vpr_mean_mark_2023", "vpr_mean_mark_2022"]
    assert f.loc["S3", "vpr_mean_mark_2023"] == 3.5 and f.loc["S2", "vpr_mean_mark_2022"] == 3.4
    assert matching.matching_features(idn, 2023, [2023], "result_index").shape[1] == 2
