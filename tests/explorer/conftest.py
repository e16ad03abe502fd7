"""The synthetic finished run (600 schools, 5 years) the explorer's module tests share, written
once per session; `app` is a fresh explorer over it for each test."""
from __future__ import annotations

from pathlib import Path

import pytest

import support.explorer as ws
from workbench import explorer


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory) -> Path:
    return ws.write_run(tmp_path_factory.mktemp("wrun") / "synth", n_schools=600)


@pytest.fixture(scope="session")
def data(run_dir) -> explorer.ExplorerData:
    return explorer.load_run(run_dir)


@pytest.fixture()
def app(data) -> explorer.Explorer:
    return explorer.Explorer(data)
