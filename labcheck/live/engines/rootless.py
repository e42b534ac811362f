"""A rootless dockerd for one ordinary user, in a network namespace with loopback only.

The student's engine on a class server (:mod:`labcheck.hub.session`). It
runs as the user, never as root on the machine: ``rootlesskit`` makes a user
namespace (the user's subordinate ids, from ``/etc/subuid``) and a PID
namespace, with the host's network (``--net=host``: no slirp4netns, no
vpnkit, so no path out is ever set up); its child then makes a *new* network
namespace (``unshare --net``) and raises only ``lo``. dockerd, its
containers and everything else the user runs there share that namespace:
127.0.0.1 is theirs alone, and with no other interface and no route in any
table, nothing can leave it. When rootlesskit ends, the PID namespace ends
and every process in it with it.

Beside dockerd, in the same namespaces, runs the lab DNS
(:mod:`labcheck.live.engines.labdns`) on the default bridge's gateway, the
containers' upstream DNS (``--dns``): a container's lookup of a name Docker
does not answer itself gets NXDOMAIN at once, as in the course's other
engines; it never forwards. It binds port 53 of the gateway as the user
namespace's root, which the user namespace owning this network namespace
allows; :func:`running` starts both and stops both.

rootlesskit 1.1 has no ``--net=none`` ("unknown network mode"), hence the
second namespace. Rootless mode runs without cgroups on a cgroup v1 machine
(no memory or CPU limits per container).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from ...errors import EnvironmentProblem
from . import labdns
from .sockets import api_version_of

__all__ = ["outer_argv", "dockerd_argv", "scrub_run", "wait_answer", "running", "network_facts",
           "BRIDGE_IP", "ADDRESS_POOL", "LAB_DNS"]

#: The engine's default bridge and pool: the course's (``scripts/daemon.json``).
BRIDGE_IP = "10.213.0.1/24"
ADDRESS_POOL = "base=10.214.0.0/16,size=24"
#: Containers' upstream DNS: the bridge's gateway, where the lab DNS answers
#: NXDOMAIN to every name (:func:`running` starts it; there is no route out either).
LAB_DNS = "10.213.0.1"
#: What the host's /run holds that must not be seen as this engine's
#: (``--copy-up=/run`` copies the machine's, including its daemon's socket link).
_STALE = ("docker", "docker.sock", "docker.pid", "containerd", "xtables.lock")


def outer_argv(state_dir: Path, child: Sequence[str]) -> list[str]:
    """rootlesskit with no network driver of its own, a PID namespace, then ``child``
    in a network namespace of its own (loopback only)."""
    return ["rootlesskit", "--net=host", "--port-driver=none", "--pidns",
            "--copy-up=/etc", "--copy-up=/run", f"--state-dir={state_dir}",
            "unshare", "--net", "--", *child]


def dockerd_argv(run: Path, data: Path) -> list[str]:
    """dockerd's command line, every path in the user's own folders."""
    return ["dockerd", "--data-root", str(data), "--exec-root", str(run / "exec"),
            "-H", f"unix://{run / 'docker.sock'}", "--pidfile", str(run / "docker.pid"),
            "--bip", BRIDGE_IP, "--default-address-pool", ADDRESS_POOL, "--dns", LAB_DNS,
            "--userland-proxy-path", "/usr/sbin/docker-proxy", "--shutdown-timeout", "2"]


def scrub_run() -> None:
    """Inside the namespaces: loopback up, the machine's daemon files gone from /run.

    /run is the user namespace's copy (tmpfs): removing from it changes
    nothing of the machine's.
    """
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    for name in _STALE:
        path = Path("/run") / name
        if path.is_symlink() or path.is_file() or path.is_socket():
            path.unlink()
        elif path.is_dir():
            subprocess.run(["rm", "-rf", str(path)], check=False)


def wait_answer(socket: Path, process: subprocess.Popen[bytes], log: Path,
                timeout: float = 60) -> str:
    """The engine's version once its API answers on ``socket``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        answer = api_version_of(socket, timeout=2) if socket.exists() else None
        if answer:
            return str(answer.get("Version", "?"))
        time.sleep(0.2)
    tail = log.read_text(errors="replace").splitlines()[-15:] if log.exists() else []
    raise EnvironmentProblem("the student's dockerd did not answer (exit "
                             f"{process.poll()}); its log ends:\n" + "\n".join(tail))


@contextlib.contextmanager
def running(run: Path, data: Path,
            env: Mapping[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """Inside the namespaces: dockerd, then the lab DNS on its gateway; both stopped on leaving.

    Yields dockerd's process once its API answers on ``run``/docker.sock.
    Logs: ``run``/dockerd.log and ``run``/lab-dns.log.
    """
    with (run / "dockerd.log").open("ab") as log:
        dockerd = subprocess.Popen(dockerd_argv(run, data), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=dict(env))
    dns = 0
    try:
        wait_answer(run / "docker.sock", dockerd, run / "dockerd.log")
        dns = labdns.start(LAB_DNS, run / "lab-dns.log", python=sys.executable)
        yield dockerd
    finally:
        if dns:
            with contextlib.suppress(ProcessLookupError):
                os.kill(dns, signal.SIGTERM)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(dns, 0)
        if dockerd.poll() is None:
            dockerd.terminate()
            try:
                dockerd.wait(8)
            except subprocess.TimeoutExpired:
                dockerd.kill()
                dockerd.wait(5)


def network_facts(environ: Mapping[str, str] | None = None) -> dict[str, object]:
    """What this network namespace has: interfaces, routes, and where 192.0.2.1 would go.

    Read from the kernel's tables (``ip``); nothing is sent. ``route_out`` is
    the answer of ``ip route get`` (a lookup): "unreachable" when there is no
    way off the namespace.
    """
    env = dict(os.environ if environ is None else environ)

    def ip(*args: str) -> str:
        done = subprocess.run(["ip", *args], capture_output=True, text=True, env=env)
        return (done.stdout + done.stderr).strip()

    links = [line.split(":")[1].strip().split("@")[0]
             for line in ip("-o", "link").splitlines() if ":" in line]
    return {"links": links,
            "routes_v4": ip("-4", "route", "show", "table", "all").splitlines(),
            "routes_v6": [r for r in ip("-6", "route", "show", "table", "all").splitlines()
                          if not r.startswith(("local ", "multicast ", "anycast "))
                          and " dev lo " not in f" {r} "],
            "route_out": ip("route", "get", "192.0.2.1"),
            "route_out_v6": ip("-6", "route", "get", "2001:db8::1")}
