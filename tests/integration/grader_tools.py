"""Helpers shared by the tests of the grader examples (nbgrader, otter, GitHub Classroom)."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

__all__ = ["need", "grader_env"]


def need(module: str) -> None:
    """Skip without ``module`` (a grader from the ``graders`` extra); in CI, fail instead."""
    if importlib.util.find_spec(module) is None:
        message = f"{module} is not installed: pip install -e '.[graders]'"
        if os.environ.get("CI"):
            pytest.fail(f"CI needs {message}")
        pytest.skip(message)


def grader_env(**extra: str) -> dict[str, str]:
    """os.environ with this venv's bin folder first on PATH (graders run its tools), plus ``extra``."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, **extra}
