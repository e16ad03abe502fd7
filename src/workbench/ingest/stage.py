"""The ingest stage: every input read and validated, the canonical tables written for the later
stages (each row tagged with the sha256 of its source file, from which the runner updates the
DuckDB store when the run publishes), the data quality report, the published school list and the input accounting for the manifest."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.context import RunContext
from workbench.core.errors import QualityGateError
from workbench.core.formatting import fmt_int
from workbench.ingest.absent import absent_notes
from workbench.ingest.errors import DataError
from workbench.ingest.files import IngestResult, ingest_inputs
from workbench.ingest.gate import evaluate_gate, gate_message
from workbench.ingest.problems import ERROR, WARNING
from workbench.ingest.quality_report import problem_summary, write_data_quality
from workbench.ingest.summary import (count_severity, figures, inputs_table, loaded_summary,
                                      problem_sample, summary_text)

PUBLISHED_SCHOOL_COLUMNS = ["school_id", "school_name", "municipality", "locality", "school_type",
                            "latitude", "longitude"]
META_KEYS = ("path", "table", "sha256", "rows_read", "rows_kept", "rows_rejected")


def run(ctx: RunContext) -> dict[str, Any]:
    """Ingest every input, write canonical tables, data_quality.*, input meta (the store is the
    runner's: `context.store.pending_from_run`)."""
    params = ctx.params
    try:
        result = ingest_inputs(params, work_dir=ctx.run_dir / "tmp")
    except DataError as exc:  # still tell the user every row problem found before stopping
        if exc.problems is not None:
            write_data_quality(exc.problems, [], ctx.run_dir, params.region,
                               params.ingest.html_max_rows)
        raise
    failures = evaluate_gate(params, result.inputs, result.problems, result.tables) \
        if params.quality.enabled else []
    gate = gate_message(failures) if failures else None
    write_data_quality(result.problems, result.inputs, ctx.run_dir, params.region,
                       params.ingest.html_max_rows, gate=gate)
    ctx.write_meta("inputs", [{k: i[k] for k in META_KEYS} for i in result.inputs])
    if gate is not None:  # data_quality.* and the accounting stay in the failed run's folder
        raise QualityGateError(gate)
    # the DuckDB store is updated from these files by the runner, only when the run publishes
    write_canonical_tables(ctx, result)
    schools = result.tables["schools"]  # the published school list (explorer, lists)
    ctx.write_table("schools", schools[[c for c in PUBLISHED_SCHOOL_COLUMNS if c in schools.columns]],
                    key=["school_id"])
    n_err = count_severity(result.problems, ERROR)
    for note in run_notes(result, params):
        ctx.note(note)
    out: dict[str, Any] = {
        "inputs": inputs_table(result.inputs),
        "problems": result.problems,
        "problem_summary": problem_summary(result.problems),
        "problem_sample": problem_sample(result.problems),
        "n_errors": n_err,
        "n_warnings": count_severity(result.problems, WARNING),
        "tables": {k: len(v) for k, v in result.tables.items()},
        "figures": figures(result.tables),
    }
    out.update(loaded_summary(result.tables))
    out["summary_ru"] = summary_text(result)
    return out


def run_notes(result: IngestResult, params: Any) -> list[str]:
    """The remarks of ingest for the manifest and the briefings: rows rejected, another year's
    context used, optional inputs missing and what that leaves out."""
    notes = []
    read = sum(i["rows_read"] for i in result.inputs)
    rejected = sum(i["rows_rejected"] for i in result.inputs)
    if rejected:
        notes.append(f"Загрузка: отклонено {fmt_int(rejected)} из {fmt_int(read)} строк входных "
                     f"данных — они не вошли в расчёт (см. data_quality.html).")
    outside = sum(i.get("rows_outside", 0) for i in result.inputs)
    if outside:
        notes.append(f"Мониторинг: строки школ, не участвующих в программе в том учебном году "
                     f"({fmt_int(outside)}), не вошли в расчёт динамики и полноты (см. "
                     f"data_quality.html).")
    p = result.problems
    if len(p):
        borrowed = p[(p["severity"] == WARNING) & p["message"].str.contains(
            "нет данных о контексте для", regex=False)]
        notes += [f"Данные другого года: {m[0].upper()}{m[1:]}." for m in borrowed["message"]]
    return notes + absent_notes(params, result.tables, result.found)


def write_canonical_tables(ctx: RunContext, result: IngestResult) -> dict[str, Path]:
    """Each canonical table for the later stages of the run, every row with the sha256 of its
    source file (a categorical: few distinct files, cheap to carry and store)."""
    sha_of = {i["path"]: i["sha256"] for i in result.inputs}
    written = {}
    for name, df in result.tables.items():
        tagged = result.files.get(name)
        prov = None
        if tagged is not None:
            codes, files = pd.factorize(tagged["_file"], use_na_sentinel=False)
            shas, which = np.unique(np.array([sha_of[f] for f in files], dtype=object),
                                    return_inverse=True)  # two copies of one file: one sha
            prov = pd.Series(pd.Categorical.from_codes(which[codes], categories=shas))
        written[name] = ctx.write_canonical(name, df, provenance=prov)
    return written
