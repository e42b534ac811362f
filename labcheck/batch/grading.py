"""Each kept submission graded: its exercise loaded once, bound once per binding.

Pure: the checks run on the snapshot (:func:`labcheck.grading.grade`). An
exercise that cannot be loaded, or a file that cannot be graded, is a
problem for that file, never an exception.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from ..errors import LabcheckError
from .flags import object_ids
from .reading import Readable
from .results import Graded, Problem

if TYPE_CHECKING:  # pragma: no cover
    from ..exercises import Exercise

__all__ = ["grade_each"]


def grade_each(kept: Sequence[Readable], dirs: Iterable[str] | None = None
               ) -> tuple[list[Graded], list[set[str]], list[Problem]]:
    """(graded rows in order, each row's exercise object ids, the files not graded)."""
    from ..exercises import load_exercise
    from ..grading import grade, resolve_exercise

    dirs = list(dirs or ())
    loaded: dict[str, "Exercise | Problem"] = {}
    bound_cache: dict[str, "Exercise"] = {}
    graded: list[Graded] = []
    ids: list[set[str]] = []
    problems: list[Problem] = []
    for item in kept:
        ex_id = item.info.exercise
        if ex_id not in loaded:
            try:
                loaded[ex_id] = load_exercise(ex_id, dirs or None)
            except LabcheckError as exc:
                loaded[ex_id] = Problem("", str(exc))
        base = loaded[ex_id]
        if isinstance(base, Problem):
            problems.append(Problem(item.path, base.message, item.student))
            continue
        try:
            # Most of a class shares one binding (the logical names): bind once per binding.
            meta = item.snapshot.meta
            key = repr((ex_id, meta.get("exercise"), meta.get("names"), meta.get("ports")))
            if key not in bound_cache:
                bound_cache[key] = resolve_exercise(base, snapshot=item.snapshot)
            bound = bound_cache[key]
            report = grade(bound, item.snapshot, revealed=item.info.hints_revealed)
            row_ids = object_ids(item.snapshot, bound.resolved(item.snapshot))
        except Exception as exc:  # noqa: BLE001 - one odd file must not stop the batch
            problems.append(Problem(item.path, f"could not be graded: {type(exc).__name__}: "
                                    f"{exc}", item.student))
            continue
        graded.append(Graded(item.path, item.student, report, item.snapshot.taken_at,
                             item.info.labcheck_version))
        ids.append(row_ids)
    return graded, ids, problems
