"""The docstring examples of every labcheck module run and hold."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import labcheck

MODULES = sorted(
    info.name for info in pkgutil.walk_packages(labcheck.__path__, prefix="labcheck.")
    if not info.name.endswith("__main__")
)

#: Modules that subclass JupyterHub's (make hub installs it; the test venv need not).
HUB_ONLY = {"labcheck.hub.auth", "labcheck.hub.spawner"}


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    if module_name in HUB_ONLY:  # JupyterHub's classes: installed in the hub's venv only
        pytest.importorskip("jupyterhub")
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
