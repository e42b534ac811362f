"""Copied snapshots: submissions of different students that share Docker object ids.

Every daemon makes its ids at random, so two students' submissions that
share the id of one of the exercise's containers or networks came from one
daemon: both are graded, and flagged.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Sequence

from .results import Graded

if TYPE_CHECKING:  # pragma: no cover
    from ..exercises import Exercise
    from ..snapshot import Snapshot

__all__ = ["object_ids", "flag_copies"]


def object_ids(snapshot: "Snapshot", exercise: "Exercise") -> set[str]:
    """Docker ids of the exercise's own containers and networks in ``snapshot``.

    ``exercise`` is bound and resolved: its binding's names include the real
    names of its Compose objects.
    """
    ids = set()
    bound = set(exercise.binding.names.values())
    for state in (snapshot, *(node.snapshot for node in snapshot.nodes)):  # each host's too
        for name in (*exercise.containers(), *bound):
            box = state.container(name)
            if box is not None and len(box.id) >= 32:
                ids.add(box.id)
        for name in (*(exercise.binding.name(n) for n in exercise.networks), *bound):
            net = state.network(name)
            if net is not None and len(net.id) >= 32:
                ids.add(net.id)
    return ids


def flag_copies(graded: Sequence[Graded], ids: Sequence[Iterable[str]]) -> tuple[Graded, ...]:
    """``graded`` with a flag on each row that shares an id with another student's row.

    ``ids[i]`` are the object ids of ``graded[i]`` (:func:`object_ids`).
    """
    owners: dict[str, list[int]] = {}
    for row, row_ids in enumerate(ids):
        for ident in row_ids:
            owners.setdefault(ident, []).append(row)
    flags: dict[int, list[str]] = {}
    for rows in owners.values():
        students = {graded[i].student for i in rows}
        if len(students) < 2:
            continue
        for i in rows:
            others = sorted({f"{graded[j].path} ({graded[j].student})" for j in rows
                             if graded[j].student != graded[i].student})
            note = f"shares Docker object ids with {', '.join(others)}: a copied snapshot?"
            if note not in flags.setdefault(i, []):
                flags[i].append(note)
    return tuple(replace(g, flags=tuple(flags.get(i, ()))) for i, g in enumerate(graded))
