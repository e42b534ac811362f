"""The grading entry points that read the daemon: check, assert_exercise, score.

They load and bind an exercise, read the daemon (when no snapshot is given)
with exactly the probes the exercise needs, and grade with the pure
:func:`labcheck.grading.grade`. :func:`assert_exercise` and :func:`score` are
for nbgrader and otter test cells; :func:`make_submission` saves what an
instructor grades offline (:mod:`labcheck.batch`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from ..batch import submission
from ..exercises import Exercise
from ..exercises import hints as _hints
from ..grading import grade, resolve_exercise
from ..probes import DEFAULT_TIMEOUT, Probe, ProbeResult, Resolve
from ..report import Report
from ..snapshot import NodeState, Snapshot
from .collect import collect, collect_lab
from .daemon import connected, daemon_errors
from .probes import run_probes

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from ..progress import ProgressCallback
    from .engines.nodes import Nodes

__all__ = ["collect_for", "collect_nodes", "collect_live", "graded", "check", "assert_exercise",
           "score", "make_submission"]


def collect_for(exercise: Exercise, client: "docker.DockerClient", *,
                progress: "ProgressCallback | None" = None,
                timeout: int | None = None, probes: bool = True) -> "Snapshot":
    """Read the daemon's state, then run the probes ``exercise`` needs on it.

    With ``probes=False`` only the state is read: enough for the checks of
    objects, names and ports (those that mark a diagram), while the checks
    that need a probe report an error.

    Two steps because some probes depend on the state (``via: ip``); the
    number of API calls is the same as one :func:`~labcheck.live.collect.collect`
    (two for an exercise with Compose objects: the first finds their names).
    Probes that failed on a name lookup are asked once more (a loaded daemon's
    DNS was seen to miss a known name now and then), and the second answer
    is kept, whichever way it goes. :class:`~labcheck.probes.Resolve` asks
    twice inside the container already, so only reach and HTTP probes that
    could not resolve their target are run again.
    """
    meta = {"exercise": exercise.id, "names": dict(exercise.binding.names),
            "ports": {str(k): v for k, v in exercise.binding.ports.items()}}
    state = collect(client, detail=exercise.containers(), meta=meta)
    if exercise.compose:  # Compose objects: real names from the labels, then read in detail
        exercise = exercise.resolved(state)
        if exercise.containers():
            state = collect(client, detail=exercise.containers(), meta=meta)
    if not probes:
        return state
    return state.with_probes(_asked(client, exercise.probes(state), timeout, progress))


def _asked(client: "docker.DockerClient", asked: Sequence["Probe"], timeout: int | None,
           progress: "ProgressCallback | None") -> list[ProbeResult]:
    """Run ``asked`` in ``client``'s daemon; lookups that failed are asked once more."""
    if not asked:
        return []
    timeout = timeout or DEFAULT_TIMEOUT
    with daemon_errors(client):  # a daemon failure mid-run is an environment problem
        results = list(run_probes(client, asked, timeout=timeout, progress=progress))
        again = [i for i, r in enumerate(results) if _lookup_failed(r)]
        if again:  # a lookup can fail once on a loaded daemon: ask again, keep the answer
            redone = run_probes(client, [asked[i] for i in again], timeout=timeout)
            for i, result in zip(again, redone, strict=True):
                results[i] = result
    return results


def collect_nodes(exercise: Exercise, lab: "Nodes", *,
                  progress: "ProgressCallback | None" = None,
                  timeout: int | None = None, probes: bool = True) -> Snapshot:
    """A multi-node snapshot of ``lab`` (:func:`labcheck.nodes`) for ``exercise``.

    Each host's state is read with :func:`~labcheck.live.collect.collect` on its
    own client; then each check's probes run on the host it names (``node:``),
    with that host's view of the whole lab (so ``via: ip`` finds an address on
    another host). The hosts' snapshots are kept side by side
    (:class:`~labcheck.snapshot.NodeState`); what spans them is joined by id
    when read (:meth:`~labcheck.snapshot.Snapshot.spanning`).
    """
    meta = {"exercise": exercise.id, "names": dict(exercise.binding.names),
            "ports": {str(k): v for k, v in exercise.binding.ports.items()},
            "nodes": [node.name for node in lab]}
    whole = replace(collect_lab(lab, detail=exercise.containers()), meta=meta)
    states = whole.nodes
    if not probes:
        return whole
    done = []
    for node, state in zip(lab, states, strict=True):
        asked = exercise.probes(whole, node=node.name)
        done.append(NodeState(state.name, state.address,
                              state.snapshot.with_probes(_asked(node.client, asked, timeout,
                                                                progress))))
    return replace(whole, nodes=tuple(done), meta=dict(meta))


def _lookup_failed(result: "ProbeResult") -> bool:
    """A probe that ran and failed on a name lookup (quick to ask again)."""
    if not result.ran or result.succeeded or isinstance(result.probe, Resolve):
        return False
    return "does not resolve" in result.detail


def collect_live(exercise: Exercise, client: "docker.DockerClient | None" = None, *,
                 progress: "ProgressCallback | None" = None, probes: bool = True,
                 nodes: "Nodes | None" = None) -> "Snapshot":
    """:func:`collect_for` with ``client``, or with a client made (and closed) here;
    :func:`collect_nodes` with ``nodes`` (an exercise whose checks name hosts needs them)."""
    if nodes is not None:
        return collect_nodes(exercise, nodes, progress=progress, probes=probes)
    if exercise.nodes:  # graded across hosts: the lab running here (labcheck nodes up)
        from ..errors import UsageError
        from .engines.nodes import find

        lab = find()
        if lab.nodes and all(status.running for status in lab.status()):
            return collect_nodes(exercise, lab, progress=progress, probes=probes)
        raise UsageError(f"exercise {exercise.id!r} is graded across Docker hosts "
                         f"({', '.join(exercise.nodes)}), and no lab of several hosts "
                         f"runs here ({lab.lab!r})",
                         advice=f"Start one (labcheck nodes up 3) or pass it: "
                                f"labcheck.check({exercise.id!r}, nodes=LAB)")
    with connected(client) as live:
        return collect_for(exercise, live, progress=progress, probes=probes)


def graded(exercise: "str | Exercise", *, snapshot: "Snapshot | None" = None,
           client: "docker.DockerClient | None" = None, names: Mapping[str, str] | None = None,
           ports: Mapping[int, int] | None = None, suffix: str | None = None,
           dirs: Iterable[str] | None = None, progress: "ProgressCallback | None" = None,
           hints_file: str | None = None, probes: bool = True,
           nodes: "Nodes | None" = None) -> "tuple[Snapshot, Report]":
    """The snapshot graded (read from the daemon when none is given) and its Report.

    For a diagram of the result: ``diagram(snapshot, report=report)`` marks
    exactly what the checks found, on exactly what they read. ``probes=False``
    reads the state alone (see :func:`collect_for`). ``nodes``: the lab of several
    Docker hosts (:func:`labcheck.nodes`) an exercise graded across hosts reads.
    """
    ex = resolve_exercise(exercise, names=names, ports=ports, suffix=suffix, dirs=dirs,
                          snapshot=snapshot)
    if snapshot is None:
        snapshot = collect_live(ex, client, progress=progress, probes=probes, nodes=nodes)
    return snapshot, grade(ex, snapshot, revealed=_hints.revealed(ex.id, hints_file))


def check(exercise: "str | Exercise", *, snapshot: "Snapshot | None" = None,
          client: "docker.DockerClient | None" = None, names: Mapping[str, str] | None = None,
          ports: Mapping[int, int] | None = None, suffix: str | None = None,
          dirs: Iterable[str] | None = None, progress: "ProgressCallback | None" = None,
          hints_file: str | None = None, nodes: "Nodes | None" = None) -> Report:
    """Grade an exercise on ``snapshot``, else on the live daemon (or the lab ``nodes``)."""
    return graded(exercise, snapshot=snapshot, client=client, names=names, ports=ports,
                  suffix=suffix, dirs=dirs, progress=progress, hints_file=hints_file,
                  nodes=nodes)[1]


def assert_exercise(exercise: "str | Exercise", **kwargs: Any) -> Report:
    """Grade; raise AssertionError with the student-facing report unless all pass."""
    report = check(exercise, **kwargs)
    if not report.passed:
        raise AssertionError("\n" + report.to_text(color=False))
    return report


def score(exercise: "str | Exercise", *, out_of: float = 1.0, **kwargs: Any) -> float:
    """The score as a fraction of ``out_of`` (nbgrader partial credit: ``out_of=points``)."""
    return round(check(exercise, **kwargs).fraction * out_of, 4)


def make_submission(exercise: "str | Exercise", *, student: str | None = None,
                    client: "docker.DockerClient | None" = None,
                    names: Mapping[str, str] | None = None,
                    ports: Mapping[int, int] | None = None, suffix: str | None = None,
                    dirs: Iterable[str] | None = None, hints_file: str | None = None,
                    progress: "ProgressCallback | None" = None,
                    nodes: "Nodes | None" = None) -> "Snapshot":
    """Read the daemon (``client``, else :func:`~labcheck.live.daemon.connect`) for ``exercise``.

    The result is a snapshot with the exercise's probe results and a
    ``meta["submission"]`` record (see :func:`labcheck.batch.submission`).
    Save it with :meth:`Snapshot.save`.
    """
    ex = resolve_exercise(exercise, names=names, ports=ports, suffix=suffix, dirs=dirs)
    snapshot = collect_live(ex, client, progress=progress, nodes=nodes)
    return submission(snapshot, ex, student=student, hints_file=hints_file)
