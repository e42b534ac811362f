"""The QEMU engine of :mod:`labcheck.live.vm` as an :class:`~.base.Engine` that owns its paths.

For a user without root or without a daemon: built once from Debian
packages (``labcheck engine build``), started from its saved state in a few
seconds, reachable on ``tcp://127.0.0.1:PORT``, its published ports
forwarded to this machine's 127.0.0.1. The engine named ``vm`` lives in the
user's engine folder (:func:`labcheck.live.vm.paths.engine_dir`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from ...errors import EnvironmentProblem
from ...progress import reporting
from ..vm import qemu
from ..vm.engine import available
from ..vm.paths import EnginePaths
from .base import Engine, EngineStatus, Say, quiet

__all__ = ["VmEngine", "autostart"]


class VmEngine(Engine):
    """The user's engine VM (one per user: the name ``vm``)."""

    kind = "vm"

    def __init__(self, name: str = "vm", environ: Mapping[str, str] | None = None) -> None:
        super().__init__(name)
        if name != "vm":
            raise EnvironmentProblem(f"a VM engine is named 'vm' (one per user), not {name!r}")
        self.paths = EnginePaths.default(environ)

    @property
    def state_dir(self) -> Path:
        return self.paths.root

    def docker_host_url(self) -> str:
        host = qemu.docker_host(self.paths)
        if host is None:
            raise EnvironmentProblem("the engine VM is not running",
                                     advice="Start it: labcheck engine start vm")
        return host

    def is_available(self) -> bool:
        """Whether it can start here: QEMU installed and the image built."""
        return available(self.paths)

    def start(self, *, say: Say = quiet, timeout: float = 300,
              tag: str | None = None) -> EngineStatus:
        """Start it (``tag``: a saved state to restore instead of the ready one, if saved)."""
        if qemu.docker_host(self.paths) is None and not self.is_available():
            raise EnvironmentProblem("no engine VM here",
                                     advice="Install qemu-system-x86 and run: labcheck engine "
                                            "build")
        qemu.start(self.paths, timeout=timeout, say=say, tag=tag)
        return self.status()

    def stop(self, *, purge: bool = False) -> bool:
        return qemu.stop(self.paths)

    def status(self) -> EngineStatus:
        st = qemu.status(self.paths)
        if not st.running or st.state is None:
            return EngineStatus(self.name, self.kind, False, where="a QEMU VM",
                                problem=st.problem)
        return EngineStatus(self.name, self.kind, True, st.version, st.api_version,
                            st.state.docker_host, "a QEMU VM", st.forwards, st.problem,
                            details={"pid": st.state.pid, "accel": st.state.accel,
                                     "cpus": st.state.cpus, "memory_mib": st.state.memory_mib,
                                     "ready_seconds": st.state.ready_seconds})


def autostart(reason: str, environ: Mapping[str, str] | None = None,
              say: Say = print) -> str | None:
    """Start the engine VM for a lesson where no daemon answers; its ``DOCKER_HOST``, or None.

    ``reason`` is why the local daemon was not used (one line). With
    ``environ`` None the VM's address goes into ``os.environ["DOCKER_HOST"]``
    so that everything in this process (docker-py, the docker CLI in ``!``
    cells) uses it. ``LABCHECK_ENGINE_AUTOSTART=0`` turns this off.
    """
    env = os.environ if environ is None else environ
    if env.get("LABCHECK_ENGINE_AUTOSTART", "1") == "0":
        return None
    engine = VmEngine("vm", env)
    if qemu.docker_host(engine.paths) is None and not engine.is_available():
        return None
    say(f"{reason.rstrip('.')}: starting labcheck's Docker engine VM (QEMU) instead.")
    with reporting("engine VM", done_message="engine VM ready") as bar:
        steps = iter(range(1, 1000))

        def tick(message: str) -> None:
            bar(min(next(steps), 29), 30, message)

        tick("starting QEMU")
        status = engine.start(say=tick)
    if environ is None:
        os.environ["DOCKER_HOST"] = status.docker_host
    ready = status.details.get("ready_seconds", 0.0)
    say(f"Using the engine VM at {status.docker_host} (ready in {ready:.1f} s); DOCKER_HOST is "
        "set for this kernel. Stop it with: labcheck engine stop")
    return status.docker_host
