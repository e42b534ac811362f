"""Labels that mark what labcheck, a lesson or a test created, and what reset removes.

Everything the course creates carries ``io.labcheck.owner=labcheck`` and
``io.labcheck.lesson=<id>``. :func:`labcheck.live.ownership.reset` removes only objects with
those labels (containers first, then networks), as :func:`select_for_reset`
picks them: a user's own containers and networks are never touched.

>>> lesson_labels("02")
{'io.labcheck.owner': 'labcheck', 'io.labcheck.lesson': '02'}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

from .errors import UsageError

__all__ = [
    "OWNER_LABEL",
    "OWNER_VALUE",
    "LESSON_LABEL",
    "PROBE_LABELS",
    "lesson_labels",
    "is_owned",
    "ResetResult",
    "ResetPlan",
    "select_for_reset",
]

OWNER_LABEL = "io.labcheck.owner"
OWNER_VALUE = "labcheck"
LESSON_LABEL = "io.labcheck.lesson"

#: Labels of the short-lived helper containers that probes may start.
PROBE_LABELS = {OWNER_LABEL: OWNER_VALUE, LESSON_LABEL: "probe"}


def lesson_labels(lesson: str) -> dict[str, str]:
    """The labels to put on every object a lesson (or a test) creates."""
    if not lesson or not str(lesson).strip():
        raise UsageError("a lesson id is needed to label objects, for example '02'")
    return {OWNER_LABEL: OWNER_VALUE, LESSON_LABEL: str(lesson)}


def is_owned(labels: dict[str, str] | None, lesson: str | None = None) -> bool:
    """Whether an object with ``labels`` was made by labcheck (for ``lesson``)."""
    labels = labels or {}
    if labels.get(OWNER_LABEL) != OWNER_VALUE or LESSON_LABEL not in labels:
        return False
    return lesson is None or labels[LESSON_LABEL] == lesson


@dataclass
class ResetResult:
    """What :func:`~labcheck.live.ownership.reset` removed, and what it could not."""

    containers: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def removed_anything(self) -> bool:
        return bool(self.containers or self.networks)

    def lines(self) -> list[str]:
        """Human-readable lines, one per object."""
        out = [f"removed container {name}" for name in self.containers]
        out += [f"removed network {name}" for name in self.networks]
        out += [f"could not remove {err}" for err in self.errors]
        return out or ["nothing to remove: no labcheck containers or networks found"]


@dataclass(frozen=True)
class ResetPlan:
    """What :func:`~labcheck.live.ownership.reset` would remove: (id, name) pairs,
    containers before networks."""

    containers: tuple[tuple[str, str], ...] = ()
    networks: tuple[tuple[str, str], ...] = ()


def select_for_reset(containers: Iterable[Mapping[str, Any]],
                     networks: Iterable[Mapping[str, Any]],
                     lesson: str | None = None) -> ResetPlan:
    """Pick, from listed containers and networks, the ones that
    :func:`~labcheck.live.ownership.reset` removes.

    Pure: it reads the entries of ``GET /containers/json`` and ``GET /networks``
    and keeps only those that carry both labcheck labels (for ``lesson``, or
    any lesson when it is None). Everything else is left alone.

    >>> mine = {"Id": "c1", "Names": ["/web"], "Labels": lesson_labels("02")}
    >>> theirs = {"Id": "c2", "Names": ["/db"], "Labels": {"io.labcheck.lesson": "02"}}
    >>> select_for_reset([mine, theirs], [], lesson="02").containers
    (('c1', 'web'),)
    """
    def container_name(entry: Mapping[str, Any]) -> str:
        names = entry.get("Names") or ["/" + str(entry["Id"])[:12]]
        return str(names[0]).lstrip("/")

    def network_name(entry: Mapping[str, Any]) -> str:
        return str(entry.get("Name") or str(entry["Id"])[:12])

    return ResetPlan(_pick(containers, lesson, container_name),
                     _pick(networks, lesson, network_name))


def _pick(entries: Iterable[Mapping[str, Any]], lesson: str | None,
          name_of: Callable[[Mapping[str, Any]], str]) -> tuple[tuple[str, str], ...]:
    """(id, name) of the listed entries that labcheck owns (for ``lesson``)."""
    picked = []
    for entry in entries:
        if not isinstance(entry, Mapping) or not entry.get("Id"):
            continue
        labels = entry.get("Labels")
        if is_owned(labels if isinstance(labels, dict) else None, lesson):
            picked.append((str(entry["Id"]), name_of(entry)))
    return tuple(picked)
