"""Several Docker hosts on one machine: netns engines joined on one lab LAN, or the same in the VM.

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

Without root on this machine (or without network namespaces), the same lab
runs inside the user's engine VM (:mod:`labcheck.live.vm.nodes`): the same
plan, names, host names, LAN addresses and bridge, each node's API forwarded
to ``tcp://127.0.0.1:PORT``; :class:`VmNodes` takes it down (and stops the
VM if the lab started it). :func:`backend` says which; ``LABCHECK_NODES=vm``
(or ``netns``) chooses.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Sequence

from ...errors import EnvironmentProblem
from ..images import ensure_lab_image
from ..vm import nodes as vm_nodes
from ..vm import qemu
from ..vm.paths import EnginePaths
from .base import Engine, EngineStatus, Say, quiet, valid_name
from .netns import NetnsEngine, running_names
from .vm import VmEngine
from .vmnode import VmNodeEngine

if TYPE_CHECKING:
    import docker

    from ..dockerhost import DockerHost

__all__ = ["NodePlan", "Node", "Nodes", "VmNodes", "plan", "up", "find", "default_lab",
           "node_engine", "down", "backend", "LAN_SUBNET", "OVERLAY_POOL", "MAX_NODES", "LAN_IF",
           "BRIDGE", "NODES_MEMORY_MIB"]

#: The lab LAN between the nodes (node N at .10+N).
LAN_SUBNET = "10.219.0.0/24"
#: Swarm's default address pool for overlay networks (``swarm.init(default_addr_pool=...)``).
OVERLAY_POOL = "10.218.0.0/16"
#: How many nodes a lab can have (the pools plan has room for 15).
MAX_NODES = 9
#: The engine VM's memory at least, when it starts for a lab (three nodes in swarm mode with
#: this course's containers did not fit in 1 GiB: a shim of about 13 MiB per container).
NODES_MEMORY_MIB = 1536
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
    """One node of a lab: its plan, its engine (netns, or in the VM), a docker-py client of it."""

    def __init__(self, node_plan: NodePlan, engine: Engine) -> None:
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

    def wait_for_swarm(self, timeout: float = 300) -> bool:
        """Wait until the swarm of these nodes has settled; False if ``timeout`` s passed first.

        Settled: the manager lists every node that is in the swarm as ready, and
        each of them has set up its ingress network (the ``ingress-sbox`` sandbox
        of the routing mesh, what Docker's own tests wait for). Right after
        ``swarm init`` and ``join`` every node builds that sandbox at once; inside
        the engine VM, under emulation, this keeps the VM busy for tens of seconds,
        and a container attached to an overlay meanwhile can miss Docker's fixed
        20 s deadline for the attachment ("attaching to network failed ... context
        deadline exceeded"). On native nodes it returns at once. Nodes outside the
        swarm are not waited for.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self._swarm_settled():
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.5)

    def _swarm_settled(self) -> bool:
        import docker

        swarm = {n.name: n.client.info()["Swarm"] for n in self.nodes}   # one call per node
        members = [n for n in self.nodes if swarm[n.name].get("LocalNodeState") == "active"]
        managers = [n for n in members if swarm[n.name].get("ControlAvailable")]
        if managers:
            listed = managers[0].client.nodes.list()
            if len(listed) < len(members) or any(
                    entry.attrs["Status"]["State"] != "ready" for entry in listed):
                return False
        for node in members:
            try:
                ingress = node.client.networks.get("ingress").attrs
            except docker.errors.NotFound:
                return False
            if "ingress-sbox" not in (ingress.get("Containers") or {}):
                return False
        return True

    def _node_lines(self) -> list[str]:
        """One line per node: its name, LAN address and engine status."""
        return [f"{n.name}  {n.lan_ip:<12} {n.engine.status().describe()}" for n in self.nodes]

    def describe(self) -> list[str]:
        """One line per node, then the LAN's."""
        lines = self._node_lines()
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
        assert isinstance(node.engine, NetnsEngine)
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
    """Start (or reuse) a lab of ``count`` nodes joined on one LAN.

    ``engine``: what the nodes run (see :func:`node_engine`). A running node
    that runs another engine, or a lab with more nodes than asked, is rebuilt.
    Where: see :func:`backend` (netns engines with root, else the engine VM).
    """
    if backend() == "vm":
        return _vm_up(count, lab or default_lab(), node_engine(engine), say)
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
    if not count:
        vm_lab = _vm_find(name, environ)
        if vm_lab is not None:
            return vm_lab
    plans = plan(count, name) if count else []
    return Nodes(name, _engines(plans, None))


def _netns_usable() -> bool:
    """Root, ``ip`` and ``unshare``, and a new network namespace can be made here."""
    if os.geteuid() != 0 or not shutil.which("ip") or not shutil.which("unshare"):
        return False
    done = subprocess.run(["unshare", "--net", "true"], capture_output=True, check=False)
    return done.returncode == 0


def backend(environ: Mapping[str, str] | None = None) -> str:
    """Where a lab's nodes run: ``netns`` (root, network namespaces) or ``vm`` (the engine VM).

    ``LABCHECK_NODES`` (``netns`` or ``vm``) chooses; otherwise ``netns`` wherever
    this process can make network namespaces, ``vm`` elsewhere.

    >>> backend({"LABCHECK_NODES": "vm"})
    'vm'
    """
    env = os.environ if environ is None else environ
    chosen = env.get("LABCHECK_NODES", "")
    if chosen in ("netns", "vm"):
        return chosen
    return "netns" if _netns_usable() else "vm"


class VmNodes(Nodes):
    """A lab whose nodes run inside the user's engine VM (no root on this machine)."""

    def __init__(self, lab: str, nodes: Sequence[Node], paths: EnginePaths) -> None:
        super().__init__(lab, nodes)
        self.paths = paths

    @property
    def lan_namespace(self) -> str:
        return "lan (in the engine VM)"

    def describe(self) -> list[str]:
        lines = self._node_lines()
        record = vm_nodes.read_record(self.paths)
        started = " (the VM was started for the lab: it stops with it)" \
            if record is not None and record.started_vm else ""
        lines.append(f"LAN {LAN_SUBNET}: bridge {BRIDGE!r} in network namespace 'lan' of the "
                     f"engine VM{started}")
        return lines

    def down(self) -> None:
        """Remove the nodes from the VM, and stop the VM if the lab started it; idempotent."""
        for node in self.nodes:
            node.close()
        record = vm_nodes.read_record(self.paths)
        vm_nodes.stop(self.paths)
        if record is not None and record.started_vm:
            VmEngine("vm").stop()


def _vm_plan_nodes(lab: str, plans: Sequence[NodePlan], paths: EnginePaths) -> list[Node]:
    return [Node(p, VmNodeEngine(p.engine, p.name, paths)) for p in plans]


def _vm_up(count: int, lab: str, engine: str | None, say: Say) -> Nodes:
    """:func:`up` inside the engine VM.

    The fast way is a saved state of the VM with ``count`` nodes running
    (:meth:`~labcheck.live.vm.qemu.VmConfig.nodes_tag`): restored in seconds,
    where starting the dockerds in a running VM takes minutes under emulation.
    So: a running VM that already has this lab is used as it is; a stopped VM,
    or a running one that holds no container (nothing of the user's is lost),
    starts from that state when it is saved. Otherwise the nodes start in the
    VM, and the state is saved for the next time. The VM gets at least
    :data:`NODES_MEMORY_MIB` (a running one that is smaller restarts when empty).
    """
    vm = VmEngine("vm")
    paths = vm.paths
    plans = plan(count, lab)
    built = _image_engine(paths)
    if engine and engine != built:
        raise EnvironmentProblem(f"the engine VM runs Docker from {built!r}, not {engine!r}: "
                                 "its nodes run what the VM has",
                                 advice=f"Rebuild it: labcheck engine build --engine {engine}")
    config = qemu.VmConfig.from_env()
    config = dataclasses.replace(config, memory_mib=max(config.memory_mib, NODES_MEMORY_MIB))
    tag = config.nodes_tag(count)
    was_running = vm.status().running
    record = vm_nodes.read_record(paths)
    has_lab = record is not None and record.lab == lab and \
        sorted(record.ports) == sorted(p.name for p in plans)
    if was_running and not has_lab:
        small = int(vm.status().details.get("memory_mib") or 0) < config.memory_mib
        if (small or tag in qemu.saved_tags(paths)) and _vm_is_empty(vm):
            say(f"the engine VM holds no container: restarting it with {config.memory_mib} MiB "
                f"for {count} nodes")
            vm.stop()
        elif small:
            say(f"the engine VM holds containers and has less than {config.memory_mib} MiB: "
                "the nodes start in it and may not all fit (for a roomier one, stop it first: "
                "labcheck engine stop)")
    if not vm.status().running:
        if not vm.is_available():
            raise EnvironmentProblem("no root here for a lab of several Docker hosts, and no "
                                     "engine VM to run them in",
                                     advice="Install qemu-system-x86 and run: labcheck engine "
                                            "build")
        if not was_running:
            say(f"no root here: the lab's nodes run inside the engine VM ({config.memory_mib} "
                "MiB); starting it")
        qemu.start(paths, config, say=say, tag=tag)
    prefix = LAN_SUBNET.split("/")[1]
    specs = [vm_nodes.GuestNode(p.name, p.index, f"{p.lan_ip}/{prefix}",
                                vm_nodes.dockerd_flags(p.settings())) for p in plans]
    try:
        vm_nodes.start(paths, lab, specs, bridge=BRIDGE, lan_if=LAN_IF,
                       started_vm=not was_running, say=say)
        nodes = VmNodes(lab, _vm_plan_nodes(lab, plans, paths), paths)
        for node in nodes:  # the lab image from the VM image's busybox (no registry there)
            ensure_lab_image(node.client, busybox=str(paths.busybox))
        if tag not in qemu.saved_tags(paths):
            for node in nodes:
                node.close()  # no connection through a forward in the saved state
            say(f"saving the engine VM with {count} nodes for a fast start next time")
            qemu.save_running_state(paths, tag)
    except BaseException:
        if not was_running:
            vm.stop()
        raise
    return nodes


def _vm_is_empty(vm: VmEngine) -> bool:
    """Whether the VM's own engine holds no container (restarting it loses nothing)."""
    client = vm.client()
    try:
        return not client.api.containers(all=True, quiet=True)
    finally:
        client.close()


def _image_engine(paths: EnginePaths) -> str:
    """What the VM image runs (its manifest's ``engine``: ``distribution`` or ``sid``)."""
    with contextlib.suppress(OSError, ValueError):
        return str(json.loads(paths.manifest.read_text(encoding="utf-8")).get("engine")
                   or "distribution")
    return "distribution"


def _vm_find(lab: str, environ: Mapping[str, str] | None = None) -> "VmNodes | None":
    """The lab ``lab`` in the user's engine VM, or None."""
    paths = EnginePaths.default(environ)
    record = vm_nodes.read_record(paths)
    if record is None or record.lab != lab or not record.ports:
        return None
    count = max(int(n.removeprefix("node")) for n in record.ports if n.startswith("node"))
    return VmNodes(lab, _vm_plan_nodes(lab, plan(count, lab), paths), paths)


def down(lab: str | None = None) -> bool:
    """Take the lab ``lab`` down; True when there was something to remove."""
    found = find(lab)
    had = bool(found.nodes) or _namespace_exists(found.lan_namespace)
    found.down()
    return had
