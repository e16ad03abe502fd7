"""The ingest stage: read the regional exports, map them onto the canonical tables, validate
every row.

The steps, in order (one module each): `readers` (CSV, Excel, Parquet into a Sheet; `headers`
finds and matches the header row), `mapping` (source headers → canonical columns, constants,
empty and repeated-header rows), `coerce` (typed values), `validate` (ranges, table rules,
unknown schools, duplicates; problems in `problems`), `students` (pupil rows aggregated, the
results shape), `files` (every file through these steps, then the tables combined with the row
accounting read = kept + rejected), `quality_report` (data_quality.csv/.html), `summary` (what
the notebook shows) and `stage` (`run(ctx)`, the stage itself). `columns` holds the value type
of every column, `errors` the DataError of an unusable file.

What real exports need on the way: `totals` (total and subtotal lines set apart), `years` (the
year from a file name or title, spring calendar years → school years), `percent` (percent
distributions mapped as counts, `scale: percent`), `codes` (codes repaired: leading zeros,
spaces, «.0»). After reading: `participation` (monitoring rows of schools outside the programme
that year set apart, a warning each), `coverage` (results years without context, listed in data
quality), `absent` (what missing optional inputs leave out, as run notes), `gate` (the
data-quality gate, QualityGateError) and `check` (`workbench check`, the dry run).

Pupil-level results (`student_id` mapped) are aggregated here to the `results` shape and never
leave this stage; no message shows a pupil's code (nor a record of a pupil-level file taken for
its header: `headers.looks_like_value`). Numbers that are not finite or beyond any plausible
value (|x| > 10¹²) are an error of their cell.
"""
from workbench.ingest.check import check_inputs
from workbench.ingest.columns import TABLE_RU
from workbench.ingest.errors import DataError
from workbench.ingest.files import IngestResult, ingest_inputs
from workbench.ingest.gate import GateFailure, evaluate_gate, gate_message
from workbench.ingest.stage import run
from workbench.ingest.summary import rejected_rows

__all__ = ["DataError", "GateFailure", "IngestResult", "TABLE_RU", "check_inputs",
           "evaluate_gate", "gate_message", "ingest_inputs", "rejected_rows", "run"]
