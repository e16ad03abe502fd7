"""Random hand-edited-spreadsheet damage: ingest either accounts for every row (read = kept +
rejected) or raises DataError — never any other exception."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bad_inputs.corpus import COLUMNS, RES, RES_HDR, Project
from workbench import ingest
from workbench.config import parse_params

CELLS = ["", " ", "1001", "1002", "9999", "2023", "2023/24", "1999", "-1", "0", "20", "1 234",
         "1\u00a0234", "12,5", "12.5", "abc", "ВПР", "впр", "ОГЭ", "Математика", "5", "5 кл",
         "13", "н/д", "-", "да", "нет", "<b>x</b>", "Код ОО", "\"q;uoted\"", "2;3", "1e3", "nan"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(st.sampled_from(CELLS), min_size=0, max_size=12), max_size=8),
       header_cut=st.integers(0, 3), blank_lines=st.integers(0, 2))
def test_random_results_file(tmp_path_factory, rows, header_cut, blank_lines):
    tmp = tmp_path_factory.mktemp("fuzz")
    project = Project(tmp)
    header = RES_HDR[header_cut:] if header_cut else RES_HDR
    text = "\n".join([";".join(header)] + [";".join(r) for r in RES[:2] + rows]) + "\n" * (1 + blank_lines)
    project.path("results_2023.csv").write_text(text, encoding="utf-8")
    params = parse_params(project.params, base_dir=tmp)
    try:
        res = ingest.ingest_inputs(params)
    except ingest.DataError as exc:
        assert "results_2023.csv" in str(exc)
        assert header_cut > 0
        return
    info = [i for i in res.inputs if i["path"].endswith("results_2023.csv")][0]
    assert info["rows_read"] == info["rows_kept"] + info["rows_rejected"]
    n_nonblank = 2 + sum(1 for r in rows if any(c.strip() for c in r))
    assert info["rows_read"] == n_nonblank
    assert len(res.tables["results"]) == sum(
        i["rows_kept"] for i in res.inputs if i["table"] == "results")
    if not header_cut:  # rows with extra non-empty cells are rejected, never truncated silently
        lines = [";".join(r) for r in rows]
        overflow = sum(1 for ln in lines if '"' not in ln and any(
            c.strip() for c in ln.split(";")[len(RES_HDR):]))
        assert info["rows_rejected"] >= overflow
    assert set(res.problems.columns) >= {"file", "row", "column", "value", "severity", "message"}
    assert COLUMNS  # corpus mapping in use
