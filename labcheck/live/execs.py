"""Run a command in a container: the one exec primitive of the live side.

:func:`run_in` is ``docker exec``: create, start, read the exit code. The
probe runner, the stand-in's readiness wait and :meth:`Lab.exec
<labcheck.live.lab.Lab.exec>` all go through it. It raises docker-py's own
errors; each caller says what they mean where it knows the context (a probe
that did not run, an EnvironmentProblem, ...). :func:`decode` turns what the
daemon sends back (exec output, container logs) into text.

A command is bounded in time *inside* the container (``timeout N ...`` in its
argv, as the probes do): the API has no deadline for an exec.

>>> ExecResult(0, "ok\\n").ok
True
>>> decode(b"caf\\xc3\\xa9"), decode(None)
('café', '')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["ExecResult", "decode", "run_in"]


@dataclass(frozen=True)
class ExecResult:
    """How a command run in a container ended: its exit code and what it printed.

    ``output`` is stdout and stderr together, in the order they came;
    ``exit_code`` is -1 where the daemon did not report one.
    """

    exit_code: int
    output: str

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def decode(raw: Any) -> str:
    """Text of what the daemon sent (bytes, str or None); bad UTF-8 is replaced."""
    if isinstance(raw, bytes):
        return raw.decode("utf-8", errors="replace")
    return str(raw or "")


def run_in(client: "docker.DockerClient", container: str, argv: Sequence[str] | str, *,
           user: str | None = None) -> ExecResult:
    """Run ``argv`` in the running ``container`` (a name or an id) and wait for it.

    ``user`` runs it as that user (default: the container's). Raises
    docker-py's ``NotFound`` (no such container) or ``APIError`` (not
    running, refused); nothing is translated here.
    """
    api = client.api
    command = argv if isinstance(argv, str) else list(argv)
    exec_id = api.exec_create(container, command, stdout=True, stderr=True,
                              user=user or "")["Id"]
    raw = api.exec_start(exec_id)
    exit_code = api.exec_inspect(exec_id).get("ExitCode")
    return ExecResult(-1 if exit_code is None else int(exit_code), decode(raw))
