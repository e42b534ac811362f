"""The machine's own daemon, or whatever answers ``DOCKER_HOST``: the ``system`` engine.

Starting it is what ``make daemon`` does (``scripts/ensure-docker.sh``):
nothing when a daemon already answers (Docker Desktop, docker-ce, a
context); on Debian/Ubuntu as root, install docker.io and start dockerd
with the course's configuration and the lab DNS. Stopping it is refused
unless labcheck started it (``/var/run/labcheck-dockerd``): a user's own
daemon is never stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Mapping

from ...errors import EnvironmentProblem
from .base import Engine, EngineStatus, Say, quiet
from .netns import LAB_DNS, PROJECT
from .sockets import api_version_at

__all__ = ["SystemEngine", "DEFAULT_HOST"]

DEFAULT_HOST = "unix:///var/run/docker.sock"
#: Written by scripts/ensure-docker.sh when it started the daemon itself.
OURS = Path("/var/run/labcheck-dockerd")
PIDFILE = Path("/var/run/docker.pid")


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
        current = self.status()
        if current.running:
            return current
        script = PROJECT / "scripts" / "ensure-docker.sh"
        if self._host != DEFAULT_HOST or not script.is_file():
            raise EnvironmentProblem(f"no Docker daemon answers at {self._host}: start it "
                                     "(or, in the course's checkout, run make daemon)")
        say("starting the machine's Docker daemon (scripts/ensure-docker.sh)")
        env = {k: v for k, v in os.environ.items() if k not in ("DOCKER_HOST", "DOCKER_CONTEXT")}
        out = subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True,
                             check=False)
        for line in out.stderr.splitlines():
            say(line)
        status = self.status()
        if not status.running:
            raise EnvironmentProblem("the machine's Docker daemon did not start: "
                                     + (out.stderr.strip().splitlines() or ["no message"])[-1])
        return status

    def stop(self, *, purge: bool = False) -> bool:
        if not OURS.exists() or self._host != DEFAULT_HOST:
            raise EnvironmentProblem(f"engine {self.name!r} is the machine's own daemon, which "
                                     "labcheck did not start: stop it the way it was started")
        was_running = self.status().running
        with contextlib.suppress(OSError, ValueError):
            pid = int(PIDFILE.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            for _ in range(150):
                if not Path(f"/proc/{pid}").exists():
                    break
                time.sleep(0.2)
        for proc in Path("/proc").glob("[0-9]*/cmdline"):  # the lab DNS ensure-docker started
            with contextlib.suppress(OSError, ValueError):
                if str(LAB_DNS).encode() in proc.read_bytes():
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
