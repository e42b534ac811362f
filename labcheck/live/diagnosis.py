"""Run the troubleshooting routine against a daemon (the steps are in :mod:`labcheck.diagnosis`).

>>> # labcheck.diagnose("shopper", "web", port=80)   # prints every step, the first failure
>>> # labcheck.diagnose("alpha", "beta", nodes=LAB)  # across the hosts of labcheck.nodes(3)
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..diagnosis import HOST, Diagnosis, diagnose_snapshot, diagnosis_probes, node_probes
from ..probes import HostNet, ProbeResult
from ..reachability import PROBE_TIMEOUT
from ..snapshot import NodeState
from .collect import collect
from .probes import run_probes

if TYPE_CHECKING:  # pragma: no cover
    import docker

    from .engines.nodes import Nodes

__all__ = ["diagnose"]


def diagnose(source: str, target: str, *, port: int | None = None,
             client: "docker.DockerClient | None" = None, nodes: "Nodes | None" = None,
             timeout: int = PROBE_TIMEOUT) -> Diagnosis:
    """Why can ``source`` (a container, or ``"host"``) not reach ``target`` on ``port``?

    Reads the daemon once, runs the probes of every step (resolv.conf,
    lookup, connect, listening sockets) and returns the :class:`Diagnosis`:
    print it to see each step's evidence and the first step that fails.

    ``nodes``: a lab of several Docker hosts (:func:`labcheck.nodes`). Two
    containers on two of its hosts take the path between them as well: one
    overlay on both, the hosts' LAN addresses, the swarm's control plane, VXLAN
    (UDP 4789) through each host's firewall, the overlay's MTU; each host's side
    is read as root on it. Without ``port`` the connection is a ping.
    """
    if nodes is not None:
        return _diagnose_nodes(nodes, source, target, port, timeout)
    if client is None:
        from .daemon import connect
        client = connect()
    detail = {target} if source == HOST else {source, target}
    if source != HOST:  # aliases are read in detail: those of the source's neighbours too
        first = collect(client)
        box = first.container(source)
        nets = set(box.networks) if box else set()
        detail |= {c.name for c in first.containers if nets & set(c.networks)}
    snapshot = collect(client, detail=sorted(detail))
    probes = diagnosis_probes(snapshot, source, target, port)
    snapshot = snapshot.with_probes(run_probes(client, probes, timeout=timeout))
    return diagnose_snapshot(snapshot, source, target, port)


def _swarm(client: "docker.DockerClient") -> dict[str, Any]:
    """What the node's daemon says of its swarm membership (``docker info``'s Swarm)."""
    swarm = client.info().get("Swarm") or {}
    return {"state": swarm.get("LocalNodeState") or "",
            "manager": bool(swarm.get("ControlAvailable")),
            "managers": [m.get("Addr", "") for m in swarm.get("RemoteManagers") or ()],
            "error": swarm.get("Error") or ""}


def _diagnose_nodes(lab: "Nodes", source: str, target: str, port: int | None,
                    timeout: int) -> Diagnosis:
    from concurrent.futures import ThreadPoolExecutor

    from .collect import collect_lab

    whole = collect_lab(lab, detail=[source, target])
    states = tuple(replace(n, snapshot=replace(n.snapshot, meta={
        **n.snapshot.meta, "swarm": _swarm(lab[n.name].client)})) for n in whole.nodes)
    whole = replace(whole, nodes=states)
    plan = dict(node_probes(whole, source, target, port))

    def run(node: str, host: bool) -> tuple[ProbeResult, ...]:
        probes = [p for p in plan.get(node, ()) if isinstance(p, HostNet) == host]
        return run_probes(lab[node].client, probes, timeout=timeout) if probes else ()

    found: dict[str, list[ProbeResult]] = {node: [] for node in plan}
    with ThreadPoolExecutor(max_workers=max(1, len(plan))) as pool:
        for host in (False, True):  # the hosts are read after the traffic: their counters
            futures = {node: pool.submit(run, node, host) for node in plan}
            for node, future in futures.items():
                found[node] += future.result()
    done = tuple(NodeState(n.name, n.address, n.snapshot.with_probes(found.get(n.name, ())))
                 for n in whole.nodes)
    return diagnose_snapshot(replace(whole, nodes=done), source, target, port)
