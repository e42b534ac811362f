"""Hints revealed one at a time, remembered in a small JSON file.

The state lives in ``.labcheck-hints.json`` in the working directory (the
notebook's folder, or where ``labcheck`` runs), or in the file named by
``LABCHECK_HINTS_FILE``. It maps an exercise id to how many hints were
revealed: ``{"example-web-db": {"": 1, "web-on-appnet": 1}}`` (``""`` is the
exercise's own list, other keys are check ids). Each revealed hint's
``penalty`` is taken off the exercise's score. Deleting the file forgets
everything; nothing else reads it.

>>> import tempfile, os
>>> from labcheck.exercises import load_exercise
>>> path = os.path.join(tempfile.mkdtemp(), "hints.json")
>>> ex = load_exercise("example-web-db")
>>> reveal(ex, path=path).text
'Containers find each other by name only on a user-defined network.'
>>> reveal(ex, path=path).penalty
0.5
>>> reveal(ex, path=path) is None
True
>>> revealed(ex.id, path=path)
{'': 2}
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping

from ..checks.base import Hint
from ..errors import EnvironmentProblem

if TYPE_CHECKING:  # pragma: no cover
    from .model import Exercise

__all__ = ["HINTS_FILE", "HINTS_ENV", "hints_path", "revealed", "reveal", "penalty",
           "forget"]

HINTS_FILE = ".labcheck-hints.json"
HINTS_ENV = "LABCHECK_HINTS_FILE"


def hints_path(path: str | os.PathLike[str] | None = None) -> Path:
    """Where the revealed-hint state is kept."""
    return Path(path or os.environ.get(HINTS_ENV) or HINTS_FILE)


def _load(path: Path) -> dict[str, dict[str, int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, dict[str, int]] = {}
    for ex_id, counts in data.items():
        if isinstance(counts, dict):
            out[str(ex_id)] = {str(k): int(v) for k, v in counts.items()
                               if isinstance(v, int) and v > 0}
    return out


def save_state(path: Path, state: Mapping[str, Any], *, what: str, env: str) -> None:
    """Write a student's recorded ``state`` (hints, predictions) to ``path`` as JSON.

    A file that cannot be written is an :class:`EnvironmentProblem` that names
    ``what`` was being recorded and the variable ``env`` that moves the file.
    """
    try:
        path.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise EnvironmentProblem(
            f"cannot record {what} in {str(path)!r}: {exc.strerror or exc}",
            advice=f"Run from a folder you can write to, or set {env} to a writable file"
        ) from None


def _save(path: Path, state: dict[str, dict[str, int]]) -> None:
    save_state(path, state, what="the revealed hints", env=HINTS_ENV)


def revealed(exercise_id: str, path: str | os.PathLike[str] | None = None) -> dict[str, int]:
    """How many hints of ``exercise_id`` were revealed, per list ("" = the exercise's)."""
    return _load(hints_path(path)).get(exercise_id, {})


def reveal(exercise: "Exercise", check_id: str | None = None,
           path: str | os.PathLike[str] | None = None) -> Hint | None:
    """Reveal the next hint (of the exercise, or of one check); None when none is left."""
    hints = exercise.check(check_id).hints if check_id else exercise.hints
    target = hints_path(path)
    state = _load(target)
    counts = state.setdefault(exercise.id, {})
    key = check_id or ""
    shown = counts.get(key, 0)
    if shown >= len(hints):
        return None
    counts[key] = shown + 1
    _save(target, state)
    return hints[shown]


def penalty(exercise: "Exercise", counts: dict[str, int]) -> float:
    """Points taken off for the hints revealed (``counts`` as from :func:`revealed`)."""
    total = sum(h.penalty for h in exercise.hints[:counts.get("", 0)])
    for item in exercise.checks:
        total += sum(h.penalty for h in item.hints[:counts.get(item.id, 0)])
    return float(total)


def forget(exercise_id: str, path: str | os.PathLike[str] | None = None) -> None:
    """Forget the hints revealed for ``exercise_id``."""
    target = hints_path(path)
    state = _load(target)
    if state.pop(exercise_id, None) is not None:
        _save(target, state)
