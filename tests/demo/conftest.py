"""Fixtures of the demo tests: small demo projects written once per test session."""
from __future__ import annotations

import pytest

from workbench import demo


@pytest.fixture(scope="session")
def written(tmp_path_factory) -> dict:
    """Two small demo projects from the same seed, one from another seed (xlsx results)."""
    out = {}
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        proj = tmp_path_factory.mktemp(f"proj_{name}")
        out[name] = demo.write_demo(proj / "data" / "demo", proj / "params" / "demo.yaml",
                                    n_schools=60, seed=seed)
        out[name]["project"] = proj
    return out
