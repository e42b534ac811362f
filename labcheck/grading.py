"""grade(): an Exercise and a Snapshot in, a Report out; and the live helpers.

:func:`grade` is pure. :func:`check` loads an exercise, binds its names,
reads the daemon (when no snapshot is given) with exactly the probes the
exercise needs, and grades. :func:`assert_exercise` and :func:`score` are
for nbgrader and otter test cells.

>>> from labcheck.exercises import load_exercise
>>> from labcheck.snapshot import Snapshot
>>> report = grade(load_exercise("example-web-db"), Snapshot())
>>> report.score, report.passed, report.result("appnet-exists").message
(0.0, False, "network 'appnet' does not exist. Try: docker network create appnet")
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from .checks.base import Check, Outcome
from .exercises import Exercise, load_exercise
from .exercises import hints as _hints
from .report import CheckResult, Report, format_points

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from .probes import ProbeResult
    from .progress import ProgressCallback
    from .snapshot import Snapshot

__all__ = ["SUFFIX_ENV", "grade", "collect_for", "collect_live", "check", "assert_exercise",
           "score", "hint", "resolve_exercise"]

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
    their penalties come off the score.
    """
    counts = dict(revealed or {})
    results = []
    for item in exercise.checks:
        outcome = item.evaluate(snapshot)
        results.append(CheckResult(
            check_id=item.id, title=item.title, status=outcome.status,
            points=item.points if outcome.status == "pass" else 0.0,
            max_points=item.points, message=outcome.message,
            hint=_hint_text(exercise, item, outcome, counts.get(item.id, 0)),
            hidden=item.hidden, kind=item.kind))
    return Report(exercise_id=exercise.id, title=exercise.title, lesson=exercise.lesson,
                  results=tuple(results), penalty=_hints.penalty(exercise, counts),
                  hints_revealed=sum(counts.values()), taken_at=snapshot.taken_at,
                  names={k: v for k, v in exercise.binding.names.items() if k != v})


def collect_for(exercise: Exercise, client: "docker.DockerClient", *,
                progress: "ProgressCallback | None" = None,
                timeout: int | None = None) -> "Snapshot":
    """Read the daemon's state, then run the probes ``exercise`` needs on it.

    Two steps because some probes depend on the state (``via: ip``); the
    number of API calls is the same as one :func:`~labcheck.collect.collect`.
    Probes that failed on a name lookup are asked once more (a loaded daemon's
    DNS was seen to miss a known name now and then), and the second answer
    is kept, whichever way it goes. :class:`~labcheck.probes.Resolve` asks
    twice inside the container already, so only reach and HTTP probes that
    could not resolve their target are run again.
    """
    from .collect import collect
    from .probes import DEFAULT_TIMEOUT, run_probes

    meta = {"exercise": exercise.id, "names": dict(exercise.binding.names),
            "ports": {str(k): v for k, v in exercise.binding.ports.items()}}
    state = collect(client, detail=exercise.containers(), meta=meta)
    probes = exercise.probes(state)
    if not probes:
        return state
    timeout = timeout or DEFAULT_TIMEOUT
    from .daemon import translate_docker_error
    try:
        results = list(run_probes(client, probes, timeout=timeout, progress=progress))
        again = [i for i, r in enumerate(results) if _lookup_failed(r)]
        if again:  # a lookup can fail once on a loaded daemon: ask again, keep the answer
            redone = run_probes(client, [probes[i] for i in again], timeout=timeout)
            for i, result in zip(again, redone):
                results[i] = result
    except Exception as exc:  # noqa: BLE001 - a daemon failure mid-run is an environment problem
        import docker.errors
        if isinstance(exc, (docker.errors.DockerException, OSError)):
            raise translate_docker_error(exc, str(client.api.base_url)) from None
        raise
    return state.with_probes(results)


def _lookup_failed(result: "ProbeResult") -> bool:
    """A probe that ran and failed on a name lookup (quick to ask again)."""
    from .probes import Resolve
    if not result.ran or result.succeeded or isinstance(result.probe, Resolve):
        return False
    return "does not resolve" in result.detail


def collect_live(exercise: Exercise, client: "docker.DockerClient | None" = None, *,
                 progress: "ProgressCallback | None" = None) -> "Snapshot":
    """:func:`collect_for` with ``client``, or with a client made (and closed) here."""
    if client is not None:
        return collect_for(exercise, client, progress=progress)
    from .daemon import connect
    own = connect()
    try:
        return collect_for(exercise, own, progress=progress)
    finally:
        own.close()


def resolve_exercise(exercise: "str | Exercise", *, names: Mapping[str, str] | None = None,
                     ports: Mapping[int, int] | None = None, suffix: str | None = None,
                     dirs: Iterable[str] | None = None,
                     snapshot: "Snapshot | None" = None) -> Exercise:
    """Load (by id) and bind an exercise.

    The binding comes from ``names``/``ports``, else ``suffix``, else
    ``LABCHECK_SUFFIX``, else a saved snapshot's own record of it.
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


def check(exercise: "str | Exercise", *, snapshot: "Snapshot | None" = None,
          client: "docker.DockerClient | None" = None, names: Mapping[str, str] | None = None,
          ports: Mapping[int, int] | None = None, suffix: str | None = None,
          dirs: Iterable[str] | None = None, progress: "ProgressCallback | None" = None,
          hints_file: str | None = None) -> Report:
    """Grade an exercise on ``snapshot``, or on the live daemon when none is given."""
    ex = resolve_exercise(exercise, names=names, ports=ports, suffix=suffix, dirs=dirs,
                          snapshot=snapshot)
    if snapshot is None:
        snapshot = collect_live(ex, client, progress=progress)
    return grade(ex, snapshot, revealed=_hints.revealed(ex.id, hints_file))


def assert_exercise(exercise: "str | Exercise", **kwargs: Any) -> Report:
    """Grade; raise AssertionError with the student-facing report unless all pass."""
    report = check(exercise, **kwargs)
    if not report.passed:
        raise AssertionError("\n" + report.to_text(color=False))
    return report


def score(exercise: "str | Exercise", *, out_of: float = 1.0, **kwargs: Any) -> float:
    """The score as a fraction of ``out_of`` (nbgrader partial credit: ``out_of=points``)."""
    return round(check(exercise, **kwargs).fraction * out_of, 4)


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
