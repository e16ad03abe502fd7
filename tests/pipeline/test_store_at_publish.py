"""The DuckDB store changes only when a run publishes (issue 17, item 9): a run that fails after
ingest — by a later stage, by Ctrl-C, by the store itself — leaves the store as the last
published run left it, and the failure never shows a second, misleading DuckDB error."""
from __future__ import annotations

import duckdb
import pytest

from support.runs import tiny_project
from workbench import pipeline
from workbench.context import store
from workbench.core.errors import EXIT_ENVIRONMENT, WorkbenchError


def _counts(root) -> tuple[int, list[tuple]]:
    with store.Store(root, read_only=True) as st:
        n = st.con.execute("SELECT count(*) FROM results").fetchone()[0]
        log = st.con.execute("SELECT path, sha256, rows FROM ingestion_log ORDER BY path"
                             ).fetchall()
    return n, log


@pytest.fixture
def project(tmp_path):
    params = tiny_project(tmp_path, n=12, years=(2023, 2024))
    text = params.read_text(encoding="utf-8").replace("run_id: tiny", "run_id: tiny\n"
                                                      "stages: [ingest, identify]")
    params.write_text(text, encoding="utf-8")
    return params


def _first_run(project, monkeypatch):
    monkeypatch.setattr(pipeline.runner, "run_stage_inprocess", _ingest_only)
    final = pipeline.run(project, use_notebooks=False)
    return final, _counts(final.parent)


def _corrected_export(path, keep: int) -> None:
    """A new version of an export at the same path (it replaces the old one's rows in the store)."""
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: keep + 1]))


def _ingest_only(stage, ctx):
    """The real ingest; identify does nothing (these tests are about the store)."""
    if stage == "ingest":
        from workbench import ingest

        return ingest.run(ctx)
    return {}


def test_failure_after_ingest_leaves_the_store_as_published(project, monkeypatch):
    final, before = _first_run(project, monkeypatch)
    assert before[0] == 12 * 4 * 2 and len(before[1]) == 4
    _corrected_export(project.parent.parent / "data" / "vpr_2024.csv", keep=24)
    monkeypatch.setenv(pipeline.FAIL_ENV, "identify")
    with pytest.raises(WorkbenchError):
        pipeline.run(project, use_notebooks=False)
    assert _counts(final.parent) == before
    monkeypatch.delenv(pipeline.FAIL_ENV)
    pipeline.run(project, use_notebooks=False)  # a run that publishes changes it
    after = _counts(final.parent)
    assert after[0] == 12 * 4 + 24 and len(after[1]) == 4


def test_interrupted_run_leaves_the_store_unchanged(project, monkeypatch):
    final, before = _first_run(project, monkeypatch)
    _corrected_export(project.parent.parent / "data" / "vpr_2023.csv", keep=5)

    def interrupted(stage, ctx):
        if stage == "identify":
            raise KeyboardInterrupt
        return _ingest_only(stage, ctx)

    monkeypatch.setattr(pipeline.runner, "run_stage_inprocess", interrupted)
    with pytest.raises(WorkbenchError) as info:
        pipeline.run(project, use_notebooks=False)
    assert info.value.exit_code == 130
    assert _counts(final.parent) == before


def test_store_failing_at_commit_is_one_clear_error_and_nothing_is_published(project,
                                                                              monkeypatch):
    final, before = _first_run(project, monkeypatch)
    manifest = (final / "manifest.json").read_bytes()
    _corrected_export(project.parent.parent / "data" / "vpr_2023.csv", keep=5)
    real = store.Store.put_parquet_rows

    def disk_full(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise duckdb.IOException('IO Error: Could not write file "store.duckdb.wal": '
                                 'No space left on device')

    monkeypatch.setattr(store.Store, "put_parquet_rows", disk_full)
    for _ in range(2):  # and again: the second failure is as clear as the first
        with pytest.raises(WorkbenchError) as info:
            pipeline.run(project, use_notebooks=False)
        msg = str(info.value)
        assert info.value.exit_code == EXIT_ENVIRONMENT
        assert "Недостаточно места" in msg and "хранилище не изменено" in msg
        assert "rollback" not in msg.lower() and "transaction" not in msg.lower()
    assert (final / "manifest.json").read_bytes() == manifest
    assert _counts(final.parent) == before


def test_transaction_error_after_duckdb_ended_it_shows_the_first_error(tmp_path):
    with store.Store(tmp_path) as st:
        with pytest.raises(duckdb.Error) as info, st.transaction():
            st.con.execute("CREATE TABLE t (x INTEGER)")
            st.con.execute("INSERT INTO t VALUES ('not a number')")
        assert "rollback" not in str(info.value).lower()
        assert "t" not in st.tables()
