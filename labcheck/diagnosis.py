"""The troubleshooting routine of lesson 06, step by step, as a pure function of a Snapshot.

"``source`` cannot reach ``target`` on ``port``": the steps, in the order a
person takes them, each with its evidence and the command to take it by hand:

1. **inspect**: both containers exist and run; where the name is known
   (container name, or an alias on which networks); what the target
   publishes; Docker's rules (:func:`labcheck.reachability.explain`);
2. **resolv.conf**: which DNS server the source asks (127.0.0.11 is Docker's);
3. **lookup**: does the name resolve from the source;
4. **connect**: a TCP connection by name (and by the target's address);
5. **listening**: on which addresses and ports programs listen inside the target;
6. **explain**: the rules' verdict (``labcheck explain A B --port P``).

``source`` may be ``"host"``: then ``port`` is the host port, and the
steps are inspect (who publishes it), connect (from the host, 127.0.0.1
only) and listening (on the container port it is mapped to).

:func:`diagnosis_probes` lists the probes the steps need; the live side
(:func:`labcheck.live.diagnosis.diagnose`) runs them and hands the snapshot
to :func:`diagnose_snapshot`.

>>> from labcheck.snapshot import Snapshot, Network, Container, Endpoint
>>> snap = Snapshot(networks=(Network(name="back", id="n1", driver="bridge"),),
...     containers=(Container(name="api", id="c1", state="running",
...                           endpoints=(Endpoint("back", ipv4="10.0.0.2"),)),))
>>> d = diagnose_snapshot(snap, "api", "postgers", port=5432)
>>> d.first_failure.name, d.first_failure.evidence[:39]
('inspect', "no container or alias named 'postgers' ")
"""

from __future__ import annotations

import difflib
import textwrap
from dataclasses import dataclass, replace
from typing import Any

from .errors import ObjectNotFound
from .hostside import Fate, Rule, fate_of, parse_ip_link, parse_iptables_save, parse_policies
from .probes import (
    EMBEDDED_DNS,
    HostNet,
    HostReach,
    Probe,
    ProbeResult,
    Reach,
    ReadResolvConf,
    Resolve,
    Sockets,
)
from .reachability import VXLAN_PORT, Explanation, explain, find_container
from .snapshot import Container, Network, Snapshot

__all__ = ["HOST", "WIDTH", "Step", "Diagnosis", "diagnosis_probes", "diagnose_snapshot",
           "find_target", "hosts_of", "node_probes", "VXLAN_OVERHEAD", "OVERLAY_DEFAULT_MTU",
           "CONTROL_PORTS"]

#: The source name that stands for this machine itself.
HOST = "host"
#: The longest line of a printed diagnosis (a notebook's output stays readable).
WIDTH = 120

_LOOPBACK = ("127.", "[::1]")
_ANY = ("0.0.0.0:", "[::]:")


@dataclass(frozen=True)
class Step:
    """One step of the routine: ``ok`` is True, False, or None (skipped)."""

    name: str
    ok: bool | None
    evidence: str
    command: str = ""

    @property
    def mark(self) -> str:
        return {True: "ok  ", False: "FAIL", None: "--  "}[self.ok]


@dataclass(frozen=True)
class Diagnosis:
    """Every step, and the first that failed (None when all passed)."""

    source: str
    target: str
    port: int | None
    steps: tuple[Step, ...]
    #: On a lab of several hosts: ``node1 -> node2, across hosts`` or ``both on node1``.
    where: str = ""

    @property
    def first_failure(self) -> Step | None:
        return next((s for s in self.steps if s.ok is False), None)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def lines(self) -> list[str]:
        """The report as lines of at most :data:`WIDTH` characters.

        Each clause of a step's evidence (they are joined by "; ") starts a line of
        its own, and a long clause wraps: where a line breaks never depends on how
        long an address in an earlier clause happens to be.
        """
        what = f"{self.target}:{self.port}" if self.port else self.target
        out = [f"diagnose: {self.source} -> {what}" + (f" ({self.where})" if self.where else "")]
        indent = " " * 19          # under the evidence: "  FAIL inspect     "
        for s in self.steps:
            for n, clause in enumerate(s.evidence.split("; ")):
                lead = f"  {s.mark} {s.name:11} " if n == 0 else indent
                out += textwrap.wrap(clause, WIDTH, initial_indent=lead,
                                     subsequent_indent=indent, break_on_hyphens=False)
            if s.command:
                out += textwrap.wrap(s.command, WIDTH, initial_indent=f"{indent}by hand: ",
                                     subsequent_indent=indent + "  ", break_on_hyphens=False)
        first = self.first_failure
        out.append(f"first failing step: {first.name}" if first else
                   "every step passes: the path works")
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(str(self))


def find_target(snapshot: Snapshot, name: str) -> tuple[Container, tuple[str, ...]]:
    """The container a client's ``name`` means, and the networks where that name is known.

    A container name is known on all its user-defined networks; an alias only
    on the networks where it was given. ObjectNotFound names the closest names.
    """
    box = snapshot.container(name)
    if box is not None:
        return box, box.networks
    hits: dict[str, tuple[Container, list[str]]] = {}
    for other in snapshot.containers:
        for endpoint in other.endpoints:
            if name in (endpoint.aliases or ()):
                hits.setdefault(other.id, (other, []))[1].append(endpoint.network)
    if hits:
        other, nets = next(iter(hits.values()))
        return other, tuple(nets)
    known = {c.name for c in snapshot.containers}
    known |= {a for c in snapshot.containers for e in c.endpoints for a in (e.aliases or ())
              if len(a) < 40 and not c.id.startswith(a)}
    close = difflib.get_close_matches(name, sorted(known), n=2, cutoff=0.6)
    tip = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    raise ObjectNotFound(f"no container or alias named {name!r} on this daemon{tip}")


def _address_on(box: Container, networks: tuple[str, ...]) -> str | None:
    for endpoint in box.endpoints:
        if endpoint.network in networks and endpoint.ipv4:
            return endpoint.ipv4
    return next((e.ipv4 for e in box.endpoints if e.ipv4), None)


def _container_port(snapshot: Snapshot, target: str, port: int | None, host: bool) -> int | None:
    if not host or port is None:
        return port
    box = snapshot.container(target)
    binding = next((b for b in box.published() if b.host_port == port), None) if box else None
    return binding.container_port if binding else None


def diagnosis_probes(snapshot: Snapshot, source: str, target: str,
                     port: int | None = None) -> tuple[Probe, ...]:
    """The probes the steps need (those that can run on this snapshot)."""
    if source == HOST:
        probes: list[Probe] = [HostReach(port=int(port))] if port else []
        cport = _container_port(snapshot, target, port, True)
        box = snapshot.container(target)
        if cport and box is not None and box.is_running:
            probes.append(Sockets(target))
        return tuple(probes)
    a = snapshot.container(source)
    if a is None or not a.is_running:
        return ()
    probes = [ReadResolvConf(source), Resolve(source, target)]
    if port:
        probes.append(Reach(source, target, port))
    try:
        box, nets = find_target(snapshot, target)
    except ObjectNotFound:
        return tuple(probes)
    address = _address_on(box, tuple(n for n in nets if n in a.networks) or nets)
    if port and address:
        probes.append(Reach(source, address, port))
    if box.is_running:
        probes.append(Sockets(box.name))
    return tuple(probes)


def _result(snapshot: Snapshot, probe: Probe) -> ProbeResult | None:
    return snapshot.probe_result(probe)


def _listening_step(snapshot: Snapshot, box: Container, port: int | None,
                    from_other: bool) -> Step:
    command = f"docker exec {box.name} netstat -ltn   (or: cat /proc/net/tcp)"
    if port is None:
        return Step("listening", None, "no port given (port=...)", command)
    result = _result(snapshot, Sockets(box.name))
    if result is None or not result.ran:
        why = result.detail if result else f"{box.name} is not running"
        return Step("listening", None, f"could not look inside {box.name}: {why}", command)
    # Docker's embedded DNS listens inside the container too (127.0.0.11, a random port)
    mine = [a for a in result.addresses if not a.startswith(EMBEDDED_DNS + ":")]
    on_port = [a for a in mine if a.rsplit(":", 1)[-1] == str(port)]
    listed = ", ".join(mine) or "nothing"
    if not on_port:
        return Step("listening", False, f"nothing listens on port {port} inside {box.name} "
                                        f"(it listens on: {listed})", command)
    if from_other and all(a.startswith(_LOOPBACK) for a in on_port):
        return Step("listening", False,
                    f"{box.name} listens on {', '.join(on_port)} only: the container's own "
                    "loopback, which no other container (and no published port) can reach",
                    command)
    return Step("listening", True, f"{box.name} listens on {', '.join(on_port)}", command)


def _inspect_step(snapshot: Snapshot, source: str, target: str, port: int | None
                  ) -> tuple[Step, Container | None, Explanation | None]:
    command = f"docker inspect {source} {target}; docker network inspect NET"
    try:
        a = find_container(snapshot, source)
        box, nets = find_target(snapshot, target)
    except ObjectNotFound as exc:
        return Step("inspect", False, str(exc), command), None, None
    facts = [f"{a.name} on {', '.join(a.networks) or 'no network'}",
             f"{box.name} on {', '.join(box.networks) or 'no network'}"]
    if target != box.name:
        facts.append(f"{target!r} is an alias of {box.name} on {', '.join(nets)}")
    published = ", ".join(str(b) for b in box.published())
    if published:
        facts.append(f"{box.name} publishes {published}")
    for who in (a, box):
        if not who.is_running:
            return (Step("inspect", False, f"{who.name} is {who.state or 'not running'}; "
                         + "; ".join(facts), command), box, None)
    if target != box.name and not set(nets) & set(a.networks):
        return (Step("inspect", False, f"the alias {target!r} exists only on "
                     f"{', '.join(nets)}, and {a.name} is not on it; " + "; ".join(facts),
                     command), box, None)
    exp = explain(snapshot, a.name, box.name, port=port)
    if not exp.reachable:
        why = [r for r in exp.reasons if "not in the snapshot" not in r]
        shut = [r for r in why if "no way out" in r]
        if shut:  # a published port behind the host: the way out is missing, not a shared network
            why = [shut[-1] + f": {a.name} reaches a published port (an address of the host, "
                   "as in a URL like http://GATEWAY:PORT/) only from a network that is not "
                   f"internal, whether or not it shares a network with {box.name}"]
        return Step("inspect", False, "; ".join(facts + why[-2:]), command), box, exp
    return Step("inspect", True, "; ".join(facts), command), box, exp


def _host_steps(snapshot: Snapshot, target: str, port: int | None) -> list[Step]:
    command = f"docker ps -a; docker port {target}"
    try:
        box = find_container(snapshot, target)
    except ObjectNotFound as exc:
        return [Step("inspect", False, str(exc), command)]
    holders = [c.name for c in snapshot.containers if c.name != box.name
               and any(b.host_port == port for b in c.published())]
    held = f"; host port {port} is published by {', '.join(holders)}" if holders else ""
    mapped = [b for b in box.published() if b.host_port == port]
    if not box.is_running:
        inspect = Step("inspect", False, f"{box.name} is {box.state or 'not running'}{held}",
                       command)
    elif box.is_on_no_network:
        inspect = Step("inspect", False, f"{box.name} runs on no network (only its loopback), "
                                         f"so its published ports lead nowhere{held}", command)
    elif not mapped:
        shown = ", ".join(str(b) for b in box.published()) or "nothing"
        inspect = Step("inspect", False, f"{box.name} does not publish host port {port} (it "
                                         f"publishes {shown}){held}", command)
    else:
        inspect = Step("inspect", True, f"{box.name} publishes "
                       f"{', '.join(str(b) for b in mapped)}", command)
    steps = [inspect,
             Step("resolv.conf", None, "the host uses an address, no name", ""),
             Step("lookup", None, "the host uses an address, no name", "")]
    reach = _result(snapshot, HostReach(port=int(port))) if port else None
    if reach is None:
        steps.append(Step("connect", None, "no port given (port=...)", ""))
    else:
        steps.append(Step("connect", reach.succeeded, reach.detail,
                          f"curl -sS http://127.0.0.1:{port}/"))
    cport = mapped[0].container_port if mapped else None
    steps.append(_listening_step(snapshot, box, cport, True) if cport else
                 Step("listening", None, "no published port to follow into the container", ""))
    steps.append(Step("explain", None, "the rules are about two containers; the host's way "
                                       "in is the published port above", ""))
    return steps


def diagnose_snapshot(snapshot: Snapshot, source: str, target: str,
                      port: int | None = None) -> Diagnosis:
    """Every step of the routine, read from ``snapshot`` and its probe results.

    On a multi-node snapshot (a lab of several Docker hosts, with each node's
    probes of :func:`node_probes`): two containers on two nodes take the path
    between the hosts (inspect, overlay, lan, control, vxlan, mtu, then
    resolv.conf, lookup, connect and listening from the source's node); two on
    one node take the routine of that node, and say that nothing crosses hosts.
    """
    if snapshot.is_multi_node:
        return _across_snapshot(snapshot, source, target, port)
    if source == HOST:
        return Diagnosis(source, target, port, tuple(_host_steps(snapshot, target, port)))
    inspect, box, exp = _inspect_step(snapshot, source, target, port)
    address = None
    if box is not None:
        a = snapshot.container(source)
        nets = tuple(n for n in box.networks if a and n in a.networks) or box.networks
        address = _address_on(box, nets)
    steps = [inspect, *_container_steps(snapshot, source, target, port, address)]
    if box is not None:
        steps.append(_listening_step(snapshot, box, port, True))
    else:
        steps.append(Step("listening", None, "no target container found", ""))
    if exp is not None:
        said = "can" if exp.reachable else "cannot"
        reasons = [r for r in exp.reasons if "not in the snapshot" not in r]
        tail = f" ({reasons[-1]})" if reasons else ""
        steps.append(Step("explain", exp.reachable, f"rules: {exp.source} {said} reach "
                          f"{exp.target}{tail}",
                          f"labcheck explain {source} {exp.target}"
                          + (f" --port {port}" if port else "")))
    else:
        steps.append(Step("explain", None, "the rules need both containers (see inspect)", ""))
    return Diagnosis(source, target, port, tuple(steps))


def _container_steps(snapshot: Snapshot, source: str, target: str, port: int | None,
                     address: str | None) -> list[Step]:
    """resolv.conf, lookup and connect, from inside ``source``. Without a port the
    connection is a ping where one was run (across hosts), else the step is skipped."""
    steps = []
    resolv = _result(snapshot, ReadResolvConf(source))
    if resolv is None or not resolv.ran:
        steps.append(Step("resolv.conf", None, resolv.detail if resolv else "not read", ""))
    else:
        embedded = EMBEDDED_DNS in resolv.nameservers
        steps.append(Step(
            "resolv.conf", embedded,
            f"nameservers: {', '.join(resolv.nameservers) or 'none'}" + (
                " (Docker's embedded DNS)" if embedded else
                f"; not {EMBEDDED_DNS}: no embedded DNS, so container names do not resolve "
                "(the default bridge, or host mode)"),
            f"docker exec {source} cat /etc/resolv.conf"))
    lookup = _result(snapshot, Resolve(source, target))
    steps.append(Step("lookup", lookup.succeeded if lookup and lookup.ran else None,
                      lookup.detail if lookup else "not run",
                      f"docker exec {source} nslookup {target}"))
    by_name = _result(snapshot, Reach(source, target, port))
    if port or by_name is not None:
        evidence = by_name.detail if by_name else "not run"
        by_ip = _result(snapshot, Reach(source, address, port)) if address else None
        if by_ip is not None:
            evidence += f"; by address {address}: {by_ip.detail}"
        command = (f"docker exec {source} nc -w 2 {target} {port}" if port else
                   f"docker exec {source} ping -c 2 {target}")
        steps.append(Step("connect", by_name.succeeded if by_name and by_name.ran else None,
                          evidence, command))
    else:
        steps.append(Step("connect", None, "no port given (port=...)", ""))
    return steps


# -- across hosts: two containers on two nodes of a multi-node lab (lesson 09) ----------------

#: The bytes VXLAN adds to each frame (outer IPv4 20, UDP 8, VXLAN 8, inner Ethernet 14).
VXLAN_OVERHEAD = 50
#: The MTU of an overlay's interfaces when its network sets none (1500 - 50).
OVERLAY_DEFAULT_MTU = 1450
_MTU_OPTION = "com.docker.network.driver.mtu"
_VNI_OPTION = "com.docker.network.driver.overlay.vxlanid_list"
#: The swarm's control plane: (protocol, port, what for); 2377 is asked of managers only.
CONTROL_PORTS = (("tcp", 7946, "gossip"), ("udp", 7946, "gossip"), ("tcp", 2377, "managers"))


def hosts_of(snapshot: Snapshot, source: str, target: str) -> tuple[str, str] | None:
    """On a multi-node snapshot, the nodes of ``source`` and ``target`` (the same node
    when both are on one); None when either is on no node (or the snapshot is of one daemon).

    >>> from labcheck.snapshot import NodeState
    >>> one = NodeState("node1", "", Snapshot(containers=(Container("a", "c1"),)))
    >>> two = NodeState("node2", "", Snapshot(containers=(Container("b", "c2"),)))
    >>> hosts_of(Snapshot(nodes=(one, two)), "a", "b")
    ('node1', 'node2')
    """
    if not snapshot.is_multi_node:
        return None
    a_hosts = snapshot.nodes_of(source)
    b_hosts = snapshot.nodes_of(target) or tuple(
        n.name for n in snapshot.nodes if _has_alias(n.snapshot, target))
    if not a_hosts or not b_hosts:
        return None
    a_node = a_hosts[0]
    return a_node, a_node if a_node in b_hosts else b_hosts[0]


def _has_alias(snapshot: Snapshot, name: str) -> bool:
    try:
        find_target(snapshot, name)
    except ObjectNotFound:
        return False
    return True


def node_probes(snapshot: Snapshot, source: str, target: str, port: int | None = None
                ) -> tuple[tuple[str, tuple[Probe, ...]], ...]:
    """On a multi-node snapshot: the probes each node runs, as (node, probes).

    Two containers on one node: that node's :func:`diagnosis_probes`. On two
    nodes: the source's node runs the container probes (resolv.conf, lookup, a
    connection, or a ping when no port is given) and reads its host
    (:class:`~labcheck.probes.HostNet`, with a ping to the other host's LAN
    address); the target's node looks inside the target (its sockets, with a
    port) and reads its host. Run the host probes after the others: their
    firewall counters then hold what the connection lost.
    """
    where = hosts_of(snapshot, source, target)
    if where is None:
        return ()
    a_node, b_node = where
    a_snap = snapshot.node(a_node) or Snapshot()
    if a_node == b_node:
        return ((a_node, diagnosis_probes(a_snap, source, target, port)),)
    b_snap = snapshot.node(b_node) or Snapshot()
    a, box = a_snap.container(source), b_snap.container(target)
    mine: list[Probe] = []
    if a is not None and a.is_running:
        mine += [ReadResolvConf(source), Resolve(source, target), Reach(source, target, port)]
        address = _shared_address(a, box) if box is not None else None
        if address:
            mine.append(Reach(source, address, port))
    theirs: list[Probe] = []
    if port and box is not None and box.is_running:
        theirs.append(Sockets(box.name))
    mine.append(HostNet(peer=snapshot.node_address(b_node)))
    theirs.append(HostNet(peer=snapshot.node_address(a_node)))
    return ((a_node, tuple(mine)), (b_node, tuple(theirs)))


def _shared(a: Container, b: Container) -> tuple[str, str] | None:
    """(network name on a, network id) of the first network both are on with one id."""
    theirs = {e.network_id for e in b.endpoints if e.network_id}
    return next(((e.network, e.network_id) for e in a.endpoints
                 if e.network_id and e.network_id in theirs), None)


def _shared_address(a: Container, b: Container) -> str | None:
    shared = _shared(a, b)
    if shared is None:
        return None
    return next((e.ipv4 for e in b.endpoints if e.network_id == shared[1] and e.ipv4), None)


@dataclass(frozen=True)
class _Host:
    """What a node's :class:`~labcheck.probes.HostNet` result says, read."""

    name: str
    address: str
    read: bool
    why: str = ""
    interface: str = ""
    mtu: int = 0
    up: bool = False
    pings_peer: bool | None = None
    rules: tuple[Rule, ...] = ()
    policies: tuple[tuple[tuple[str, str], str], ...] = ()
    #: why the firewall could not be read ('' when it was: iptables-save's filter table,
    #: or nothing at all where no table exists, which drops nothing)
    no_firewall: str = ""

    def fate(self, chain: str, protocol: str, port: int, address: str) -> Fate:
        return fate_of(self.rules, dict(self.policies), chain, protocol=protocol, port=port,
                       interface=self.interface, address=address)


def _host(snapshot: Snapshot, node: str, peer: str) -> _Host:
    address = snapshot.node_address(node)
    own = snapshot.node(node) or Snapshot()
    result = own.probe_result(HostNet(peer=peer))
    if result is None or not result.ran or not result.succeeded:
        why = result.detail if result else "its host was not read"
        return _Host(node, address, False, why)
    out = result.output
    interface = ""
    for line in HostNet.section(out, "addr").splitlines():
        words = line.split()
        if "inet" in words and words[words.index("inet") + 1].split("/")[0] == address:
            interface = words[1]
    link = next((k for k in parse_ip_link(HostNet.section(out, "link")) if k.name == interface),
                None)
    ping = HostNet.ping_exit(out)
    saved = HostNet.section(out, "iptables")
    unread = "" if "*filter" in saved or not saved.strip() else (
        f"iptables-save on {node}: {saved.strip().splitlines()[-1]}")
    return _Host(node, address, True, "", interface, link.mtu if link else 0,
                 bool(link and link.up), None if ping is None else ping == 0,
                 parse_iptables_save(saved), tuple(parse_policies(saved).items()), unread)


def _across_inspect(snapshot: Snapshot, source: str, target: str, a_node: str, b_node: str
                    ) -> tuple[Step, Container | None, Container | None]:
    command = f"docker inspect {source} (on {a_node}); docker inspect {target} (on {b_node})"
    a = (snapshot.node(a_node) or Snapshot()).container(source)
    try:
        box = find_target(snapshot.node(b_node) or Snapshot(), target)[0]
    except ObjectNotFound as exc:
        return Step("inspect", False, str(exc), command), a, None
    assert a is not None
    a_ip, b_ip = snapshot.node_address(a_node), snapshot.node_address(b_node)
    facts = [f"{source} runs on {a_node} ({a_ip or '?'}), {box.name} on {b_node} "
             f"({b_ip or '?'}): two Docker hosts",
             f"{a.name} on {', '.join(a.networks) or 'no network'}",
             f"{box.name} on {', '.join(box.networks) or 'no network'}"]
    for who, node in ((a, a_node), (box, b_node)):
        if not who.is_running:
            return (Step("inspect", False, f"{who.name} on {node} is "
                         f"{who.state or 'not running'}; " + "; ".join(facts), command), a, box)
    return Step("inspect", True, "; ".join(facts), command), a, box


def _overlay_step(snapshot: Snapshot, a: Container, box: Container, a_node: str, b_node: str
                  ) -> tuple[Step, Network | None]:
    shared = _shared(a, box)
    if shared is None:
        exp = explain(snapshot, a.name, box.name)
        told = list(exp.reasons[1:])
        return Step("overlay", False, "; ".join(told) or "they share no network",
                    f"docker network inspect NET (on {a_node} and on {b_node}: the same Id?)"
                    ), None
    name, ident = shared
    net = next((n for n in (snapshot.node(a_node) or Snapshot()).networks if n.id == ident), None)
    hosts = next((h for n, h in snapshot.spanning() if n.id == ident), (a_node, b_node))
    facts = [f"{net.driver if net else 'a'} network {name!r}"]
    if net is not None and net.options.get(_VNI_OPTION):
        facts.append(f"VNI {net.options[_VNI_OPTION]}")
    if net is not None and net.subnets:
        facts.append(", ".join(net.subnets))
    b_address = _shared_address(a, box)
    a_address = next((e.ipv4 for e in a.endpoints if e.network_id == ident), None)
    return (Step("overlay", True, f"both on {', '.join(facts)}; one network (the same id) on "
                 f"{', '.join(hosts)}; {a.name} at {a_address or '?'}, {box.name} at "
                 f"{b_address or '?'}",
                 f"docker network inspect {name} (on {a_node} and on {b_node}: the same Id)"),
            net)


def _lan_step(a: _Host, b: _Host) -> Step:
    command = f"ip -o -4 addr; ping -c 1 {b.address} (on {a.name}'s host)"
    for host in (a, b):
        if not host.read:
            return Step("lan", None, f"{host.name}'s host was not read: {host.why}", command)
    facts = []
    for host in (a, b):
        if not host.interface:
            return Step("lan", False, f"{host.name}'s host has no interface with its LAN address "
                                      f"{host.address}", command)
        if not host.up:
            return Step("lan", False, f"{host.name}'s {host.interface} (with {host.address}) is "
                                      "down", command)
        facts.append(f"{host.name} at {host.address} on {host.interface}")
    for one, other in ((a, b), (b, a)):
        if one.pings_peer is False:
            return Step("lan", False, "; ".join(facts) + f"; {one.name}'s host gets no answer "
                        f"from {other.name}'s {other.address}", command)
    said = ("; they ping each other" if a.pings_peer and b.pings_peer else "")
    return Step("lan", True, "; ".join(facts) + said, command)


def _blocked(receiver: _Host, sender: _Host, protocol: str, port: int, what: str) -> str:
    """Why ``receiver`` (or ``sender``) stops a new packet on ``port``, in two clauses
    (who stops what; the rule); '' if neither does."""
    fate = receiver.fate("INPUT", protocol, port, sender.address)
    if not fate.passes:
        return (f"{receiver.name} stops {protocol}/{port} from {sender.name} ({what}); "
                f"{fate.describe()}")
    out = sender.fate("OUTPUT", protocol, port, receiver.address)
    if not out.passes:
        return (f"{sender.name} stops {protocol}/{port} to {receiver.name} ({what}); "
                f"{out.describe()}")
    return ""


def _control_step(snapshot: Snapshot, a: _Host, b: _Host) -> Step:
    command = "docker node ls (on a manager); iptables -nvL INPUT (on each host)"
    facts = []
    for host in (a, b):
        swarm = (snapshot.node(host.name) or Snapshot()).meta.get("swarm") or {}
        if not swarm:
            continue
        state = swarm.get("state") or "?"
        if state != "active":
            why = f" ({swarm['error']})" if swarm.get("error") else ""
            return Step("control", False, f"{host.name}'s swarm state is {state}{why}: not a "
                                          "working member of the swarm", command)
        role = "a manager" if swarm.get("manager") else "a worker"
        managers = ", ".join(swarm.get("managers") or ()) or "?"
        facts.append(f"{host.name}: in the swarm, {role} (managers: {managers})")
    if not (a.read and b.read) or a.no_firewall or b.no_firewall:
        why = a.why or b.why or a.no_firewall or b.no_firewall
        return Step("control", None, "; ".join(facts + [f"the firewalls not read: {why}"]),
                    command)
    for receiver, sender in ((a, b), (b, a)):
        swarm = (snapshot.node(receiver.name) or Snapshot()).meta.get("swarm") or {}
        for protocol, port, what in CONTROL_PORTS:
            if what == "managers" and not swarm.get("manager"):
                continue
            why = _blocked(receiver, sender, protocol, port, f"the {what}")
            if why:
                return Step("control", False, "; ".join([why] + facts), command)
    managed = any(((snapshot.node(h.name) or Snapshot()).meta.get("swarm") or {}).get("manager")
                  for h in (a, b))
    facts.append("no firewall rule of either host stops 7946/tcp+udp (gossip)"
                 + (" or 2377/tcp (to a manager)" if managed else "") + " between them")
    return Step("control", True, "; ".join(facts), command)


def _vxlan_step(a: _Host, b: _Host) -> Step:
    command = (f"iptables -nvL INPUT (on {b.name}'s host); tcpdump -ni {b.interface or 'LAN'} "
               f"udp port {VXLAN_PORT} (on both hosts)")
    if not (a.read and b.read) or a.no_firewall or b.no_firewall:
        why = a.why or b.why or a.no_firewall or b.no_firewall
        return Step("vxlan", None, f"the firewalls not read: {why}", command)
    there = _blocked(b, a, "udp", VXLAN_PORT, "the overlay's data")
    back = _blocked(a, b, "udp", VXLAN_PORT, "the replies")
    if there or back:
        return Step("vxlan", False, "; ".join(t for t in (there, back) if t), command)
    unsure = [r for host in (a, b) for r in host.fate("INPUT", "udp", VXLAN_PORT,
                                                          "").maybe]
    tail = (f"; rules that might still stop it (conditions not read): "
            f"{', '.join(repr(r.spec) for r in unsure)}" if unsure else "")
    return Step("vxlan", True, f"UDP {VXLAN_PORT} passes {a.name} ({a.address}) -> {b.name} "
                f"({b.address}) and back: no rule of either host's INPUT or OUTPUT stops it"
                + tail, command)


def _mtu_step(net: Network | None, a: _Host, b: _Host) -> Step:
    if net is None:
        return Step("mtu", None, "no shared network to measure", "")
    set_mtu = net.options.get(_MTU_OPTION, "")
    inner = int(set_mtu) if set_mtu.isdigit() else OVERLAY_DEFAULT_MTU
    said = f"{net.name}'s MTU {inner}" + ("" if set_mtu else " (the default)")
    command = f"ip -o link show {a.interface or 'LAN'} (on each host); docker exec C ip link"
    lans = [(h.name, h.interface, h.mtu) for h in (a, b) if h.read and h.mtu]
    if len(lans) < 2:
        return Step("mtu", None, f"{said}; the LANs' MTU not read", command)
    need = inner + VXLAN_OVERHEAD
    told = ", ".join(f"{n}'s {i} {m}" for n, i, m in lans)
    small = [f"{n}'s {i} {m}" for n, i, m in lans if m < need]
    if small:
        return Step("mtu", False, f"{said} + {VXLAN_OVERHEAD} bytes of VXLAN = {need}, more "
                    f"than {', '.join(small)} carries: big packets are lost (make the network "
                    f"with a smaller {_MTU_OPTION})", command)
    return Step("mtu", True, f"{said} + {VXLAN_OVERHEAD} bytes of VXLAN = {need}, within the "
                f"LAN's MTU ({told})", command)


def _across(snapshot: Snapshot, source: str, target: str, port: int | None,
            a_node: str, b_node: str) -> Diagnosis:
    where = f"{a_node} -> {b_node}, across hosts"
    inspect, a, box = _across_inspect(snapshot, source, target, a_node, b_node)
    if a is None or box is None:
        return Diagnosis(source, target, port, (inspect,), where)
    overlay, net = _overlay_step(snapshot, a, box, a_node, b_node)
    a_host = _host(snapshot, a_node, snapshot.node_address(b_node))
    b_host = _host(snapshot, b_node, snapshot.node_address(a_node))
    steps = [inspect, overlay, _lan_step(a_host, b_host), _control_step(snapshot, a_host, b_host),
             _vxlan_step(a_host, b_host), _mtu_step(net, a_host, b_host)]
    own = snapshot.node(a_node) or Snapshot()
    steps += _container_steps(own, source, target, port, _shared_address(a, box))
    steps.append(_listening_step(snapshot.node(b_node) or Snapshot(), box, port, True)
                 if port else Step("listening", None, "no port given (port=...): a ping", ""))
    return Diagnosis(source, target, port, tuple(steps), where)


def _across_snapshot(snapshot: Snapshot, source: str, target: str, port: int | None
                     ) -> Diagnosis:
    where = hosts_of(snapshot, source, target)
    if where is None:
        names = [source] if not snapshot.nodes_of(source) else [target]
        return Diagnosis(source, target, port, (Step(
            "inspect", False, f"no container named {names[0]!r} on any node "
            f"({', '.join(snapshot.node_names)})", "docker ps -a (on each node)"),))
    a_node, b_node = where
    if a_node != b_node:
        return _across(snapshot, source, target, port, a_node, b_node)
    inner = diagnose_snapshot(snapshot.node(a_node) or Snapshot(), source, target, port)
    first = inner.steps[0]
    note = (f"{source} and {target} are both on {a_node}: one Docker host, nothing crosses "
            "hosts")
    steps = (replace(first, evidence=f"{note}; {first.evidence}"), *inner.steps[1:])
    return Diagnosis(source, target, port, steps, f"both on {a_node}")
