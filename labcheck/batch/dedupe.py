"""One submission per student and exercise: the one taken last.

>>> kept, dropped = latest_per_student([])
>>> kept, dropped
([], [])
"""

from __future__ import annotations

from typing import Sequence

from .reading import Readable
from .results import Problem

__all__ = ["latest_per_student"]


def latest_per_student(readable: Sequence[Readable]) -> tuple[list[Readable], list[Problem]]:
    """(the submissions kept, in input order; a problem for each one superseded).

    Of several files of one student for one exercise, the one whose snapshot
    was taken last is kept (the later file of two taken at the same time).
    """
    latest: dict[tuple[str, str], Readable] = {}
    for item in readable:
        who = (item.info.exercise, item.student)
        earlier = latest.get(who)
        if earlier is None or item.snapshot.taken_at >= earlier.snapshot.taken_at:
            latest[who] = item
    kept: list[Readable] = []
    dropped: list[Problem] = []
    for item in readable:
        winner = latest[(item.info.exercise, item.student)]
        if winner is item:
            kept.append(item)
        else:
            dropped.append(Problem(item.path, f"student {item.student!r} also submitted "
                                   f"{winner.path}, taken later; that one is graded",
                                   item.student))
    return kept, dropped
