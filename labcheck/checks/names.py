"""Check kinds about names: resolves to the right container, does not resolve, an
alias answers with N records, and which resolver a container uses.

Expected addresses are read from the snapshot (the target container's
endpoints), never written in the exercise.

>>> from labcheck.probes import ProbeResult, Resolve
>>> from labcheck.snapshot import Container, Endpoint, Network, Snapshot
>>> snap = Snapshot(
...     networks=(Network("bridge", "n0", "bridge"),),
...     containers=(
...         Container("web", "c1", state="running",
...                   endpoints=(Endpoint("bridge", ipv4="10.213.0.2"),)),
...         Container("db", "c2", state="running",
...                   endpoints=(Endpoint("bridge", ipv4="10.213.0.3"),))),
...     probes=(ProbeResult(Resolve("web", "db"), ran=True, succeeded=False,
...                         detail="'db' does not resolve"),))
>>> out = Resolves().evaluate(snap, {"from": "web", "name": "db"})
>>> out.status, "the default bridge has no embedded DNS" in out.message
('fail', True)
"""

from __future__ import annotations

from typing import Any, Mapping

from ..probes import EMBEDDED_DNS, Probe, ReadResolvConf, Resolve
from ..snapshot import Container, Snapshot
from .base import CheckKind, Outcome, Param, probe_outcome, probe_source_or_fail, register

__all__ = ["Resolves", "NotResolves", "AliasRecords", "Resolver",
           "addresses_of", "owner_of", "shared_networks", "default_bridge_note",
           "default_bridge_advice"]

_FROM = Param("from", ref="container", doc="the container the lookup is made from")


def addresses_of(box: Container) -> set[str]:
    """Every IPv4/IPv6 address ``box`` has on its networks."""
    return {a for e in box.endpoints for a in (e.ipv4, e.ipv6) if a}


def owner_of(snap: Snapshot, address: str) -> Container | None:
    """The container that holds ``address`` on one of its networks."""
    return next((c for c in snap.containers if address in addresses_of(c)), None)


def shared_networks(a: Container, b: Container) -> list[str]:
    """Networks both containers are attached to."""
    return [n for n in a.networks if b.endpoint(n) is not None]


def default_bridge_note(snap: Snapshot, box: Container) -> str:
    """The misconception note when ``box`` is only on the default bridge, else ''
    (its fix: :func:`default_bridge_advice`)."""
    nets = [snap.network(n) for n in box.networks]
    if box.networks and all(n is not None and n.is_default_bridge for n in nets):
        return (f" Container {box.name!r} is only on the default bridge, and the default "
                f"bridge has no embedded DNS: containers there cannot find each other by name.")
    return ""


def default_bridge_advice(box: Container) -> str:
    """The fix that goes with :func:`default_bridge_note` (an instructor's advice)."""
    return (f"Create a user-defined network and attach both: docker network create "
            f"mynet; docker network connect mynet {box.name}")


def _resolve_probe(p: Mapping[str, Any]) -> Resolve:
    return Resolve(p["from"], p["name"])


@register
class Resolves(CheckKind):
    name = "resolves"
    summary = "a name resolves, from a container, to the right container's address"
    params = (_FROM,
              Param("name", ref="name", doc="the name to look up (a container name or alias)"),
              Param("to", required=False, ref="container",
                    doc="the container it must lead to (default: the container called 'name')"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"{p['name']!r} resolves from {p['from']!r}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (_resolve_probe(p),)

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        source = probe_source_or_fail(snap, p["from"],
                                      f"that {p['name']!r} resolves from {p['from']!r}")
        if isinstance(source, Outcome):
            return source
        result = probe_outcome(snap, _resolve_probe(p))
        if isinstance(result, Outcome):
            return result
        name = p["name"]
        target_name = p.get("to") or name
        target = snap.container(target_name)
        if not result.succeeded:
            note = default_bridge_note(snap, source)
            advice = default_bridge_advice(source) if note else ""
            if not note and target is not None and not shared_networks(source, target):
                net = target.networks[0] if target.networks else "<network>"
                note = (f" {source.name!r} and {target.name!r} share no network, so the DNS "
                        f"{source.name!r} asks does not know {target.name!r}.")
                advice = f"Try: docker network connect {net} {source.name}"
            elif not note and target is not None and not target.is_running:
                note = f" Container {target.name!r} is not running."
                advice = f"Try: docker start {target.name}"
            elif not note and target is None and p.get("to") is None:
                note = f" No container is called {name!r}."
            return Outcome.failed(f"from {source.name!r}: {result.detail.rstrip('.')}.{note}",
                                  advice)
        if target is None:
            return Outcome.failed(f"from {source.name!r}, {name!r} resolves to "
                                  f"{', '.join(result.addresses)}, but container "
                                  f"{target_name!r} does not exist")
        want = addresses_of(target)
        got = set(result.addresses)
        if got and got <= want:
            return Outcome.passed(f"from {source.name!r}, {name!r} resolves to "
                                  f"{', '.join(result.addresses)} (container {target.name!r})")
        strangers = sorted(got - want)
        owners = [owner_of(snap, a) for a in strangers]
        who = ", ".join(f"{a} ({o.name!r})" if o else a
                        for a, o in zip(strangers, owners, strict=True))
        return Outcome.failed(
            f"from {source.name!r}, {name!r} resolves to {who}, which is not container "
            f"{target.name!r} ({', '.join(sorted(want)) or 'no address'}). Another container "
            f"answers to that name: give the alias to {target.name!r} only")


@register
class NotResolves(CheckKind):
    name = "not_resolves"
    summary = "a name does NOT resolve from a container (isolation by name)"
    params = (_FROM, Param("name", ref="name", doc="the name that must not resolve"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"{p['name']!r} does not resolve from {p['from']!r}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (_resolve_probe(p),)

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        what = f"that {p['name']!r} does not resolve from {p['from']!r}"
        source = probe_source_or_fail(snap, p["from"], what)
        if isinstance(source, Outcome):
            return source
        named = snap.container(p["name"])
        if named is not None and not named.is_running:
            return Outcome.failed(f"{what} cannot be shown: container {named.name!r} is not "
                                  f"running, and a stopped container's name never resolves.",
                                  f"Try: docker start {named.name}")
        result = probe_outcome(snap, _resolve_probe(p))
        if isinstance(result, Outcome):
            return result
        if not result.ran:
            return Outcome.failed(f"cannot show that {p['name']!r} does not resolve from "
                                  f"{p['from']!r}: {result.detail}")
        if not result.succeeded:
            return Outcome.passed(f"from {p['from']!r}: {result.detail}")
        owners = [o for a in result.addresses if (o := owner_of(snap, a)) is not None]
        shared = sorted({n for box in owners for n in shared_networks(source, box)})
        why = f": they share network {shared[0]!r}." if shared else ""
        advice = f"Try: docker network disconnect {shared[0]} {p['from']}" if shared else ""
        return Outcome.failed(f"from {p['from']!r}, {p['name']!r} resolves to "
                              f"{', '.join(result.addresses)}, but it should not{why}", advice)


@register
class AliasRecords(CheckKind):
    name = "alias_records"
    summary = "an alias answers with N records (round-robin DNS)"
    params = (_FROM, Param("alias", ref="name"), Param("count", "int"))

    def title(self, p: Mapping[str, Any]) -> str:
        return f"{p['alias']!r} answers with {p['count']} records from {p['from']!r}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (Resolve(p["from"], p["alias"]),)

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        source = probe_source_or_fail(snap, p["from"], f"how many records {p['alias']!r} "
                                      f"has from {p['from']!r}")
        if isinstance(source, Outcome):
            return source
        result = probe_outcome(snap, Resolve(p["from"], p["alias"]))
        if isinstance(result, Outcome):
            return result
        alias, count = p["alias"], p["count"]
        owners = [o for a in result.addresses if (o := owner_of(snap, a)) is not None]
        distinct = sorted({o.name for o in owners})
        if len(owners) == count and len(result.addresses) == count and len(distinct) == count:
            return Outcome.passed(f"{alias!r} answers with {count} records "
                                  f"({', '.join(distinct)})")
        if len(result.addresses) == count and len(distinct) < count:
            return Outcome.failed(
                f"{alias!r} answers with {count} records from {p['from']!r} "
                f"({', '.join(result.addresses)}), but they belong to {len(distinct)} "
                f"container(s) ({', '.join(distinct) or 'none of the snapshot'}), not "
                f"{count} different ones.",
                f"Give the alias to {count} containers: docker "
                f"network connect --alias {alias} <network> <container>")
        if not result.succeeded:
            return Outcome.failed(f"from {p['from']!r}: {result.detail}.",
                                  f"Give {count} containers the alias: docker network connect "
                                  f"--alias {alias} <network> <container>")
        return Outcome.failed(
            f"{alias!r} answers with {len(result.addresses)} record(s) from {p['from']!r} "
            f"({', '.join(result.addresses)}), not {count}. Each container that should answer "
            f"needs the alias on the same network.",
            f"Try: docker network connect --alias {alias} <network> <container>")


@register
class Resolver(CheckKind):
    name = "resolver"
    summary = "a container's resolver is Docker's embedded DNS (127.0.0.11) or a copy of the host's"
    params = (Param("container", ref="container"),
              Param("expect", required=False, default="embedded", choices=("embedded", "host")))

    def title(self, p: Mapping[str, Any]) -> str:
        what = "Docker's embedded DNS" if p.get("expect", "embedded") == "embedded" \
            else "a copy of the host's resolvers"
        return f"{p['container']!r} uses {what}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        return (ReadResolvConf(p["container"]),)

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        box = probe_source_or_fail(snap, p["container"], f"the resolver of {p['container']!r}")
        if isinstance(box, Outcome):
            return box
        result = probe_outcome(snap, ReadResolvConf(p["container"]))
        if isinstance(result, Outcome):
            return result
        name = p["container"]
        if not result.ran or not result.succeeded:
            return Outcome.failed(f"cannot read the resolver of {name!r}: {result.detail}")
        servers = result.nameservers
        embedded = EMBEDDED_DNS in servers
        listed = ", ".join(servers) or "none"
        if p.get("expect", "embedded") == "embedded":
            stack = snap.namespace_owner(box) or box  # container:<other> uses other's
            served = [n for n in stack.networks
                      if (net := snap.network(n)) is not None and net.has_embedded_dns]
            if embedded and not served:
                return Outcome.failed(
                    f"{name!r} lists {EMBEDDED_DNS} in its resolv.conf, but it is on no "
                    f"user-defined network, so no embedded DNS answers there (a --dns "
                    f"{EMBEDDED_DNS} option writes the line, not the server).",
                    f"Attach it to a user-defined network: docker network connect mynet {name}")
            if embedded:
                return Outcome.passed(f"{name!r} asks Docker's embedded DNS ({EMBEDDED_DNS})")
            return Outcome.failed(
                f"{name!r} asks {listed}, not Docker's embedded DNS {EMBEDDED_DNS}: it is on the "
                f"default bridge (or host mode), where Docker copies the host's resolv.conf and "
                f"container names do not resolve.",
                f"Attach it to a user-defined network: docker network connect mynet {name}")
        if servers and not embedded:
            return Outcome.passed(f"{name!r} uses a copy of the host's resolvers ({listed})")
        return Outcome.failed(f"{name!r} asks {listed}; on the default bridge it would use a "
                              f"copy of the host's resolvers instead of {EMBEDDED_DNS}")
