"""Reachability measured on a daemon: confirm the rules with a probe, and the matrix.

The rules (:func:`labcheck.reachability.explain`) and the matrix built from
probe results (:func:`labcheck.reachability.reach_matrix`) are pure; these
run the probes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from ..reachability import (
    PROBE_TIMEOUT,
    Explanation,
    ReachMatrix,
    Verdict,
    explain,
    find_container,
    matrix_probes,
    reach_matrix,
)
from ..snapshot import Snapshot
from .probes import run_probes

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from .engines.nodes import Nodes

__all__ = ["confirm", "explain_live", "explain_nodes", "measure_matrix"]


def confirm(client: "docker.DockerClient", explanation: Explanation, *,
            timeout: int = PROBE_TIMEOUT) -> Verdict:
    """Run the explanation's probe against the daemon; the Verdict compares both."""
    if explanation.probe is None:
        return Verdict(explanation)
    (result,) = run_probes(client, [explanation.probe], timeout=timeout)
    return Verdict(explanation, result)


def explain_live(client: "docker.DockerClient", source: str, target: str, *,
                 port: int | None = None, timeout: int = PROBE_TIMEOUT) -> Verdict:
    """Collect a snapshot, apply the rules, and confirm them with a live probe."""
    from .collect import collect

    snapshot = collect(client, detail=[source, target])
    return confirm(client, explain(snapshot, source, target, port=port), timeout=timeout)


def explain_nodes(lab: "Nodes", source: str, target: str, *, port: int | None = None,
                  timeout: int = PROBE_TIMEOUT, probe: bool = True) -> Verdict:
    """:func:`explain_live` across the hosts of ``lab``: the rules on a multi-node
    snapshot, confirmed by a probe run in ``source`` on its own host."""
    from .collect import collect_lab

    snapshot = collect_lab(lab, detail=[source, target])
    explanation = explain(snapshot, source, target, port=port)
    if not probe:
        return Verdict(explanation)
    home = snapshot.nodes_of(source)[0]
    return confirm(lab[home].client, explanation, timeout=timeout)


def measure_matrix(client: "docker.DockerClient", containers: Iterable[str], *,
                   port: int | None = None, timeout: int = PROBE_TIMEOUT,
                   snapshot: Snapshot | None = None) -> ReachMatrix:
    """Probe every ordered pair of ``containers`` live; return the matrix.

    ``snapshot`` (collected when not given) supplies the rules and the
    routes the probes take. Draw the matrix as a layer with
    ``labcheck.diagram(matrix=...)``.
    """
    from .collect import collect

    names = tuple(containers)
    snap = snapshot or collect(client, detail=names)
    for name in names:
        find_container(snap, name)
    probes = matrix_probes(snap, names, port=port)
    snap = snap.with_probes(run_probes(client, probes, timeout=timeout))
    return reach_matrix(snap, names, port=port)
