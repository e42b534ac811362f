"""grade(): an Exercise and a Snapshot in, a Report out. Pure: no daemon.

:func:`resolve_exercise` loads and binds an exercise; :func:`hint` reveals
its hints. The entry points that read the daemon first (``check``,
``assert_exercise``, ``score``) are in :mod:`labcheck.live.grading`.

>>> from labcheck.exercises import load_exercise
>>> from labcheck.snapshot import Snapshot
>>> report = grade(load_exercise("example-web-db"), Snapshot())
>>> report.score, report.passed, report.result("appnet-exists").message
(0.0, False, "network 'appnet' does not exist.")
>>> report.result("appnet-exists").advice
'Try: docker network create appnet'
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterable, Mapping

from .checks.base import Check, Outcome
from .compose import compose_advice
from .exercises import Exercise, load_exercise
from .exercises import hints as _hints
from .report import CheckResult, Report, format_points

if TYPE_CHECKING:  # pragma: no cover
    from .snapshot import Snapshot

__all__ = ["SUFFIX_ENV", "grade", "hint", "resolve_exercise"]

#: Environment variable: bind every object of the exercise to ``<name>-<suffix>``.
SUFFIX_ENV = "LABCHECK_SUFFIX"


def _hint_text(exercise: Exercise, item: Check, outcome: Outcome, shown: int) -> str:
    if outcome.status == "pass" or not item.hints:
        return ""
    if shown:
        return " / ".join(h.text for h in item.hints[:shown])
    first = item.hints[0]
    if first.penalty == 0:
        return first.text
    return (f"a hint is available: labcheck hint {exercise.id} {item.id} "
            f"(costs {format_points(first.penalty)} points)")


def grade(exercise: Exercise, snapshot: "Snapshot", *,
          revealed: Mapping[str, int] | None = None) -> Report:
    """Grade ``exercise`` (already bound) on ``snapshot``. Pure: no daemon.

    ``revealed`` counts the hints revealed (see :mod:`labcheck.exercises.hints`);
    their penalties come off the score. Compose objects are found in
    ``snapshot`` by their labels (:meth:`Exercise.resolved`).
    """
    composed = _compose_objects(exercise, snapshot)
    exercise = exercise.resolved(snapshot)
    counts = dict(revealed or {})
    results = []
    for item in exercise.checks:
        outcome = item.evaluate(snapshot)
        advice = outcome.advice
        if composed and composed[0] & set(_names_in(item)):
            advice = compose_advice(advice, composed[1])
        results.append(CheckResult(
            check_id=item.id, title=item.title, status=outcome.status,
            points=item.points if outcome.status == "pass" else 0.0,
            max_points=item.points, message=outcome.message, advice=advice,
            hint=_hint_text(exercise, item, outcome, counts.get(item.id, 0)),
            hidden=item.hidden, kind=item.kind, expected=item.expected()))
    return Report(exercise_id=exercise.id, title=exercise.title, lesson=exercise.lesson,
                  results=tuple(results), penalty=_hints.penalty(exercise, counts),
                  hints_revealed=sum(counts.values()), taken_at=snapshot.taken_at,
                  names={k: v for k, v in exercise.binding.names.items() if k != v},
                  reveal=exercise.reveal)


def _compose_objects(exercise: Exercise,
                     snapshot: "Snapshot") -> tuple[set[str], tuple[str, ...]] | None:
    """The real names of the exercise's Compose objects, and its projects (None: it has none)."""
    if not exercise.compose:
        return None
    resolved = exercise.resolved(snapshot)
    return ({resolved.binding.name(ref.name) for ref in exercise.compose},
            tuple(exercise.binding.name(p) for p in exercise.projects))


def _names_in(item: Check) -> list[str]:
    """Every string among a check's parameters (flattening lists)."""
    out: list[str] = []
    for value in item.params.values():
        values = value if isinstance(value, list) else [value]
        out.extend(v for v in values if isinstance(v, str))
    return out


def resolve_exercise(exercise: "str | Exercise", *, names: Mapping[str, str] | None = None,
                     ports: Mapping[int, int] | None = None, suffix: str | None = None,
                     dirs: Iterable[str] | None = None,
                     snapshot: "Snapshot | None" = None) -> Exercise:
    """Load (by id) and bind an exercise.

    The binding comes from ``names``/``ports``, else ``suffix``, else
    ``LABCHECK_SUFFIX``, else a saved snapshot's own record of it. Compose
    objects stay unresolved: they are found in each snapshot graded
    (:meth:`Exercise.resolved`, which :func:`grade` calls).
    """
    ex = load_exercise(exercise, dirs) if isinstance(exercise, str) else exercise
    if not ex.binding.is_identity:
        return ex
    suffix = suffix or os.environ.get(SUFFIX_ENV) or None
    if names is None and not suffix and snapshot is not None and not ports:
        saved = snapshot.meta.get("names") if snapshot.meta.get("exercise") == ex.id else None
        saved_ports = snapshot.meta.get("ports") or {}
        if isinstance(saved, dict) and saved:
            names = {str(k): str(v) for k, v in saved.items()}
            ports = {int(k): int(v) for k, v in saved_ports.items()}
    return ex.bind(ex.binding_for(suffix=suffix, names=names, ports=ports))


def hint(exercise: "str | Exercise", check_id: str | None = None, *,
         dirs: Iterable[str] | None = None, hints_file: str | None = None) -> str:
    """Reveal the next hint (of the exercise, or of one check) and return its text."""
    ex = load_exercise(exercise, dirs) if isinstance(exercise, str) else exercise
    if check_id is not None:
        try:
            ex.check(check_id)
        except KeyError:
            from .errors import UsageError
            raise UsageError(f"exercise {ex.id!r} has no check {check_id!r}; its checks: "
                             f"{', '.join(c.id for c in ex.checks if not c.hidden)}") from None
    found = _hints.reveal(ex, check_id, hints_file)
    if found is None:
        return "no more hints" + (f" for check {check_id!r}" if check_id else "") + "."
    cost = f" (-{format_points(found.penalty)} points)" if found.penalty else ""
    return found.text + cost
