"""Build the troubleshooting scenarios of lesson 06 on a daemon, each with a hidden fault.

``labcheck.scenario("06-loopback").build()`` removes what the scenario made
before, builds the broken app (labelled with the lesson) and prints the
symptom as a user would report it. The descriptions are pure
(:mod:`labcheck.scenarios`); the exercise ``06-*`` grades the repair.

Tests build the same apps under unique names: pass a
:class:`~labcheck.checks.base.Binding` (``names``) and a test's
:class:`~labcheck.live.lab.Lab`. Nothing here sends traffic off the
machine: the "outside world" of ``06-internal`` is a lab container on the
default bridge, published on that bridge's gateway address only.
"""

from __future__ import annotations

import contextlib
import textwrap
from typing import TYPE_CHECKING, Callable

from ..checks.base import Binding
from ..lab import http_command
from ..probes import Listening
from ..scenarios import (
    DB_ALIAS,
    MTU_PATH,
    MTU_SERVER,
    MTU_SUBNET,
    TYPO_HOST,
    VPN_HOST_END,
    VPN_SERVER,
    VPN_SUBNET,
    Scenario,
    scenario_info,
)
from .lab import Lab

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["LiveScenario", "scenario", "health_command", "wait_listening", "bridge_gateway",
           "vpn_script", "mtu_script", "DEPOT_COMMAND"]

#: The lesson whose label every scenario object carries.
LESSON = "06"


def wait_listening(lab: Lab, container: str, port: int, seconds: int = 5) -> bool:
    """Wait until a process of ``container`` listens on ``port`` (any address)."""
    code, _ = lab.exec(container, Listening(container, port).command(seconds))
    return code == 0


def health_command(db_host_var: str = "DB_HOST", port: int = 8000, db_port: int = 5432
                   ) -> list[str]:
    """An app that serves ``/health`` on ``port`` only while ``$DB_HOST:db_port`` answers.

    Every second it tries a TCP connection to the host named in the
    environment variable; busybox httpd then answers 200 for ``/health``, or
    404 while the file is missing.
    """
    loop = (f"while :; do if timeout 2 nc ${db_host_var} {db_port} </dev/null >/dev/null; "
            "then echo ok > /www/health; else rm -f /www/health; fi; sleep 1; done")
    return ["sh", "-c", f"mkdir -p /www; echo app > /www/index.html; trap 'exit 0' TERM INT; "
                        f"({loop}) & httpd -f -p {port} -h /www & wait $!"]


def bridge_gateway(client: "docker.DockerClient") -> str:
    """The IPv4 gateway of the default bridge (the host's address there)."""
    attrs = client.api.inspect_network("bridge")
    for pool in (attrs.get("IPAM") or {}).get("Config") or []:
        gateway = pool.get("Gateway") or ""
        if gateway and ":" not in gateway:
            return str(gateway)
    return "172.17.0.1"


# -- the builders: each makes the broken app, and returns extra symptom fields ------------

def _loopback(lab: Lab, n: Binding) -> dict[str, str]:
    lab.network(n["shop"])
    lab.run(n["web"], network=n["shop"], command=http_command(80, "shop", address="127.0.0.1"))
    lab.run(n["shopper"], network=n["shop"])
    wait_listening(lab, n["web"], 80)
    return {}


def _wrong_port(lab: Lab, n: Binding) -> dict[str, str]:
    port = n.port(8062)
    lab.run(n["site"], command=http_command(8080, "site"), ports={80: ("127.0.0.1", port)})
    wait_listening(lab, n["site"], 8080)
    return {"port": str(port)}


def _alias(lab: Lab, n: Binding) -> dict[str, str]:
    lab.network(n["back"])
    lab.network(n["admin"])
    lab.run(n["db"], network=n["admin"], aliases=["database"], networks=[n["admin"], n["back"]],
            http=5432)
    lab.run(n["api"], network=n["back"])
    wait_listening(lab, n["db"], 5432)
    return {}


def _default_bridge(lab: Lab, n: Binding) -> dict[str, str]:
    lab.run(n["cache"], http=6379)      # no network: the default bridge
    lab.run(n["app"])
    wait_listening(lab, n["cache"], 6379)
    return {}


def _internal(lab: Lab, n: Binding) -> dict[str, str]:
    lab.network(n["vault"], internal=True)
    lab.network(n["egress"])
    lab.run(n["db"], network=n["vault"], http=5432)
    lab.run(n["fetcher"], network=n["vault"])
    gateway = bridge_gateway(lab.client)
    lab.run(n["mirror"], command=http_command(80, "updates"), ports={80: (gateway, n.port(8065))})
    wait_listening(lab, n["mirror"], 80)
    attrs = lab.client.api.inspect_container(n["mirror"])
    bound = ((attrs.get("NetworkSettings") or {}).get("Ports") or {}).get("80/tcp") or []
    port = bound[0].get("HostPort") if bound else "?"
    return {"url": f"http://{gateway}:{port}/"}


def _port_taken(lab: Lab, n: Binding) -> dict[str, str]:
    import docker.errors

    port = n.port(8066)
    lab.remove(n["blog"])          # a repaired blog from before holds the port
    lab.run(n["old-blog"], command=http_command(80, "old blog"), ports={80: ("127.0.0.1", port)})
    lab.run(n["blog"], command=http_command(80, "new blog"), ports={80: ("127.0.0.1", port)},
            start=False)
    with contextlib.suppress(docker.errors.APIError):   # refused: the port is allocated
        lab.client.api.start(n["blog"])
    wait_listening(lab, n["old-blog"], 80)
    return {"port": str(port)}


def _typo(lab: Lab, n: Binding) -> dict[str, str]:
    lab.network(n["orders"])
    lab.run(n["db"], network=n["orders"], aliases=[DB_ALIAS], http=5432)
    lab.run(n["app"], network=n["orders"], command=health_command(),
            environment={"DB_HOST": TYPO_HOST})
    lab.run(n["monitor"], network=n["orders"])
    wait_listening(lab, n["db"], 5432)
    wait_listening(lab, n["app"], 8000)
    return {}


def vpn_script(pid: int, link: str) -> str:
    """The host's side of a stand-in VPN: a veth pair ``link`` (host) to ``vpn0`` in the
    network namespace of process ``pid`` (the intranet server's container), with the route
    a VPN client adds (:data:`~labcheck.scenarios.VPN_SUBNET` via ``link``). The pair goes
    away with that container."""
    prefix = VPN_SUBNET.split("/")[1]
    inside = f"nsenter -t {pid} -n"
    return (f"set -e; ip link add {link} type veth peer name vpn0 netns {pid}; "
            f"ip addr add {VPN_HOST_END}/{prefix} dev {link}; ip link set {link} up; "
            f"{inside} ip addr add {VPN_SERVER}/{prefix} dev vpn0; "
            f"{inside} ip link set vpn0 up; {inside} ip route add default via {VPN_HOST_END}")


def _vpn_clash(lab: Lab, n: Binding) -> dict[str, str]:
    from .dockerhost import docker_host

    host = docker_host(lab.client).require()     # the VPN's route is the host's
    lab.run(n["intranet"], network_mode="none", command=http_command(80, "intranet"))
    attrs = lab.client.api.inspect_container(n["intranet"])
    done = host.run(vpn_script(int(attrs["State"]["Pid"]), "vpn" + attrs["Id"][:10]))
    done.check("making the stand-in VPN on the Docker host")
    lab.network(n["office"], subnet=VPN_SUBNET)   # the clash: an explicit subnet, the VPN's
    lab.run(n["laptop"], network=n["office"])
    wait_listening(lab, n["intranet"], 80)
    return {}


#: The download server of 06-mtu: a small page and a 512 KB file on port 8080.
DEPOT_COMMAND = ["sh", "-c", "mkdir -p /www; echo small > /www/small; "
                             "dd if=/dev/zero of=/www/big bs=1024 count=512 2>/dev/null; "
                             "trap 'exit 0' TERM INT; httpd -f -p 8080 -h /www & wait $!"]


def mtu_script(pids: dict[str, int], link: str) -> str:
    """The host's side of 06-mtu: the Docker host --veth ``link``-- hop1 ==narrow link==
    hop2 --veth-- depot, each of hop1, hop2 and depot the network namespace of a container
    (process ``pids[name]``), with no network of Docker's. The narrow link (between the
    routers) has an MTU of :data:`~labcheck.scenarios.MTU_PATH` on both ends; hop2 drops
    the "fragmentation needed" messages it would send back (a firewall that drops all ICMP,
    as many do), so a sender on the far side never learns the path's MTU. The veth pairs go
    away with the containers (a moment after their removal); the host's route with
    ``link``."""
    base = MTU_SUBNET.split("/")[0].rsplit(".", 1)[0]    # 10.214.249

    def at(name: str) -> str:
        return f"nsenter -t {pids[name]} -n"

    hop1, hop2, depot = at("hop1"), at("hop2"), at("depot")
    return "; ".join([
        "set -e",
        f"ip link add {link} type veth peer name up0 netns {pids['hop1']}",
        f"ip addr add {base}.1/30 dev {link}", f"ip link set {link} up",
        f"{hop1} ip addr add {base}.2/30 dev up0", f"{hop1} ip link set up0 up",
        f"{hop1} ip link add wan0 mtu {MTU_PATH} type veth peer name wan1 mtu {MTU_PATH} "
        f"netns {pids['hop2']}",
        f"{hop1} ip addr add {base}.5/30 dev wan0", f"{hop1} ip link set wan0 up",
        f"{hop2} ip addr add {base}.6/30 dev wan1", f"{hop2} ip link set wan1 up",
        f"{hop2} ip link add lan0 type veth peer name eth0 netns {pids['depot']}",
        f"{hop2} ip addr add {base}.9/30 dev lan0", f"{hop2} ip link set lan0 up",
        f"{depot} ip addr add {MTU_SERVER}/30 dev eth0", f"{depot} ip link set eth0 up",
        f"{depot} ip route add default via {base}.9",
        f"{hop1} ip route add default via {base}.1",
        f"{hop1} ip route add {base}.8/30 via {base}.6",
        f"{hop2} ip route add default via {base}.5",
        f"{hop1} sysctl -qw net.ipv4.ip_forward=1", f"{hop2} sysctl -qw net.ipv4.ip_forward=1",
        f"{hop2} iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP",
        # replace: the route of a build just removed may linger a moment (a container's
        # network namespace, and the veth in it, go away in the background)
        f"ip route replace {MTU_SUBNET} via {base}.2 dev {link}",
    ])


def _mtu(lab: Lab, n: Binding) -> dict[str, str]:
    from .dockerhost import docker_host

    host = docker_host(lab.client).require()     # the routers are the host's neighbours
    pids: dict[str, int] = {}
    for name in ("hop1", "hop2", "depot"):
        lab.run(n[name], network_mode="none", command=DEPOT_COMMAND if name == "depot" else None)
        pids[name] = int(lab.client.api.inspect_container(n[name])["State"]["Pid"])
    ident = lab.client.api.inspect_container(n["hop1"])["Id"]
    host.run(mtu_script(pids, "mtu" + ident[:10])).check(
        "making the path with a narrow link on the Docker host")
    lab.network(n["shopnet"])                    # the fault: the default MTU, 1500
    lab.run(n["buyer"], network=n["shopnet"])
    wait_listening(lab, n["depot"], 8080)
    return {}


_BUILDERS: dict[str, Callable[[Lab, Binding], dict[str, str]]] = {
    "06-loopback": _loopback, "06-wrong-port": _wrong_port, "06-alias": _alias,
    "06-default-bridge": _default_bridge, "06-internal": _internal,
    "06-port-taken": _port_taken, "06-typo": _typo, "06-vpn-clash": _vpn_clash,
    "06-mtu": _mtu,
}


class LiveScenario:
    """One scenario on a daemon: :meth:`build` it, then repair it and grade the exercise."""

    def __init__(self, info: Scenario, lab: Lab, names: Binding) -> None:
        self.info = info
        self.lab = lab
        self.names = names
        self.symptom = ""

    @property
    def id(self) -> str:
        return self.info.id

    def build(self, quiet: bool = False) -> None:
        """Build the broken app (replacing this lab's earlier one); print the symptom.

        The symptom is kept in :attr:`symptom` too (``quiet`` prints nothing).
        """
        extra = _BUILDERS[self.info.id](self.lab, self.names)
        self.symptom = self.info.symptom_for(dict(self.names.names), **extra)
        if not quiet:
            print(f"Scenario {self.info.id}: {self.info.title}")
            for line in self.symptom.splitlines():   # at most 120 characters a line
                print(textwrap.fill(line, 120, break_on_hyphens=False))

    def __repr__(self) -> str:
        return f"<scenario {self.info.id}: {self.info.title}>"


def scenario(scenario_id: str, *, client: "docker.DockerClient | None" = None,
             lab: Lab | None = None, names: Binding | None = None) -> LiveScenario:
    """The scenario ``scenario_id`` (``06-...``), ready to :meth:`~LiveScenario.build`.

    ``lab`` defaults to lesson 06's lab on ``client``; ``names`` maps the
    exercise's object names to real ones (default: as they are).
    """
    info = scenario_info(scenario_id)
    return LiveScenario(info, lab or Lab(LESSON, client=client), names or Binding())
