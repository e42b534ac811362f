"""Check kinds about published ports: published as asked, not published, and the
host reaching a published port.

>>> from labcheck.snapshot import Container, PortBinding, Snapshot
>>> web = Container("web", "c1", state="running",
...                 ports=(PortBinding(5000, host_ip="0.0.0.0", host_port=8000),))
>>> out = Published().evaluate(Snapshot(containers=(web,)),
...     {"container": "web", "container_port": 5000, "host_port": 8000,
...      "host_ip": "127.0.0.1", "protocol": "tcp"})
>>> out.status, "0.0.0.0" in out.message
('fail', True)
"""

from __future__ import annotations

from typing import Any, Mapping

from ..expected import Expected, ExpectedPort
from ..probes import HostReach, Listening, Probe
from ..snapshot import Container, PortBinding, Snapshot
from .base import CheckKind, Outcome, Param, container_or_fail, probe_outcome, register

__all__ = ["Published", "NotPublished", "HostReaches"]

_CONTAINER = Param("container", ref="container", doc="the container's name")
_PROTOCOL = Param("protocol", required=False, default="tcp", choices=("tcp", "udp", "sctp"))
_ANY_ADDRESS = ("0.0.0.0", "::", "", None)


def _flag(p: Mapping[str, Any]) -> str:
    host = f"{p['host_ip']}:" if p.get("host_ip") else ""
    proto = f"/{p['protocol']}" if p.get("protocol", "tcp") != "tcp" else ""
    return f"-p {host}{p['host_port']}:{p['container_port']}{proto}"


@register
class Published(CheckKind):
    name = "published"
    summary = "a container port is published on the host (IP:port -> container port)"
    params = (_CONTAINER,
              Param("container_port", "int", doc="the port the program listens on inside"),
              Param("host_port", "int", ref="port", doc="the port on the host"),
              Param("host_ip", required=False,
                    doc="the host address it must be bound to, e.g. 127.0.0.1 (default: any)"),
              _PROTOCOL)

    def title(self, p: Mapping[str, Any]) -> str:
        host = p.get("host_ip") or "the host"
        return f"{p['container']!r} port {p['container_port']} is published on " \
               f"{host}:{p['host_port']}"

    def expected(self, p: Mapping[str, Any]) -> Expected:
        return Expected(containers=(p["container"],), ports=(ExpectedPort(
            p["container"], p["container_port"], p["host_port"], p.get("host_ip"),
            p.get("protocol", "tcp")),))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        box = container_or_fail(snap, p["container"])
        if isinstance(box, Outcome):
            return box
        cport, hport = p["container_port"], p["host_port"]
        proto, want_ip = p.get("protocol", "tcp"), p.get("host_ip")
        fix = f"docker rm -f {box.name}, then docker run {_flag(p)} --name {box.name} ..."
        mine = [b for b in box.published() if b.container_port == cport and b.protocol == proto]
        if not mine:
            others = ", ".join(str(b) for b in box.published())
            return Outcome.failed(
                f"container {box.name!r} does not publish port {cport}/{proto} "
                f"({'it publishes ' + others if others else 'it publishes no ports'}). Ports "
                f"are set when a container is created.", f"Try: {fix}")
        on_port = [b for b in mine if b.host_port == hport]
        if not on_port:
            return Outcome.failed(
                f"container {box.name!r} publishes port {cport} on host port "
                f"{', '.join(str(b.host_port) for b in mine)}, not {hport}.", f"Try: {fix}")
        if want_ip and not any(b.host_ip == want_ip for b in on_port):
            if any(b.host_ip in _ANY_ADDRESS for b in on_port) and want_ip in ("127.0.0.1", "::1"):
                return Outcome.failed(
                    f"container {box.name!r} publishes port {cport} on 0.0.0.0:{hport}, every "
                    f"address of the host, so other machines can reach it too; the exercise "
                    f"asks for {want_ip} only (this machine alone).", f"Try: {fix}")
            have = ", ".join(str(b) for b in on_port)
            return Outcome.failed(f"container {box.name!r} publishes {have}, not on {want_ip}.",
                                  f"Try: {fix}")
        shown = next((b for b in on_port if not want_ip or b.host_ip == want_ip), on_port[0])
        return Outcome.passed(f"container {box.name!r} publishes {shown}")


@register
class NotPublished(CheckKind):
    name = "not_published"
    summary = "a container port (or every port) is NOT published on the host"
    params = (_CONTAINER,
              Param("container_port", "int", required=False,
                    doc="this port only (default: no port at all)"),
              _PROTOCOL)

    def title(self, p: Mapping[str, Any]) -> str:
        if p.get("container_port"):
            return f"{p['container']!r} port {p['container_port']} is not published on the host"
        return f"{p['container']!r} publishes no port on the host"

    def expected(self, p: Mapping[str, Any]) -> Expected:
        if p.get("container_port"):
            return Expected(unpublished=((p["container"], p["container_port"]),))
        return Expected(containers=(p["container"],))

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        box = snap.container(p["container"])
        if box is None:
            return Outcome.failed(f"container {p['container']!r} does not exist, so that it "
                                  f"publishes nothing cannot be shown. Create it first")
        cport = p.get("container_port")
        proto = p.get("protocol", "tcp")
        bad: list[PortBinding] = [b for b in box.published()
                                  if cport is None or (b.container_port == cport
                                                       and b.protocol == proto)]
        if not bad:
            what = f"port {cport}" if cport else "any port"
            return Outcome.passed(f"container {box.name!r} does not publish {what} on the host")
        shown = ", ".join(str(b) for b in bad)
        return Outcome.failed(
            f"container {box.name!r} publishes {shown} on the host, so anything that reaches "
            f"this machine can reach it; it should only be reachable from its network.",
            f"Try: docker rm -f {box.name}, then run it again without -p "
            f"(other containers on its network reach it without publishing)")


@register
class HostReaches(CheckKind):
    name = "host_reaches"
    summary = "the host reaches 127.0.0.1:port, answered by the named container"
    params = (Param("port", "int", ref="port", doc="the host port"),
              Param("host", required=False, default="127.0.0.1",
                    doc="a loopback address (labcheck never probes other machines)"),
              Param("container", required=False, ref="container",
                    doc="the container that must answer: through its own published "
                        "binding, or (host network mode) a process of its own on the port"))

    def validate(self, p: Mapping[str, Any]) -> str | None:
        host = p.get("host", "127.0.0.1")
        if host not in ("127.0.0.1", "::1", "localhost"):
            return "only loopback addresses (127.0.0.1, ::1) may be probed"
        return None

    def _probe(self, p: Mapping[str, Any]) -> HostReach:
        return HostReach(port=int(p["port"]), host=p.get("host") or "127.0.0.1")

    def title(self, p: Mapping[str, Any]) -> str:
        return f"the host reaches {p.get('host') or '127.0.0.1'}:{p['port']}"

    def probes(self, p: Mapping[str, Any], snapshot: Snapshot | None = None) -> tuple[Probe, ...]:
        box = snapshot.container(p["container"]) if snapshot and p.get("container") else None
        if box is not None and box.network_mode == "host":
            return (self._probe(p), Listening(box.name, int(p["port"])))
        return (self._probe(p),)

    def evaluate(self, snap: Snapshot, p: Mapping[str, Any]) -> Outcome:
        result = probe_outcome(snap, self._probe(p))
        if isinstance(result, Outcome):
            return result
        who = p.get("container")
        box = snap.container(who) if who else None
        if not result.succeeded:
            why, advice = _why_silent(box, who, p)
            return Outcome.failed(f"{result.detail}: {why}", advice)
        if not who:
            return Outcome.passed(f"{result.detail} (no container is named, so any program "
                                  f"on this machine listening there passes this check)")
        return _answered_by(snap, box, who, p, result.detail)


def _why_silent(box: Container | None, who: str | None,
                p: Mapping[str, Any]) -> tuple[str, str]:
    """Why nothing answered, as far as the named container tells, and the fix ('' if none)."""
    if who and box is None:
        return f"container {who!r} does not exist", ""
    if box is not None and not box.is_running:
        return f"container {box.name!r} is not running.", f"Try: docker start {box.name}"
    if box is not None and box.is_on_no_network:
        return _on_no_network(box)
    if box is not None and box.network_mode != "host" and not _bindings(box, p):
        return (f"container {box.name!r} does not publish host port {p['port']}.",
                f"Publish it: docker run -p 127.0.0.1:{p['port']}:<container port> ...")
    return "check that a program listens inside the container on the published port", ""


def _on_no_network(box: Container) -> tuple[str, str]:
    """Why a running container on no network answers nothing (see
    ``Container.is_on_no_network``), and how to put it back."""
    network = "bridge" if box.network_mode in ("default", "bridge") else box.network_mode
    return (f"container {box.name!r} runs on no network (only its loopback), so its "
            f"published ports lead nowhere. Engine 29 takes a container off its networks "
            f"when a start fails (a host port already taken, say).",
            f"Try: docker network connect {network} {box.name}, then restart it "
            f"(or re-create it)")


def _covers(host_ip: str | None, host: str) -> bool:
    """Whether a binding on ``host_ip`` is what answers a connection to ``host``."""
    if host_ip in _ANY_ADDRESS:
        return True
    if host in ("127.0.0.1", "localhost"):
        return host_ip == "127.0.0.1"
    return host_ip == host


def _bindings(box: Container, p: Mapping[str, Any]) -> list[PortBinding]:
    """``box``'s TCP bindings that a connection to host:port lands on."""
    host = p.get("host") or "127.0.0.1"
    return [b for b in box.published() if b.host_port == p["port"] and b.protocol == "tcp"
            and _covers(b.host_ip, host)]


def _answered_by(snap: Snapshot, box: Container | None, who: str, p: Mapping[str, Any],
                 detail: str) -> Outcome:
    """Pass only if the answer came through container ``who``'s own binding (or, in
    host network mode, from a process of ``who`` holding the port)."""
    port = p["port"]
    addr = f"{p.get('host') or '127.0.0.1'}:{port}"
    other = "another program on this machine (a process on the host, or another container)"
    if box is None:
        return Outcome.failed(f"{addr} answers on the host, but container {who!r} does not "
                              f"exist, so {other} answers there.",
                              f"Stop it, then create {who}: "
                              f"docker run -p 127.0.0.1:{port}:<container port> --name {who} ...")
    if not box.is_running:
        return Outcome.failed(f"{addr} answers on the host, but container {who!r} is not "
                              f"running, so {other} answers there.", f"Try: docker start {who}")
    if box.network_mode == "host":
        held = probe_outcome(snap, Listening(box.name, int(port)))
        if isinstance(held, Outcome):
            return held
        if held.succeeded:
            return Outcome.passed(f"{addr} answers on the host, served by container {who!r} "
                                  f"itself in the host's network: {held.detail}")
        return Outcome.failed(f"{addr} answers on the host, but not from container {who!r} "
                              f"(it runs in the host's network, and {held.detail}), so {other} "
                              f"answers there. Make the server inside {who} listen on port "
                              f"{port}")
    mine = _bindings(box, p)
    if mine:
        return Outcome.passed(f"{addr} answers on the host, through container {who!r}'s own "
                              f"binding {mine[0]}")
    owner = next((c for c in snap.containers if c.is_running and _bindings(c, p)), None)
    by = (f"container {owner.name!r} publishes it ({_bindings(owner, p)[0]})" if owner
          else f"{other} listens there")
    have = ", ".join(str(b) for b in box.published()) or "no ports"
    return Outcome.failed(
        f"{addr} answers on the host, but not through container {who!r}: it publishes "
        f"{have}, and {by}.",
        f"Publish {who}'s port: docker rm -f {who}, then docker run "
        f"-p 127.0.0.1:{port}:<container port> --name {who} ...")
