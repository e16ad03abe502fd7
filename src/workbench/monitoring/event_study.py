"""Step 4a of monitoring: which comparisons the programme effect is made of — an event study
per cohort around a selection window.

Participants are chosen on their results of the years before the programme starts (the
selection window: the `match_lags` years before the programme's first year S, default two). A
school selected for a bad year is then partly lucky to improve (regression to the mean), so
every estimate compares participants with non-participants that had the same results in the
window — and in every later year before the cohort's own start — and the same social index and
size (`matching`). For the cohort starting in year P, with the base year b = P − 1:

* «DiD», year t ≥ P: the change of the outcome from b to t, participants minus matched
  controls — the effect t − P + 1 years into the programme; «DiD pooled»: its mean over the
  years of participation;
* «placebo DiD», year t before the window (t < S − match_lags): the same contrast of y_t − y_b,
  which must be zero when the matching made the groups comparable: no programme acts there, and
  the years on which schools were selected are not part of it (the former placebo P−2 → P−1 lay
  inside the window and rejected in half of the runs whatever the effect). With several such
  years, «placebo DiD pooled» averages them and is the one placebo test;
* years inside the window are matched on, so they carry no information and are not estimated.

The chart of these rows against the year is the event study (`figures.fig_event_study`).
"""
from __future__ import annotations

from dataclasses import dataclass

from workbench.monitoring.estimates import EST_DID, EST_DID_POOLED, EST_PLACEBO, EST_PLACEBO_POOLED


@dataclass(frozen=True)
class Design:
    """One comparison: the outcome's mean over `outcome_years` minus its value in `base_year`,
    participants against controls matched on the outcome of `match_years`."""

    estimate: str
    base_year: int
    outcome_years: tuple[int, ...]
    match_years: tuple[int, ...]

    @property
    def year(self) -> int:
        """The year a row of the table is filed under: the last outcome year."""
        return max(self.outcome_years)


def selection_window(programme_start: int, years: list[int], lags: int) -> list[int]:
    """The years of the data on which participants were selected: the `lags` years before the
    programme's first year."""
    return [y for y in years if programme_start - lags <= y < programme_start]


def cohort_designs(P: int, programme_start: int, years: list[int], lags: int) -> list[Design]:
    """The comparisons of the cohort starting in P (see the module docstring); none without the
    base year P − 1 in the data."""
    base = P - 1
    if base not in years:
        return []
    match = tuple(y for y in years if programme_start - lags <= y <= base)
    posts = [y for y in years if y >= P]
    leads = [y for y in years if y < programme_start - lags]
    out = [Design(EST_DID, base, (t,), match) for t in posts]
    if len(posts) > 1:
        out.append(Design(EST_DID_POOLED, base, tuple(posts), match))
    out += [Design(EST_PLACEBO, base, (t,), match) for t in leads]
    if len(leads) > 1:
        out.append(Design(EST_PLACEBO_POOLED, base, tuple(leads), match))
    return out
