"""Find and load the fixture module of each exercise (see README.md here)."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

__all__ = ["FIXTURE_DIR", "module_name", "fixture_path", "load_fixture"]

FIXTURE_DIR = Path(__file__).resolve().parent


def module_name(exercise_id: str) -> str:
    """``example-web-db`` -> ``example_web_db``."""
    return re.sub(r"[^A-Za-z0-9_]", "_", exercise_id)


def fixture_path(exercise_id: str) -> Path:
    return FIXTURE_DIR / f"{module_name(exercise_id)}.py"


def load_fixture(exercise_id: str) -> ModuleType | None:
    """The exercise's fixture module, or None when it has none."""
    path = fixture_path(exercise_id)
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"exercise_fixture_{module_name(exercise_id)}",
                                                  path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
