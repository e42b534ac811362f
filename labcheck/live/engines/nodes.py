"""Several Docker hosts on one machine: netns engines joined on one lab LAN (needs root).

A *lab* of N nodes is N :class:`~.netns.NetnsEngine` (``<lab>-node1`` ..
``<lab>-nodeN``), each a dockerd with its own network namespace, data, host
name (a UTS namespace: ``node1``...), default bridge and address pools, and
one more network namespace, ``labcheck-<lab>-lan``, holding a Linux bridge
(``lan``) that stands for the wire between the hosts. A veth pair joins each
node to it: ``lan0`` inside the node, with the address the student uses as
"the other host's IP" (``10.219.0.11``, ``.12``, ...), and ``nodeN`` on the
bridge. Nothing routes off the machine: no namespace of the lab has an uplink
or a default route.

The address plan (:func:`plan`), inside the lab ranges 10.208.0.0/12 and clear
of the course's 10.213/10.214 (default bridge, pools) and 10.220 (lessons):

- node N's default bridge ``10.215.N.1/24`` (its lab DNS answers there);
- node N's pool for local networks ``10.216.(16N).0/20`` in /24s;
- swarm's pool for overlay networks :data:`OVERLAY_POOL` (``10.218.0.0/16``);
- the LAN :data:`LAN_SUBNET` (``10.219.0.0/24``), node N at ``.(10+N)``.

Every lab has its own namespaces, so two labs (two test passes) may use the
same addresses: only the names differ, scoped by the lab's name
(:func:`default_lab`: ``LABCHECK_NODES_LAB``, else the netns engine this
process runs beside, else ``lab``).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from ...errors import EnvironmentProblem
from .base import EngineStatus, Say, quiet, valid_name
from .netns import NetnsEngine, running_names

if TYPE_CHECKING:
    import docker

    from ..dockerhost import DockerHost

__all__ = ["NodePlan", "Node", "Nodes", "plan", "up", "find", "default_lab", "node_engine",
           "down", "LAN_SUBNET", "OVERLAY_POOL", "MAX_NODES", "LAN_IF", "BRIDGE"]

#: The lab LAN between the nodes (node N at .10+N).
LAN_SUBNET = "10.219.0.0/24"
#: Swarm's default address pool for overlay networks (``swarm.init(default_addr_pool=...)``).
OVERLAY_POOL = "10.218.0.0/16"
#: How many nodes a lab can have (the pools plan has room for 15).
MAX_NODES = 9
#: The node's side of its LAN link, and the bridge in the LAN namespace.
LAN_IF = "lan0"
BRIDGE = "lan"

_NODE = re.compile(r"^(?P<lab>.+)-node(?P<n>[0-9]+)$")


@dataclass(frozen=True)
class NodePlan:
    """Names and addresses of one node of a lab.

    >>> p = plan(2, "t")[1]
    >>> p.name, p.engine, p.lan_ip, p.bip, p.pool
    ('node2', 't-node2', '10.219.0.12', '10.215.2.1/24', '10.216.32.0/20')
    """

    index: int
    #: the node's name and host name (``node1``)
    name: str
    #: its netns engine's name (``<lab>-node1``)
    engine: str
    #: its address on the lab LAN
    lan_ip: str
    #: its default bridge (``bip``); the lab DNS answers on its address
    bip: str
    #: its pool for local (bridge) networks
    pool: str

    def settings(self) -> dict[str, Any]:
        """The daemon.json settings over the course's that this node runs with."""
        return {"bip": self.bip, "dns": [self.bip.split("/")[0]],
                "default-address-pools": [{"base": self.pool, "size": 24}]}


def plan(count: int, lab: str) -> list[NodePlan]:
    """The plan of a lab of ``count`` nodes called ``lab``.

    >>> [p.engine for p in plan(3, "09")]
    ['09-node1', '09-node2', '09-node3']
    >>> plan(0, "x")
    Traceback (most recent call last):
    ...
    ValueError: a lab has 1 to 9 nodes, not 0
    """
    if not 1 <= count <= MAX_NODES:
        raise ValueError(f"a lab has 1 to {MAX_NODES} nodes, not {count}")
    valid_name(f"{lab}-lan")
    return [NodePlan(n, f"node{n}", valid_name(f"{lab}-node{n}"), f"10.219.0.{10 + n}",
                     f"10.215.{n}.1/24", f"10.216.{16 * n}.0/20") for n in range(1, count + 1)]


def default_lab(environ: Mapping[str, str] | None = None) -> str:
    """The lab name when none is given: ``LABCHECK_NODES_LAB``, the enclosing engine, ``lab``.

    A test pass that runs inside a netns engine (``labcheck engine run t29 -- ...``)
    scopes its nodes by that engine's name, so passes side by side never collide.

    >>> default_lab({"DOCKER_HOST": "unix:///run/labcheck-engines/t29/docker.sock"})
    't29'
    >>> default_lab({"LABCHECK_NODES_LAB": "mine"}), default_lab({})
    ('mine', 'lab')
    """
    env = os.environ if environ is None else environ
    if env.get("LABCHECK_NODES_LAB"):
        return env["LABCHECK_NODES_LAB"]
    host = env.get("DOCKER_HOST", "")
    if host.startswith("unix://") and host.endswith("/docker.sock"):
        parent = Path(host[len("unix://"):]).parent
        if parent.parent.name == "labcheck-engines" and _NODE.match(parent.name) is None:
            return parent.name
    return "lab"


def node_engine(engine: str | None = None, environ: Mapping[str, str] | None = None) -> str | None:
    """What the nodes run: ``engine``, else ``LABCHECK_NODE_ENGINE``, else None (the machine's).

    >>> node_engine(None, {"LABCHECK_NODE_ENGINE": "sid"}), node_engine("x", {})
    ('sid', 'x')
    >>> node_engine(None, {}) is None
    True
    """
    env = os.environ if environ is None else environ
    return engine or env.get("LABCHECK_NODE_ENGINE") or None


def _ip(argv: Sequence[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["ip", *argv], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise EnvironmentProblem(f"ip {' '.join(argv)} failed: {done.stderr.strip()}")
    return done


def _namespace_exists(name: str) -> bool:
    return Path(f"/run/netns/{name}").exists()


class Node:
    """One node of a lab: its plan, its engine, a docker-py client of it."""

    def __init__(self, node_plan: NodePlan, engine: NetnsEngine) -> None:
        self.plan = node_plan
        self.engine = engine
        self._client: "docker.DockerClient | None" = None

    def __repr__(self) -> str:
        return f"<Node {self.name} {self.lan_ip} ({self.engine.name})>"

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def lan_ip(self) -> str:
        return self.plan.lan_ip

    @property
    def client(self) -> "docker.DockerClient":
        """A docker-py client of this node's dockerd (made once)."""
        if self._client is None:
            self._client = self.engine.client()
        return self._client

    def docker_host(self) -> "DockerHost":
        """Root on this node's Docker host (its network namespace: ``lan0``, iptables)."""
        from ..dockerhost import docker_host

        return docker_host(self.client)

    def close(self) -> None:
        if self._client is not None:
            with contextlib.suppress(Exception):
                self._client.close()
            self._client = None


class Nodes:
    """A lab of several Docker hosts: clients, LAN addresses, names; ``down()`` removes it.

    Index it by position (``lab[0]``) or name (``lab["node2"]``); iterate over
    the :class:`Node` objects. As a context manager it takes the lab down on exit.
    """

    def __init__(self, lab: str, nodes: Sequence[Node]) -> None:
        self.lab = lab
        self.nodes = list(nodes)

    def __repr__(self) -> str:
        return f"<Nodes {self.lab!r}: {', '.join(n.name for n in self.nodes)}>"

    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __getitem__(self, key: int | str) -> Node:
        if isinstance(key, int):
            return self.nodes[key]
        for node in self.nodes:
            if key in (node.name, node.engine.name):
                return node
        raise KeyError(key)

    def __enter__(self) -> "Nodes":
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()

    @property
    def lan_namespace(self) -> str:
        return f"labcheck-{self.lab}-lan"

    @property
    def names(self) -> list[str]:
        return [n.name for n in self.nodes]

    @property
    def clients(self) -> list["docker.DockerClient"]:
        return [n.client for n in self.nodes]

    @property
    def addresses(self) -> dict[str, str]:
        """Each node's LAN address by name."""
        return {n.name: n.lan_ip for n in self.nodes}

    def status(self) -> list[EngineStatus]:
        return [n.engine.status() for n in self.nodes]

    def describe(self) -> list[str]:
        """One line per node, then the LAN's."""
        lines = [f"{n.name}  {n.lan_ip:<12} {n.engine.status().describe()}" for n in self.nodes]
        lan = "present" if _namespace_exists(self.lan_namespace) else "absent"
        lines.append(f"LAN {LAN_SUBNET}: bridge {BRIDGE!r} in network namespace "
                     f"{self.lan_namespace} ({lan})")
        return lines

    def down(self) -> None:
        """Remove the lab: every node's engine (purged) and the LAN namespace; idempotent."""
        for node in self.nodes:
            node.close()
            node.engine.stop(purge=True)
        if _namespace_exists(self.lan_namespace):
            _ip(["netns", "delete", self.lan_namespace], check=False)


def _engines(plans: Sequence[NodePlan], engine: str | None) -> list[Node]:
    return [Node(p, NetnsEngine(p.engine, engine, settings=p.settings(), hostname=p.name))
            for p in plans]


def _ensure_lan(lab: Nodes) -> None:
    """The LAN namespace, its bridge, and each node's link to it (what is missing is made)."""
    ns = lab.lan_namespace
    if not _namespace_exists(ns):
        _ip(["netns", "add", ns])
    _ip(["-n", ns, "link", "set", "lo", "up"])
    if _ip(["-n", ns, "link", "show", BRIDGE], check=False).returncode != 0:
        _ip(["-n", ns, "link", "add", BRIDGE, "type", "bridge"])
    _ip(["-n", ns, "link", "set", BRIDGE, "up"])
    for node in lab.nodes:
        node_ns = node.engine.namespace
        port = node.name
        if _ip(["-n", node_ns, "link", "show", LAN_IF], check=False).returncode != 0:
            _ip(["-n", ns, "link", "del", port], check=False)  # a stale half of an old pair
            _ip(["-n", ns, "link", "add", port, "type", "veth", "peer", "name", LAN_IF,
                 "netns", node_ns])
        _ip(["-n", ns, "link", "set", port, "master", BRIDGE, "up"])
        prefix = LAN_SUBNET.split("/")[1]
        addr = _ip(["-n", node_ns, "-o", "-4", "addr", "show", LAN_IF]).stdout
        if f" {node.lan_ip}/" not in addr:
            _ip(["-n", node_ns, "addr", "add", f"{node.lan_ip}/{prefix}", "dev", LAN_IF])
        _ip(["-n", node_ns, "link", "set", LAN_IF, "up"])


def up(count: int = 3, *, lab: str | None = None, engine: str | None = None,
       say: Say = quiet) -> Nodes:
    """Start (or reuse) a lab of ``count`` nodes joined on one LAN; root only.

    ``engine``: what the nodes run (see :func:`node_engine`). A running node
    that runs another engine, or a lab with more nodes than asked, is rebuilt.
    """
    if os.geteuid() != 0:
        raise EnvironmentProblem("a lab of several Docker hosts needs root on this machine "
                                 "(network namespaces, one dockerd per node)")
    name = lab or default_lab()
    wanted = node_engine(engine)
    existing = find(name)
    if len(existing) > count:
        existing.down()
    nodes = Nodes(name, _engines(plan(count, name), wanted))
    for node in nodes:
        status = node.engine.status()
        if status.running and status.details.get("engine") != (wanted or "distribution"):
            say(f"{node.name}: runs {status.details.get('engine')}, not "
                f"{wanted or 'distribution'}: rebuilding it")
            node.engine.stop(purge=True)
        node.engine.start(say=say)
    _ensure_lan(nodes)
    return nodes


def find(lab: str | None = None, environ: Mapping[str, str] | None = None) -> Nodes:
    """The lab called ``lab`` as it is on this machine (its nodes with a record or namespace).

    Empty when there is none; ``find(lab).down()`` removes what there is.
    """
    name = lab or default_lab(environ)
    indexes: set[int] = set()
    candidates = list(running_names(environ))
    with contextlib.suppress(OSError):
        candidates += [p.name.removeprefix("labcheck-") for p in Path("/run/netns").iterdir()]
    for candidate in candidates:
        match = _NODE.match(candidate)
        if match and match["lab"] == name:
            indexes.add(int(match["n"]))
    count = max(indexes, default=0)
    plans = plan(count, name) if count else []
    return Nodes(name, _engines(plans, None))


def down(lab: str | None = None) -> bool:
    """Take the lab ``lab`` down; True when there was something to remove."""
    found = find(lab)
    had = bool(found.nodes) or _namespace_exists(found.lan_namespace)
    found.down()
    return had
