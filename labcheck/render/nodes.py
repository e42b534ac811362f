"""The diagram of a lab of several Docker hosts: each host a cluster, the overlays across them.

Pure, like :mod:`labcheck.render.diagram`: it reads a multi-node
:class:`~labcheck.snapshot.Snapshot` (one snapshot per host) and nothing else.
Each host is a cluster labelled with its name and LAN address, holding its
own networks (bridges) with their containers; a network that is one object
across hosts (an overlay: the same id on several hosts,
:meth:`~labcheck.snapshot.Snapshot.spanning`) is drawn once, outside the
hosts, with an edge from each container on it, wherever that container runs,
labelled with its address. The hosts' ``lan0`` ends meet at the LAN: the
wire the overlay's VXLAN (UDP 4789) travels on.

>>> from labcheck.snapshot import Container, Endpoint, Network, NodeState, Snapshot
>>> ov = Network("appnet", "ov1", "overlay", scope="swarm", subnets=("10.218.0.0/24",))
>>> def on(name, ip):
...     return Container(name, name, state="running",
...                      endpoints=(Endpoint("appnet", network_id="ov1", ipv4=ip),))
>>> def host(name, box):
...     return NodeState(name, "", Snapshot(networks=(ov,), containers=(box,)))
>>> snap = Snapshot(nodes=(host("node1", on("a", "10.218.0.2")),
...                         host("node2", on("b", "10.218.0.3"))))
>>> import graphviz
>>> graph = graphviz.Digraph()
>>> draw_nodes(graph, snap)
'2 hosts, 1 networks, 2 containers'
>>> "cluster_node1" in graph.source and graph.source.count('label="10.218.0.') == 2
True
"""

from __future__ import annotations

from typing import Any

import graphviz

from ..snapshot import Network, Snapshot

__all__ = ["draw_nodes", "GRAPH_ATTR"]

_FONT = "Helvetica"
_SPECIAL = ("host", "null")
BLUE, GREY = "#1f5fa8", "#9e9e9e"
#: The attributes of the graph :func:`draw_nodes` draws into (its label: the title).
GRAPH_ATTR: dict[str, Any] = {
    "graph_attr": {"rankdir": "TB", "fontname": _FONT, "fontsize": "11", "compound": "true",
                   "newrank": "true", "labelloc": "t"},
    "node_attr": {"fontname": _FONT, "fontsize": "10"},
    "edge_attr": {"fontname": _FONT, "fontsize": "9", "dir": "none"}}


def _label(*lines: str) -> str:
    return "\\n".join(lines)


def draw_nodes(graph: graphviz.Digraph, snapshot: Snapshot) -> str:
    """Draw a multi-node snapshot into ``graph``: hosts as clusters, overlays spanning
    them; return a one-line summary (hosts, networks, containers)."""
    spanning = {net.id: (net, hosts) for net, hosts in snapshot.spanning()}
    overlay_ids = {net_id: f"ov{i}" for i, net_id in enumerate(spanning)}
    graph.node("lan", _label("LAN", "the wire between the hosts",
                             "VXLAN: UDP 4789 between their addresses"),
               shape="box", style="rounded,filled", fillcolor="#f4f4f4", color=GREY)
    counts = [0, 0]
    for node in snapshot.nodes:
        state = node.snapshot
        with graph.subgraph(name=f"cluster_{node.name}") as host:
            host.attr(label=f"{node.name}  {node.address}".strip(), style="rounded",
                      color="#444444", penwidth="1.5", labeljust="l")
            host.node(f"{node.name}_lan0", _label("lan0", node.address or "?"), shape="box",
                      style="rounded", color=GREY)
            for b, box in enumerate(sorted(state.containers, key=lambda c: c.name)):
                ident = f"{node.name}_c{b}"
                host.node(ident, _label(box.name, box.state or "?"), shape="box",
                          style="rounded,filled" if box.is_running else "rounded,dashed",
                          fillcolor="white")
                counts[1] += 1
                for endpoint in box.endpoints:
                    if endpoint.network_id in overlay_ids:
                        graph.edge(ident, overlay_ids[endpoint.network_id],
                                   label=endpoint.ipv4 or "", color=BLUE)
            for k, net in enumerate(_local(state, spanning)):
                ident = f"{node.name}_n{k}"
                host.node(ident, _label(f"{net.name} ({net.driver})", ", ".join(net.subnets),
                                        "this host only"),
                          shape="box", style="rounded,filled", fillcolor="#eef4fc")
                counts[0] += 1
                for b, box in enumerate(sorted(state.containers, key=lambda c: c.name)):
                    local_end = box.endpoint(net.name)
                    if local_end is not None and local_end.network_id in ("", net.id):
                        graph.edge(f"{node.name}_c{b}", ident, label=local_end.ipv4 or "")
        graph.edge(f"{node.name}_lan0", "lan", color=GREY, penwidth="2")
    for net_id, (net, hosts) in spanning.items():
        vni = net.options.get("com.docker.network.driver.overlay.vxlanid_list", "")
        graph.node(overlay_ids[net_id], _label(
            f"{net.name} ({net.driver})", ", ".join(net.subnets),
            f"one network on {', '.join(hosts)}" + (f" · VNI {vni}" if vni else "")),
            shape="box", style="rounded,filled,bold", fillcolor="#e3f2e3", color=BLUE)
        counts[0] += 1
    return f"{len(snapshot.nodes)} hosts, {counts[0]} networks, {counts[1]} containers"


def _local(state: Snapshot, spanning: dict[str, tuple[Network, tuple[str, ...]]]) -> list[Network]:
    """A host's networks that are its own (user-defined, not spanning hosts)."""
    return sorted((n for n in state.networks if n.id not in spanning and n.is_user_defined
                   and n.driver not in _SPECIAL and n.name != "docker_gwbridge"
                   and n.name != "ingress"),
                  key=lambda n: n.name)
