"""The background page writer: every queued page is written with its text, a writing error
reaches the caller as the same exception, and the caller's own error still ends the thread."""
from __future__ import annotations

import threading

import pytest

from workbench.briefings.page_writer import PageWriter


def test_every_page_is_written_with_its_text(tmp_path):
    with PageWriter(max_pending=2) as pages:
        for i in range(50):
            pages.write(tmp_path / f"{i}.html", f"<p>Школа № {i}</p>\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{i}.html" for i in range(50))
    assert (tmp_path / "7.html").read_bytes() == "<p>Школа № 7</p>\n".encode("utf-8")


def test_a_writing_error_is_raised_in_the_caller(tmp_path):
    with pytest.raises(FileNotFoundError):
        with PageWriter(max_pending=1) as pages:
            for i in range(20):  # the folder does not exist: the first write fails
                pages.write(tmp_path / "missing" / f"{i}.html", "x")
    assert not (tmp_path / "missing").exists()


def test_the_callers_error_wins_and_the_thread_ends(tmp_path):
    before = threading.active_count()
    with pytest.raises(RuntimeError, match="render"):
        with PageWriter() as pages:
            pages.write(tmp_path / "a.html", "a")
            raise RuntimeError("render failed")
    assert (tmp_path / "a.html").read_text(encoding="utf-8") == "a"
    assert threading.active_count() == before
