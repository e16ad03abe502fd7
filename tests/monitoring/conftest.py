"""Fixtures of the monitoring tests: a hand-made monitoring table for the fast tests, and the
monitoring steps on the 600-school demo region (seed 2026, planted programme effect 0.25),
computed once per session."""
from __future__ import annotations

import pandas as pd
import pytest

from workbench import identify
from workbench import monitoring as mon
from workbench.config.identify import IdentifyParams
from workbench.config.monitoring import MonitoringParams


def _rows(school, year, domain, indicator, waves: dict, n=None, hib=True):
    return [{"school_id": school, "year": year, "wave": w, "domain": domain, "indicator": indicator,
             "value": v, "n": n, "higher_is_better": hib} for w, v in waves.items()]


@pytest.fixture
def hand_monitoring() -> pd.DataFrame:
    """Four schools of one year, two indicators of results and a once-a-year indicator."""
    r = []
    # share of «2» (higher is worse), n = 50 pupils; A has no intermediate wave
    r += _rows("A", 2025, "results", "share_mark2", {"entry": 0.30, "final": 0.10}, 50, False)
    r += _rows("B", 2025, "results", "share_mark2", {"entry": 0.20, "intermediate": 0.25, "final": 0.30}, 50, False)
    r += _rows("C", 2025, "results", "share_mark2", {"entry": 0.40, "intermediate": 0.30}, 50, False)
    r += _rows("D", 2025, "results", "share_mark2", {"entry": 0.50}, 50, False)
    # mean mark (higher is better), no n
    r += _rows("A", 2025, "results", "mean_mark", {"entry": 3.4, "intermediate": 3.5, "final": 3.6})
    r += _rows("B", 2025, "results", "mean_mark", {"entry": 3.0, "final": 2.5})
    r += _rows("C", 2025, "results", "mean_mark", {"entry": 3.2, "final": 3.3})
    r += _rows("D", 2025, "results", "mean_mark", {"entry": 3.1, "final": 3.1})
    # management: once a year (final) — change against the previous year
    r += _rows("A", 2024, "management", "management_score", {"final": 0.6})
    r += _rows("A", 2025, "management", "management_score", {"final": 0.8})
    return pd.DataFrame(r)


@pytest.fixture
def hand_clusters() -> pd.DataFrame:
    """A and B in cluster 1, C and D in cluster 2."""
    return pd.DataFrame({"school_id": ["A", "B", "C", "D"], "year": [2025] * 4, "cluster": [1, 1, 2, 2]})


def _identification(region) -> pd.DataFrame:
    """The identification table of a demo region (default params)."""
    t = region.tables
    idn, _cells, _notes = identify.identify(t["results"], t["context"], t["schools"],
                                            IdentifyParams())
    return idn


@pytest.fixture(scope="session")
def demo_effect(demo600):
    """(region, identification, dynamics, effectiveness) of the demo region: `demo600` is
    generated with programme_effect 0.25."""
    idn = _identification(demo600)
    dyn = mon.compute_dynamics(demo600.tables["monitoring"], None, MonitoringParams())
    eff = mon.compute_effectiveness(idn, demo600.tables["programme"], dyn, MonitoringParams())
    return demo600, idn, dyn, eff
