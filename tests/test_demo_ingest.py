"""The written demo files, read back by the real ingester, give exactly the in-memory tables."""
from __future__ import annotations

import pandas as pd
import pytest

from workbench import demo

KEYS = ["school_id", "year", "procedure", "subject", "grade", "wave", "domain", "indicator",
        "risk_factor", "source"]


def _normalised(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    key = [k for k in KEYS if k in cols]
    out = df[cols].sort_values(key, kind="mergesort").reset_index(drop=True)
    for c in out.columns:  # None and NaN both mean "no value"
        if not pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "parquet"])
def test_ingested_demo_equals_generated_tables(tmp_path, fmt):
    from workbench.config import load_params
    from workbench.ingest import ingest_inputs

    summary = demo.write_demo(tmp_path / "data" / "demo", tmp_path / "params" / "demo.yaml",
                              n_schools=60, seed=21, results_format=fmt)
    params = load_params(summary["params_path"])
    got = ingest_inputs(params)
    assert len(got.problems) == 0, got.problems.head().to_dict("records")
    expected = demo.generate_region(60, seed=21)
    for i in got.inputs:
        assert i["rows_rejected"] == 0 and i["rows_read"] == i["rows_kept"]
    for name, exp in expected.tables.items():
        df = got.tables[name]
        assert set(df.columns) == set(exp.columns), name
        pd.testing.assert_frame_equal(_normalised(df, list(exp.columns)),
                                      _normalised(exp, list(exp.columns)),
                                      check_dtype=False, check_exact=False, atol=1e-9, obj=name)
