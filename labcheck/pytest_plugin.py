"""A pytest plugin for course CI: after each lesson notebook, remove what it left.

``pytest --nbval lessons/`` loads it by itself (``lessons/conftest.py``); elsewhere
load it with ``pytest -p labcheck.pytest_plugin --nbval ...``. When the
last cell of a lesson notebook (``NN-*.ipynb``) has run, everything labelled
with lesson ``NN`` is removed, whether the notebook passed or not: a lesson
that fails half-way then cannot leave a ``web`` behind that makes the next
lesson (which may use the same name) fail too. A passing lesson should have
cleaned up itself; what the plugin had to remove is reported as a warning.

It also sets ``LABCHECK_SOLUTIONS=1`` (unless already set) before any kernel
starts, so the lessons' reference solutions run in CI
(:func:`labcheck.solutions_enabled`) and never in a student's "Run All".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

__all__ = ["lesson_of", "pytest_configure", "pytest_runtest_teardown"]

_LESSON_FILE = re.compile(r"^(\d\d)-.*\.ipynb$")


def lesson_of(path: str | Path) -> str | None:
    """The lesson id of a lesson notebook's path, or None.

    >>> lesson_of("lessons/02-user-defined-bridges.ipynb")
    '02'
    >>> lesson_of("notes.ipynb") is None
    True
    """
    match = _LESSON_FILE.match(Path(path).name)
    return match.group(1) if match else None


def pytest_configure(config: Any) -> None:
    """Run the reference solutions: the kernels nbval starts inherit this environment."""
    import os

    from .teaching import SOLUTIONS_ENV
    os.environ.setdefault(SOLUTIONS_ENV, "1")


def pytest_runtest_teardown(item: Any, nextitem: Any) -> None:
    path = Path(str(item.fspath))
    lesson = lesson_of(path)
    if lesson is None:
        return
    if nextitem is not None and Path(str(nextitem.fspath)) == path:
        return  # not the notebook's last cell yet
    from .errors import LabcheckError
    from .live.daemon import connected
    from .live.ownership import reset

    try:
        with connected() as client:
            result = reset(client, lesson=lesson)
    except LabcheckError:
        return  # no daemon: the notebook's own first cell has said what is wrong
    if result.removed_anything or result.errors:
        import warnings
        warnings.warn(f"lesson {lesson} left objects behind; removed: "
                      + "; ".join(result.lines()), stacklevel=1)
