"""The fuzz cases shared by tests/security/test_fuzz.py (fixed seed, a few examples, CI) and
benchmarks/fuzz.py (the same properties, many more examples): hostile cells in a ФИС ОКО-style
results file, hostile bytes for a whole file, hostile school names in a tiny whole run.

The property is always the same: the workbench either works (and accounts for every row:
read = kept + rejected) or stops with a WorkbenchError (exit 2 or 3) — never a bug (exit 1)."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from support.bad_inputs import COLUMNS, RES_HDR, SCHOOLS, SCHOOLS_HDR, write_csv
from support.runs import tiny_project
from workbench import ingest, pipeline
from workbench.config import parse_params
from workbench.core.errors import WorkbenchError

# cells real exports and hostile users produce (non-finite and absurd numbers too: issue 17
# item 2 — a data-quality error of their cell)
TRICKY = ["inf", "-inf", "1e400", "1e300", "NaN", "Infinity", "", " ", "-", "—", "-1", "0", "00", "0001", "1 234", "1\xa0234", "12,5", "12.5", "1e3",
          "=1+1", "@SUM(A1)", "+7", "2024/25", "2024-2025", "24/25", "да", "нет", "NULL", "n/a",
          "<script>alert(1)</script>", "'", '"', ";", "\t", "ёЁ", "Ⅻ", "٣", "😀", "\x00"]
CELL = st.one_of(st.sampled_from(TRICKY), st.integers(-5, 5000).map(str),
                 st.text(st.characters(blacklist_categories=("Cs",)), max_size=8))
ROW = st.lists(CELL, min_size=len(RES_HDR) - 2, max_size=len(RES_HDR) + 2)
NAME = st.one_of(st.sampled_from(TRICKY),
                 st.text(st.characters(blacklist_categories=("Cs",),
                                       blacklist_characters=";\n\r\x00"), min_size=1,
                         max_size=40))


def ingest_results_rows(rows: list[list[str]]) -> None:
    """A results file of the given cells (after its header) ingested with the schools of the
    clean project; WorkbenchError allowed, accounting checked otherwise."""
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "data").mkdir()
        write_csv(root / "data" / "schools.csv", SCHOOLS_HDR, SCHOOLS)
        write_csv(root / "data" / "results.csv", RES_HDR,
                  [[c.replace(";", ",").replace("\n", " ").replace("\r", " ") for c in r]
                   for r in rows])
        _ingest(root, {"results": [{"path": "data/results.csv",
                                    "columns": dict(COLUMNS["results"])}]})


def ingest_bytes(data: bytes, suffix: str) -> None:
    """A schools file of arbitrary bytes ingested: WorkbenchError or a clean accounting."""
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        (root / "data").mkdir()
        (root / "data" / f"schools{suffix}").write_bytes(data)
        _ingest(root, {}, schools=f"data/schools{suffix}")


def _ingest(root: Path, inputs: dict, schools: str = "data/schools.csv") -> None:
    params = parse_params({"inputs": {"schools": {"path": schools,
                                                  "columns": dict(COLUMNS["schools"])},
                                      **inputs}}, base_dir=root)
    try:
        res = ingest.ingest_inputs(params)
    except WorkbenchError:
        return
    for i in res.inputs:
        assert i["rows_read"] == i["rows_kept"] + i["rows_rejected"], i


def whole_run(names: list[str], n: int = 10) -> int:
    """Every stage in-process on a tiny region whose first schools carry `names`; returns the
    exit code (0, or that of the WorkbenchError that stopped it — never a bug)."""
    with tempfile.TemporaryDirectory() as d:
        params = tiny_project(Path(d), n=n, names=names, encoding="utf-8")
        try:
            final = pipeline.run(params, use_notebooks=False)
        except WorkbenchError as exc:
            assert exc.exit_code in (2, 3), str(exc)
            return exc.exit_code
        for p in final.rglob("*"):  # nothing escaped the run folder
            assert p.resolve().is_relative_to(final.resolve())
        return 0
