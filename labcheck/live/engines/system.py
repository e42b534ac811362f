"""The machine's own daemon, or whatever answers ``DOCKER_HOST``: the ``system`` engine.

Starting it is the second half of ``make daemon`` (``scripts/ensure-docker.sh``
installs the packages first): nothing when a daemon already answers
(Docker Desktop, docker-ce, a context); as root, the machine's dockerd with
the course's configuration (``scripts/daemon.json``), the lab DNS on its
gateway and the fence that keeps the lab on this machine. Stopping it is refused
unless labcheck started it (``/var/run/labcheck-dockerd``): a user's own
daemon is never stopped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Mapping

from ...errors import EnvironmentProblem
from ..processes import wait_gone
from . import labdns
from .base import Engine, EngineStatus, Say, quiet
from .netns import DAEMON_CONFIG
from .sockets import api_version_at

__all__ = ["SystemEngine", "DEFAULT_HOST"]

DEFAULT_HOST = "unix:///var/run/docker.sock"
#: Written when labcheck started the machine's daemon itself.
OURS = Path("/var/run/labcheck-dockerd")
PIDFILE = Path("/var/run/docker.pid")
LOG = Path("/var/log/labcheck-dockerd.log")
DNS_LOG = Path("/var/log/labcheck-lab-dns.log")
#: The lab's address ranges: daemon.json's pools (10.213/10.214) and the subnets
#: lessons choose (10.220...), all inside this one.
LAB_RANGES = "10.208.0.0/12"


def fence_off_machine() -> None:
    """Nothing from the lab may leave this machine: reject it at every uplink.

    For each interface with a default route: containers' forwarded traffic to it
    is rejected (``DOCKER-USER`` is the chain Docker keeps for such rules), and so
    is the host's own traffic to the lab's ranges (an address of a pool that no
    bridge holds would otherwise follow the default route out).
    """
    if shutil.which("iptables") is None:
        return
    routes = subprocess.run(["ip", "route", "show", "default"], capture_output=True, text=True,
                            check=False).stdout.split()
    uplinks = sorted({routes[i + 1] for i, word in enumerate(routes[:-1]) if word == "dev"})
    for uplink in uplinks:
        for rule in (["DOCKER-USER", "-o", uplink, "-j", "REJECT",
                      "--reject-with", "icmp-net-unreachable"],
                     ["OUTPUT", "-o", uplink, "-d", LAB_RANGES, "-j", "REJECT",
                      "--reject-with", "icmp-net-unreachable"]):
            if subprocess.run(["iptables", "-C", *rule], capture_output=True,
                              check=False).returncode != 0:
                subprocess.run(["iptables", "-I", *rule], capture_output=True, check=False)


class SystemEngine(Engine):
    """The daemon at ``DOCKER_HOST`` (default: the machine's socket)."""

    kind = "system"

    def __init__(self, name: str = "system", environ: Mapping[str, str] | None = None) -> None:
        super().__init__(name)
        env = os.environ if environ is None else environ
        self._host = env.get("DOCKER_HOST") or DEFAULT_HOST

    @property
    def state_dir(self) -> Path:
        return Path("/var/lib/docker")

    def docker_host_url(self) -> str:
        return self._host

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        env = super().environ(base)
        if self._host == DEFAULT_HOST:  # the default socket: no variable needed
            env.pop("DOCKER_HOST", None)
        return env

    def start(self, *, say: Say = quiet) -> EngineStatus:
        """A daemon that answers is left alone (ours gets its lab DNS and fence back);
        else, as root, the machine's dockerd starts with the course's configuration."""
        current = self.status()
        if current.running:
            if OURS.exists() and self._host == DEFAULT_HOST:
                self._lab_dns(say)
                fence_off_machine()
            return current
        if self._host != DEFAULT_HOST:
            raise EnvironmentProblem(f"DOCKER_HOST is set ({self._host}) but no daemon answers "
                                     "there. Start that daemon, or unset DOCKER_HOST (and "
                                     "DOCKER_CONTEXT) to use a local one")
        if os.geteuid() != 0:
            raise EnvironmentProblem("no Docker daemon answers. Install and start Docker "
                                     "(https://docs.docker.com/engine/install/), or on "
                                     "Debian/Ubuntu run as root: sudo make daemon")
        if shutil.which("dockerd") is None:
            raise EnvironmentProblem("dockerd is not installed: on Debian/Ubuntu, as root, "
                                     "make daemon installs docker.io")
        say(f"starting dockerd with {DAEMON_CONFIG} (log: {LOG})")
        OURS.touch()
        with LOG.open("ab") as log:
            dockerd = subprocess.Popen(["dockerd", "--config-file", str(DAEMON_CONFIG)],
                                       stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and dockerd.poll() is None:
            if api_version_at(DEFAULT_HOST):
                self._lab_dns(say)
                fence_off_machine()
                say("Docker daemon is up")
                return self.status()
            time.sleep(0.25)
        tail = "\n".join(LOG.read_text(errors="replace").splitlines()[-15:])
        raise EnvironmentProblem(f"dockerd did not answer (it exited, or not within 60 s); "
                                 f"its log ends with:\n{tail}")

    def _lab_dns(self, say: Say) -> None:
        gateway = labdns.gateway_of(DAEMON_CONFIG)
        if not labdns.answers(gateway):
            labdns.start(gateway, DNS_LOG)
            say(f"lab DNS (NXDOMAIN for every outside name) on {gateway}:53")

    def stop(self, *, purge: bool = False) -> bool:
        if not OURS.exists() or self._host != DEFAULT_HOST:
            raise EnvironmentProblem(f"engine {self.name!r} is the machine's own daemon, which "
                                     "labcheck did not start: stop it the way it was started")
        was_running = self.status().running
        with contextlib.suppress(OSError, ValueError):
            pid = int(PIDFILE.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            wait_gone(pid, 30)
        # the lab DNS started beside it: a labdns.py (of any checkout or install; lab-dns.py
        # before it moved into the package) in this network namespace, never one that
        # serves a netns engine in its own
        here = os.readlink("/proc/self/ns/net")
        names = {labdns.SCRIPT.name, "lab-dns.py"}
        for proc in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError, ValueError):
                argv = proc.read_bytes().decode(errors="replace").split("\0")
                if (any(Path(arg).name in names for arg in argv[1:3])
                        and os.readlink(proc.parent / "ns" / "net") == here):
                    os.kill(int(proc.parent.name), signal.SIGTERM)
        OURS.unlink(missing_ok=True)
        return was_running

    def status(self) -> EngineStatus:
        version = api_version_at(self._host)
        if version is None and not self._host.startswith(("unix://", "tcp://")):
            with contextlib.suppress(Exception):  # ssh:// or a TLS daemon: ask through docker-py
                client = self.client(timeout=10)
                try:
                    version = client.version()
                finally:
                    client.close()
        if not version:
            return EngineStatus(self.name, self.kind, False, docker_host=self._host,
                                where="this machine", problem=f"no daemon answers at {self._host}")
        return EngineStatus(self.name, self.kind, True, str(version.get("Version", "")),
                            str(version.get("ApiVersion", "")), self._host, "this machine",
                            details={"started_by_labcheck": OURS.exists()})
