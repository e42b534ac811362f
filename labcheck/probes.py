"""Probes: questions asked of the live network, from inside a container.

A probe is a frozen, JSON-serialisable spec (:class:`Resolve`, :class:`Reach`,
:class:`HttpGet`, :class:`ReadResolvConf`, :class:`HostReach`), and how its
command's output reads as a :class:`ProbeResult`. The runner,
:func:`labcheck.live.probes.run_probes`, runs a batch concurrently against a
daemon and returns a result for each; the results are stored in the
:class:`~labcheck.snapshot.Snapshot` so checks never touch the daemon.

Container probes run with ``docker exec``, bounded in time *inside* the
container (``timeout N ...``; busybox's ``wget -T`` crashes). A container
whose image lacks the tool (nginx, redis) is probed from a throw-away lab
container that shares its network namespace. A probe from a stopped or
missing container is a result that did not run, with the reason, never an
exception.

>>> Resolve("web", "db").describe()
"resolve 'db' from container 'web'"
>>> Reach("web", "db", port=5432).command(2)
['timeout', '2', 'nc', '-w', '2', 'db', '5432']
>>> parse_nslookup("Name:\\tdb\\nAddress: 10.1.0.3\\n")
('10.1.0.3',)
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Iterable, Mapping, Sequence

__all__ = [
    "Probe",
    "ContainerProbe",
    "Resolve",
    "Reach",
    "HttpGet",
    "ReadResolvConf",
    "HostReach",
    "ReachStandIn",
    "Listening",
    "Sockets",
    "Interfaces",
    "LinkIndexes",
    "HostNet",
    "HostLinks",
    "ProbeResult",
    "group_by_container",
    "lacks_tool",
    "batch_script",
    "parse_batch",
    "probes_from_json",
    "parse_nslookup",
    "parse_resolv_conf",
    "parse_net_dev",
    "parse_proc_net_tcp",
    "DEFAULT_TIMEOUT",
    "EMBEDDED_DNS",
]

#: Seconds a probe may take inside the container before it counts as failed.
DEFAULT_TIMEOUT = 3

#: The address of Docker's embedded DNS server on user-defined networks.
EMBEDDED_DNS = "127.0.0.11"

_TIMED_OUT = (124, 143, 137)  # timeout's own code, SIGTERM, SIGKILL
_NOT_FOUND = (126, 127)       # the tool is missing from the image
_UNREACHABLE = re.compile(r"no route to host|(?:host|network) is unreachable", re.IGNORECASE)
_PROBE_KINDS: dict[str, type["Probe"]] = {}


@dataclass(frozen=True)
class Probe:
    """Base of all probe specs. Subclasses set ``kind`` and are registered."""

    kind: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.kind:
            _PROBE_KINDS[cls.kind] = cls

    def describe(self) -> str:
        raise NotImplementedError

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **asdict(self)}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> "Probe":
        kind = data.get("kind")
        cls = _PROBE_KINDS.get(str(kind))
        if cls is None:
            raise ValueError(f"unknown probe kind {kind!r}")
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class ContainerProbe(Probe):
    """A probe that runs a command inside ``container``."""

    container: str

    def command(self, timeout: int) -> list[str]:
        raise NotImplementedError

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        raise NotImplementedError


@dataclass(frozen=True)
class Resolve(ContainerProbe):
    """Does ``name`` resolve from ``container``? Records the IPv4 addresses."""

    kind: ClassVar[str] = "resolve"
    name: str = ""
    server: str | None = None

    def describe(self) -> str:
        via = f" via {self.server}" if self.server else ""
        return f"resolve {self.name!r} from container {self.container!r}{via}"

    def command(self, timeout: int) -> list[str]:
        """nslookup, asked a second time at once if the first answer is no.

        Docker 20.10's embedded DNS was seen to miss a known name now and
        then under load; a second question costs milliseconds (a "no such
        name" comes back at once), and both stay within ``timeout``.
        """
        import shlex

        lookup = shlex.join(["nslookup", "-type=a", self.name]
                            + ([self.server] if self.server else []))
        return ["timeout", str(timeout), "sh", "-c", f"{lookup} || {lookup}"]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        addresses = parse_nslookup(output)
        if addresses:
            return ProbeResult(self, ran=True, succeeded=True, output=output,
                               exit_code=exit_code, addresses=addresses,
                               detail=f"{self.name!r} resolves to {', '.join(addresses)}")
        if "NXDOMAIN" in output or "can't find" in output:
            why = "no such name (NXDOMAIN)"
        elif "refused" in output.lower():
            why = "the DNS server refused the query"
        elif exit_code in _TIMED_OUT or "timed out" in output:
            why = "no DNS server answered in time"
        else:
            why = _last_line(output) or f"nslookup exited {exit_code}"
        return ProbeResult(self, ran=True, succeeded=False, output=output,
                           exit_code=exit_code, detail=f"{self.name!r} does not resolve: {why}")


@dataclass(frozen=True)
class Reach(ContainerProbe):
    """Can ``container`` reach ``target`` (a name or IP)? ICMP, or TCP to ``port``."""

    kind: ClassVar[str] = "reach"
    target: str = ""
    port: int | None = None

    def describe(self) -> str:
        what = f"{self.target}:{self.port} (TCP)" if self.port else f"{self.target} (ping)"
        return f"reach {what} from container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        if self.port:
            return ["timeout", str(timeout), "nc", "-w", str(timeout), self.target, str(self.port)]
        return ["timeout", str(timeout), "ping", "-c", "1", "-W", str(timeout), self.target]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        ok = exit_code == 0
        if ok:
            how = f" on port {self.port}" if self.port else " to ping"
            detail = f"{self.target} answers{how}"
        elif "bad address" in output:
            detail = f"the name {self.target!r} does not resolve"
        elif "refused" in output.lower():
            detail = f"{self.target} refused the connection on port {self.port}"
        elif unreachable := _UNREACHABLE.search(output):
            detail = f"no answer from {self.target}: {unreachable.group(0).lower()}"
        elif (exit_code in _TIMED_OUT or not output.strip() or "100% packet loss" in output
              or "timed out" in output):
            detail = f"no answer from {self.target} in time"
        else:
            detail = _last_line(output)
        return ProbeResult(self, ran=True, succeeded=ok, output=output,
                           exit_code=exit_code, detail=detail)


@dataclass(frozen=True)
class HttpGet(ContainerProbe):
    """An HTTP GET from ``container`` to ``http://target:port/path``."""

    kind: ClassVar[str] = "http"
    target: str = ""
    port: int = 80
    path: str = "/"

    @property
    def url(self) -> str:
        return f"http://{self.target}:{self.port}/{self.path.lstrip('/')}"

    def describe(self) -> str:
        return f"GET {self.url} from container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        # -S prints the status line; wget writes headers and errors to stderr (merged).
        return ["timeout", str(timeout), "wget", "-S", "-q", "-O", "-", self.url]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        status = _http_status(output)
        ok = status is not None  # any HTTP answer means the server was reached
        if ok:
            detail = f"{self.url} answered HTTP {status}"
        elif "bad address" in output:
            detail = f"the name {self.target!r} does not resolve"
        elif "refused" in output.lower():
            detail = f"{self.target} refused the connection on port {self.port}"
        elif unreachable := _UNREACHABLE.search(output):
            detail = f"no answer from {self.url}: {unreachable.group(0).lower()}"
        elif exit_code in _TIMED_OUT or "timed out" in output:
            detail = f"no answer from {self.url} in time"
        else:
            detail = _last_line(output) or f"wget exited {exit_code}"
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           http_status=status, detail=detail)


@dataclass(frozen=True)
class ReadResolvConf(ContainerProbe):
    """Which nameservers does ``container`` use (its /etc/resolv.conf)?"""

    kind: ClassVar[str] = "resolv_conf"

    def describe(self) -> str:
        return f"read /etc/resolv.conf of container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        return ["cat", "/etc/resolv.conf"]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        servers = parse_resolv_conf(output)
        ok = exit_code == 0
        detail = ("nameservers: " + ", ".join(servers)) if ok else _last_line(output)
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           nameservers=servers, detail=detail)


@dataclass(frozen=True)
class Listening(ContainerProbe):
    """Does a process of ``container`` itself listen on TCP ``port``?

    Reads the listening sockets of the container's network namespace
    (``/proc/net/tcp``, ``tcp6``) and looks for the one on ``port`` among the
    open files of the container's own processes. In host network mode the
    namespace is the host's, so the second half is what shows that the
    container, not some other program on the machine, holds the port.
    """

    kind: ClassVar[str] = "listening"
    port: int = 0

    def describe(self) -> str:
        return f"find who listens on port {self.port} in container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        """A shell loop that asks again each second (a server started a moment ago
        may still be binding), within ``timeout``."""
        port = int(self.port)
        once = (
            "i=$(cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | "
            "awk -v p=\"$p\" '$4 == \"0A\" && substr($2, length($2) - 4) == p {print $10}'); "
            f"why='nothing listens on port {port}'; "
            "for n in $i; do why='port " + str(port) + " is listened on, but by no process of "
            "this container'; for f in /proc/[0-9]*/fd/*; do "
            "if [ \"$(readlink \"$f\" 2>/dev/null)\" = \"socket:[$n]\" ]; then "
            "echo \"held by pid $(echo \"$f\" | cut -d/ -f3)\"; exit 0; fi; done; done; ")
        script = (f"p=$(printf ':%04X' {port}); k=0; "
                  f"while :; do {once}k=$((k+1)); [ $k -ge {max(1, timeout - 1)} ] && break; "
                  "sleep 1; done; echo \"$why\"; exit 1")
        return ["timeout", str(timeout), "sh", "-c", script]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        ok = exit_code == 0 and "held by pid" in output
        if ok:
            detail = (f"a process of container {self.container!r} ({_last_line(output)}) "
                      f"listens on port {self.port}")
        elif exit_code in _TIMED_OUT:
            detail = f"no answer in time about port {self.port}"
        else:
            detail = _last_line(output) or f"the listener check exited {exit_code}"
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           detail=detail)


@dataclass(frozen=True)
class Sockets(ContainerProbe):
    """On which addresses and TCP ports do programs listen in ``container``?

    Reads ``/proc/net/tcp`` and ``tcp6`` of its network namespace (what
    ``netstat -ltn`` shows); ``addresses`` holds ``address:port`` for each
    listening socket. :class:`Listening` says *who* holds one port; this says
    *where* every listener is bound (``127.0.0.1:80`` serves the container alone).
    """

    kind: ClassVar[str] = "sockets"

    def describe(self) -> str:
        return f"list the listening TCP sockets of container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        return ["sh", "-c", "cat /proc/net/tcp /proc/net/tcp6 2>/dev/null; true"]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        found = parse_proc_net_tcp(output)
        ok = exit_code == 0 and "local_address" in output
        listed = ", ".join(found) or "nothing"
        detail = f"listening: {listed}" if ok else (_last_line(output)
                                                   or f"reading /proc/net/tcp exited {exit_code}")
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           addresses=found, detail=detail)


@dataclass(frozen=True)
class Interfaces(ContainerProbe):
    """Which network interfaces does ``container`` have (its ``/proc/net/dev``)?"""

    kind: ClassVar[str] = "interfaces"

    def describe(self) -> str:
        return f"list the network interfaces of container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        return ["cat", "/proc/net/dev"]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        names = parse_net_dev(output)
        ok = exit_code == 0 and bool(names)
        detail = ("interfaces: " + ", ".join(names)) if ok else (
            _last_line(output) or f"reading /proc/net/dev exited {exit_code}")
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           interfaces=names, detail=detail)


@dataclass(frozen=True)
class LinkIndexes(ContainerProbe):
    """Each interface of ``container`` with its index and its peer's (``/sys/class/net``).

    A veth end's ``iflink`` is the index of its other end on the Docker host:
    with :class:`HostLinks` it tells which host interface, and so which
    bridge, a container is plugged into (:mod:`labcheck.hostside`).
    """

    kind: ClassVar[str] = "link_indexes"

    def describe(self) -> str:
        return f"read the interface indexes of container {self.container!r}"

    def command(self, timeout: int) -> list[str]:
        from .hostside import LINK_INDEXES_SCRIPT

        return ["sh", "-c", LINK_INDEXES_SCRIPT]

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        from .hostside import parse_link_indexes

        links = parse_link_indexes(output)
        ok = exit_code == 0 and bool(links)
        detail = ("interfaces: " + ", ".join(f"{link.name} (peer {link.iflink})" for link in links)
                  if ok else _last_line(output) or f"reading /sys/class/net exited {exit_code}")
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           interfaces=tuple(link.name for link in links), detail=detail)


@dataclass(frozen=True)
class HostLinks(Probe):
    """The Docker host's network interfaces, as its own ``ip -o link`` lists them.

    Run as root on the Docker host (:func:`labcheck.docker_host`); where
    there is no such access the result did not run, and says why.
    """

    kind: ClassVar[str] = "host_links"

    COMMAND: ClassVar[str] = "ip -o link"

    def describe(self) -> str:
        return "list the Docker host's network interfaces (ip -o link)"

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        from .hostside import parse_ip_link

        links = parse_ip_link(output)
        ok = exit_code == 0 and bool(links)
        detail = (f"{len(links)} interfaces on the Docker host" if ok
                  else _last_line(output) or f"ip -o link exited {exit_code}")
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           interfaces=tuple(link.name for link in links), detail=detail)


@dataclass(frozen=True)
class HostNet(Probe):
    """A Docker host's own network, as root there reads it: its links (``ip -o link``),
    IPv4 addresses (``ip -o -4 addr``), firewall with counters (``iptables-save -c``),
    and, with ``peer`` (another host's LAN address), whether one ping reaches that host.

    Run on the Docker host (:func:`labcheck.docker_host`) of a node of a multi-node lab
    (the multi-host part of :func:`labcheck.diagnose`); :meth:`section` gives one part
    of the output, :meth:`ping_exit` how the ping ended. Where there is no such access
    the result did not run, and says why.

    Each command's error output stays in its own section (``2>&1``): the runner hands
    back stdout and then stderr, and a stray line on stderr would otherwise land after
    the ping's verdict. ``ip -o link`` prints one (``Error: Peer netns reference is
    invalid.``) for every entry of ``/run/netns`` that is not a namespace where it runs:
    a namespace that ``ip netns add`` made in another mount namespace (another
    ``labcheck engine run`` session: the other engines of ``make test``), or a stale one.

    >>> HostNet(peer="10.219.0.12").command().endswith('echo "exit $?"; } 2>&1')
    True
    >>> HostNet(peer="x; reboot").command()
    Traceback (most recent call last):
    ...
    ValueError: not an IP address: 'x; reboot'
    """

    kind: ClassVar[str] = "host_net"
    peer: str = ""

    SECTIONS: ClassVar[tuple[str, ...]] = ("link", "addr", "iptables", "ping")

    def describe(self) -> str:
        toward = f", and ping {self.peer} from it" if self.peer else ""
        return f"read the Docker host's links, addresses and firewall{toward}"

    def command(self) -> str:
        """The shell script run as root on the Docker host."""
        import ipaddress

        script = ("echo '@@ link'; ip -o link; echo '@@ addr'; ip -o -4 addr; "
                  "echo '@@ iptables'; iptables-save -c")
        if self.peer:
            try:
                ipaddress.ip_address(self.peer)
            except ValueError:
                raise ValueError(f"not an IP address: {self.peer!r}") from None
            script += ("; echo '@@ ping'; if command -v ping >/dev/null; then P=ping; "
                       "else P='busybox ping'; fi; $P -c 2 -W 3 " + self.peer
                       + ' >/dev/null 2>&1; echo "exit $?"')
        return "{ " + script + "; } 2>&1"

    def interpret(self, exit_code: int, output: str) -> "ProbeResult":
        links = self.section(output, "link")
        ok = "@@ link" in output and bool(links.strip())
        detail = ("read the host's links, addresses and firewall" if ok
                  else _last_line(output) or f"the host's script exited {exit_code}")
        return ProbeResult(self, ran=True, succeeded=ok, output=output, exit_code=exit_code,
                           detail=detail)

    @staticmethod
    def section(output: str, name: str) -> str:
        """The part of ``output`` under ``@@ name`` ('' if absent).

        >>> HostNet.section("@@ link\\n1: lo: <UP>\\n@@ ping\\nexit 0\\n", "ping")
        'exit 0\\n'
        """
        part = output.partition(f"@@ {name}\n")[2]
        return part.split("\n@@ ", 1)[0] + ("\n" if "\n@@ " in part else "")

    @classmethod
    def ping_exit(cls, output: str) -> int | None:
        """The ping's exit status (0: the peer answered), read from its ``exit N`` line;
        None when the output holds no ping (no peer asked, or the script stopped before).

        Only that line counts: anything else in the section (error output of an earlier
        command, from a recording made before each section kept its own) says nothing
        about the ping.

        >>> HostNet.ping_exit("@@ ping\\nexit 0\\nError: Peer netns reference is invalid.\\n")
        0
        >>> HostNet.ping_exit("@@ ping\\nexit 1\\n"), HostNet.ping_exit("@@ link\\n")
        (1, None)
        """
        found = re.findall(r"^exit (\d+)$", cls.section(output, "ping"), re.MULTILINE)
        return int(found[0]) if found else None


@dataclass(frozen=True)
class ReachStandIn(ContainerProbe):
    """Can ``container`` reach a stand-in that the probe runner builds on this machine?

    The runner starts a labelled throw-away lab container on the default
    ``bridge``, serving HTTP on port 80 and published on an ephemeral host
    port, and removes it afterwards. ``to`` says which way it is reached:

    - ``neighbour``: its address on the default bridge, port 80 (a neighbour);
    - ``world``: the default bridge's gateway (the host) at the published port,
      so the packets are forwarded and NATed out of the container's network,
      the way they would go to the internet. An ``--internal`` network drops
      them; an ordinary one lets them through.

    Its result holds the address and port probed in ``detail``. Nothing leaves
    the machine.
    """

    kind: ClassVar[str] = "stand_in"
    to: str = "world"

    WAYS: ClassVar[tuple[str, ...]] = ("world", "neighbour")

    def describe(self) -> str:
        what = ("a neighbour on the default bridge" if self.to == "neighbour"
                else "the outside world (a stand-in reached through the host)")
        return f"reach {what} from container {self.container!r}"

    def command(self, timeout: int) -> list[str]:  # the runner builds the real one
        raise NotImplementedError("the probe runner resolves the stand-in's address first")

    def reach(self, address: str, port: int) -> "Reach":
        """The plain TCP reach this probe becomes once the stand-in exists."""
        return Reach(self.container, address, port=port)


@dataclass(frozen=True)
class HostReach(Probe):
    """Can the host reach a published port on ``host`` (loopback only)?

    Only loopback addresses are probed: labcheck sends no traffic off the
    machine. A port published on 0.0.0.0 answers on 127.0.0.1 too.
    """

    kind: ClassVar[str] = "host_reach"
    port: int = 0
    host: str = "127.0.0.1"

    def describe(self) -> str:
        return f"reach {self.host}:{self.port} from the host"


@dataclass(frozen=True)
class ProbeResult:
    """What a probe found.

    ``ran`` is False when the probe could not run at all (container stopped
    or missing); ``succeeded`` then is False too and ``detail`` says why.
    """

    probe: Probe
    ran: bool
    succeeded: bool
    detail: str = ""
    output: str = ""
    exit_code: int | None = None
    addresses: tuple[str, ...] = ()
    nameservers: tuple[str, ...] = ()
    http_status: int | None = None
    interfaces: tuple[str, ...] = ()
    duration_ms: float = field(default=0.0, compare=False)

    @property
    def failed(self) -> bool:
        return not self.succeeded

    def to_json(self) -> dict[str, Any]:
        return {
            "probe": self.probe.to_json(), "ran": self.ran, "succeeded": self.succeeded,
            "detail": self.detail, "output": self.output, "exit_code": self.exit_code,
            "addresses": list(self.addresses), "nameservers": list(self.nameservers),
            "http_status": self.http_status, "interfaces": list(self.interfaces),
            "duration_ms": round(self.duration_ms, 1),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "ProbeResult":
        return cls(
            probe=Probe.from_json(data["probe"]), ran=bool(data["ran"]),
            succeeded=bool(data["succeeded"]), detail=data.get("detail", ""),
            output=data.get("output", ""), exit_code=data.get("exit_code"),
            addresses=tuple(data.get("addresses", ())),
            nameservers=tuple(data.get("nameservers", ())),
            http_status=data.get("http_status"),
            interfaces=tuple(data.get("interfaces", ())),
            duration_ms=float(data.get("duration_ms", 0.0)),
        )


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1] if lines else ""


def _http_status(output: str) -> int | None:
    match = re.search(r"HTTP/\d(?:\.\d)?\s+(\d{3})", output)
    return int(match.group(1)) if match else None


def parse_nslookup(output: str) -> tuple[str, ...]:
    """The answer addresses in busybox (or bind) ``nslookup`` output, sorted."""
    _, sep, answers = output.partition("Name:")
    if not sep:
        return ()
    found = re.findall(r"^Address(?:\s+\d+)?:\s*([0-9a-fA-F.:]+)\s*$", answers, re.MULTILINE)
    valid = set()
    for addr in found:
        try:
            valid.add(str(ipaddress.ip_address(addr)))
        except ValueError:
            continue
    return tuple(sorted(valid, key=lambda a: ipaddress.ip_address(a).packed))


def parse_net_dev(text: str) -> tuple[str, ...]:
    """The interface names in ``/proc/net/dev``, sorted.

    >>> parse_net_dev("Inter-|   Receive\\n face |bytes\\n    lo: 0 0\\n  eth0: 1 2\\n")
    ('eth0', 'lo')
    """
    return tuple(sorted(m.group(1) for m in re.finditer(r"^\s*([^\s:|]+):", text, re.MULTILINE)))


def parse_proc_net_tcp(text: str) -> tuple[str, ...]:
    """The listening sockets (state 0A) of ``/proc/net/tcp``/``tcp6`` as ``address:port``.

    The kernel writes addresses in hex, in host byte order (little-endian
    here) for each 32-bit word. IPv6 addresses come as ``[addr]:port``.

    >>> parse_proc_net_tcp(
    ...     "  sl  local_address rem_address   st\\n"
    ...     "   0: 0100007F:0050 00000000:0000 0A\\n"
    ...     "   1: 00000000:1F90 00000000:0000 0A\\n"
    ...     "   2: 0200000A:1F90 0300000A:D2F0 01\\n"
    ...     "   0: 00000000000000000000000000000000:0050 "
    ...     "00000000000000000000000000000000:0000 0A\\n")
    ('127.0.0.1:80', '0.0.0.0:8080', '[::]:80')
    """
    found: list[str] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 4 or parts[3] != "0A" or ":" not in parts[1]:
            continue
        raw, _, port_hex = parts[1].partition(":")
        try:
            port = int(port_hex, 16)
            packed = bytes.fromhex(raw)
        except ValueError:
            continue
        words = b"".join(packed[i:i + 4][::-1] for i in range(0, len(packed), 4))
        if len(words) == 4:
            found.append(f"{ipaddress.IPv4Address(words)}:{port}")
        elif len(words) == 16:
            found.append(f"[{ipaddress.IPv6Address(words)}]:{port}")
    return tuple(dict.fromkeys(found))


def parse_resolv_conf(text: str) -> tuple[str, ...]:
    """The ``nameserver`` entries of a resolv.conf, in order."""
    return tuple(m.group(1) for m in re.finditer(r"^\s*nameserver\s+(\S+)", text, re.MULTILINE))


# -- pure helpers of the runner (labcheck.live.probes) ------------------------

def group_by_container(probes: Sequence[Probe]) -> list[list[Probe]]:
    """Container probes grouped by container (one exec each); other probes alone."""
    groups: dict[str, list[Probe]] = {}
    alone: list[list[Probe]] = []
    for probe in probes:
        if isinstance(probe, ContainerProbe):
            groups.setdefault(probe.container, []).append(probe)
        else:
            alone.append([probe])
    return list(groups.values()) + alone


def lacks_tool(exit_code: int, output: str) -> bool:
    """Whether a command's exit code or output says its tool is missing from the image."""
    return exit_code in _NOT_FOUND or "executable file not found" in output


_MARK = "@@labcheck-probe"


def batch_script(commands: Sequence[Sequence[str]]) -> str:
    """A shell script running ``commands`` side by side, then printing each one's
    exit code and output behind a marker line (see :func:`parse_batch`).

    >>> print(batch_script([["true"]]).splitlines()[1])
    ( true >"$d/0" 2>&1 </dev/null; echo $? >"$d/0.rc" ) &
    """
    import shlex

    lines = ['d=/tmp/.labcheck-$$; mkdir -p "$d" || exit 90']
    for index, command in enumerate(commands):
        lines.append(f'( {shlex.join(command)} >"$d/{index}" 2>&1 </dev/null; '
                     f'echo $? >"$d/{index}.rc" ) &')
    lines.append("wait")
    indexes = " ".join(str(i) for i in range(len(commands)))
    lines.append(f'for i in {indexes}; do printf "\\n{_MARK} %s %s\\n" "$i" '
                 f'"$(cat "$d/$i.rc" 2>/dev/null || echo 255)"; cat "$d/$i" 2>/dev/null; done')
    lines.append('rm -rf "$d"')
    return "\n".join(lines)


def parse_batch(output: str) -> dict[int, tuple[int, str]]:
    """{index: (exit code, output)} from what :func:`batch_script` printed.

    >>> parse_batch("\\n@@labcheck-probe 0 1\\nno\\n\\n@@labcheck-probe 1 0\\nyes\\n")
    {0: (1, 'no\\n'), 1: (0, 'yes\\n')}
    """
    parts = re.split(rf"\n{_MARK} (\d+) (\d+)\n", output)
    found: dict[int, tuple[int, str]] = {}
    for index in range(1, len(parts) - 2, 3):
        found[int(parts[index])] = (int(parts[index + 1]), parts[index + 2])
    return found


def probes_from_json(items: Iterable[Mapping[str, Any]]) -> tuple[Probe, ...]:
    """Parse a list of probe specs (``{"kind": ..., ...}``)."""
    return tuple(Probe.from_json(item) for item in items)
