"""Step 4a: the comparisons of a cohort around the selection window, worked by hand."""
from __future__ import annotations

from workbench.monitoring.event_study import Design, cohort_designs, selection_window

YEARS = [2019, 2020, 2021, 2022, 2023, 2024, 2025]


def test_first_cohort_placebo_lies_before_the_selection_window():
    """Programme from 2024, participants chosen on 2022–2023: matched on 2022 and 2023, effects
    2023 → 2024 and 2023 → 2025, placebos on 2019, 2020, 2021 (never on 2022: it is a selection
    year), pooled placebo over them."""
    assert selection_window(2024, YEARS, 2) == [2022, 2023]
    d = cohort_designs(2024, 2024, YEARS, lags=2)
    match = (2022, 2023)
    assert d == [Design("DiD", 2023, (2024,), match), Design("DiD", 2023, (2025,), match),
                 Design("DiD pooled", 2023, (2024, 2025), match),
                 Design("placebo DiD", 2023, (2019,), match),
                 Design("placebo DiD", 2023, (2020,), match),
                 Design("placebo DiD", 2023, (2021,), match),
                 Design("placebo DiD pooled", 2023, (2019, 2020, 2021), match)]
    assert d[2].year == 2025 and d[-1].year == 2021


def test_late_cohort_matched_on_the_window_and_the_years_up_to_its_start():
    """Joining in 2025 after the selection of 2022–2023: matched on 2022, 2023 and 2024 (the
    base), the same placebo years as the first cohort — 2024 is not a placebo year."""
    d = cohort_designs(2025, 2024, YEARS, lags=2)
    assert d[0] == Design("DiD", 2024, (2025,), (2022, 2023, 2024))
    assert [x.outcome_years for x in d if x.estimate == "placebo DiD"] == [(2019,), (2020,), (2021,)]
    assert all(2024 not in x.outcome_years for x in d if x.estimate.startswith("placebo"))


def test_no_year_before_the_window_no_placebo_and_no_base_no_estimate():
    d = cohort_designs(2024, 2024, [2022, 2023, 2024, 2025], lags=2)
    assert [x.estimate for x in d] == ["DiD", "DiD", "DiD pooled"]
    one = cohort_designs(2024, 2024, [2021, 2022, 2023, 2024], lags=2)
    assert [x.estimate for x in one] == ["DiD", "placebo DiD"]  # one lead: no pooled placebo
    assert cohort_designs(2024, 2024, [2024, 2025], lags=2) == []
