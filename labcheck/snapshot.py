"""The state of a Docker daemon at one moment, as frozen dataclasses.

Everything downstream of :func:`labcheck.live.collect.collect` (checks, reports,
diagrams) is a pure function of a :class:`Snapshot`, so a snapshot can be
saved as JSON, graded offline and drawn without a daemon.

The daemon's JSON is parsed here, once and defensively: host, none, overlay
and macvlan networks, an IPAM config of ``None``, IPv6, stopped containers
and ``container:<id>`` network mode all parse.

>>> net = Network.from_api({"Name": "mybridge", "Id": "abc", "Driver": "bridge",
...                         "IPAM": {"Config": None}})
>>> net.subnets, net.has_embedded_dns
((), True)
>>> Snapshot(networks=(net,)).network("mybridge").driver
'bridge'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, TypeVar

from .errors import SnapshotFileError
from .probes import Probe, ProbeResult

__all__ = [
    "SCHEMA_VERSION",
    "DEFAULT_BRIDGE",
    "Network",
    "BRIDGE_NAME_OPTION",
    "bridge_name",
    "Endpoint",
    "PortBinding",
    "Container",
    "Snapshot",
    "NodeState",
    "SHORT_ID",
]

#: What to do with a snapshot file that cannot be read.
_TAKE_IT_AGAIN = "Take it again: labcheck snapshot -o state.json"

#: Bumped whenever the JSON layout changes incompatibly.
SCHEMA_VERSION = 1

#: The name Docker gives its default bridge network.
DEFAULT_BRIDGE = "bridge"

_BRIDGE_DEFAULT_OPTION = "com.docker.network.bridge.default_bridge"
_ICC_OPTION = "com.docker.network.bridge.enable_icc"


def _as_dict(value: Any) -> dict[str, Any]:
    """Return ``value`` if it is a dict, else an empty dict (daemon JSON has many nulls)."""
    return value if isinstance(value, dict) else {}


def _canonical_name(attrs: Mapping[str, Any]) -> str:
    """A container's own name. ``Names`` of a container another one ``--link``s to also
    holds the link's name (``/web/db``), in no fixed order: the own name is the one
    without a second slash. An inspect's ``Name`` is always the own name.

    >>> _canonical_name({"Names": ["/web/db", "/db"]})
    'db'
    >>> _canonical_name({"Name": "/db"})
    'db'
    """
    if attrs.get("Name"):
        return str(attrs["Name"]).lstrip("/")
    names = [str(n).lstrip("/") for n in _as_list(attrs.get("Names"))]
    own = [n for n in names if "/" not in n]
    return (own or names or [""])[0]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _str_dict(value: Any) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in _as_dict(value).items()}


def _addr(value: Any) -> str | None:
    """An address without its prefix length, or None for an empty one."""
    if not value or not isinstance(value, str):
        return None
    return value.split("/", 1)[0] or None


@dataclass(frozen=True)
class Network:
    """A Docker network, as the networks list endpoint reports it."""

    name: str
    id: str
    driver: str
    scope: str = "local"
    subnets: tuple[str, ...] = ()
    gateways: tuple[str, ...] = ()
    internal: bool = False
    attachable: bool = False
    ipv6: bool = False
    options: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_api(cls, attrs: Mapping[str, Any]) -> "Network":
        """Parse one entry of ``GET /networks`` (or a network inspect)."""
        ipam = _as_dict(attrs.get("IPAM"))
        configs = [_as_dict(c) for c in _as_list(ipam.get("Config"))]
        return cls(
            name=str(attrs.get("Name") or ""),
            id=str(attrs.get("Id") or attrs.get("ID") or ""),
            driver=str(attrs.get("Driver") or ""),
            scope=str(attrs.get("Scope") or "local"),
            subnets=tuple(str(c["Subnet"]) for c in configs if c.get("Subnet")),
            gateways=tuple(str(c["Gateway"]) for c in configs if c.get("Gateway")),
            internal=bool(attrs.get("Internal")),
            attachable=bool(attrs.get("Attachable")),
            ipv6=bool(attrs.get("EnableIPv6")),
            options=_str_dict(attrs.get("Options")),
            labels=_str_dict(attrs.get("Labels")),
        )

    @property
    def is_default_bridge(self) -> bool:
        """True for Docker's default ``bridge`` network (no embedded DNS)."""
        if self.options.get(_BRIDGE_DEFAULT_OPTION) == "true":
            return True
        return self.name == DEFAULT_BRIDGE and self.driver == "bridge"

    @property
    def is_user_defined(self) -> bool:
        """True for networks someone created (not bridge, host or none)."""
        return not self.is_default_bridge and self.driver not in ("host", "null")

    @property
    def has_embedded_dns(self) -> bool:
        """Whether containers on it resolve each other's names via 127.0.0.11."""
        return self.is_user_defined

    @property
    def icc(self) -> bool:
        """Inter-container communication (``enable_icc``; on unless switched off)."""
        return self.options.get(_ICC_OPTION, "true").lower() != "false"

    @property
    def is_internal(self) -> bool:
        """Alias of :attr:`internal` that reads as a question."""
        return self.internal

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "id": self.id, "driver": self.driver, "scope": self.scope,
            "subnets": list(self.subnets), "gateways": list(self.gateways),
            "internal": self.internal, "attachable": self.attachable, "ipv6": self.ipv6,
            "options": dict(self.options), "labels": dict(self.labels),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Network":
        return cls(
            name=data["name"], id=data["id"], driver=data["driver"],
            scope=data.get("scope", "local"),
            subnets=tuple(data.get("subnets", ())), gateways=tuple(data.get("gateways", ())),
            internal=bool(data.get("internal")), attachable=bool(data.get("attachable")),
            ipv6=bool(data.get("ipv6")),
            options=dict(data.get("options", {})), labels=dict(data.get("labels", {})),
        )


#: The network option that names a bridge network's Linux bridge (``-o`` on the CLI).
BRIDGE_NAME_OPTION = "com.docker.network.bridge.name"


def bridge_name(network: Network) -> str:
    """The name of ``network``'s Linux bridge on the Docker host ('' if it has none).

    The ``com.docker.network.bridge.name`` option where it is set (the
    default bridge has ``docker0`` there), else ``br-`` and the first 12
    characters of the network's id, as Docker names the bridge of a network
    you create. Other drivers (host, none, overlay, macvlan) have no bridge
    of their own on the host.

    >>> bridge_name(Network("bridge", "f00", "bridge", options={BRIDGE_NAME_OPTION: "docker0"}))
    'docker0'
    >>> bridge_name(Network("host", "f00", "host"))
    ''
    """
    if network.driver != "bridge":
        return ""
    named = network.options.get(BRIDGE_NAME_OPTION)
    if named:
        return named
    if network.is_default_bridge:
        return "docker0"
    return f"br-{network.id[:12]}"


@dataclass(frozen=True)
class Endpoint:
    """A container's attachment to one network.

    ``aliases`` holds every name the network's DNS answers with this
    container's address: its name, network aliases, short id and hostname, as
    far as the engine adds them. It is the same on every engine: read from
    ``DNSNames`` where the API has it (1.44+, Engine 25+), else from
    ``Aliases`` with the container's name put first (Engine 20.10 lists only
    the user's aliases, the short id and the hostname there and resolves the
    name anyway; from API 1.45 ``Aliases`` holds the user's aliases alone).
    It is ``None`` when the daemon was not asked (the list endpoint does not
    report aliases; :func:`labcheck.live.collect.collect` inspects only the
    containers an exercise names).

    >>> old = {"Aliases": ["www", "0123456789ab"]}
    >>> new = {"Aliases": ["www"], "DNSNames": ["web", "www", "0123456789ab"]}
    >>> names = Endpoint.from_api("net", old, container="web").aliases
    >>> names, names == Endpoint.from_api("net", new, container="web").aliases
    (('web', 'www', '0123456789ab'), True)
    """

    network: str
    network_id: str = ""
    ipv4: str | None = None
    ipv4_prefix: int | None = None
    ipv6: str | None = None
    mac: str | None = None
    gateway: str | None = None
    aliases: tuple[str, ...] | None = None

    @classmethod
    def from_api(cls, network: str, attrs: Mapping[str, Any],
                 container: str = "") -> "Endpoint":
        """Parse one value of ``NetworkSettings.Networks`` of the container named ``container``."""
        names = attrs.get("DNSNames")
        if not isinstance(names, list):
            names = attrs.get("Aliases")
            if isinstance(names, list) and container and container not in names:
                names = [container, *names]
        prefix = attrs.get("IPPrefixLen")
        return cls(
            network=network,
            network_id=str(attrs.get("NetworkID") or ""),
            ipv4=_addr(attrs.get("IPAddress")),
            ipv4_prefix=int(prefix) if isinstance(prefix, int) and prefix else None,
            ipv6=_addr(attrs.get("GlobalIPv6Address")),
            mac=attrs.get("MacAddress") or None,
            gateway=_addr(attrs.get("Gateway")),
            aliases=tuple(str(a) for a in names) if isinstance(names, list) else None,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "network": self.network, "network_id": self.network_id, "ipv4": self.ipv4,
            "ipv4_prefix": self.ipv4_prefix, "ipv6": self.ipv6, "mac": self.mac,
            "gateway": self.gateway,
            "aliases": None if self.aliases is None else list(self.aliases),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Endpoint":
        aliases = data.get("aliases")
        return cls(
            network=data["network"], network_id=data.get("network_id", ""),
            ipv4=data.get("ipv4"), ipv4_prefix=data.get("ipv4_prefix"),
            ipv6=data.get("ipv6"), mac=data.get("mac"), gateway=data.get("gateway"),
            aliases=None if aliases is None else tuple(aliases),
        )


@dataclass(frozen=True)
class PortBinding:
    """A container port, and where on the host it is published (if it is)."""

    container_port: int
    protocol: str = "tcp"
    host_ip: str | None = None
    host_port: int | None = None

    @property
    def is_published(self) -> bool:
        return self.host_port is not None

    @property
    def is_loopback_only(self) -> bool:
        """Published on 127.0.0.1 (or ::1) only, so other machines cannot reach it."""
        return self.host_ip in ("127.0.0.1", "::1")

    def __str__(self) -> str:
        if not self.is_published:
            return f"{self.container_port}/{self.protocol}"
        host = f"{self.host_ip or '0.0.0.0'}:{self.host_port}"
        return f"{host}->{self.container_port}/{self.protocol}"

    def to_json(self) -> dict[str, Any]:
        return {"container_port": self.container_port, "protocol": self.protocol,
                "host_ip": self.host_ip, "host_port": self.host_port}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "PortBinding":
        return cls(container_port=int(data["container_port"]),
                   protocol=data.get("protocol", "tcp"),
                   host_ip=data.get("host_ip"), host_port=data.get("host_port"))


def _sorted_ports(ports: Iterable[PortBinding]) -> tuple[PortBinding, ...]:
    """Port bindings in a stable order: container port, protocol, host IP, host port."""
    return tuple(sorted(ports, key=lambda p: (p.container_port, p.protocol,
                                              p.host_ip or "", p.host_port or 0)))


def _ports_from_list(entries: Any) -> tuple[PortBinding, ...]:
    """Parse the list endpoint's ``Ports``: [{IP, PrivatePort, PublicPort, Type}]."""
    ports = set()
    for raw in _as_list(entries):
        entry = _as_dict(raw)
        if "PrivatePort" not in entry:
            continue
        public = entry.get("PublicPort")
        ports.add(PortBinding(
            container_port=int(entry["PrivatePort"]),
            protocol=str(entry.get("Type") or "tcp"),
            host_ip=str(entry["IP"]) if entry.get("IP") and public else None,
            host_port=int(public) if public else None,
        ))
    return _sorted_ports(ports)


@dataclass(frozen=True)
class Container:
    """A container and its network attachments."""

    name: str
    id: str
    image: str = ""
    state: str = ""
    status: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    network_mode: str = "default"
    hostname: str | None = None
    endpoints: tuple[Endpoint, ...] = ()
    ports: tuple[PortBinding, ...] = ()

    @classmethod
    def from_api(cls, attrs: Mapping[str, Any]) -> "Container":
        """Parse an entry of ``GET /containers/json`` or a container inspect."""
        name = _canonical_name(attrs)
        state = attrs.get("State")
        if isinstance(state, dict):  # inspect shape
            state_text = str(state.get("Status") or "")
            status_text = state_text
        else:
            state_text = str(state or "")
            status_text = str(attrs.get("Status") or state_text)
        config = _as_dict(attrs.get("Config"))
        host_config = _as_dict(attrs.get("HostConfig"))
        settings = _as_dict(attrs.get("NetworkSettings"))
        networks = _as_dict(settings.get("Networks"))
        endpoints = tuple(sorted(
            (Endpoint.from_api(net, _as_dict(ep), name) for net, ep in networks.items()),
            key=lambda e: e.network))
        if "Ports" in attrs:
            ports = _ports_from_list(attrs.get("Ports"))
        else:
            ports = _ports_from_inspect(settings.get("Ports"), config.get("ExposedPorts"))
        labels = attrs.get("Labels") if "Labels" in attrs else config.get("Labels")
        return cls(
            name=name,
            id=str(attrs.get("Id") or ""),
            image=str(config.get("Image") or attrs.get("Image") or ""),
            state=state_text,
            status=status_text,
            labels=_str_dict(labels),
            network_mode=str(host_config.get("NetworkMode") or "default"),
            hostname=str(config["Hostname"]) if config.get("Hostname") else None,
            endpoints=endpoints,
            ports=ports,
        )

    @property
    def short_id(self) -> str:
        return self.id[:12]

    @property
    def is_running(self) -> bool:
        return self.state == "running"

    @property
    def networks(self) -> tuple[str, ...]:
        """Names of the networks this container is attached to."""
        return tuple(e.network for e in self.endpoints)

    @property
    def is_on_no_network(self) -> bool:
        """Whether this running container should be on a network and is on none.

        Its network mode names a network (``bridge``, ``default`` or a user-defined
        one) but it has no endpoint: only its loopback, so nothing reaches it and its
        published ports lead nowhere. Engine 29 leaves a container so when a start
        fails while joining its network (a host port already taken, say): the failed
        start takes the network out of the container's settings, and a later start
        runs it on none (moby b192d06, "Remove network info from container when
        endpoint join fails"). Earlier engines keep the network for the next start.
        """
        mode = self.network_mode
        return (self.is_running and not self.endpoints and mode not in ("host", "none")
                and not mode.startswith("container:"))

    @property
    def shares_namespace_with(self) -> str | None:
        """For ``container:<name-or-id>`` network mode, the other container."""
        if self.network_mode.startswith("container:"):
            return self.network_mode.split(":", 1)[1]
        return None

    def endpoint(self, network: str) -> Endpoint | None:
        """This container's endpoint on ``network`` (by name), or None."""
        return next((e for e in self.endpoints if e.network == network), None)

    def published(self) -> tuple[PortBinding, ...]:
        """Only the ports that are published on the host."""
        return tuple(p for p in self.ports if p.is_published)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "id": self.id, "image": self.image, "state": self.state,
            "status": self.status, "labels": dict(self.labels),
            "network_mode": self.network_mode, "hostname": self.hostname,
            "endpoints": [e.to_json() for e in self.endpoints],
            "ports": [p.to_json() for p in self.ports],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Container":
        return cls(
            name=data["name"], id=data["id"], image=data.get("image", ""),
            state=data.get("state", ""), status=data.get("status", ""),
            labels=dict(data.get("labels", {})),
            network_mode=data.get("network_mode", "default"),
            hostname=data.get("hostname"),
            endpoints=tuple(Endpoint.from_json(e) for e in data.get("endpoints", ())),
            ports=tuple(PortBinding.from_json(p) for p in data.get("ports", ())),
        )


def _ports_from_inspect(bindings: Any, exposed: Any) -> tuple[PortBinding, ...]:
    """Parse an inspect's ``NetworkSettings.Ports`` ({"80/tcp": [{HostIp, HostPort}]})."""
    ports = set()
    keys = set(_as_dict(bindings)) | set(_as_dict(exposed))
    for key in keys:
        number, _, proto = str(key).partition("/")
        if not number.isdigit():
            continue
        hosts = _as_list(_as_dict(bindings).get(key))
        if not hosts:
            ports.add(PortBinding(int(number), proto or "tcp"))
        for host in hosts:
            host = _as_dict(host)
            port = str(host.get("HostPort") or "")
            ports.add(PortBinding(int(number), proto or "tcp",
                                  host_ip=str(host.get("HostIp") or "0.0.0.0"),
                                  host_port=int(port) if port.isdigit() else None))
    return _sorted_ports(ports)


_Named = TypeVar("_Named", Network, Container)


#: A typed id prefix at least this long is taken as an id (Docker's short id length).
SHORT_ID = 12


def _by_name(items: Sequence[_Named], name: str) -> _Named | None:
    """The item with exactly this name, or None."""
    return next((item for item in items if item.name == name), None)


def _by_typed_ref(items: Sequence[_Named], text: str) -> _Named | None:
    """The item a user means by ``text``: its name, its full id, or an id prefix that
    is at least :data:`SHORT_ID` characters long or matches exactly one item."""
    found = _by_name(items, text)
    if found is not None or not text:
        return found
    matches = [item for item in items if item.id.startswith(text)]
    exact = [item for item in matches if item.id == text]
    if exact:
        return exact[0]
    if len(matches) == 1 or (len(text) >= SHORT_ID and matches):
        return matches[0]
    return None


@dataclass(frozen=True)
class NodeState:
    """One Docker host of a multi-node lab: its name, LAN address and own Snapshot.

    >>> n = NodeState("node2", "10.219.0.12", Snapshot(containers=(Container("web", "c1"),)))
    >>> NodeState.from_json(n.to_json()) == n
    True
    """

    name: str
    address: str = ""
    snapshot: "Snapshot" = field(default_factory=lambda: Snapshot())

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "address": self.address, "snapshot": self.snapshot.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "NodeState":
        return cls(name=str(data["name"]), address=str(data.get("address", "")),
                   snapshot=Snapshot.from_json(data["snapshot"], source=f"node {data['name']!r}"))


@dataclass(frozen=True)
class Snapshot:
    """Networks, containers and probe results, read from a daemon at one time.

    A snapshot of a lab of several Docker hosts (lesson 09) keeps each host's
    own snapshot in ``nodes`` (:class:`NodeState`); its top-level networks and
    containers are then empty. :meth:`node` is one host's state, :meth:`view`
    the state a check on that host reads (the host's own objects first, then
    the containers of the other hosts, which its overlay networks may reach),
    and :meth:`spanning` the networks that are one object across hosts (same id).
    """

    networks: tuple[Network, ...] = ()
    containers: tuple[Container, ...] = ()
    probes: tuple[ProbeResult, ...] = ()
    taken_at: str = ""
    engine_version: str = ""
    api_version: str = ""
    labcheck_version: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    nodes: tuple[NodeState, ...] = ()

    # -- several hosts -------------------------------------------------

    @property
    def is_multi_node(self) -> bool:
        """True for the snapshot of a lab of several Docker hosts."""
        return bool(self.nodes)

    @property
    def node_names(self) -> tuple[str, ...]:
        return tuple(n.name for n in self.nodes)

    def node(self, name: str) -> "Snapshot | None":
        """The snapshot of the host called ``name``, or None."""
        return next((n.snapshot for n in self.nodes if n.name == name), None)

    def node_address(self, name: str) -> str:
        """The LAN address of the host called ``name`` ('' if unknown)."""
        return next((n.address for n in self.nodes if n.name == name), "")

    def nodes_of(self, container: str) -> tuple[str, ...]:
        """The hosts on which a container called ``container`` exists."""
        return tuple(n.name for n in self.nodes if n.snapshot.container(container) is not None)

    def view(self, name: str) -> "Snapshot | None":
        """What a check on host ``name`` reads: that host's networks, containers and
        probe results, then the containers of the other hosts whose names it lacks
        (so a name looked up across an overlay has a container to lead to).

        >>> a = NodeState("node1", "", Snapshot(containers=(Container("web", "c1"),)))
        >>> b = NodeState("node2", "", Snapshot(containers=(Container("web", "c2"),
        ...                                                 Container("db", "c3"))))
        >>> [c.id for c in Snapshot(nodes=(a, b)).view("node1").containers]
        ['c1', 'c3']
        """
        own = self.node(name)
        if own is None:
            return None
        seen = {c.name for c in own.containers}
        others = []
        for other in self.nodes:
            if other.name == name:
                continue
            for box in other.snapshot.containers:
                if box.name not in seen:
                    seen.add(box.name)
                    others.append(box)
        return replace(own, containers=own.containers + tuple(others), meta=dict(own.meta))

    def spanning(self) -> tuple[tuple[Network, tuple[str, ...]], ...]:
        """The networks present on two or more hosts with one id (an overlay), each
        with the hosts that have it, in the order of the hosts.

        >>> net = Network("appnet", "n1", "overlay", scope="swarm")
        >>> one = NodeState("node1", "", Snapshot(networks=(net,)))
        >>> two = NodeState("node2", "", Snapshot(networks=(net,)))
        >>> [(n.name, hosts) for n, hosts in Snapshot(nodes=(one, two)).spanning()]
        [('appnet', ('node1', 'node2'))]
        """
        where: dict[str, list[str]] = {}
        first: dict[str, Network] = {}
        for node in self.nodes:
            for net in node.snapshot.networks:
                if net.scope == "local" or net.driver in ("host", "null", "bridge"):
                    continue
                where.setdefault(net.id, []).append(node.name)
                first.setdefault(net.id, net)
        return tuple((first[i], tuple(hosts)) for i, hosts in where.items() if len(hosts) > 1)

    # -- lookups -------------------------------------------------------

    def network(self, name: str) -> Network | None:
        """The network with exactly this name, or None.

        An exercise's object is the object with that name: never another one
        whose id happens to start with the same letters (``cafe``, ``beef``).
        """
        return _by_name(self.networks, name)

    def container(self, name: str) -> Container | None:
        """The container with exactly this name, or None (see :meth:`network`)."""
        return _by_name(self.containers, name)

    def find_network(self, text: str) -> Network | None:
        """The network a user typed: a name, a full id, or an id prefix of 12+
        characters or matching one network alone (``labcheck explain``, diagrams)."""
        return _by_typed_ref(self.networks, text)

    def find_container(self, text: str) -> Container | None:
        """The container a user (or ``--network container:<ref>``) names: a name, a
        full id, or an id prefix of 12+ characters or matching one container alone.

        >>> snap = Snapshot(containers=(Container("web", "cafe01" + "0" * 58),
        ...                             Container("db", "cafe02" + "0" * 58)))
        >>> snap.container("cafe") is None, snap.find_container("cafe") is None
        (True, True)
        >>> snap.find_container("cafe01").name
        'web'
        """
        return _by_typed_ref(self.containers, text)

    def namespace_owner(self, box: Container) -> Container | None:
        """For ``container:<ref>`` network mode, the container whose stack ``box`` uses."""
        ref = box.shares_namespace_with
        return self.find_container(ref) if ref else None

    def containers_on(self, network: str) -> tuple[Container, ...]:
        """Containers attached to ``network`` (by name)."""
        return tuple(c for c in self.containers if c.endpoint(network) is not None)

    def probe_result(self, probe: Probe) -> ProbeResult | None:
        """The recorded result of ``probe``, or None if it was not run."""
        return next((r for r in self.probes if r.probe == probe), None)

    def owning_network(self, address: str) -> Network | None:
        """The network whose subnet contains ``address``, or None."""
        import ipaddress
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return None
        for net in self.networks:
            for subnet in net.subnets:
                try:
                    if ip in ipaddress.ip_network(subnet, strict=False):
                        return net
                except ValueError:
                    continue
        return None

    def labelled(self, key: str, value: str | None = None) -> "Snapshot":
        """Only the networks and containers carrying label ``key`` (= ``value``)."""
        def keep(labels: Mapping[str, str]) -> bool:
            return key in labels and (value is None or labels[key] == value)
        return replace(self, networks=tuple(n for n in self.networks if keep(n.labels)),
                       containers=tuple(c for c in self.containers if keep(c.labels)),
                       meta=dict(self.meta))

    def with_probes(self, results: Iterable[ProbeResult]) -> "Snapshot":
        """A copy with ``results`` added to the probe results."""
        return replace(self, probes=self.probes + tuple(results), meta=dict(self.meta))

    # -- JSON ----------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "taken_at": self.taken_at,
            "engine_version": self.engine_version,
            "api_version": self.api_version,
            "labcheck_version": self.labcheck_version,
            "meta": dict(self.meta),
            "networks": [n.to_json() for n in self.networks],
            "containers": [c.to_json() for c in self.containers],
            "probes": [r.to_json() for r in self.probes],
            **({"nodes": [n.to_json() for n in self.nodes]} if self.nodes else {}),
        }

    def dumps(self) -> str:
        """The snapshot as indented JSON text."""
        return json.dumps(self.to_json(), indent=2, sort_keys=True) + "\n"

    def save(self, path: str | Path) -> None:
        """Write the snapshot to ``path`` as JSON."""
        Path(path).write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def from_json(cls, data: Mapping[str, Any], source: str = "snapshot") -> "Snapshot":
        """Build a snapshot from parsed JSON; raise SnapshotFileError if it is not one."""
        if not isinstance(data, Mapping) or "schema_version" not in data:
            raise SnapshotFileError(f"{source} is not a labcheck snapshot (no schema_version)",
                                    advice="Make one with: labcheck snapshot -o state.json")
        version = data.get("schema_version")
        if version != SCHEMA_VERSION:
            raise SnapshotFileError(
                f"{source} has snapshot schema version {version!r}; this labcheck reads "
                f"version {SCHEMA_VERSION}",
                advice="Take it again with this labcheck: labcheck snapshot -o state.json")
        try:
            return cls(
                networks=tuple(Network.from_json(n) for n in data.get("networks", ())),
                containers=tuple(Container.from_json(c) for c in data.get("containers", ())),
                probes=tuple(ProbeResult.from_json(r) for r in data.get("probes", ())),
                taken_at=str(data.get("taken_at", "")),
                engine_version=str(data.get("engine_version", "")),
                api_version=str(data.get("api_version", "")),
                labcheck_version=str(data.get("labcheck_version", "")),
                meta=dict(data.get("meta") or {}),
                nodes=tuple(NodeState.from_json(n) for n in data.get("nodes") or ()),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise SnapshotFileError(f"{source} is damaged: {type(exc).__name__}: {exc}",
                                    advice=_TAKE_IT_AGAIN) from None

    @classmethod
    def loads(cls, text: str, source: str = "snapshot") -> "Snapshot":
        """Parse snapshot JSON text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            hint = "it looks truncated" if exc.pos >= len(text.rstrip()) else "it is not JSON"
            raise SnapshotFileError(
                f"{source} cannot be read: {hint} (line {exc.lineno}, column {exc.colno})",
                advice=_TAKE_IT_AGAIN) from None
        return cls.from_json(data, source=source)

    @classmethod
    def load(cls, path: str | Path) -> "Snapshot":
        """Read a snapshot saved by :meth:`save` or ``labcheck snapshot -o``."""
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise SnapshotFileError(
                f"snapshot file {str(path)!r} does not exist",
                advice="Check the path, or make one: labcheck snapshot -o state.json") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise SnapshotFileError(f"snapshot file {str(path)!r} cannot be read: {exc}") from None
        return cls.loads(text, source=f"snapshot file {str(path)!r}")

    @classmethod
    def from_api(cls, networks: Sequence[Mapping[str, Any]],
                 containers: Sequence[Mapping[str, Any]], **kwargs: Any) -> "Snapshot":
        """Build a snapshot from the daemon's list (or inspect) JSON."""
        return cls(
            networks=tuple(sorted((Network.from_api(n) for n in networks), key=lambda n: n.name)),
            containers=tuple(sorted((Container.from_api(c) for c in containers),
                                    key=lambda c: c.name)),
            **kwargs,
        )
