"""A two-school project written into a tmp folder, plus the inputs a test adds, ingested."""
from __future__ import annotations

from pathlib import Path

from workbench import ingest
from workbench.config import parse_params

SCH = "Код ОО;Наименование ОО;Муниципалитет\n1001;Школа 1;Район А\n1002;Школа 2;Район Б\n"
SCH_COLS = {"Код ОО": "school_id", "Наименование ОО": "school_name", "Муниципалитет": "municipality"}


def ingest_project(tmp: Path, inputs: dict, **extra) -> ingest.IngestResult:
    """data/schools.csv (two schools) and `inputs` (params `inputs` entries) ingested; `extra`
    are further top-level params."""
    (tmp / "data").mkdir(exist_ok=True)
    if not (tmp / "data" / "schools.csv").exists():
        (tmp / "data" / "schools.csv").write_text(SCH, encoding="utf-8")
    inputs = {"schools": {"path": "data/schools.csv", "columns": SCH_COLS}, **inputs}
    return ingest.ingest_inputs(parse_params({"inputs": inputs, **extra}, base_dir=tmp))
