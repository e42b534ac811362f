"""The shape every engine has: :class:`Engine`, and what it answers, :class:`EngineStatus`.

A kind subclasses :class:`Engine` and fills in ``start``, ``stop``,
``status``, ``docker_host_url`` and ``state_dir``; the rest (environment,
client, root on the Docker host, running a command beside the engine) is
shared here and built on those.
"""

from __future__ import annotations

import os
import re
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, Sequence

from ...progress import Say

if TYPE_CHECKING:
    import docker

    from ..dockerhost import DockerHost

__all__ = ["Engine", "EngineStatus", "Say", "KINDS", "valid_name", "quiet"]


#: The kinds of engine, in the order ``labcheck engine list`` shows them.
KINDS = ("system", "netns", "vm")

_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,39}$")


def valid_name(name: str) -> str:
    """``name`` if it can name an engine (a namespace, a folder, a socket), else ValueError.

    >>> valid_name("node1")
    'node1'
    >>> valid_name("../x")
    Traceback (most recent call last):
    ...
    ValueError: an engine name holds letters, digits, '.', '_' and '-' (at most 40), not '../x'
    """
    if not _NAME.match(name):
        raise ValueError("an engine name holds letters, digits, '.', '_' and '-' (at most 40), "
                         f"not {name!r}")
    return name


def quiet(_: str) -> None:
    """A ``say`` that says nothing."""


@dataclass
class EngineStatus:
    """What :meth:`Engine.status` answers: running or not, and where."""

    name: str
    kind: str
    running: bool
    version: str = ""
    api_version: str = ""
    docker_host: str = ""
    #: the engine's own network: a namespace, a VM, or "this machine"
    where: str = ""
    #: published ports forwarded to this machine's 127.0.0.1 (the VM), e.g. "127.0.0.1:8080/tcp"
    forwards: list[str] = field(default_factory=list)
    #: why it is not running or not answering, in one line
    problem: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def describe(self) -> str:
        """One line for a person.

        >>> EngineStatus("n1", "netns", True, "28.5.2", docker_host="unix:///x.sock",
        ...              where="network namespace labcheck-n1").describe()
        'n1 (netns): running, Docker 28.5.2 at unix:///x.sock, network namespace labcheck-n1'
        >>> EngineStatus("vm", "vm", False, problem="no image").describe()
        'vm (vm): not running (no image)'
        """
        head = f"{self.name} ({self.kind}): "
        if not self.running:
            return head + "not running" + (f" ({self.problem})" if self.problem else "")
        parts = [f"running, Docker {self.version or '?'} at {self.docker_host}"]
        if self.where:
            parts.append(self.where)
        if self.forwards:
            parts.append("forwarded to this machine: " + ", ".join(self.forwards))
        if self.problem:
            parts.append(self.problem)
        return head + ", ".join(parts)


class Engine(ABC):
    """One Docker engine: a kind, a name, and what every kind can do."""

    kind: ClassVar[str]

    def __init__(self, name: str) -> None:
        self.name = valid_name(name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"

    # -- what each kind fills in -------------------------------------------------------

    @property
    @abstractmethod
    def state_dir(self) -> Path:
        """The folder that holds this engine's files (state, sockets, logs)."""

    @abstractmethod
    def docker_host_url(self) -> str:
        """The ``DOCKER_HOST`` that reaches this engine (whether or not it runs)."""

    @abstractmethod
    def start(self, *, say: Say = quiet) -> EngineStatus:
        """Start it (nothing when it already answers); its status once it answers.

        Raises :class:`~labcheck.errors.EnvironmentProblem` saying why when it cannot.
        """

    @abstractmethod
    def stop(self, *, purge: bool = False) -> bool:
        """Stop it and leave nothing of it running; True when it was running.

        ``purge`` also removes its data (images, containers, cached state).
        """

    @abstractmethod
    def status(self) -> EngineStatus:
        """Running or not, version, address, forwarded ports."""

    # -- shared ------------------------------------------------------------------------

    def environ(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """``base`` (default: this process's environment) pointed at this engine.

        ``DOCKER_HOST`` is set; a docker context or TLS settings meant for another
        daemon are dropped.
        """
        env = dict(os.environ if base is None else base)
        for var in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH"):
            env.pop(var, None)
        env["DOCKER_HOST"] = self.docker_host_url()
        return env

    def env_lines(self, environ: Mapping[str, str] | None = None) -> list[str]:
        """Shell lines that point the docker CLI and docker-py at this engine.

        A docker context or TLS settings set in ``environ`` (default: this
        process's) are unset: they would send the client elsewhere.
        """
        env = os.environ if environ is None else environ
        lines = [f"export DOCKER_HOST={self.docker_host_url()}"]
        lines += [f"unset {var}" for var in ("DOCKER_CONTEXT", "DOCKER_TLS_VERIFY",
                                              "DOCKER_CERT_PATH") if env.get(var)]
        lines.append("# Run this command to configure your shell:")
        lines.append(f"# eval \"$(labcheck engine env {self.name})\"")
        return lines

    def client(self, timeout: int = 60) -> "docker.DockerClient":
        """A docker-py client of this engine (its errors translated as :func:`connect`'s)."""
        from ..daemon import connect

        return connect(timeout=timeout, environ={"DOCKER_HOST": self.docker_host_url()})

    def docker_host(self) -> "DockerHost":
        """Root on this engine's Docker host (this machine, a namespace, the VM)."""
        from ..dockerhost import docker_host

        return docker_host(self.client())

    def command(self, argv: Sequence[str]) -> list[str]:
        """``argv`` as run beside this engine: where its published ports answer on 127.0.0.1.

        The default runs it as it is; a netns engine runs it inside its namespace.
        The environment is the caller's (give it :meth:`environ`).
        """
        return list(argv)
