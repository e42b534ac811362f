"""The host side of a snapshot as a diagram: bridges, veth pairs, whose each one is. Pure.

The usual diagram (:mod:`labcheck.render.diagram`) draws what Docker says:
networks and the containers on them. This one draws what the Docker host
has: each Linux bridge with its ports, each port the host's end of a veth
pair, and at the pair's other end the container's interface (``eth0``)
inside that container's namespace. The evidence is in the snapshot, from
two kinds of probe (:func:`host_side_probes`): the host's ``ip -o link``
(:class:`~labcheck.probes.HostLinks`) and each container's
``/sys/class/net`` (:class:`~labcheck.probes.LinkIndexes`); they are joined
by :func:`labcheck.hostside.wiring` and drawn by :func:`host_diagram`.

>>> from labcheck.probes import HostLinks, LinkIndexes, ProbeResult
>>> from labcheck.snapshot import Container, Endpoint, Network, Snapshot
>>> snap = Snapshot(networks=(Network("wire", "8b8f557841b0ff", "bridge"),),
...     containers=(Container("left", "c1", state="running",
...                           endpoints=(Endpoint("wire", mac="02:42:0a:00:00:02"),)),),
...     probes=(ProbeResult(LinkIndexes("left"), True, True,
...                         output="eth0 4 5 02:42:0a:00:00:02\\nlo 1 1 00:00:00:00:00:00\\n"),
...             ProbeResult(HostLinks(), True, True,
...                         output="3: br-8b8f557841b0: <UP> mtu 1500\\n"
...                                "5: veth9@if4: <UP> mtu 1500 master br-8b8f557841b0\\n")))
>>> host_wiring(snap).port_of("left", "wire").bridge
'br-8b8f557841b0'
>>> "veth9" in host_diagram(snap).source
True
"""

from __future__ import annotations

from typing import Iterable

from ..hostside import HostWiring, VethPort, parse_ip_link, parse_link_indexes, wiring
from ..probes import HostLinks, LinkIndexes, Probe
from ..snapshot import Container, Snapshot, bridge_name
from .diagram import BLUE, GREY, RED, TopologyDiagram, _esc, _html, _small

__all__ = ["host_side_probes", "host_wiring", "host_diagram"]

_FONT = "Helvetica"
_PAIR = "#6a1b9a"


def _plugged(box: Container) -> bool:
    """Whether ``box`` has veth pairs of its own (running, its own namespace, on a network)."""
    mode = box.network_mode
    return (box.is_running and bool(box.endpoints) and mode not in ("host", "none")
            and not mode.startswith("container:"))


def host_side_probes(snapshot: Snapshot) -> tuple[Probe, ...]:
    """The probes whose results :func:`host_wiring` reads: the host's links, and the
    interfaces of each running container that has veth pairs of its own."""
    boxes = sorted(b.name for b in snapshot.containers if _plugged(b))
    return (HostLinks(), *(LinkIndexes(name) for name in boxes))


def host_wiring(snapshot: Snapshot, *, bridges: Iterable[str] = ()) -> HostWiring:
    """The host's wiring of ``snapshot``'s bridge networks and containers, from its probes.

    ``bridges`` adds Linux bridges no Docker network owns (a hand-made one),
    drawn beside Docker's. Where the host's links were not read (no root on
    the Docker host, or no probe run), the wiring is not ``available`` and
    ``unseen`` says why.
    """
    host = snapshot.probe_result(HostLinks())
    if host is None or not host.ran or not host.succeeded:
        why = host.detail if host is not None else "the host's links were not read"
        return HostWiring(unseen=(f"the Docker host: {why}",), available=False)
    named = {bridge_name(net): net.name for net in snapshot.networks if bridge_name(net)}
    named.update({name: named.get(name, "") for name in bridges})
    inside, macs, unseen = {}, {}, []
    for box in sorted(snapshot.containers, key=lambda b: b.name):
        if not _plugged(box):
            continue
        result = snapshot.probe_result(LinkIndexes(box.name))
        if result is None or not result.succeeded:
            unseen.append(f"container {box.name}: "
                          + (result.detail if result is not None else "not read"))
            continue
        inside[box.name] = parse_link_indexes(result.output)
        macs[box.name] = {e.mac.lower(): e.network for e in box.endpoints if e.mac}
    return wiring(parse_ip_link(host.output), inside, named, networks=macs, unseen=unseen)


def _port_label(port: VethPort) -> str:
    return _html(f"{_esc(port.name)}<BR/>{_small(f'index {port.index}', GREY)}")


def host_diagram(source: Snapshot | HostWiring, *, bridges: Iterable[str] = (),
                 title: str | None = None) -> TopologyDiagram:
    """The host side of ``source`` (a snapshot with :func:`host_side_probes` run, or a
    wiring) as a diagram: one cluster for the host's network namespace with its bridges
    and veth ends, one per container (or hand-made namespace) with the other ends."""
    wired = source if isinstance(source, HostWiring) else host_wiring(source, bridges=bridges)
    graph = TopologyDiagram(name="labcheck_host", graph_attr={
        "rankdir": "TB", "fontname": _FONT, "fontsize": "11", "labelloc": "t", "newrank": "true",
        "nodesep": "0.3", "ranksep": "0.5", "tooltip": "labcheck host side",
        "label": _html(f"<B>{_esc(title or 'the Docker host side', 120)}</B>")},
        node_attr={"fontname": _FONT, "fontsize": "10", "shape": "box", "style": "rounded"},
        edge_attr={"fontname": _FONT, "fontsize": "9", "arrowsize": "0.7"})
    ports = [p for b in wired.bridges for p in b.ports] + list(wired.loose)
    graph.summary = (f"host side: {len(wired.bridges)} bridges, {len(ports)} veth pairs"
                     if wired.available else "host side: not read")
    if not wired.available:
        graph.node("why", _html(_small(_esc("; ".join(wired.unseen), None), RED)),
                   shape="plaintext")
        return graph
    ids = {port.index: f"v{i}" for i, port in enumerate(ports)}
    with graph.subgraph(name="cluster_host") as host:
        host.attr(label=_html("<B>the Docker host's network namespace</B>"), labeljust="l",
                  style="rounded,filled", fillcolor="#f4f4f4", color=GREY)
        for i, bridge in enumerate(wired.bridges):
            what = f"of network {bridge.network}" if bridge.network else "not Docker's"
            if not bridge.exists:
                what += " (not on the host)"
            host.node(f"b{i}", _html(f"<B>{_esc(bridge.name)}</B><BR/>"
                                     f"{_small(_esc('Linux bridge · ' + what, None))}"),
                      style="rounded,filled,bold", fillcolor="#eef4fc", color=BLUE)
            for port in bridge.ports:
                host.node(ids[port.index], _port_label(port))
                graph.edge(ids[port.index], f"b{i}", label="port of", color=BLUE)
            if not bridge.ports:
                host.node(f"b{i}_none", _html(_small("(no ports)", GREY)), shape="plaintext")
                graph.edge(f"b{i}_none", f"b{i}", style="invis")
        for port in wired.loose:
            host.node(ids[port.index], _port_label(port), color=RED)
    spaces: dict[str, list[VethPort]] = {}
    for port in ports:
        key = port.container or (f"ns:{port.netns}" if port.netns else f"?:{port.index}")
        spaces.setdefault(key, []).append(port)
    for j, its_ports in enumerate(spaces.values()):
        if its_ports[0].container:
            head = f"container <B>{_esc(its_ports[0].container)}</B>"
        elif its_ports[0].netns:
            head = f"namespace <B>{_esc(its_ports[0].netns)}</B>"
        else:
            head = "unknown namespace"
        with graph.subgraph(name=f"cluster_ns{j}") as space:
            space.attr(label=_html(head), labeljust="l", style="rounded", color="#555555")
            for port in its_ports:
                inner = port.inside or "?"
                note = f"on {port.network}" if port.network else ""
                if port.inside_index:
                    note = f"index {port.inside_index}" + (f" · {note}" if note else "")
                space.node(f"{ids[port.index]}_in",
                           _html(f"{_esc(inner)}<BR/>{_small(_esc(note, None), GREY)}"
                                 if note else _esc(inner)))
                graph.edge(f"{ids[port.index]}_in", ids[port.index], dir="both",
                           arrowhead="none", arrowtail="none", color=_PAIR, penwidth="2",
                           label="veth pair", fontcolor=_PAIR)
    if wired.unseen:
        graph.node("unseen", _html(_small(_esc("not read: " + "; ".join(wired.unseen), 200),
                                          RED)), shape="plaintext")
    return graph
