"""Why can container A (not) reach container B: rules, probes and a matrix.

Three layers, each usable alone:

- :func:`explain` is a pure function of a :class:`~labcheck.snapshot.Snapshot`.
  It applies Docker's networking rules (a shared network and which one;
  embedded DNS on user-defined networks; internal networks; ICC off;
  published ports; host, none and ``container:<other>`` network modes;
  stopped containers) and returns an :class:`Explanation` with the reasons
  and the :class:`~labcheck.probes.Reach` probe that would confirm it.
- :class:`Verdict` sets the rules beside the probe's result and says plainly
  when they disagree; :func:`labcheck.live.reachability.confirm` runs the probe.
- :func:`matrix_probes` / :func:`reach_matrix` build a :class:`ReachMatrix`
  for a set of containers from probe results (measured live by
  :func:`labcheck.live.reachability.measure_matrix`), shown as text, as HTML,
  or as a layer of :func:`labcheck.diagram`.

>>> from labcheck.snapshot import Snapshot, Network, Container, Endpoint
>>> snap = Snapshot(
...     networks=(Network(name="back", id="n1", driver="bridge"),),
...     containers=(
...         Container(name="web", id="c1", state="running",
...                   endpoints=(Endpoint("back", ipv4="10.0.0.2"),)),
...         Container(name="db", id="c2", state="running",
...                   endpoints=(Endpoint("back", ipv4="10.0.0.3"),))))
>>> answer = explain(snap, "web", "db")
>>> answer.reachable, answer.probe
(True, Reach(container='web', target='db', port=None))
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from .errors import ObjectNotFound
from .probes import ProbeResult, Reach
from .snapshot import Container, Network, Snapshot

__all__ = [
    "LOCALHOST",
    "Explanation",
    "Verdict",
    "Cell",
    "ReachMatrix",
    "explain",
    "explain_across",
    "VXLAN_PORT",
    "find_container",
    "extra_aliases",
    "matrix_probes",
    "reach_matrix",
    "PROBE_TIMEOUT",
]

#: Where two containers that share one network namespace find each other.
LOCALHOST = "127.0.0.1"

#: Probe timeout (seconds) for confirmations and matrices: failures cost this much.
PROBE_TIMEOUT = 2

_MAX_SHARING_DEPTH = 8


@dataclass(frozen=True)
class Explanation:
    """What Docker's rules say about ``source`` reaching ``target``.

    ``reachable`` is the rules' answer; ``reasons`` say why, one sentence
    each; ``hint`` is the next step when it is not reachable; ``probe`` is
    the :class:`~labcheck.probes.Reach` probe that confirms it (None when
    no probe can run, e.g. ``source`` is stopped); ``name_resolves`` says
    whether ``target``'s name resolves from ``source`` (None: not known).
    """

    source: str
    target: str
    port: int | None
    reachable: bool
    reasons: tuple[str, ...]
    probe: Reach | None = None
    name_resolves: bool | None = None
    hint: str = ""

    def lines(self) -> list[str]:
        """The explanation as readable lines (for the CLI and notebooks)."""
        what = f"{self.target} on port {self.port}" if self.port else self.target
        verdict = "can" if self.reachable else "cannot"
        out = [f"rules: {self.source} {verdict} reach {what}"]
        out += [f"  - {reason}" for reason in self.reasons]
        if self.hint:
            out.append(f"  next step: {self.hint}")
        return out


@dataclass(frozen=True)
class Verdict:
    """The rules' :class:`Explanation` and the live probe that checked it."""

    explanation: Explanation
    result: ProbeResult | None = None

    @property
    def probed(self) -> bool:
        """Whether a probe actually ran (False: only the rules speak)."""
        return self.result is not None and self.result.ran

    @property
    def reaches(self) -> bool:
        """The answer: the probe's when it ran, else the rules'."""
        if self.probed:
            assert self.result is not None
            return self.result.succeeded
        return self.explanation.reachable

    @property
    def target_answered(self) -> bool:
        """The probe got an answer from the target (success, or a refused port)."""
        if not self.probed:
            return False
        assert self.result is not None
        return self.result.succeeded or "refused" in self.result.detail

    @property
    def agrees(self) -> bool | None:
        """Whether rules and probe agree on the network path (None: no probe ran).

        A refused port counts as a working path: the rules cannot know
        whether a program listens inside the target.
        """
        if not self.probed:
            return None
        return self.explanation.reachable == self.target_answered

    def lines(self) -> list[str]:
        """Rules, probe and verdict as readable lines."""
        exp = self.explanation
        out = exp.lines()
        what = f"{exp.target} on port {exp.port}" if exp.port else exp.target
        if self.result is None:
            out.append("probe: not run")
        else:
            out.append(f"probe: {self.result.probe.describe()}: {self.result.detail}")
        if not self.probed:
            out.append(f"verdict: {exp.source} {'reaches' if self.reaches else 'does not reach'} "
                       f"{what} (from the rules only; no live probe ran)")
            return out
        if self.agrees:
            tail = "the rules and the probe agree"
        else:
            said = "can" if exp.reachable else "cannot"
            found = "got an answer" if self.target_answered else "got no answer"
            tail = (f"the rules and the probe DISAGREE: the rules say {exp.source} {said} "
                    f"reach {exp.target}, but the probe {found}. Something the snapshot does "
                    "not show is at work (firewall rules, a service bound to 127.0.0.1, a "
                    "changed topology): look at it again with 'labcheck diagram'")
        if self.target_answered and not self.reaches and exp.port:
            tail += (f"; {exp.target} answered but nothing listens on port {exp.port} "
                     "inside it")
        out.append(f"verdict: {exp.source} {'reaches' if self.reaches else 'does not reach'} "
                   f"{what} ({tail})")
        return out


# -- finding containers ---------------------------------------------------------

def find_container(snapshot: Snapshot, name: str) -> Container:
    """The container a user typed: its name, full id, or an id prefix of 12+ characters
    or matching one container alone; ObjectNotFound names the closest."""
    box = snapshot.find_container(name)
    if box is not None:
        return box
    names = sorted(c.name for c in snapshot.containers)
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if close:
        tip = "Did you mean " + " or ".join(repr(c) for c in close) + "?"
    elif names:
        tip = "Containers: " + ", ".join(names[:10]) + (", ..." if len(names) > 10 else "")
    else:
        tip = "There are no containers: start one first"
    raise ObjectNotFound(f"no container named {name!r}. {tip} (see: docker ps -a)")


def _namespace_owner(snapshot: Snapshot, box: Container) -> tuple[Container | None, list[str]]:
    """The container whose network stack ``box`` uses, following ``container:X``."""
    notes: list[str] = []
    seen = {box.id}
    current = box
    for _ in range(_MAX_SHARING_DEPTH):
        other = current.shares_namespace_with
        if other is None:
            return current, notes
        owner = snapshot.namespace_owner(current)
        if owner is None:
            notes.append(f"{current.name} shares the network namespace of container "
                         f"{other[:12]!r}, which is not in the snapshot")
            return None, notes
        notes.append(f"{current.name} uses the network namespace of {owner.name} "
                     f"(network_mode container:{owner.name}), so it has {owner.name}'s "
                     "addresses and networks")
        if owner.id in seen:
            break
        seen.add(owner.id)
        current = owner
    return None, notes + ["the container:<other> chain loops"]


def _distinct(boxes: Iterable[Container | None]) -> list[Container]:
    """The containers in order, each once (by id), without the Nones."""
    seen: dict[str, Container] = {}
    for box in boxes:
        if box is not None and box.id not in seen:
            seen[box.id] = box
    return list(seen.values())


def _bridge_like(net: Network | None) -> bool:
    return net is not None and net.driver == "bridge"


def extra_aliases(box: Container, network: str) -> tuple[str, ...]:
    """``box``'s aliases on ``network`` beyond its own name and short id, sorted."""
    endpoint = box.endpoint(network)
    aliases = endpoint.aliases if endpoint is not None and endpoint.aliases else ()
    return tuple(sorted({a for a in aliases if a != box.name and not box.id.startswith(a)}))


# -- the rules --------------------------------------------------------------------

def explain(snapshot: Snapshot, source: str, target: str, *,
            port: int | None = None) -> Explanation:
    """Docker's rules applied to ``source`` reaching ``target`` (optionally on ``port``).

    Pure: reads only the snapshot. Raises :class:`~labcheck.errors.ObjectNotFound`
    (with the closest names) for an unknown container. On a multi-node snapshot
    (a lab of several Docker hosts) the two may be on two hosts: see :func:`explain_across`.
    """
    if snapshot.is_multi_node:
        return explain_across(snapshot, source, target, port=port)
    a = find_container(snapshot, source)
    b = find_container(snapshot, target)
    rules = _Rules(snapshot, a, b, port)
    return rules.run()


#: The UDP port of an overlay network's VXLAN between Docker hosts.
VXLAN_PORT = 4789
_VNI_OPTION = "com.docker.network.driver.overlay.vxlanid_list"


def explain_across(snapshot: Snapshot, source: str, target: str, *,
                   port: int | None = None) -> Explanation:
    """:func:`explain` on a lab of several Docker hosts (a multi-node snapshot).

    Two containers on one host: that host's rules, with a note. On two hosts:
    they reach each other only over a network that is one object on both (an
    overlay: the same id), and the reasons say the path (the VXLAN device of
    the network on each host, UDP 4789 between their LAN addresses) and what it
    needs (4789/udp between the hosts, 7946 for the gossip that spreads names,
    2377/tcp to the managers).

    >>> from labcheck.snapshot import Container, Endpoint, Network, NodeState
    >>> ov = Network("appnet", "ov1", "overlay", scope="swarm", subnets=("10.218.0.0/24",))
    >>> def host(n, name):
    ...     end = Endpoint("appnet", network_id="ov1", ipv4=f"10.218.0.{n}")
    ...     box = Container(name, name, state="running", endpoints=(end,))
    ...     state = Snapshot(networks=(ov,), containers=(box,))
    ...     return NodeState(f"node{n}", f"10.219.0.1{n}", state)
    >>> answer = explain(Snapshot(nodes=(host(1, "a"), host(2, "b"))), "a", "b")
    >>> answer.reachable, answer.probe
    (True, Reach(container='a', target='b', port=None))
    >>> [r for r in answer.reasons if "4789" in r][0][:60]
    'the path: a -> the VXLAN device of appnet on node1 -> UDP fr'
    """
    hosts = {name: snapshot.nodes_of(name) for name in (source, target)}
    for name, found in hosts.items():
        if not found:
            names = sorted({c.name for n in snapshot.nodes for c in n.snapshot.containers})
            close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
            tip = ("Did you mean " + " or ".join(repr(c) for c in close) + "?" if close
                   else "Containers: " + (", ".join(names[:10]) or "none"))
            raise ObjectNotFound(f"no container named {name!r} on any node. {tip}")
    a_node = hosts[source][0]
    b_node = a_node if a_node in hosts[target] else hosts[target][0]
    if a_node == b_node:
        own = snapshot.node(a_node) or Snapshot()
        inner = explain(own, source, target, port=port)
        note = f"{source} and {target} are both on {a_node}: one Docker host, its own rules"
        return Explanation(inner.source, inner.target, inner.port, inner.reachable,
                           (note, *inner.reasons), probe=inner.probe,
                           name_resolves=inner.name_resolves, hint=inner.hint)
    a = (snapshot.node(a_node) or Snapshot()).container(source)
    b = (snapshot.node(b_node) or Snapshot()).container(target)
    assert a is not None and b is not None
    a_ip, b_ip = snapshot.node_address(a_node) or a_node, snapshot.node_address(b_node) or b_node
    reasons = [f"{source} runs on {a_node} ({a_ip}), {target} on {b_node} ({b_ip}): "
               "two Docker hosts"]
    probe = Reach(a.name, b.name, port) if a.is_running else None
    for box in (a, b):
        if not box.is_running:
            reasons.append(f"{box.name} is {box.state or 'not running'}: a stopped container "
                           "has no addresses and reaches nothing")
            return Explanation(source, target, port, False, tuple(reasons), probe=probe,
                               hint=f"start it: docker start {box.name}")
    theirs = {e.network_id: e for e in b.endpoints if e.network_id}
    shared = [e for e in a.endpoints if e.network_id in theirs]
    if not shared:
        same_name = sorted(set(a.networks) & set(b.networks))
        if same_name:
            reasons.append(f"both are on a network called {same_name[0]!r}, but not the same "
                           f"one: a {same_name[0]!r} on each host (different ids), and a "
                           "bridge network stays on its host")
        else:
            reasons.append(f"they share no network ({source}: "
                           f"{', '.join(a.networks) or 'none'}; {target}: "
                           f"{', '.join(b.networks) or 'none'})")
        reasons.append("only a swarm network (an overlay) is one network on several hosts")
        return Explanation(source, target, port, False, tuple(reasons), probe=probe,
                           name_resolves=False,
                           hint="on a swarm manager: docker network create -d overlay "
                                f"--attachable NET; then connect {source} and {target} to it")
    net = next((n for n in (snapshot.node(a_node) or Snapshot()).networks
                if n.id == shared[0].network_id), None)
    name = net.name if net else shared[0].network
    vni = f", VNI {net.options[_VNI_OPTION]}" if net and net.options.get(_VNI_OPTION) else ""
    where = f" ({', '.join(net.subnets)})" if net and net.subnets else ""
    b_end = theirs[shared[0].network_id]
    reasons += [
        f"both are on {name!r}{where}, one network on both hosts (the same id): "
        f"{source} at {shared[0].ipv4 or '?'}, {target} at {b_end.ipv4 or '?'}",
        f"the path: {source} -> the VXLAN device of {name} on {a_node} -> UDP from {a_ip} to "
        f"{b_ip} port {VXLAN_PORT}{vni} on the LAN -> the VXLAN device on {b_node} -> {target}",
        f"what it needs: UDP {VXLAN_PORT} open between the hosts' LAN addresses (the data), "
        "7946/tcp+udp between all nodes (the gossip that tells each host's DNS where the "
        "other host's containers are), 2377/tcp to the managers (the swarm's control)",
        f"the name {target!r} resolves from {source} through {a_node}'s embedded DNS "
        f"(127.0.0.11), which knows {target} from the gossip"]
    return Explanation(source, target, port, True, tuple(reasons), probe=probe,
                       name_resolves=True)


@dataclass
class _Rules:
    snapshot: Snapshot
    a: Container
    b: Container
    port: int | None
    reasons: list[str] = field(default_factory=list)

    def result(self, reachable: bool, probe_target: str | None, *, hint: str = "",
               name_resolves: bool | None = None) -> Explanation:
        probe = None
        if probe_target and self.a.is_running:
            probe = Reach(self.a.name, probe_target, self.port)
        if self.port and reachable:
            self.reasons.append(f"whether a program listens on port {self.port} inside "
                                f"{self.b.name} is not in the snapshot: the probe tells")
        return Explanation(self.a.name, self.b.name, self.port, reachable, tuple(self.reasons),
                           probe=probe, name_resolves=name_resolves, hint=hint)

    def any_address(self, box: Container | None) -> str | None:
        if box is None:
            return None
        return next((e.ipv4 or e.ipv6 for e in box.endpoints if e.ipv4 or e.ipv6), None)

    def run(self) -> Explanation:
        a, b = self.a, self.b
        a_owner, notes = _namespace_owner(self.snapshot, a)
        b_owner, b_notes = _namespace_owner(self.snapshot, b)
        self.reasons += notes + [n for n in b_notes if n not in notes]
        fallback = self.any_address(b_owner) or b.name
        if a_owner is not None and b_owner is not None and a_owner.id == b_owner.id:
            self.reasons.append(f"{a.name} and {b.name} share one network namespace: "
                                f"{b.name} is {LOCALHOST} (localhost) for {a.name}")
            return self.result(a.is_running and b.is_running, LOCALHOST,
                               hint="" if a.is_running and b.is_running
                               else f"start both: docker start {a.name} {b.name}")
        for box in _distinct([a, a_owner, b, b_owner]):
            if not box.is_running:
                self.reasons.append(f"{box.name} is {box.state or 'not running'}: a stopped "
                                    "container has no addresses and reaches nothing")
                return self.result(False, fallback, hint=f"start it: docker start {box.name}")
        if a_owner is None or b_owner is None:
            return self.result(False, fallback,
                               hint="recreate the container with a valid --network")
        for box in _distinct([a_owner, b_owner]):
            if box.network_mode == "none":
                self.reasons.append(f"{box.name} has network mode 'none': it has only a "
                                    "loopback interface and reaches no other container")
                return self.result(False, fallback, hint=(
                    f"recreate {box.name} on a network (docker run --network NET ...), "
                    f"or: docker network disconnect none {box.name} && "
                    f"docker network connect NET {box.name}"))
        if a_owner.network_mode == "host" and b_owner.network_mode == "host":
            self.reasons.append(f"{a.name} and {b.name} both use the host's network: "
                                f"{b.name} is {LOCALHOST} for {a.name}")
            return self.result(True, LOCALHOST)
        if a_owner.network_mode == "host":
            return self.from_host(b_owner)
        if b_owner.network_mode == "host":
            return self.to_host(a_owner)
        return self.between_networks(a_owner, b_owner)

    def from_host(self, b_owner: Container) -> Explanation:
        a, b = self.a, self.b
        self.reasons.append(f"{a.name} uses the host's network (network_mode host); the host "
                            "has an address on every bridge network, but Docker's DNS does "
                            f"not answer it, so the name {b.name!r} does not resolve")
        for endpoint in b_owner.endpoints:
            net = self.snapshot.network(endpoint.network)
            if _bridge_like(net) and endpoint.ipv4:
                self.reasons.append(f"the host reaches {b.name} on bridge network "
                                    f"{endpoint.network!r} at {endpoint.ipv4}")
                return self.result(True, endpoint.ipv4, name_resolves=False)
        self.reasons.append(f"{b.name} is on no bridge network the host can route to "
                            f"(networks: {', '.join(b_owner.networks) or 'none'})")
        return self.result(False, self.any_address(b_owner) or b.name, name_resolves=False,
                           hint=f"connect {b.name} to a bridge network: "
                                f"docker network connect NET {b.name}")

    def to_host(self, a_owner: Container) -> Explanation:
        a, b = self.a, self.b
        self.reasons.append(f"{b.name} uses the host's network (network_mode host): it has no "
                            "address of its own and its name is not in Docker's DNS")
        for endpoint in a_owner.endpoints:
            net = self.snapshot.network(endpoint.network)
            if _bridge_like(net) and endpoint.gateway:
                self.reasons.append(
                    f"{a.name} reaches the host at its gateway {endpoint.gateway} on network "
                    f"{endpoint.network!r}; {b.name}'s program must listen on all addresses "
                    f"there, not only on {LOCALHOST}")
                return self.result(True, endpoint.gateway, name_resolves=False)
        self.reasons.append(f"{a.name} has no gateway to the host on a bridge network")
        return self.result(False, None, name_resolves=False,
                           hint=f"connect {a.name} to a bridge network")

    def between_networks(self, a_owner: Container, b_owner: Container) -> Explanation:
        a, b = self.a, self.b
        shared = sorted(set(a_owner.networks) & set(b_owner.networks))
        open_routes: list[tuple[Network | None, str]] = []
        for name in shared:
            net = self.snapshot.network(name)
            endpoint = b_owner.endpoint(name)
            address = endpoint.ipv4 or endpoint.ipv6 if endpoint else None
            kind = _describe_network(net, name)
            if net is not None and not net.icc:
                self.reasons.append(f"{a.name} and {b.name} share {kind}, but it has "
                                    "inter-container communication off (enable_icc=false): "
                                    "containers on it cannot talk to each other")
                continue
            if not address:
                self.reasons.append(f"{b.name} has no address on shared network {name!r}")
                continue
            self.reasons.append(f"{a.name} and {b.name} share {kind}: {b.name} is {address} there")
            if net is not None and net.internal:
                self.reasons.append(f"{name!r} is internal: its containers reach each other "
                                    "but nothing outside it")
            open_routes.append((net, address))
        if open_routes:
            dns = [(net, addr) for net, addr in open_routes if net is not None
                   and net.has_embedded_dns]
            if dns:
                net, _ = dns[0]
                names = (b_owner.name,) + extra_aliases(b_owner, net.name)
                self.reasons.append(
                    f"{net.name!r} is user-defined, so Docker's embedded DNS (127.0.0.11) "
                    f"resolves {', '.join(repr(n) for n in names)} there")
                return self.result(True, b.name, name_resolves=True)
            self.reasons.append(f"the default bridge has no embedded DNS: the name {b.name!r} "
                                f"does not resolve, use the address {open_routes[0][1]} (or put "
                                "both on a user-defined network)")
            return self.result(True, open_routes[0][1], name_resolves=False)
        if not shared:
            self.reasons.append(
                f"{a.name} and {b.name} share no network ({a.name}: "
                f"{', '.join(a_owner.networks) or 'none'}; {b.name}: "
                f"{', '.join(b_owner.networks) or 'none'}); Docker isolates networks from "
                "each other, by address and by name")
        published = self.through_published_port(a_owner, b_owner)
        if published is not None:
            return published
        target_net = next(iter(b_owner.networks), "NET")
        hint = (f"docker network connect {target_net} {a_owner.name}" if not shared
                else "use a network with inter-container communication on")
        return self.result(False, self.any_address(b_owner) or b.name, hint=hint,
                           name_resolves=False if not shared else None)

    def through_published_port(self, a_owner: Container, b_owner: Container) -> Explanation | None:
        """B's published ports, reached through A's gateway (the host), if any fits."""
        published = [p for p in b_owner.published()
                     if not self.port or p.container_port == self.port]
        if not published:
            return None
        open_ports = [p for p in published if not p.is_loopback_only]
        gateways = [(e.network, e.gateway) for e in a_owner.endpoints if e.gateway
                    and _bridge_like(self.snapshot.network(e.network))
                    and not getattr(self.snapshot.network(e.network), "internal", False)]
        if not self.port:
            shown = ", ".join(str(p) for p in published)
            self.reasons.append(f"{self.b.name} publishes {shown} on the host: ask for a port "
                                "(--port) to check the way through the host")
            return None
        if not open_ports:
            self.reasons.append(f"{self.b.name} publishes port {self.port} on the host's "
                                "loopback only (127.0.0.1), which other containers cannot use")
            return None
        if not gateways:
            self.reasons.append(f"{self.b.name} publishes port {self.port} on the host, but "
                                f"{self.a.name} has no way out to the host (internal network)")
            return None
        binding, (network, gateway) = open_ports[0], gateways[0]
        self.reasons.append(f"{self.b.name} publishes port {self.port} as {binding}: "
                            f"{self.a.name} reaches it through the host at its gateway "
                            f"{gateway}:{binding.host_port} on network {network!r}, not at "
                            f"{self.b.name}'s own address")
        probe = Reach(self.a.name, str(gateway), binding.host_port) if self.a.is_running else None
        return Explanation(self.a.name, self.b.name, self.port, True, tuple(self.reasons),
                           probe=probe, name_resolves=False)


def _describe_network(net: Network | None, name: str) -> str:
    if net is None:
        return f"network {name!r}"
    if net.is_default_bridge:
        return f"the default bridge {name!r}"
    flags = [w for w, on in (("internal", net.internal),) if on]
    return f"{' '.join(flags + ['user-defined'])} {net.driver} network {name!r}"


# -- the matrix -------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One pair of a :class:`ReachMatrix`: measured (None: not probed) and by the rules."""

    source: str
    target: str
    reaches: bool | None
    expected: bool | None
    detail: str = ""

    @property
    def disagrees(self) -> bool:
        return (self.reaches is not None and self.expected is not None
                and self.reaches != self.expected)

    @property
    def symbol(self) -> str:
        mark = {True: "yes", False: "no", None: "?"}[self.reaches]
        return mark + ("!" if self.disagrees else "")


@dataclass(frozen=True)
class ReachMatrix:
    """Who reaches whom among ``containers`` (rows reach columns)."""

    containers: tuple[str, ...]
    cells: Mapping[tuple[str, str], Cell]
    port: int | None = None

    def cell(self, source: str, target: str) -> Cell | None:
        return self.cells.get((source, target))

    def pairs(self) -> list[Cell]:
        """Every measured pair, rows first, in the order of ``containers``."""
        return [self.cells[(a, b)] for a in self.containers for b in self.containers
                if (a, b) in self.cells]

    @property
    def disagreements(self) -> list[Cell]:
        return [c for c in self.pairs() if c.disagrees]

    def to_text(self) -> str:
        """A plain table: 'yes', 'no', '?' (not probed); '!' where the rules disagree."""
        names = list(self.containers)
        width = max([len("from \\ to")] + [len(n) for n in names])
        cols = [max(len(n), 4) for n in names]
        what = f" (TCP port {self.port})" if self.port else " (ping)"
        lines = ["reachability" + what,
                 "from \\ to".ljust(width) + "  "
                 + "  ".join(n.ljust(w) for n, w in zip(names, cols, strict=True))]
        for a in names:
            row = []
            for b, w in zip(names, cols, strict=True):
                cell = self.cells.get((a, b))
                row.append(("-" if a == b or cell is None else cell.symbol).ljust(w))
            lines.append(a.ljust(width) + "  " + "  ".join(row).rstrip())
        if self.disagreements:
            lines.append("! the probe disagrees with Docker's rules: "
                         + "; ".join(f"{c.source} -> {c.target}" for c in self.disagreements))
        return "\n".join(lines) + "\n"

    def to_html(self) -> str:
        """An HTML table (names escaped), green for reaches, red for does not."""
        esc = html.escape
        what = f"TCP port {self.port}" if self.port else "ping"
        head = "".join(f"<th>{esc(n)}</th>" for n in self.containers)
        rows = []
        colours = {True: "#d4f4d4", False: "#f8d0d0", None: "#eeeeee"}
        for a in self.containers:
            tds = []
            for b in self.containers:
                cell = self.cells.get((a, b))
                if a == b or cell is None:
                    tds.append("<td>&mdash;</td>")
                    continue
                tds.append(f'<td style="background:{colours[cell.reaches]}" '
                           f'title="{esc(cell.detail)}">{esc(cell.symbol)}</td>')
            rows.append(f"<tr><th>{esc(a)}</th>{''.join(tds)}</tr>")
        note = ""
        if self.disagreements:
            note = ("<p>! the probe disagrees with Docker's rules for: "
                    + esc("; ".join(f"{c.source} -> {c.target}" for c in self.disagreements))
                    + "</p>")
        return (f'<table class="labcheck-reach"><caption>reachability ({esc(what)}), '
                f"rows reach columns</caption><tr><th>from \\ to</th>{head}</tr>"
                + "".join(rows) + "</table>" + note)

    def _repr_html_(self) -> str:
        return self.to_html()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """IPython's text/plain: the table, not the dataclass's field dump."""
        printer.text(self.to_text())

    def __str__(self) -> str:
        return self.to_text()


def matrix_probes(snapshot: Snapshot, containers: Sequence[str], *,
                  port: int | None = None) -> tuple[Reach, ...]:
    """The probes that measure the matrix: one per ordered pair, as the rules route it."""
    probes = []
    for a in containers:
        for b in containers:
            if a == b:
                continue
            probe = explain(snapshot, a, b, port=port).probe
            if probe is not None:
                probes.append(probe)
    return tuple(dict.fromkeys(probes))


def reach_matrix(snapshot: Snapshot, containers: Sequence[str] | None = None, *,
                 port: int | None = None) -> ReachMatrix:
    """The matrix from the probe results recorded in ``snapshot`` (pure).

    ``containers`` defaults to the running ones. A pair whose probe is not
    in the snapshot shows '?' (run
    :func:`labcheck.live.reachability.measure_matrix` to measure it).
    """
    names = tuple(containers) if containers is not None else tuple(
        c.name for c in snapshot.containers if c.is_running)
    cells: dict[tuple[str, str], Cell] = {}
    for a in names:
        for b in names:
            if a == b:
                continue
            exp = explain(snapshot, a, b, port=port)
            result = snapshot.probe_result(exp.probe) if exp.probe is not None else None
            if result is not None and result.ran:
                reaches: bool | None = result.succeeded
                detail = result.detail
            elif exp.probe is None:
                reaches, detail = False, exp.reasons[-1] if exp.reasons else ""
            else:
                reaches, detail = None, "not probed"
            cells[(a, b)] = Cell(a, b, reaches, exp.reachable, detail)
    return ReachMatrix(names, cells, port)
