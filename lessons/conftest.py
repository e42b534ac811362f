"""The course CI as the READMEs write it: ``pytest --nbval lessons/`` loads
``labcheck.pytest_plugin`` for the lessons by itself.

The plugin runs the reference solutions (``LABCHECK_SOLUTIONS=1``) and removes
what a lesson left behind. Without it, the documented command fails every cell
whose stored output a reference solution made. Registered once: a command that
also gives ``-p labcheck.pytest_plugin`` (``scripts/test-engines.sh``,
``scripts/test-vm-user.sh``) has it registered already under that name, and
``-p no:labcheck.pytest_plugin`` still turns it off.
"""

from __future__ import annotations

from typing import Any

PLUGIN = "labcheck.pytest_plugin"


def pytest_configure(config: Any) -> None:
    manager = config.pluginmanager
    if manager.is_blocked(PLUGIN) or manager.get_plugin(PLUGIN) is not None:
        return
    manager.import_plugin(PLUGIN)   # registers under the same name `-p` would use
