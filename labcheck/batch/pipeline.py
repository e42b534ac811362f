"""grade_files(): a class's submission files in, every file's verdict out.

The steps, in order: read each file (:mod:`~labcheck.batch.reading`), keep
the exercise asked for, keep each student's last submission
(:mod:`~labcheck.batch.dedupe`), grade (:mod:`~labcheck.batch.grading`), flag
copies (:mod:`~labcheck.batch.flags`). Problems come out in input order.

>>> result = grade_files([])
>>> result.graded, result.problems
((), ())
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .dedupe import latest_per_student
from .flags import flag_copies
from .grading import grade_each
from .reading import Readable, read_submission
from .results import BatchResult, Problem

__all__ = ["grade_files"]


def grade_files(paths: Iterable[str | os.PathLike[str]], *, exercise: str | None = None,
                dirs: Iterable[str] | None = None) -> BatchResult:
    """Grade every submission file; a bad file becomes a :class:`Problem`, never an exception.

    ``exercise``, when given, is the only exercise accepted. Of several files
    of one student, the one taken last is graded and the others reported.
    """
    paths = list(paths)
    problems: list[Problem] = []
    readable: list[Readable] = []
    seen_content: dict[str, str] = {}
    for path in paths:
        outcome = read_submission(Path(path), seen_content)
        if isinstance(outcome, Problem):
            problems.append(outcome)
        elif exercise and outcome.info.exercise != exercise:
            problems.append(Problem(outcome.path, f"is a submission of exercise "
                                    f"{outcome.info.exercise!r}, not {exercise!r}",
                                    outcome.student))
        else:
            readable.append(outcome)
    kept, superseded = latest_per_student(readable)
    problems += superseded
    graded, ids, not_graded = grade_each(kept, dirs)
    problems += not_graded
    order = {name: i for i, name in enumerate(str(p) for p in paths)}
    problems.sort(key=lambda p: order.get(p.path, len(order)))
    return BatchResult(graded=flag_copies(graded, ids), problems=tuple(problems))
