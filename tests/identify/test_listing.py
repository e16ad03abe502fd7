"""Step 6b: entry with evidence, exit by the written criteria, a year without data on hold."""
from __future__ import annotations

import pandas as pd

from workbench.identify import IdentifyParams
from workbench.identify.listing import EXIT_INTERVAL, EXIT_OUT, entry_evidence, listing


def _flags(rows):
    """(school, year, evidence, in_bottom, insufficient, interval_above_cut) → listing input."""
    df = pd.DataFrame(rows, columns=["school_id", "year", "entry_evidence", "in_bottom",
                                     "insufficient_data", "above"])
    df["bottom_cut"] = 0.0
    df["quality_ci_low"] = df["above"].map({True: 0.5, False: -0.5})
    return df


def test_stays_listed_until_the_exit_criteria_are_met():
    df = _flags([
        ("A", 2021, True, True, False, False),    # enters
        ("A", 2022, False, True, False, False),   # bottom, no new evidence: stays
        ("A", 2023, False, False, False, False),  # one year out: stays
        ("A", 2024, False, False, False, False),  # two years out: exit criteria met
        ("A", 2025, True, True, False, False),    # enters again
        ("A", 2026, False, False, True, False),   # no data: on hold, not released
        ("A", 2027, False, False, False, False),  # out (1 year; the hold year does not count)
        ("B", 2021, True, True, False, False),
        ("B", 2022, False, True, False, True),    # whole interval above the cut: exit at once
    ])
    out = listing(df, IdentifyParams()).set_index([df["school_id"], df["year"]])
    a = out.loc["A"]
    assert list(a["low_results"]) == [True, True, True, False, True, False, True]
    assert list(a["exit_met"]) == [False, False, False, True, False, False, False]
    assert a.loc[2024, "exit_reason"] == EXIT_OUT and a.loc[2024, "years_out"] == 2
    assert a.loc[2023, "years_out"] == 1 and a.loc[2027, "years_out"] == 1
    assert a.loc[2022, "listed_since"] == 2021 and a.loc[2025, "listed_since"] == 2025
    assert a.loc[2026, "list_on_hold"] and a.loc[2026, "listed_since"] == 2025
    assert pd.isna(a.loc[2024, "listed_since"])
    assert a.loc[2022, "years_low"] == 2 and a.loc[2023, "years_low"] == 0
    b = out.loc["B"]
    assert list(b["low_results"]) == [True, False]
    assert b.loc[2022, "exit_met"] and b.loc[2022, "exit_reason"] == EXIT_INTERVAL
    # a single year out is enough with exit_years=1; the interval rule can be switched off
    one = listing(df, IdentifyParams(exit_years=1)).set_index([df["school_id"], df["year"]])
    assert not one.loc[("A", 2023), "low_results"] and one.loc[("A", 2023), "exit_met"]
    no_int = listing(df, IdentifyParams(exit_on_interval=False)).set_index(
        [df["school_id"], df["year"]])
    assert no_int.loc[("B", 2022), "low_results"]


def test_persistence_of_the_evidence_and_missing_years():
    df = _flags([
        ("C", 2021, True, True, False, False),
        ("C", 2022, True, True, False, False),
        ("D", 2021, True, True, False, False),
        ("D", 2023, False, False, False, False),  # 2022 missing: state carries, runs restart
        ("D", 2024, False, False, False, False),
    ])
    two = listing(df, IdentifyParams(persist_years=2)).set_index([df["school_id"], df["year"]])
    assert not two.loc[("C", 2021), "low_results"] and two.loc[("C", 2022), "low_results"]
    assert two.loc[("C", 2022), "evidence_years"] == 2
    one = listing(df, IdentifyParams()).set_index([df["school_id"], df["year"]])
    assert one.loc[("D", 2023), "low_results"] and one.loc[("D", 2023), "years_out"] == 1
    assert not one.loc[("D", 2024), "low_results"] and one.loc[("D", 2024), "exit_met"]


def test_entry_needs_every_piece_of_evidence():
    base = {"in_bottom": True, "insufficient_data": False, "n_years": 3, "prob_bottom": 0.9,
            "quality_ci_high": -0.2, "benchmark": 0.0}
    rows = [dict(base), dict(base, in_bottom=False), dict(base, insufficient_data=True),
            dict(base, n_years=1), dict(base, prob_bottom=0.4), dict(base, quality_ci_high=0.1)]
    df = pd.DataFrame(rows)
    p = IdentifyParams()
    assert list(entry_evidence(df, p)) == [True, False, False, False, False, False]
    assert list(entry_evidence(df, p.model_copy(update={"short_history": "available"}))) == [
        True, False, False, True, False, False]
    assert entry_evidence(df, p.model_copy(update={"min_probability": 0.3}))[4]
