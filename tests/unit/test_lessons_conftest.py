"""The course CI as the READMEs write it: ``pytest --nbval lessons/`` loads
labcheck.pytest_plugin by itself (lessons/conftest.py), once, and ``-p no:`` still
turns it off. Collection only: no daemon, no kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LESSON = "lessons/01-default-bridge.ipynb"


def _registrations(*extra: str) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", LESSON, "--nbval-sanitize-with",
         "lessons/sanitize.cfg", "-p", "no:cacheprovider", "--collect-only", "-q",
         "--trace-config", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return sum("PLUGIN registered: <module 'labcheck.pytest_plugin'" in line
               for line in done.stdout.splitlines())


@pytest.mark.parametrize("extra, expected", [
    ((), 1),                                           # the documented command
    (("-p", "labcheck.pytest_plugin"), 1),             # scripts/test-engines.sh's: not twice
    (("-p", "no:labcheck.pytest_plugin"), 0),          # turned off on purpose
])
def test_the_documented_command_loads_the_plugin_once(extra, expected):
    pytest.importorskip("nbval")
    assert _registrations(*extra) == expected
