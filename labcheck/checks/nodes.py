"""Check kinds that read several Docker hosts at once (a multi-node lab, lesson 09).

Each reads the whole multi-node :class:`~labcheck.snapshot.Snapshot`: the
hosts' own snapshots (``snapshot.nodes``), joined by network id where an
object spans hosts (an overlay). The check's node (``from: {container: front,
node: node1}``) arrives as ``p["node"]``.

>>> from labcheck.snapshot import Container, Endpoint, Network, NodeState, Snapshot
>>> shop = Network("shop", "ov1", "overlay", scope="swarm")
>>> def box(name, ip):
...     return Container(name, name, state="running",
...                      endpoints=(Endpoint("shop", network_id="ov1", ipv4=ip),))
>>> one = NodeState("node1", "10.219.0.11", Snapshot(networks=(shop,),
...                 containers=(box("front", "10.218.0.2"), box("store", "10.218.0.3"))))
>>> snap = Snapshot(nodes=(one, NodeState("node2", "10.219.0.12", Snapshot())))
>>> CrossesHosts().evaluate(snap, {"from": "front", "to": "store", "node": "node1"}).message
"'front' and 'store' are both on node1: nothing crossed hosts (put them on two nodes)."
"""

from __future__ import annotations

from typing import Any, Mapping

from ..probes import Probe, Reach
from ..snapshot import Container, Snapshot
from .base import CheckKind, Outcome, Param, probe_outcome, register

__all__ = ["CrossesHosts", "SameNetwork", "ServiceTasks", "SERVICE_LABEL"]

#: The label swarm puts on a task's container: the service's name.
SERVICE_LABEL = "com.docker.swarm.service.name"


def _one_daemon(what: str) -> Outcome:
    return Outcome.errored(f"{what} needs a snapshot of several Docker hosts (labcheck.nodes); "
                           "this one is of a single daemon")


def _reach(p: Mapping[str, Any]) -> Reach:
    return Reach(p["from"], p["to"], port=int(p["port"])) if p.get("port") else \
        Reach(p["from"], p["to"])


@register
class CrossesHosts(CheckKind):
    name = "crosses_hosts"
    summary = ("a container on one host reaches a container on another host by name, "
               "over a network they share across hosts (an overlay)")
    spans_nodes = True
    params = (Param("from", ref="container", doc="the container the traffic starts from "
                                                 "(its node: from: {container: X, node: N})"),
              Param("to", ref="container", doc="the container it must reach, on another node"),
              Param("port", "int", required=False, doc="a TCP port (default: ping)"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"{p['from']!r} reaches {p['to']!r} across hosts"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (_reach(p),)

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        if not snap.is_multi_node:
            return _one_daemon("crosses_hosts")
        node, src_name, dst_name = p.get("node") or "", p["from"], p["to"]
        if not node:
            return Outcome.errored("crosses_hosts needs the node of 'from' "
                                   "(from: {container: X, node: N})")
        own = snap.node(node)
        if own is None:
            return Outcome.errored(f"node {node!r} is not in this snapshot")
        source = own.container(src_name)
        if source is None:
            where = snap.nodes_of(src_name)
            elsewhere = f" (it is on {', '.join(where)})" if where else ""
            return Outcome.failed(f"container {src_name!r} does not exist on {node}{elsewhere}.")
        hosts: tuple[str, ...] = snap.nodes_of(dst_name)
        if not hosts:
            return Outcome.failed(f"container {dst_name!r} does not exist on any node.")
        if node in hosts:
            return Outcome.failed(f"{src_name!r} and {dst_name!r} are both on {node}: nothing "
                                  f"crossed hosts (put them on two nodes).")
        other = hosts[0]
        target = snap.node(other).container(dst_name)  # type: ignore[union-attr]
        assert target is not None
        for box, host in ((source, node), (target, other)):
            if not box.is_running:
                return Outcome.failed(f"container {box.name!r} on {host} is not running "
                                      f"({box.state or 'unknown state'}).")
        shared = _shared_ids(source, target)
        if not shared:
            return Outcome.failed(
                f"{src_name!r} ({node}) and {dst_name!r} ({other}) share no network across "
                f"hosts: {src_name!r} is on {', '.join(source.networks) or 'none'}, "
                f"{dst_name!r} on {', '.join(target.networks) or 'none'}. Only a swarm "
                f"network (an overlay) is the same network on two hosts.")
        result = probe_outcome(own, _reach(p))
        if isinstance(result, Outcome):
            return result
        path = (f"over {shared[0]!r}, VXLAN between {snap.node_address(node) or node} and "
                f"{snap.node_address(other) or other} (UDP 4789)")
        if not result.succeeded:
            return Outcome.failed(f"{src_name!r} ({node}) cannot reach {dst_name!r} ({other}) "
                                  f"{path}: {result.detail}.")
        return Outcome.passed(f"{src_name!r} ({node}) reaches {dst_name!r} ({other}) {path}: "
                              f"{result.detail}")


def _shared_ids(a: Container, b: Container) -> list[str]:
    """The networks (by name) both containers are on with the same network id."""
    theirs = {e.network_id for e in b.endpoints if e.network_id}
    return [e.network for e in a.endpoints if e.network_id and e.network_id in theirs]


@register
class SameNetwork(CheckKind):
    name = "same_network"
    summary = "a network of this name is one network on these nodes (same id), or not"
    spans_nodes = True
    params = (Param("network", ref="network", doc="the network's name"),
              Param("nodes", "list", doc="the nodes that must have it"),
              Param("same", "bool", required=False, default=True,
                    doc="true: one network (same id) on all; false: a different one on each"))

    def title(self, p: Mapping[str, Any]) -> str:
        word = "one network" if p.get("same", True) else "separate networks"
        return f"{p['network']!r} is {word} on {', '.join(map(str, p['nodes']))}"

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        if not snap.is_multi_node:
            return _one_daemon("same_network")
        name, same = p["network"], p.get("same", True)
        found = {}
        for node in map(str, p["nodes"]):
            own = snap.node(node)
            net = own.network(name) if own is not None else None
            if net is None:
                return Outcome.failed(f"network {name!r} does not exist on {node}.")
            found[node] = net
        ids = {n.id for n in found.values()}
        told = "; ".join(f"{node}: {net.driver}, id {net.id[:12]}" for node, net in found.items())
        if same and len(ids) == 1:
            return Outcome.passed(f"{name!r} is one network on {', '.join(found)} ({told})")
        if not same and len(ids) == len(found):
            return Outcome.passed(f"{name!r} is a different network on each node ({told})")
        if same:
            return Outcome.failed(f"{name!r} is not one network across {', '.join(found)} "
                                  f"({told}): a bridge network stays on its host.")
        return Outcome.failed(f"{name!r} is the same network on {', '.join(found)} ({told}).")


@register
class ServiceTasks(CheckKind):
    name = "service_tasks"
    summary = "a swarm service runs one task (at most ``per_node``) on each of these nodes"
    spans_nodes = True
    params = (Param("service", ref="name", doc="the service's name"),
              Param("nodes", "list", doc="the nodes that must each run a task"),
              Param("per_node", "int", required=False, default=1,
                    doc="how many of its tasks may run on one node at most"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"service {p['service']!r} runs on {', '.join(map(str, p['nodes']))}"

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        if not snap.is_multi_node:
            return _one_daemon("service_tasks")
        service, most = p["service"], int(p.get("per_node") or 1)
        counts = {n.name: sum(1 for c in n.snapshot.containers
                              if c.is_running and c.labels.get(SERVICE_LABEL) == service)
                  for n in snap.nodes}
        where = ", ".join(f"{node}: {count}" for node, count in counts.items())
        if not any(counts.values()):
            return Outcome.failed(f"service {service!r} has no running task on any node.")
        missing = [str(n) for n in p["nodes"] if not counts.get(str(n))]
        crowded = [n for n, count in counts.items() if count > most]
        if missing:
            return Outcome.failed(f"service {service!r} runs no task on {', '.join(missing)} "
                                  f"(running tasks per node: {where}).")
        if crowded:
            return Outcome.failed(f"service {service!r} runs more than {most} task(s) on "
                                  f"{', '.join(crowded)} (running tasks per node: {where}).")
        return Outcome.passed(f"service {service!r} runs on every node asked ({where})")
