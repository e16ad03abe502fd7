"""The package's public face: its names, and no name that hides a module of the package."""
from __future__ import annotations

import pkgutil
from types import ModuleType

import workbench.briefings as briefings


def test_public_names_exist_and_hide_no_module():
    assert all(hasattr(briefings, n) for n in briefings.__all__)
    for mod in pkgutil.iter_modules(briefings.__path__):
        __import__(f"workbench.briefings.{mod.name}")
        assert isinstance(getattr(briefings, mod.name), ModuleType), mod.name
    assert callable(briefings.stage.run)
