"""The QEMU engine of :mod:`labcheck.live.vm` as an :class:`~.base.Engine` that owns its paths.

For a user without root or without a daemon: built once from Debian
packages (``labcheck engine build``), started from its saved state in a few
seconds, reachable on ``tcp://127.0.0.1:PORT``, its published ports
forwarded to this machine's 127.0.0.1. The engine named ``vm`` lives in the
user's engine folder (:func:`labcheck.live.vm.paths.engine_dir`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ...errors import EnvironmentProblem
from ..vm import qemu
from ..vm.engine import available
from ..vm.paths import EnginePaths
from .base import Engine, EngineStatus, Say, quiet

__all__ = ["VmEngine"]


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
            raise EnvironmentProblem("the engine VM is not running. Start it: "
                                     "labcheck engine start vm")
        return host

    def is_available(self) -> bool:
        """Whether it can start here: QEMU installed and the image built."""
        return available(self.paths)

    def start(self, *, say: Say = quiet, timeout: float = 300) -> EngineStatus:
        if qemu.docker_host(self.paths) is None and not self.is_available():
            raise EnvironmentProblem("no engine VM here: install qemu-system-x86 and run "
                                     "labcheck engine build")
        qemu.start(self.paths, timeout=timeout, say=say)
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
                                     "cpus": st.state.cpus, "memory_mib": st.state.memory_mib})
