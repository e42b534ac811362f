"""Check kinds read on the Docker host's side: which bridge a container is plugged into.

``bridge_port``: a container's interface on a network is one end of a veth
pair whose other end, on the Docker host, is a port of that network's Linux
bridge (and the bridge has the name the exercise asks for). The evidence is
two probes: the container's own ``/sys/class/net`` (its interface's peer
index, :class:`~labcheck.probes.LinkIndexes`) and the host's ``ip -o link``
(:class:`~labcheck.probes.HostLinks`, run as root on the Docker host), read
by :mod:`labcheck.hostside`.

>>> from labcheck.probes import HostLinks, LinkIndexes, ProbeResult
>>> from labcheck.snapshot import Container, Endpoint, Network, Snapshot
>>> snap = Snapshot(
...     networks=(Network("wire", "8b8f557841b0aa", "bridge",
...                       options={"com.docker.network.bridge.name": "wire0"}),),
...     containers=(Container("left", "c1", state="running",
...                           endpoints=(Endpoint("wire", mac="02:42:0a:00:00:02"),)),),
...     probes=(ProbeResult(LinkIndexes("left"), True, True,
...                         output="eth0 4 5 02:42:0a:00:00:02\\nlo 1 1 00:00:00:00:00:00\\n"),
...             ProbeResult(HostLinks(), True, True,
...                         output="5: veth1@if4: <UP> mtu 1500 master wire0 state UP\\n")))
>>> print(BridgePort().evaluate(snap, {"container": "left", "network": "wire",
...                                    "bridge": "wire0"}).message)
... # doctest: +NORMALIZE_WHITESPACE
container 'left''s eth0 is one end of a veth pair; the other end, veth1 on the Docker host,
is a port of bridge 'wire0' (network 'wire')
"""

from __future__ import annotations

from typing import Any, Mapping

from ..expected import Expected
from ..hostside import parse_ip_link, parse_link_indexes
from ..probes import HostLinks, LinkIndexes, Probe
from ..snapshot import BRIDGE_NAME_OPTION, Snapshot, bridge_name
from .base import CheckKind, Outcome, Param, probe_outcome, probe_source_or_fail, register

__all__ = ["BridgePort"]


@register
class BridgePort(CheckKind):
    name = "bridge_port"
    summary = ("on the Docker host, a container's veth on a network is a port of that "
               "network's Linux bridge")
    params = (Param("container", ref="container", doc="the container"),
              Param("network", ref="network", doc="a bridge network it is on"),
              Param("bridge", required=False,
                    doc="the name its Linux bridge must have (default: whatever Docker chose)"))

    def title(self, p: Mapping[str, Any]) -> str:
        which = f"bridge {p['bridge']!r}" if p.get("bridge") else "its bridge"
        return (f"on the Docker host, container {p['container']!r} is plugged into "
                f"network {p['network']!r}'s {which}")

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (LinkIndexes(p["container"]), HostLinks())

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(networks=(p["network"],), containers=(p["container"],),
                        attachments=((p["container"], p["network"]),))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        name, net_name, wanted = p["container"], p["network"], p.get("bridge")
        network = snap.network(net_name)
        if network is None:
            return Outcome.failed(f"network {net_name!r} does not exist.",
                                  f"Create it with docker network create {net_name}")
        bridge = bridge_name(network)
        if not bridge:
            return Outcome.failed(f"network {net_name!r} uses the {network.driver!r} driver: "
                                  "it has no Linux bridge of its own on the host")
        if wanted and bridge != wanted:
            return Outcome.failed(
                f"network {net_name!r}'s Linux bridge is {bridge!r}, not {wanted!r}: the name "
                "is chosen when the network is created.",
                f"Try: docker network create -o {BRIDGE_NAME_OPTION}={wanted} {net_name} "
                f"(docker-py: options={{{BRIDGE_NAME_OPTION!r}: {wanted!r}}})")
        box = probe_source_or_fail(snap, name, f"the veth of container {name!r}")
        if isinstance(box, Outcome):
            return box
        endpoint = box.endpoint(net_name)
        if endpoint is None:
            on = ", ".join(repr(e.network) for e in box.endpoints) or "no network"
            return Outcome.failed(f"container {name!r} is not attached to network {net_name!r} "
                                  f"(it is on {on}), so no port of {bridge!r} is its.",
                                  f"Try: docker network connect {net_name} {name}")
        inside = probe_outcome(snap, LinkIndexes(name))
        if isinstance(inside, Outcome):
            return inside
        host = probe_outcome(snap, HostLinks())
        if isinstance(host, Outcome):
            return host
        if not host.ran or not host.succeeded:
            return Outcome.errored(f"the Docker host's interfaces could not be read: "
                                   f"{host.detail}")
        if not inside.succeeded:
            return Outcome.failed(f"container {name!r}'s interfaces could not be read: "
                                  f"{inside.detail}")
        links = [link for link in parse_link_indexes(inside.output) if link.name != "lo"]
        mine = [link for link in links if endpoint.mac and link.mac == endpoint.mac.lower()]
        if not mine and len(links) == 1:
            mine = links  # one interface: it is the one on this network
        if not mine:
            return Outcome.failed(f"no interface of container {name!r} has the address Docker "
                                  f"gave it on {net_name!r} ({endpoint.mac or 'unknown MAC'})")
        inner = mine[0]
        on_host = {link.index: link for link in parse_ip_link(host.output)}
        peer = on_host.get(inner.iflink)
        if peer is None:
            return Outcome.failed(
                f"container {name!r}'s {inner.name} has no peer among the Docker host's "
                f"interfaces (index {inner.iflink}): it is not plugged into this host's bridge")
        if peer.master != bridge:
            where = f"a port of {peer.master!r}" if peer.master else "a port of no bridge"
            return Outcome.failed(
                f"container {name!r}'s {inner.name} pairs with {peer.name} on the Docker host, "
                f"which is {where}, not of {bridge!r} (network {net_name!r})")
        return Outcome.passed(
            f"container {name!r}'s {inner.name} is one end of a veth pair; the other end, "
            f"{peer.name} on the Docker host, is a port of bridge {bridge!r} "
            f"(network {net_name!r})")
