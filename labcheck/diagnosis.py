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
from dataclasses import dataclass
from typing import Any

from .errors import ObjectNotFound
from .probes import (
    EMBEDDED_DNS,
    HostReach,
    Probe,
    ProbeResult,
    Reach,
    ReadResolvConf,
    Resolve,
    Sockets,
)
from .reachability import Explanation, explain, find_container
from .snapshot import Container, Snapshot

__all__ = ["HOST", "WIDTH", "Step", "Diagnosis", "diagnosis_probes", "diagnose_snapshot",
           "find_target"]

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
        out = [f"diagnose: {self.source} -> {what}"]
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
    """Every step of the routine, read from ``snapshot`` and its probe results."""
    if source == HOST:
        return Diagnosis(source, target, port, tuple(_host_steps(snapshot, target, port)))
    inspect, box, exp = _inspect_step(snapshot, source, target, port)
    steps = [inspect]
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
    if port:
        by_name = _result(snapshot, Reach(source, target, port))
        evidence = by_name.detail if by_name else "not run"
        address = None
        if box is not None:
            a = snapshot.container(source)
            nets = tuple(n for n in box.networks if a and n in a.networks) or box.networks
            address = _address_on(box, nets)
        by_ip = _result(snapshot, Reach(source, address, port)) if address else None
        if by_ip is not None:
            evidence += f"; by address {address}: {by_ip.detail}"
        steps.append(Step("connect", by_name.succeeded if by_name and by_name.ran else None,
                          evidence, f"docker exec {source} nc -w 2 {target} {port}"))
    else:
        steps.append(Step("connect", None, "no port given (port=...)", ""))
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
