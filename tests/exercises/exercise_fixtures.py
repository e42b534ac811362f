"""Find and load the fixture module of each exercise (see README.md here)."""

from __future__ import annotations

import importlib.util
import re
import socket
from pathlib import Path
from types import ModuleType

__all__ = ["FIXTURE_DIR", "module_name", "fixture_path", "load_fixture", "free_port",
           "test_binding", "assert_fails_exactly"]

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


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_binding(exercise_id: str, suffix: str):
    """The exercise's objects named ``<name>-<suffix>``, its host ports mapped to free ones."""
    from labcheck.exercises import load_exercise

    ex = load_exercise(exercise_id)
    return ex.binding_for(suffix=suffix, ports={p: free_port() for p in ex.host_ports()})


test_binding.__test__ = False  # a helper, not a test


def assert_fails_exactly(report, expected: dict[str, str]) -> None:
    """A broken variant's report fails exactly the ``expected`` checks, each saying its fragment."""
    shown = report.to_text(show_hidden=True)
    failed = {r.check_id for r in report.results if not r.passed}
    assert failed == set(expected), shown
    for check_id, fragment in expected.items():
        result = report.result(check_id)
        assert result.status == "fail", shown
        assert fragment in result.full_message, f"{check_id}: {result.full_message!r}"
    assert report.score < report.max_score
