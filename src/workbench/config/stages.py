"""The one stage registry: read by params (which stages exist, in which order), the runner
(notebook, module, produced tables) and the CLI."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One stage of the method."""

    name: str                # code used in params `stages`
    label_ru: str            # how messages name it
    notebook: str            # notebooks/<notebook>, executed by papermill
    module: str              # module whose `run(ctx)` does the work
    tables: tuple[str, ...]  # tables it produces (taken from the previous run when skipped)
    needs: tuple[str, ...] = ()  # input tables it cannot work without (the quality gate)


STAGES: tuple[Stage, ...] = (
    Stage("ingest", "загрузка данных", "01_ingest.ipynb", "workbench.ingest.stage", ()),
    Stage("identify", "идентификация", "02_identify.ipynb", "workbench.identify.stage",
          ("identification", "identification_details", "list_changes"), ("results",)),
    Stage("clusters", "кластеры и партнёры", "03_clusters.ipynb", "workbench.clusters.stage",
          ("clusters", "cluster_profiles", "partners", "curator_assignments", "curator_workload")),
    Stage("monitoring", "мониторинг", "04_monitoring.ipynb", "workbench.monitoring.stage",
          ("dynamics", "effectiveness", "monitoring_completeness", "exits")),
    Stage("briefings", "справки", "05_briefings.ipynb", "workbench.briefings.stage",
          ("risk_profiles", "tech_map")),
    Stage("reports", "отчёты", "06_reports.ipynb", "workbench.reports.stage",
          ("plan_execution",)),
)
STAGE_NAMES: list[str] = [s.name for s in STAGES]


def stage_named(name: str) -> Stage:
    """The registry entry of a stage code."""
    for s in STAGES:
        if s.name == name:
            return s
    raise KeyError(name)
