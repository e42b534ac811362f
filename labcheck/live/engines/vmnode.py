"""A node of a multi-host lab inside the engine VM, as an :class:`~.base.Engine`.

The nodes themselves are made by :mod:`labcheck.live.vm.nodes` (through
:func:`labcheck.live.engines.nodes.up`); this is how one of them is seen and
stopped: its client on ``tcp://127.0.0.1:PORT`` (QEMU's forward of its API),
its status, root on its Docker host (the node's network namespace in the VM,
through the helper container every engine has). Its engine name is the
lab's (``lab-node1``), as a native node's.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from ...errors import EnvironmentProblem
from ..vm import nodes as guest
from ..vm.paths import EnginePaths
from .base import Engine, EngineStatus, Say, quiet
from .sockets import api_version_at

if TYPE_CHECKING:
    import docker

__all__ = ["VmNodeEngine", "vm_node_engine"]


class VmNodeEngine(Engine):
    """The node ``node`` (``node1``) of the lab in the user's engine VM."""

    kind = "vm"

    def __init__(self, name: str, node: str, paths: EnginePaths | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        super().__init__(name)
        self.node = node
        self.paths = paths or EnginePaths.default(environ)

    @property
    def state_dir(self) -> Path:
        return self.paths.run

    def _port(self) -> int | None:
        record = guest.read_record(self.paths)
        return record.ports.get(self.node) if record is not None else None

    def docker_host_url(self) -> str:
        port = self._port()
        if port is None:
            raise EnvironmentProblem(f"node {self.node!r} does not run in the engine VM",
                                     advice="Start the lab: labcheck nodes up")
        return f"tcp://127.0.0.1:{port}"

    def client(self, timeout: int = 300) -> "docker.DockerClient":
        """A docker-py client of the node; patient: three dockerds in one emulated VM, in
        swarm mode, can take a minute to answer one call on a busy machine."""
        return super().client(timeout=timeout)

    def start(self, *, say: Say = quiet) -> EngineStatus:
        status = self.status()
        if not status.running:
            raise EnvironmentProblem(f"node {self.node!r} of the engine VM starts with its lab",
                                     advice="Run: labcheck nodes up")
        return status

    def stop(self, *, purge: bool = False) -> bool:
        """Remove the node from the VM (its data is in the VM's memory: always purged)."""
        was = self._port() is not None
        guest.stop(self.paths, [self.node])
        return was

    def status(self) -> EngineStatus:
        where = f"network namespace {self.node} in the engine VM"
        port = self._port()
        version = api_version_at(f"tcp://127.0.0.1:{port}") if port is not None else None
        details: dict[str, object] = {"node": self.node, "port": port}
        if not version:
            return EngineStatus(self.name, self.kind, False, where=where, details=details,
                                problem="" if port is None else "its dockerd does not answer")
        return EngineStatus(self.name, self.kind, True, str(version.get("Version", "")),
                            str(version.get("ApiVersion", "")), f"tcp://127.0.0.1:{port}",
                            where, details=details)


def vm_node_engine(name: str, environ: Mapping[str, str] | None = None) -> VmNodeEngine | None:
    """The VM node whose engine name is ``name`` (``lab-node1``), or None."""
    paths = EnginePaths.default(environ)
    record = guest.read_record(paths)
    if record is None:
        return None
    for node in record.ports:
        if name == f"{record.lab}-{node}":
            return VmNodeEngine(name, node, paths)
    return None
