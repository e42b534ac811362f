"""A lab's nodes inside the engine VM: several dockerds in one QEMU guest, no root here.

For a user without root (or without network namespaces) on this machine,
:func:`labcheck.live.engines.nodes.up` puts the nodes of a multi-host lab
into the user's engine VM, beside its own dockerd. The guest does the work
(``guest/nodes``, run as root of the VM for the control line's ``node ...``
requests): each node is a dockerd with its containerd in a network and a UTS
namespace of its own, joined to a Linux bridge in one more namespace (the
LAN), its API a Unix socket that ``socat`` serves on ``127.0.0.1:PORT`` of the
guest. This module asks for that, and forwards each node's port from the
machine's ``127.0.0.1`` through QEMU's user network (``hostfwd_add``, as
the VM's own API is forwarded): the nodes' clients are ``tcp://127.0.0.1:P``.
Nothing else changes: ``restrict=on`` stays, nothing of the lab reaches past
the VM.

What runs is recorded in ``run/nodes.json`` beside the VM's state (gone when
the VM stops). One lab per VM: asking for another lab name replaces it.

Why one VM and not one per node: a second guest costs its own kernel, its own
copy of the 175 MiB root file system in memory and its own emulated CPUs;
a node inside the VM costs one dockerd and containerd (about 120 MiB).
"""

from __future__ import annotations

import contextlib
import json
import secrets
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Sequence

from ...errors import EnvironmentProblem
from ...progress import Say
from .forwarder import NETDEV
from .paths import EnginePaths
from .qemu import docker_host, free_port
from .qmp import LineChannel, Qmp, QmpError

__all__ = ["GuestNode", "NodesRecord", "GUEST_PORT_BASE", "dockerd_flags", "request", "start",
           "stop", "read_record", "running"]

#: Node N's API in the guest: ``127.0.0.1:GUEST_PORT_BASE + N`` (socat, then the node's socket).
GUEST_PORT_BASE = 23760


@dataclass(frozen=True)
class GuestNode:
    """One node as the guest makes it."""

    #: its name, host name and network namespace in the guest (``node1``)
    name: str
    #: its index in the lab (1, 2, ...): it chooses the guest port
    index: int
    #: its LAN address with the prefix (``10.219.0.11/24``)
    lan_cidr: str
    #: dockerd flags of its own (default bridge, DNS, pools)
    flags: tuple[str, ...] = ()

    @property
    def guest_port(self) -> int:
        return GUEST_PORT_BASE + self.index


def dockerd_flags(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """daemon.json settings as dockerd flags (the guest's config leaves them to each node).

    >>> for flag in dockerd_flags({"bip": "10.215.1.1/24", "dns": ["10.215.1.1"],
    ...         "default-address-pools": [{"base": "10.216.16.0/20", "size": 24}]}):
    ...     print(flag)
    --bip=10.215.1.1/24
    --dns=10.215.1.1
    --default-address-pool=base=10.216.16.0/20,size=24
    """
    flags: list[str] = []
    for key, value in settings.items():
        if key == "default-address-pools":
            flags += [f"--default-address-pool=base={p['base']},size={p['size']}" for p in value]
        elif isinstance(value, list):
            flags += [f"--{key}={item}" for item in value]
        else:
            flags.append(f"--{key}={value}")
    if any(" " in flag for flag in flags):
        raise ValueError(f"a node's dockerd flag holds a space: {flags}")
    return tuple(flags)


@dataclass
class NodesRecord:
    """``run/nodes.json``: the lab in the VM."""

    lab: str
    #: whether the VM was started for the lab (then taking the lab down stops it)
    started_vm: bool
    #: node name -> the port on this machine's 127.0.0.1 that reaches its API
    ports: dict[str, int] = field(default_factory=dict)
    #: node name -> its LAN address (no prefix)
    lan: dict[str, str] = field(default_factory=dict)

    def docker_host(self, node: str) -> str:
        return f"tcp://127.0.0.1:{self.ports[node]}"


def read_record(paths: EnginePaths) -> NodesRecord | None:
    """The lab recorded for the running VM, or None (no lab, or the VM does not run)."""
    if docker_host(paths) is None:
        return None
    with contextlib.suppress(OSError, ValueError, TypeError):
        return NodesRecord(**json.loads(paths.nodes.read_text(encoding="utf-8")))
    return None


def _write_record(paths: EnginePaths, record: NodesRecord | None) -> None:
    if record is None or not record.ports:
        paths.nodes.unlink(missing_ok=True)
    else:
        paths.nodes.write_text(json.dumps(asdict(record), indent=1), encoding="utf-8")


def request(paths: EnginePaths, verb: str, *args: str, timeout: float = 120) -> str:
    """One ``node VERB`` request on the VM's control line; what follows ``ok ID``.

    Raises EnvironmentProblem with the guest's reason when it answers ``fail``,
    and when it does not answer in ``timeout`` seconds (an image built before
    the guest knew ``node`` answers ``unknown``: rebuild it).
    """
    ident = secrets.token_hex(4)
    channel = LineChannel(paths.control, timeout=timeout)
    deadline = time.monotonic() + timeout
    try:
        channel.send(" ".join(("node", verb, ident, *args)))
        while True:
            channel.sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                line = channel.readline()
            except OSError:
                line = None
            if line is None:
                raise EnvironmentProblem(f"the engine VM did not answer 'node {verb}' within "
                                         f"{int(timeout)} s")
            if line.startswith("unknown node"):
                raise EnvironmentProblem("this engine VM image has no lab nodes (it was built "
                                         "before labcheck had them)",
                                         advice="Rebuild it: labcheck engine build")
            word, _, rest = line.partition(" ")
            got, _, detail = rest.partition(" ")
            if got != ident:
                continue  # an answer to an earlier request
            if word == "ok":
                return detail
            raise EnvironmentProblem(f"the engine VM could not do 'node {verb}': {detail}")
    finally:
        channel.close()


def _hmp(paths: EnginePaths, command: str) -> str:
    with Qmp(paths.qmp, timeout=30) as qmp:
        return qmp.hmp(command).strip()


def _forward(paths: EnginePaths, guest_port: int) -> int:
    """Forward a free port of this machine's 127.0.0.1 to ``guest_port`` of the VM."""
    for _attempt in range(5):
        port = free_port(0)
        out = _hmp(paths, f"hostfwd_add {NETDEV} tcp:127.0.0.1:{port}-:{guest_port}")
        if not out:
            return port
    raise EnvironmentProblem(f"QEMU could not forward a port to the VM's {guest_port}: {out}")


def _unforward(paths: EnginePaths, port: int) -> None:
    with contextlib.suppress(QmpError, OSError):
        _hmp(paths, f"hostfwd_remove {NETDEV} tcp:127.0.0.1:{port}")


def running(paths: EnginePaths) -> list[str]:
    """The nodes whose dockerd runs in the VM (as the guest says)."""
    return request(paths, "list", timeout=30).split()


def start(paths: EnginePaths, lab: str, nodes: Sequence[GuestNode], *, bridge: str,
          lan_if: str, started_vm: bool, say: Say | None = None) -> NodesRecord:
    """Make ``nodes`` in the running VM (those already running are kept) and forward their APIs.

    Nodes of another lab, or beyond ``nodes``, are removed first. Returns the
    record once every node's API answers on this machine.
    """
    record = read_record(paths)
    wanted = {n.name for n in nodes}
    if record is not None and (record.lab != lab or set(record.ports) - wanted):
        stop(paths, None if record.lab != lab else sorted(set(record.ports) - wanted))
        record = read_record(paths)
    if record is None:
        record = NodesRecord(lab, started_vm)
    record.lab = lab
    alive = set(running(paths))
    for node in nodes:
        if node.name in alive and node.name in record.ports:
            continue
        if say:
            say(f"starting {node.name} in the engine VM ({node.lan_cidr.split('/')[0]})")
        request(paths, "up", bridge, lan_if, node.name, node.lan_cidr, str(node.guest_port),
                *node.flags, timeout=180)
        if node.name not in record.ports:
            record.ports[node.name] = _forward(paths, node.guest_port)
        record.lan[node.name] = node.lan_cidr.split("/")[0]
        _write_record(paths, record)
    if say:
        say("waiting for the nodes' Docker engines")
    request(paths, "wait", *(n.name for n in nodes), timeout=330)
    return record


def stop(paths: EnginePaths, names: Sequence[str] | None = None) -> None:
    """Remove ``names`` (None: every node) from the VM, and their forwards."""
    if docker_host(paths) is None:
        paths.nodes.unlink(missing_ok=True)
        return
    record = read_record(paths)
    targets = list(names) if names is not None else ["all"]
    request(paths, "down", *targets, timeout=60 + 40 * max(3, len(targets)))
    if record is not None:
        for name in list(record.ports) if names is None else names:
            port = record.ports.pop(name, None)
            record.lan.pop(name, None)
            if port:
                _unforward(paths, port)
        _write_record(paths, record)
