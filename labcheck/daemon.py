"""connect(): the one place a Docker client is made.

It honours ``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH`` and
``DOCKER_CONTEXT`` (and the docker CLI's current context), checks that the
engine answers and is recent enough, and turns docker-py's failures into
:class:`~labcheck.errors.LabcheckError` subclasses whose one-line message
says what to do.
"""

from __future__ import annotations

import os
import ssl
from typing import TYPE_CHECKING, Any, Mapping

from .errors import (
    DaemonNotRunning,
    DaemonPermissionDenied,
    DaemonTLSError,
    DaemonTooOld,
    DaemonUnreachable,
    EnvironmentProblem,
    LabcheckError,
)

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["MIN_API_VERSION", "connect", "describe_target", "translate_docker_error"]

#: Docker Engine 19.03. Older engines lack parts of the network API we read.
MIN_API_VERSION = "1.40"

_PING_TIMEOUT = 10


def _api_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


def _context_settings(environ: Mapping[str, str]) -> tuple[str | None, Any, str]:
    """(base_url, tls, where) from DOCKER_HOST, DOCKER_CONTEXT or the CLI's context."""
    if environ.get("DOCKER_HOST"):
        return None, None, f"DOCKER_HOST={environ['DOCKER_HOST']}"
    from docker.context import ContextAPI

    name = environ.get("DOCKER_CONTEXT")
    try:
        context = ContextAPI.get_context(name) if name else ContextAPI.get_current_context()
    except Exception as exc:  # noqa: BLE001 - a broken ~/.docker is an environment problem
        raise EnvironmentProblem(
            f"docker context {name or '(current)'} cannot be read: {exc}. "
            "Try: docker context ls") from None
    if context is None:
        raise EnvironmentProblem(
            f"docker context {name!r} does not exist. Try: docker context ls")
    if context.name == "default" and not name:
        return None, None, "the default socket"
    host = context.Host
    tls = context.TLSConfig if getattr(context, "TLSConfig", None) else None
    return host, tls, f"docker context {context.name!r} ({host})"


def describe_target(environ: Mapping[str, str] | None = None) -> str:
    """Where :func:`connect` would look for a daemon, in words."""
    environ = os.environ if environ is None else environ
    try:
        return _context_settings(environ)[2]
    except LabcheckError as exc:
        return str(exc)


def connect(timeout: int = 60, environ: Mapping[str, str] | None = None) -> "docker.DockerClient":
    """A docker client for the daemon the environment names, checked to answer.

    Raises a :class:`~labcheck.errors.LabcheckError` subclass with a one-line
    fix when the daemon is missing, forbidden, unreachable, or too old.
    """
    import docker

    environ = dict(os.environ if environ is None else environ)
    base_url, tls, where = _context_settings(environ)
    try:
        if base_url is None:
            client = docker.DockerClient.from_env(timeout=_PING_TIMEOUT, environment=environ,
                                                  version="auto")
        else:
            client = docker.DockerClient(base_url=base_url, tls=tls or False,
                                         timeout=_PING_TIMEOUT, version="auto")
        version = client.version()
    except Exception as exc:  # noqa: BLE001 - translated below
        raise translate_docker_error(exc, where) from None
    api_version = str(version.get("ApiVersion", "0"))
    if _api_tuple(api_version) < _api_tuple(MIN_API_VERSION):
        client.close()
        raise DaemonTooOld(
            f"the Docker engine at {where} speaks API {api_version} "
            f"(engine {version.get('Version', '?')}); labcheck needs API {MIN_API_VERSION} "
            "(Docker 19.03) or newer. Upgrade Docker.")
    client.api.timeout = timeout
    return client


def translate_docker_error(exc: BaseException, where: str) -> LabcheckError:
    """The LabcheckError that explains ``exc`` raised while talking to ``where``."""
    if isinstance(exc, LabcheckError):
        return exc
    text = f"{type(exc).__name__}: {exc}"
    chain = [exc]
    while chain[-1].__context__ is not None and len(chain) < 10:
        chain.append(chain[-1].__context__)  # type: ignore[arg-type]
    kinds = {type(e) for e in chain}
    lowered = text.lower()
    if any(issubclass(k, PermissionError) for k in kinds) or "permission denied" in lowered:
        return DaemonPermissionDenied(
            f"permission denied on the Docker socket ({where}). Add yourself to the docker "
            "group and log in again: sudo usermod -aG docker $USER")
    if any(issubclass(k, ssl.SSLError) for k in kinds) or "ssl" in lowered or "certificate" in lowered:
        return DaemonTLSError(
            f"TLS with the Docker daemon at {where} failed ({_short(exc)}). Check "
            "DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) and DOCKER_TLS_VERIFY")
    if "unix://" in where or "default socket" in where or "npipe" in where or (
            "no such file" in lowered or "filenotfounderror" in lowered):
        return DaemonNotRunning(
            f"no Docker daemon answers at {where}. Start Docker (Docker Desktop, or "
            "'sudo systemctl start docker'), or run 'make lab' in the course folder")
    if "docker_host" in where.lower() or "context" in where:
        return DaemonUnreachable(
            f"the Docker daemon at {where} does not answer ({_short(exc)}). Check that it "
            "runs and listens there, or unset DOCKER_HOST / DOCKER_CONTEXT to use the local one")
    return DaemonNotRunning(f"cannot talk to the Docker daemon at {where}: {_short(exc)}")


_ROOT_CAUSES = ("connection refused", "timed out", "name or service not known",
                "no route to host", "network is unreachable", "connection reset",
                "certificate verify failed", "wrong version number", "no such file or directory")


def _short(exc: BaseException) -> str:
    """The root cause of a connection failure in a few words."""
    lowered = str(exc).lower()
    for cause in _ROOT_CAUSES:
        if cause in lowered:
            return cause
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."
