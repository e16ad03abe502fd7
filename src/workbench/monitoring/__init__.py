"""Monitoring of participating schools and the effect of the support programme (design §4
«Monitoring», issue 5). The steps, in order:

0. `prepare` — monitoring rows, participants and cohorts in one shape;
1. `dynamics` — entry → final change per school and indicator, judged against measurement
   noise, beside the cluster peers (table ``dynamics``);
2. `completeness` — every expected wave of the schedule, present or not, never filled
   (table ``monitoring_completeness``);
3. `exits` — did a listed school leave the list next year (table ``exits``);
4. `effect` (with `event_study` and `matching`) — per cohort, matched difference-in-differences
   of each programme year with a bootstrap interval and the minimum detectable effect, a
   placebo on the years before the selection window, and participants' before/after changes
   marked as descriptive (table ``effectiveness``); `conclusions` words it in Russian.

`figures` and `display` serve notebook 04; `stage.run(ctx)` wires the steps.
"""
from workbench.config.monitoring import MonitoringParams
from workbench.monitoring.completeness import (completeness_summary, compute_completeness,
                                               missing_waves)
from workbench.monitoring.conclusions import conclusion_ru, overall_conclusion
from workbench.monitoring.display import (completeness_table, effectiveness_table,
                                          exit_shares_table, missing_table, trend_counts)
from workbench.monitoring.dynamics import TREND_RU, classify_trend, compute_dynamics
from workbench.monitoring.effect import compute_effectiveness
from workbench.monitoring.exits import compute_exits, exit_shares
from workbench.monitoring.figures import fig_event_study, fig_exits, fig_slope, fig_trajectories
from workbench.monitoring.stage import run

__all__ = ["MonitoringParams", "TREND_RU", "classify_trend", "completeness_summary",
           "completeness_table", "compute_completeness", "compute_dynamics",
           "compute_effectiveness", "compute_exits", "conclusion_ru", "effectiveness_table",
           "exit_shares", "exit_shares_table", "fig_event_study", "fig_exits", "fig_slope",
           "fig_trajectories", "missing_table", "missing_waves", "overall_conclusion", "run",
           "trend_counts"]
