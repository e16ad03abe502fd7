"""Fixtures of the identify tests, built once per session: the synthetic region and the
identification of the 600-school demo region (`demo600`) joined with the generator's truth."""
from __future__ import annotations

import pytest

from support.identify import synth_region
from workbench.core.tables import STANDARD_INDICATORS
from workbench.identify import IdentifyParams, identify


@pytest.fixture(scope="session")
def synth():
    """synth_region() (120 schools, 4 years, seed 7). Read-only."""
    return synth_region()


@pytest.fixture(scope="session")
def demo600_ident(demo600):
    """(identification, cells, notes, identification ⋈ truth with true_pct) of the demo region
    (n=600, seed 2026) under the default params. Read-only."""
    t = demo600.tables
    df, cells, notes = identify(t["results"], t["context"], t["schools"], IdentifyParams(),
                                STANDARD_INDICATORS)
    ty = demo600.truth_years.copy()
    ty["true_pct"] = ty.groupby("year")["true_result"].rank(pct=True)
    m = df.merge(ty, on=["school_id", "year"]).merge(demo600.truth, on="school_id")
    return df, cells, notes, m
