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


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples(module_name: str) -> None:
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"
