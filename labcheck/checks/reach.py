"""Check kinds about reachability: A reaches B (by name or IP; ping, TCP or HTTP),
and A cannot reach B (isolation).

With ``via: ip`` the target's address is read from the snapshot (its address
on a network it shares with A, else its first one), so these probes depend
on the state: :func:`labcheck.live.grading.collect_for` reads the state first and
then runs them.

>>> from labcheck.snapshot import Container, Endpoint, Snapshot
>>> a = Container("a", "c1", state="running", endpoints=(Endpoint("front", ipv4="10.214.1.2"),))
>>> b = Container("b", "c2", state="running", endpoints=(Endpoint("back", ipv4="10.214.2.2"),))
>>> Reaches().probes({"from": "a", "to": "b", "via": "ip"}, Snapshot(containers=(a, b)))
(Reach(container='a', target='10.214.2.2', port=None),)
"""

from __future__ import annotations

from typing import Any, Mapping

from ..probes import HttpGet, Probe, ProbeResult, Reach, ReachStandIn, Resolve
from ..snapshot import Snapshot
from .base import (
    BOTH_NETWORKS,
    Binding,
    CheckKind,
    Outcome,
    Param,
    probe_outcome,
    probe_source_or_fail,
    register,
)
from .names import (
    addresses_of,
    default_bridge_advice,
    default_bridge_note,
    owner_of,
    shared_networks,
)

__all__ = ["Reaches", "CannotReach", "target_address"]

_PARAMS = (
    Param("from", ref="container", doc="the container the connection starts from"),
    Param("to", ref="name", doc="the target: a container name or alias"),
    Param("via", required=False, default="name",
          choices=("name", "ip", "gateway", "stand-in"),
          doc="connect by name; by the target's IP read from the snapshot; (gateway) to "
              "the gateway address of network 'to', which is the host; or (stand-in) to a "
              "container the probe runner builds: 'to' is world (reached through the "
              "host, forwarded like traffic to the internet) or neighbour (on the "
              "default bridge)"),
    Param("port", "int", required=False, doc="a TCP port (default: ping)"),
    Param("protocol", required=False, choices=("ping", "tcp", "http"),
          doc="ping, tcp or http (default: tcp with a port, else ping)"),
    Param("path", required=False, default="/", doc="the HTTP path"),
    Param("status", "int", required=False, doc="the HTTP status expected (default: any answer)"),
    Param("network", required=False, ref="network",
          doc="with via: ip, the network whose address is used"),
)


def target_address(snap: Snapshot, p: Mapping[str, Any]) -> str | None:
    """The IP to probe for ``via: ip`` (the target's address on the right network) or
    ``via: gateway`` (the IPv4 gateway of network ``to``)."""
    if p.get("via") == "gateway":
        outside = snap.network(p["to"])
        return next((g for g in (outside.gateways if outside else ()) if ":" not in g), None)
    target = snap.container(p["to"])
    if target is None:
        return None
    if p.get("network"):
        endpoint = target.endpoint(p["network"])
        return endpoint.ipv4 if endpoint else None
    source = snap.container(p["from"])
    order = shared_networks(source, target) if source is not None else []
    order += [n for n in target.networks if n not in order]
    for net in order:
        endpoint = target.endpoint(net)
        if endpoint is not None and endpoint.ipv4:
            return endpoint.ipv4
    return None


def _protocol(p: Mapping[str, Any]) -> str:
    return p.get("protocol") or ("tcp" if p.get("port") else "ping")


def _probe(p: Mapping[str, Any], snap: Snapshot | None) -> Probe | None:
    if p.get("via") == "stand-in":
        return ReachStandIn(p["from"], to=p["to"])
    if p.get("via", "name") in ("ip", "gateway"):
        if snap is None:
            return None
        target = target_address(snap, p)
        if target is None:
            return None
    else:
        target = p["to"]
    proto = _protocol(p)
    if proto == "http":
        return HttpGet(p["from"], target, port=int(p.get("port") or 80), path=p.get("path") or "/")
    if proto == "tcp":
        return Reach(p["from"], target, port=int(p["port"]))
    return Reach(p["from"], target)


def _what(p: Mapping[str, Any]) -> str:
    proto = _protocol(p)
    if p.get("via") == "stand-in":
        return ("the outside world (a stand-in container behind the host)" if p["to"] == "world"
                else "a neighbour (a stand-in container on the default bridge)")
    if p.get("via") == "gateway":
        port = f" port {p['port']}" if p.get("port") else ""
        return f"the gateway of network {p['to']!r}{port} (the host, outside its network)"
    by = " by IP" if p.get("via") == "ip" else ""
    if proto == "http":
        return f"HTTP on {p['to']!r}:{p.get('port') or 80}{by}"
    if proto == "tcp":
        return f"{p['to']!r} on port {p['port']}{by}"
    return f"{p['to']!r}{by} (ping)"


def _name_probe(p: Mapping[str, Any]) -> Resolve | None:
    """With ``via: name``, the lookup that shows whom the name leads to."""
    return Resolve(p["from"], p["to"]) if p.get("via", "name") == "name" else None


def _not_the_target(snap: Snapshot, p: Mapping[str, Any]) -> Outcome | None:
    """With ``via: name``, a fail Outcome when the name led to another container than
    the one called ``to``; None when it led to it (or ``to`` names no container)."""
    target = snap.container(p["to"])
    probe = _name_probe(p)
    if target is None or probe is None:
        return None
    looked = probe_outcome(snap, probe)
    if isinstance(looked, Outcome):
        return looked
    got = set(looked.addresses)
    if got and got <= addresses_of(target):
        return None
    strangers = sorted(got - addresses_of(target))
    who = ", ".join(f"{a} ({o.name!r})" if (o := owner_of(snap, a)) else a for a in strangers)
    return Outcome.failed(
        f"{p['from']!r} got an answer from {_what(p)}, but the name {p['to']!r} leads to "
        f"{who or 'no address'}, not to container {target.name!r} "
        f"({', '.join(sorted(addresses_of(target))) or 'no address'}): another container "
        f"answers to that name. Give the name to {target.name!r} only")


def _probe_or_outcome(snap: Snapshot, p: Mapping[str, Any]) -> ProbeResult | Outcome:
    probe = _probe(p, snap)
    if probe is None and p.get("via") == "gateway":
        return Outcome.failed(f"network {p['to']!r} does not exist or has no IPv4 gateway in "
                              f"the snapshot, so {p['from']!r} cannot be tested against it")
    if probe is None:
        return Outcome.failed(f"container {p['to']!r} has no IP address in the snapshot "
                              f"(missing, stopped, or not on {p.get('network') or 'any network'})"
                              f", so {p['from']!r} cannot be tested against it by IP")
    return probe_outcome(snap, probe)


class _ReachKind(CheckKind):
    """What reaches and cannot_reach share: parameters, titles and probes."""

    params = _PARAMS
    verb = ""

    def bind(self, p: Mapping[str, Any], binding: Binding) -> dict[str, Any]:
        """As every kind; and where the binding leaves names alone (a Compose binding),
        ``to`` is still mapped when it is an object: a container (``via: ip``) or a
        network (``via: gateway``)."""
        out = super().bind(p, binding)
        via = p.get("via", "name")
        ref = {"ip": "container", "gateway": "network"}.get(str(via))
        if ref and "name" not in binding.refs and ref in binding.refs:
            out["to"] = binding.name(out["to"])
        return out

    def validate(self, p: Mapping[str, Any]) -> str | None:
        if p.get("via") == "stand-in":
            if p["to"] not in ReachStandIn.WAYS:
                return f"with via: stand-in, 'to' is one of {', '.join(ReachStandIn.WAYS)}"
            if p.get("port") or p.get("protocol") or p.get("network"):
                return "with via: stand-in, the probe picks the port and protocol itself"
        if p.get("protocol") == "tcp" and not p.get("port"):
            return "protocol 'tcp' needs a 'port'"
        return None

    def title(self, p: Mapping[str, Any]) -> str:
        return f"{p['from']!r} {self.verb} {_what(p)}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        probe = _probe(p, snapshot)
        return tuple(x for x in (probe, _name_probe(p)) if x is not None)


@register
class Reaches(_ReachKind):
    name = "reaches"
    summary = "a container reaches another by name or IP (ping, TCP port, or HTTP)"
    verb = "reaches"

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        source = probe_source_or_fail(snap, p["from"], f"that {p['from']!r} reaches {_what(p)}")
        if isinstance(source, Outcome):
            return source
        result = _probe_or_outcome(snap, p)
        if isinstance(result, Outcome):
            return result
        want = p.get("status")
        if result.succeeded and (want is None or result.http_status == want):
            wrong = _not_the_target(snap, p)
            if wrong is not None:
                return wrong
            return Outcome.passed(f"{p['from']!r} reaches {_what(p)}: {result.detail}")
        if result.succeeded:
            return Outcome.failed(f"from {p['from']!r}: {result.detail}, not HTTP {want}")
        target = snap.container(p["to"]) if p.get("via", "name") in ("name", "ip") else None
        note = advice = ""
        by_name = p.get("via", "name") == "name"
        if by_name and "does not resolve" in result.detail:
            note = default_bridge_note(snap, source)
            advice = default_bridge_advice(source) if note else ""
        if not note and target is not None:
            if not target.is_running:
                note = f" Container {target.name!r} is not running."
                advice = f"Try: docker start {target.name}"
            elif not shared_networks(source, target):
                net = target.networks[0] if target.networks else "<network>"
                note = f" {source.name!r} and {target.name!r} share no network."
                advice = f"Try: docker network connect {net} {source.name}"
            elif p.get("port"):
                note = f" Is a program listening on port {p['port']} inside {target.name!r}?"
        return Outcome.failed(f"{p['from']!r} cannot reach {_what(p)}: {result.detail}.{note}",
                              advice)


@register
class CannotReach(_ReachKind):
    name = "cannot_reach"
    summary = "a container can NOT reach another (isolation)"
    verb = "cannot reach"

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        what = f"that {p['from']!r} cannot reach {_what(p)}"
        source = probe_source_or_fail(snap, p["from"], what)
        if isinstance(source, Outcome):
            return source
        target = snap.container(p["to"]) if p.get("via", "name") in ("name", "ip") else None
        if target is not None and not target.is_running:
            return Outcome.failed(f"{what} cannot be shown: container {target.name!r} is not "
                                  f"running, so nothing could answer.",
                                  f"Try: docker start {target.name}")
        result = _probe_or_outcome(snap, p)
        if isinstance(result, Outcome):
            return Outcome(result.status, "isolation cannot be shown: " + result.message,
                           result.advice)
        if not result.ran:
            return Outcome.failed(f"cannot show that {p['from']!r} cannot reach {_what(p)}: "
                                  f"{result.detail}")
        if not result.succeeded:
            return Outcome.passed(f"{p['from']!r} cannot reach {_what(p)}: {result.detail}")
        note = advice = ""
        if target is not None:
            shared = shared_networks(source, target)
            if shared:
                both = [n for n in source.networks if n not in shared]
                extra = (f" {source.name!r} is on {', '.join(repr(n) for n in source.networks)}: "
                         f"{BOTH_NETWORKS}.") if both else ""
                note = f" They share network {shared[0]!r}.{extra}"
                advice = f"Try: docker network disconnect {shared[0]} {source.name}"
        return Outcome.failed(f"{p['from']!r} reaches {_what(p)} ({result.detail}), "
                              f"but it should not.{note}", advice)
