"""What the Docker host's own tools print, read: links, firewall rules, captured packets.

Pure parsers of the output of ``ip -o link``, ``iptables-save`` and
``tcpdump -nn -l``, run on the Docker host through
:func:`labcheck.docker_host` (lesson 07) or by the probe runner
(:class:`~labcheck.probes.HostLinks`), and of a container's
``/sys/class/net`` (:class:`~labcheck.probes.LinkIndexes`). Nothing here
runs a command: a recorded output reads the same everywhere.

:func:`wiring` joins the two sides into the host's wiring: each bridge with
its ports, each port's veth peer and the container (and network) it belongs
to; :mod:`labcheck.render.hostside` draws it.

>>> link = parse_ip_link("7: veth48276c5@if6: <UP> mtu 1500 master br-8b8f557841b0 state UP")[0]
>>> link.index, link.name, link.master
(7, 'veth48276c5', 'br-8b8f557841b0')
"""

from __future__ import annotations

import ipaddress
import re
import shlex
from dataclasses import dataclass, field
from typing import Iterable, Mapping

__all__ = [
    "Link",
    "parse_ip_link",
    "ContainerLink",
    "parse_link_indexes",
    "LINK_INDEXES_SCRIPT",
    "Rule",
    "parse_iptables_save",
    "added_rules",
    "parse_policies",
    "Fate",
    "fate_of",
    "Packet",
    "parse_tcpdump",
    "VethPort",
    "HostBridge",
    "HostWiring",
    "wiring",
]

@dataclass(frozen=True)
class Link:
    """One network interface of the host, as ``ip -o link`` shows it.

    ``peer`` is what follows the ``@`` (``if6``: the peer's index in another
    namespace), ``master`` the bridge it is a port of ('' if none).
    """

    index: int
    name: str
    peer: str = ""
    master: str = ""
    #: The named network namespace its peer lives in (``link-netns NAME``), '' if not shown.
    netns: str = ""
    #: Its MTU (0 if not shown), and whether it is up (``state UP``, or ``<..UP..>`` when UNKNOWN).
    mtu: int = field(default=0, compare=False, repr=False)
    up: bool = field(default=True, compare=False, repr=False)

    @property
    def is_veth_end(self) -> bool:
        """Whether it looks like a veth end (a name with ``@ifN``: its peer lives elsewhere)."""
        return self.peer.startswith("if")


_IP_LINK = re.compile(r"^(\d+):\s+([^:@\s]+)(?:@([^:\s]+))?:\s+<([^>]*)>(.*)$")


def parse_ip_link(text: str) -> tuple[Link, ...]:
    """The links in ``ip -o link`` output (one line each), in order.

    >>> [l.name for l in parse_ip_link("1: lo: <LOOPBACK,UP> mtu 65536 state UNKNOWN\\n"
    ...                                 "3: br-1: <UP> mtu 1500 state UP\\n")]
    ['lo', 'br-1']
    """
    links = []
    for line in text.splitlines():
        found = _IP_LINK.match(line.strip())
        if not found:
            continue
        rest = found[5]
        master = re.search(r"\bmaster (\S+)", rest)
        netns = re.search(r"\blink-netns (\S+)", rest)
        mtu = re.search(r"\bmtu (\d+)", rest)
        state = re.search(r"\bstate (\S+)", rest)
        up = (state[1] == "UP" if state and state[1] != "UNKNOWN"
              else "UP" in found[4].split(","))
        links.append(Link(int(found[1]), found[2], found[3] or "", master[1] if master else "",
                          netns[1] if netns else "", int(mtu[1]) if mtu else 0, up))
    return tuple(links)


#: The shell loop a :class:`~labcheck.probes.LinkIndexes` probe runs inside a container:
#: one line per interface, ``name ifindex iflink address``.
LINK_INDEXES_SCRIPT = ('for d in /sys/class/net/*; do echo "${d##*/} $(cat "$d/ifindex") '
                       '$(cat "$d/iflink") $(cat "$d/address")"; done')


@dataclass(frozen=True)
class ContainerLink:
    """One interface seen inside a container: its index, and its peer's index (``iflink``).

    For a veth end, ``iflink`` is the index of the other end, on the host;
    for ``lo`` it is its own index.
    """

    name: str
    index: int
    iflink: int
    mac: str = ""


def parse_link_indexes(text: str) -> tuple[ContainerLink, ...]:
    """The lines of :data:`LINK_INDEXES_SCRIPT`, read.

    >>> parse_link_indexes("eth0 4 5 02:42:0a:00:00:02\\nlo 1 1 00:00:00:00:00:00\\n")[0]
    ContainerLink(name='eth0', index=4, iflink=5, mac='02:42:0a:00:00:02')
    """
    links = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1].isdigit() and parts[2].isdigit():
            links.append(ContainerLink(parts[0], int(parts[1]), int(parts[2]),
                                       parts[3].lower() if len(parts) > 3 else ""))
    return tuple(links)


@dataclass(frozen=True)
class Rule:
    """One rule of ``iptables-save``: its table, its chain, and the rest of its line."""

    table: str
    chain: str
    spec: str
    #: The packets it matched so far, where ``iptables-save -c`` said (None otherwise).
    packets: int | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.table:6} {self.chain}: {self.spec}"


def parse_iptables_save(text: str) -> tuple[Rule, ...]:
    """The ``-A`` rules of ``iptables-save`` output, with their tables, in order.

    >>> parse_iptables_save("*nat\\n:DOCKER - [0:0]\\n-A DOCKER -i docker0 -j RETURN\\nCOMMIT\\n")
    (Rule(table='nat', chain='DOCKER', spec='-i docker0 -j RETURN'),)
    """
    rules = []
    table = ""
    for line in text.splitlines():
        counted = _COUNTERS.match(line)
        packets = int(counted[1]) if counted else None
        line = line[counted.end():] if counted else line
        if line.startswith("*"):
            table = line[1:].strip()
        elif line.startswith("-A "):
            chain, _, spec = line[3:].partition(" ")
            rules.append(Rule(table, chain, spec.strip(), packets))
    return tuple(rules)


_COUNTERS = re.compile(r"^\[(\d+):\d+\]\s+")


def parse_policies(text: str) -> dict[tuple[str, str], str]:
    """The policies of the built-in chains in ``iptables-save`` output, by (table, chain).

    >>> parse_policies("*filter\\n:INPUT DROP [0:0]\\n:DOCKER - [0:0]\\nCOMMIT\\n")
    {('filter', 'INPUT'): 'DROP'}
    """
    policies = {}
    table = ""
    for line in text.splitlines():
        if line.startswith("*"):
            table = line[1:].strip()
        elif line.startswith(":"):
            parts = line[1:].split()
            if len(parts) >= 2 and parts[1] != "-":
                policies[(table, parts[0])] = parts[1]
    return policies


@dataclass(frozen=True)
class Fate:
    """What a host's filter table does with one kind of new packet (see :func:`fate_of`).

    ``verdict``: ``ACCEPT``, ``DROP`` or ``REJECT``; ``rule``: the rule that decided
    (None: the chain's policy); ``maybe``: earlier rules whose match depends on
    something not read (a rate limit, an ipset...), which might decide instead.
    """

    verdict: str
    chain: str
    rule: Rule | None = None
    maybe: tuple[Rule, ...] = ()

    @property
    def passes(self) -> bool:
        return self.verdict == "ACCEPT"

    def describe(self) -> str:
        """In words: ``DROP by INPUT rule '-i lan0 ... -j DROP', 4 packets so far``."""
        if self.rule is None:
            return f"{self.verdict} by the policy of {self.chain}"
        counted = f", {self.rule.packets} packets so far" if self.rule.packets else ""
        return f"{self.verdict} by {self.rule.chain} rule '{self.rule.spec}'{counted}"


def fate_of(rules: Iterable[Rule], policies: Mapping[tuple[str, str], str], chain: str, *,
            protocol: str, port: int, interface: str = "", address: str = "") -> Fate:
    """What the filter table's ``chain`` (INPUT or OUTPUT) does with a new ``protocol``
    packet to ``port``, arriving on (INPUT) or leaving by (OUTPUT) ``interface``, from
    (INPUT) or to (OUTPUT) ``address``: the first rule that matches decides, jumps into
    user chains followed, else the chain's policy (ACCEPT when none is shown).

    Conditions it does not read (a source port, a rate limit, an ipset) make a rule
    one that *might* match: listed in ``maybe`` and passed over.

    >>> saved = ("*filter\\n:INPUT ACCEPT [0:0]\\n"
    ...          "[3:150] -A INPUT -i lan0 -p udp -m udp --dport 4789 -j DROP\\nCOMMIT\\n")
    >>> fate = fate_of(parse_iptables_save(saved), parse_policies(saved), "INPUT",
    ...                protocol="udp", port=4789, interface="lan0", address="10.219.0.11")
    >>> fate.verdict, fate.describe()
    ('DROP', "DROP by INPUT rule '-i lan0 -p udp -m udp --dport 4789 -j DROP', 3 packets so far")
    >>> fate_of(parse_iptables_save(saved), {}, "INPUT", protocol="udp", port=7946).verdict
    'ACCEPT'
    """
    table = [r for r in rules if r.table == "filter"]
    chains = {r.chain for r in table}
    maybe: list[Rule] = []
    packet = _Packet(protocol, port, interface, address, inbound=chain != "OUTPUT")

    def walk(name: str, depth: int) -> Fate | None:
        for rule in (r for r in table if r.chain == name):
            matched, target = _matches(rule.spec, packet)
            if matched is False:
                continue
            if matched is None:
                maybe.append(rule)
                continue
            if target in ("ACCEPT", "DROP", "REJECT"):
                return Fate(target, chain, rule, tuple(maybe))
            if target == "RETURN":
                return None
            if target in chains and depth < 8:
                found = walk(target, depth + 1)
                if found is not None:
                    return found
        return None

    return walk(chain, 0) or Fate(policies.get(("filter", chain), "ACCEPT"), chain, None,
                                  tuple(maybe))


@dataclass(frozen=True)
class _Packet:
    protocol: str
    port: int
    interface: str
    address: str
    inbound: bool


#: Options that take no part in whether a new packet matches (module names, comments).
_IGNORED = {"-m", "--comment"}


def _matches(spec: str, packet: _Packet) -> tuple[bool | None, str]:
    """Whether ``spec`` matches ``packet`` (None: it depends on something not read),
    and its target."""
    try:
        words = shlex.split(spec)
    except ValueError:
        words = spec.split()
    target, unsure, negate = "", False, False
    i = 0
    while i < len(words):
        word = words[i]
        if word == "!":
            negate = True
            i += 1
            continue
        value = words[i + 1] if i + 1 < len(words) else ""
        i += 2
        hit: bool | None
        if word in ("-j", "-g", "--jump", "--goto"):
            target = value
            break  # what follows are the target's own options (--reject-with, --log-prefix)
        if word in _IGNORED:
            continue
        if word in ("-i", "--in-interface", "-o", "--out-interface"):
            if (word in ("-i", "--in-interface")) != packet.inbound:
                hit = False  # -o in INPUT (or -i in OUTPUT) cannot be there: read as no match
            else:
                hit = _interface(value, packet.interface)
        elif word in ("-p", "--protocol"):
            hit = value.lower() in (packet.protocol, "all")
        elif word in ("-s", "--source", "-d", "--destination"):
            ours = (word in ("-s", "--source")) == packet.inbound
            hit = _address(value, packet.address) if ours else None
        elif word in ("--dport", "--destination-port"):
            hit = _port(value, packet.port)
        elif word in ("--dports", "--destination-ports"):
            hit = any(_port(v, packet.port) for v in value.split(","))
        elif word in ("--ctstate", "--state"):
            hit = "NEW" in value.upper().split(",")
        else:
            hit = None
        if negate and hit is not None:
            hit = not hit
        negate = False
        if hit is False:
            return False, target
        unsure = unsure or hit is None
    return (None if unsure else True), target


def _interface(pattern: str, name: str) -> bool | None:
    if not name:
        return None
    if pattern.endswith("+"):
        return name.startswith(pattern[:-1])
    return name == pattern


def _address(pattern: str, address: str) -> bool | None:
    if not address:
        return None
    try:
        return ipaddress.ip_address(address) in ipaddress.ip_network(pattern, strict=False)
    except ValueError:
        return None


def _port(pattern: str, port: int) -> bool:
    low, _, high = pattern.partition(":")
    try:
        return int(low or 0) <= port <= int(high or low or 65535)
    except ValueError:
        return False


def added_rules(before: Iterable[Rule], after: Iterable[Rule]) -> tuple[Rule, ...]:
    """The rules of ``after`` that ``before`` did not have, in ``after``'s order."""
    old = set(before)
    return tuple(rule for rule in after if rule not in old)


@dataclass(frozen=True)
class Packet:
    """One packet line of ``tcpdump -nn -l`` (with ``-i any``: the interface and way too)."""

    interface: str
    direction: str
    source: str
    source_port: int | None
    destination: str
    destination_port: int | None
    what: str

    def summary(self, names: Mapping[str, str] | None = None) -> tuple[str, str, str]:
        """(from, to, what), addresses replaced by ``names`` where it has them.

        >>> p = parse_tcpdump("10:00:00.1 eth0 Out IP 10.0.0.2 > 10.0.0.3: ICMP echo request, "
        ...                   "id 3, seq 0, length 64")[0]
        >>> p.summary({"10.0.0.2": "left", "10.0.0.3": "right"})
        ('left', 'right', 'ping: echo request')
        """
        names = names or {}

        def who(address: str, port: int | None) -> str:
            name = names.get(address, address)
            return f"{name}:{port}" if port is not None and port == 53 else name

        return (who(self.source, self.source_port), who(self.destination, self.destination_port),
                self.describe(names))

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """What the packet carries, in words (names for the addresses in a DNS answer)."""
        names = names or {}
        icmp = re.match(r"ICMP echo (request|reply)", self.what)
        if icmp:
            return f"ping: echo {icmp[1]}"
        query = re.match(r"\d+\+?\s+(A{1,4})\?\s+(\S+?)\.?\s", self.what + " ")
        if query:
            return f"DNS question: {query[1]} of {query[2]}?"
        answer = re.match(r"\d+\*?-?\s+(\d+)/\d+/\d+\s+(.*)", self.what)
        if answer:
            records = re.findall(r"\b(A|AAAA) ([0-9a-fA-F.:]+)", answer[2])
            said = ", ".join(f"{kind} {names.get(addr, addr)}" for kind, addr in records)
            return f"DNS answer: {said or 'no address'}"
        if self.what.startswith("UDP"):
            return "UDP, not decoded (not port 53)"
        return self.what.split(",")[0]


_TCPDUMP = re.compile(
    r"^\d\d:\d\d:\d\d\.\d+\s+(?:(?P<iface>\S+)\s+(?P<dir>In|Out|M|B|P)\s+)?IP6?\s+"
    r"(?P<src>\S+)\s+>\s+(?P<dst>[^\s]+?):\s*(?P<what>.*)$")


def _split_port(endpoint: str) -> tuple[str, int | None]:
    """``10.0.0.2.53`` -> (``10.0.0.2``, 53); ``10.0.0.2`` -> (``10.0.0.2``, None)."""
    parts = endpoint.split(".")
    if len(parts) == 5 and parts[4].isdigit():
        return ".".join(parts[:4]), int(parts[4])
    return endpoint, None


def parse_tcpdump(text: str) -> tuple[Packet, ...]:
    """The IPv4/IPv6 packet lines of ``tcpdump -nn -l`` output; other lines are skipped.

    >>> parse_tcpdump("listening on any\\n10:00:00.1 lo In IP 127.0.0.11.53 > 127.0.0.1.4000: "
    ...               "7 1/0/0 A 10.0.0.3 (44)\\n")[0].describe({"10.0.0.3": "right"})
    'DNS answer: A right'
    """
    packets = []
    for line in text.splitlines():
        found = _TCPDUMP.match(line.strip())
        if not found:
            continue
        src, sport = _split_port(found["src"])
        dst, dport = _split_port(found["dst"])
        packets.append(Packet(found["iface"] or "", found["dir"] or "", src, sport, dst, dport,
                              found["what"].strip()))
    return tuple(packets)


# -- the host's wiring: bridges, their ports, and whose veth each port is --------------------

@dataclass(frozen=True)
class VethPort:
    """The host's end of a veth pair, and what is at its other end where that is known.

    ``bridge`` is the bridge it is a port of ('' if none); ``container``,
    ``inside`` and ``network`` name the container interface it pairs with
    (``left``, ``eth0``, ``wire``), or are '' when no container read says so:
    then ``netns`` may name the namespace its peer lives in (a hand-made one).
    """

    name: str
    index: int
    bridge: str = ""
    container: str = ""
    inside: str = ""
    inside_index: int = 0
    network: str = ""
    netns: str = ""

    @property
    def peer(self) -> str:
        """Where the other end is, in words: ``left's eth0``, ``namespace red``, ``?``."""
        if self.container:
            return f"{self.container}'s {self.inside or '?'}"
        if self.netns:
            return f"namespace {self.netns}"
        return "?"


@dataclass(frozen=True)
class HostBridge:
    """A Linux bridge on the Docker host: its Docker network ('' if not Docker's), its ports."""

    name: str
    network: str = ""
    ports: tuple[VethPort, ...] = ()
    exists: bool = True


@dataclass(frozen=True)
class HostWiring:
    """The host's side of a set of networks and containers (see :func:`wiring`).

    ``loose``: container veths whose host end is a port of no bridge shown;
    ``unseen``: why a container or the host could not be read (one line each);
    ``available`` is False when the host's own links were not read at all.
    """

    bridges: tuple[HostBridge, ...] = ()
    loose: tuple[VethPort, ...] = ()
    unseen: tuple[str, ...] = ()
    available: bool = True

    def bridge(self, name: str) -> HostBridge | None:
        """The bridge called ``name``, or None."""
        return next((b for b in self.bridges if b.name == name), None)

    def port_of(self, container: str, network: str = "") -> VethPort | None:
        """The host end of ``container``'s veth (on ``network``, if given), or None."""
        for port in [p for b in self.bridges for p in b.ports] + list(self.loose):
            if port.container == container and (not network or port.network == network):
                return port
        return None


def wiring(links: Iterable[Link], inside: Mapping[str, Iterable[ContainerLink]],
           bridges: Mapping[str, str], *, networks: Mapping[str, Mapping[str, str]] | None = None,
           unseen: Iterable[str] = ()) -> HostWiring:
    """The host's wiring, from what was read on both sides.

    ``links``: the host's ``ip -o link`` (:func:`parse_ip_link`); ``inside``:
    each container's interfaces (:func:`parse_link_indexes`); ``bridges``:
    the Linux bridges to show, each with its Docker network ('' for one
    Docker did not make); ``networks``: per container, its interfaces' MAC
    addresses -> the network each is on (a container on one network needs
    none). Pure: the same readings give the same wiring, in the order given.

    >>> host = parse_ip_link("3: br-1: <UP> mtu 1500\\n5: veth9@if4: <UP> mtu 1500 master br-1\\n")
    >>> box = parse_link_indexes("eth0 4 5 02:42:0a:00:00:02\\nlo 1 1 00:00:00:00:00:00\\n")
    >>> w = wiring(host, {"left": box}, {"br-1": "wire"})
    >>> w.port_of("left").name, w.port_of("left").bridge, w.port_of("left").peer
    ('veth9', 'br-1', "left's eth0")
    """
    links = tuple(links)
    networks = networks or {}
    by_index = {link.index: link for link in links}
    names = {link.name for link in links}
    owner: dict[int, tuple[str, ContainerLink, str]] = {}
    for container, its_links in inside.items():
        own = [link for link in its_links if link.name != "lo"]
        macs = networks.get(container) or {}
        for link in own:
            network = macs.get(link.mac, "")
            if not network and len(own) == 1 and len(macs) == 1:
                network = next(iter(macs.values()))
            if link.iflink in by_index:
                owner[link.iflink] = (container, link, network)

    def port(link: Link) -> VethPort:
        container, inner, network = owner.get(link.index, ("", None, ""))
        return VethPort(link.name, link.index, link.master, container,
                        inner.name if inner else "", inner.index if inner else 0, network,
                        link.netns)

    shown = []
    for name, network in bridges.items():
        ports = tuple(port(link) for link in links if link.master == name)
        shown.append(HostBridge(name, network, ports, exists=name in names))
    on_shown = {p.index for b in shown for p in b.ports}
    loose = tuple(port(by_index[i]) for i in owner if i not in on_shown)
    return HostWiring(tuple(shown), loose, tuple(unseen))
