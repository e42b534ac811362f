"""Check kinds about containers: exists, running, attached, not attached, alias,
static IP, network mode.

>>> from labcheck.snapshot import Container, Endpoint, Network, Snapshot
>>> snap = Snapshot(networks=(Network("front", "n1", "bridge"), Network("back", "n2", "bridge")),
...                 containers=(Container("web", "c1", state="running",
...                                       endpoints=(Endpoint("front"), Endpoint("back"))),))
>>> print(Attached().evaluate(snap, {"container": "web", "networks": ["front"]}).message)
container 'web' is attached to network 'front'
>>> print(NotAttached().evaluate(snap, {"container": "web", "network": "back"}).message)
... # doctest: +NORMALIZE_WHITESPACE
container 'web' is attached to network 'back' as well as 'front': a container on both
networks can talk to both, so they are not isolated.
"""

from __future__ import annotations

import ipaddress
from typing import Any, ClassVar, Mapping

from ..expected import Expected
from ..probes import Interfaces, Probe
from ..snapshot import Container, Snapshot
from .base import (
    BOTH_NETWORKS,
    Binding,
    CheckKind,
    Outcome,
    Param,
    container_or_fail,
    probe_outcome,
    probe_source_or_fail,
    register,
)

__all__ = ["ContainerExists", "ContainerRunning", "Attached", "NotAttached", "HasAlias",
           "StaticIP", "NetworkMode", "InterfacesKind"]

_CONTAINER = Param("container", ref="container", doc="the container's name")


class _ContainerKind(CheckKind):
    """A check about one container, which the exercise expects to exist."""

    params: ClassVar[tuple[Param, ...]] = (_CONTAINER,)

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(containers=(p["container"],))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        box = container_or_fail(snap, p["container"])
        if isinstance(box, Outcome):
            return box
        return self.judge(snap, box, p)

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        """The outcome for an existing container ``box``."""
        raise NotImplementedError


@register
class ContainerExists(_ContainerKind):
    name = "container_exists"
    summary = "a container exists (running or not)"

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} exists"

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        return Outcome.passed(f"container {box.name!r} exists ({box.state or 'unknown state'})")


@register
class ContainerRunning(_ContainerKind):
    name = "container_running"
    summary = "a container is running"

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} is running"

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        if box.is_running:
            return Outcome.passed(f"container {box.name!r} is running")
        return Outcome.failed(
            f"container {box.name!r} is not running (state: {box.state or 'unknown'}, "
            f"{box.status or 'no status'}).",
            f"Try: docker start {box.name}, and docker logs {box.name} if it stops again")


def _network_list(p: Mapping[str, Any]) -> list[str]:
    nets = p.get("networks") or []
    if p.get("network"):
        nets = [p["network"], *nets]
    return list(dict.fromkeys(nets))


@register
class Attached(_ContainerKind):
    name = "attached"
    summary = "a container is attached to these networks"
    params = (_CONTAINER,
              Param("network", required=False, ref="network", doc="one network"),
              Param("networks", "list", required=False, ref="network", doc="several networks"),
              Param("only", "bool", required=False, default=False,
                    doc="and to no other network"))

    def validate(self, p: Mapping[str, Any]) -> str | None:
        return None if _network_list(p) else "give 'network' or 'networks'"

    def title(self, p: Mapping[str, Any]) -> str:
        nets = ", ".join(repr(n) for n in _network_list(p))
        return f"container {p['container']!r} is attached to {nets}" + \
            (" only" if p.get("only") else "")

    def expected(self, p: Mapping[str, Any]) -> Expected:
        nets = _network_list(p)
        return Expected(networks=tuple(nets), containers=(p["container"],),
                        attachments=tuple((p["container"], n) for n in nets))

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        want = _network_list(p)
        missing = [n for n in want if box.endpoint(n) is None]
        if missing:
            net = missing[0]
            where = (f"it is on {', '.join(repr(n) for n in box.networks)}"
                     if box.networks else f"its network mode is {box.network_mode!r}")
            fix = f"docker network connect {net} {box.name}"
            if snap.network(net) is None:
                fix = f"docker network create {net}; {fix}"
            return Outcome.failed(
                f"container {box.name!r} is not attached to network {net!r} ({where}).",
                f"Try: {fix}")
        extra = [n for n in box.networks if n not in want]
        if p.get("only") and extra:
            return Outcome.failed(
                f"container {box.name!r} is attached to {', '.join(repr(n) for n in extra)} "
                f"too, but should only be on {', '.join(repr(n) for n in want)}.",
                f"Try: docker network disconnect {extra[0]} {box.name}")
        nets = ", ".join(repr(n) for n in want)
        return Outcome.passed(f"container {box.name!r} is attached to network {nets}"
                              if len(want) == 1 else
                              f"container {box.name!r} is attached to networks {nets}")


@register
class NotAttached(CheckKind):
    name = "not_attached"
    summary = "a container is NOT attached to a network (isolation)"
    params = (_CONTAINER, Param("network", ref="network"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} is not attached to {p['network']!r}"

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(forbidden_attachments=((p["container"], p["network"]),))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        box = snap.container(p["container"])
        net = p["network"]
        if box is None:
            return Outcome.failed(f"container {p['container']!r} does not exist, so its "
                                  f"isolation from {net!r} cannot be shown. Create it first")
        if box.endpoint(net) is None:
            return Outcome.passed(f"container {box.name!r} is not attached to network {net!r}")
        others = [n for n in box.networks if n != net]
        if others:
            return Outcome.failed(
                f"container {box.name!r} is attached to network {net!r} as well as "
                f"{', '.join(repr(n) for n in others)}: {BOTH_NETWORKS}.",
                f"Try: docker network disconnect {net} {box.name}")
        return Outcome.failed(f"container {box.name!r} is attached to network {net!r}, which "
                              f"it should not be.",
                              f"Try: docker network disconnect {net} {box.name}")


@register
class HasAlias(_ContainerKind):
    name = "has_alias"
    summary = "a container answers to a network alias on a network"
    params = (_CONTAINER, Param("network", ref="network"), Param("alias"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} has alias {p['alias']!r} on {p['network']!r}"

    def detail(self, p: Mapping[str, Any]) -> tuple[str, ...]:
        return (p["container"],)

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(attachments=((p["container"], p["network"]),))

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        net, alias = p["network"], p["alias"]
        endpoint = box.endpoint(net)
        fix = f"docker network disconnect {net} {box.name}; " \
              f"docker network connect --alias {alias} {net} {box.name}"
        if endpoint is None:
            return Outcome.failed(f"container {box.name!r} is not attached to network {net!r}, "
                                  f"so it has no alias there.",
                                  f"Try: docker network connect --alias {alias} {net} {box.name}")
        if endpoint.aliases is None:
            return Outcome.errored(f"the aliases of {box.name!r} were not read (the snapshot "
                                   f"was taken without detail for it). Take it with "
                                   f"labcheck snapshot --detail {box.name}")
        if alias in endpoint.aliases:
            return Outcome.passed(f"container {box.name!r} answers to {alias!r} on {net!r}")
        have = ", ".join(repr(a) for a in endpoint.aliases if a not in (box.name, box.short_id))
        return Outcome.failed(f"container {box.name!r} has no alias {alias!r} on network "
                              f"{net!r} (its aliases: {have or 'none'}).", f"Try: {fix}")


@register
class StaticIP(_ContainerKind):
    name = "static_ip"
    summary = "a container has this IPv4 address on a network"
    params = (_CONTAINER, Param("network", ref="network"), Param("ip"))

    def validate(self, p: Mapping[str, Any]) -> str | None:
        try:
            ipaddress.ip_address(p["ip"])
        except ValueError as exc:
            return str(exc)
        return None

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} has address {p['ip']} on {p['network']!r}"

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(attachments=((p["container"], p["network"]),))

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        net, ip = p["network"], p["ip"]
        fix = f"docker network connect --ip {ip} {net} {box.name}"
        endpoint = box.endpoint(net)
        if endpoint is None:
            return Outcome.failed(f"container {box.name!r} is not attached to network {net!r}.",
                                  f"Try: {fix}")
        if endpoint.ipv4 == ip:
            return Outcome.passed(f"container {box.name!r} has address {ip} on {net!r}")
        have = endpoint.ipv4 or ("no address (it is not running)" if not box.is_running
                                 else "no address")
        return Outcome.failed(f"container {box.name!r} has {have} on network {net!r}, not {ip}.",
                              f"Try: docker network disconnect {net} {box.name}; {fix} (the "
                              f"network needs a --subnet that contains {ip})")


@register
class NetworkMode(_ContainerKind):
    name = "network_mode"
    summary = "a container runs with network mode host, none or container:<other>"
    params = (_CONTAINER, Param("mode", doc="host, none, bridge, or container:<name>"))

    def validate(self, p: Mapping[str, Any]) -> str | None:
        mode = p["mode"]
        if mode in ("host", "none", "bridge", "default") or \
                (mode.startswith("container:") and len(mode) > len("container:")):
            return None
        return "expected host, none, bridge or container:<name>"

    def bind(self, p: Mapping[str, Any], binding: Binding) -> dict[str, Any]:
        out = super().bind(p, binding)
        if out["mode"].startswith("container:"):
            out["mode"] = "container:" + binding.name(out["mode"].split(":", 1)[1])
        return out

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} runs with --network {p['mode']}"

    def judge(self, snap: Snapshot, box: Container, p: Mapping[str, Any]) -> Outcome:
        mode = p["mode"]
        if _same_mode(snap, box, mode):
            return Outcome.passed(f"container {box.name!r} runs with --network {mode}")
        have = box.network_mode
        other = box.shares_namespace_with
        if other:
            shared = snap.namespace_owner(box)
            have = f"container:{shared.name if shared else other}"
        return Outcome.failed(
            f"container {box.name!r} runs with network mode {have!r}, not {mode!r}. The mode "
            f"is fixed at creation.",
            f"Try: docker rm -f {box.name}, then docker run --network {mode} "
            f"--name {box.name} ...")


@register
class InterfacesKind(CheckKind):
    """Behaviour behind ``network_mode: none``: what the container itself sees."""

    name = "interfaces"
    summary = "a container has exactly these network interfaces, seen from inside it"
    params = (_CONTAINER,
              Param("only", "list", required=False, default=["lo"],
                    doc="the interface names it must have, and no other (default: lo)"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"container {p['container']!r} has only {', '.join(self._want(p))}"

    @staticmethod
    def _want(p: Mapping[str, Any]) -> list[str]:
        return sorted(p.get("only") or ["lo"])

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (Interfaces(p["container"]),)

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(containers=(p["container"],))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        name = p["container"]
        box = probe_source_or_fail(snap, name, f"which interfaces {name!r} has")
        if isinstance(box, Outcome):
            return box
        result = probe_outcome(snap, Interfaces(name))
        if isinstance(result, Outcome):
            return result
        if not result.succeeded:
            return Outcome.failed(f"cannot list the interfaces of {name!r}: {result.detail}")
        want, have = self._want(p), sorted(result.interfaces)
        if have == want:
            return Outcome.passed(f"container {name!r} has only {', '.join(have)}, seen from "
                                  f"inside it")
        extra = [i for i in have if i not in want]
        missing = [i for i in want if i not in have]
        parts = ([f"{', '.join(extra)} as well"] if extra else []) + \
            ([f"no {', '.join(missing)}"] if missing else [])
        extra_note = " Each extra interface is a way out." if extra and want == ["lo"] else ""
        fix = (f"Try: docker rm -f {name}, then docker run --network none --name {name} ..."
               if extra and want == ["lo"] else "")
        return Outcome.failed(f"container {name!r} has {', '.join(have) or 'no interface'} "
                              f"({'; '.join(parts)}), not only {', '.join(want)}.{extra_note}",
                              fix)


def _same_mode(snap: Snapshot, box: Container, mode: str) -> bool:
    if mode.startswith("container:"):
        other = box.shares_namespace_with
        if other is None:
            return False
        want = snap.container(mode.split(":", 1)[1])
        have = snap.namespace_owner(box)
        return want is not None and have is not None and want.id == have.id
    if mode in ("bridge", "default"):
        return box.network_mode in ("bridge", "default")
    return box.network_mode == mode
