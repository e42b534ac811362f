"""connect(): the one place a Docker client is made; and the one translation of its errors.

It honours ``DOCKER_HOST``, ``DOCKER_TLS_VERIFY``, ``DOCKER_CERT_PATH`` and
``DOCKER_CONTEXT`` (and the docker CLI's current context), checks that the
engine answers and is recent enough, and turns docker-py's failures into
:class:`~labcheck.errors.LabcheckError` subclasses whose one-line message
says what to do. :func:`daemon_errors` is the one place where what docker-py
raises while a client is in use becomes a LabcheckError: a daemon that does
not answer (or fails in itself) is an environment problem (exit 3); a request
the daemon refused, when the caller names what it was doing, is a usage
error (exit 2) naming the object.
"""

from __future__ import annotations

import hashlib
import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping

from ..errors import (
    DaemonNotRunning,
    DaemonPermissionDenied,
    DaemonTLSError,
    DaemonTooOld,
    DaemonUnreachable,
    EnvironmentProblem,
    LabcheckError,
    ObjectNotFound,
    UsageError,
)

if TYPE_CHECKING:  # pragma: no cover
    import docker

__all__ = ["MIN_API_VERSION", "connect", "describe_target", "translate_docker_error",
           "daemon_errors", "where", "connected", "engine_version"]

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
    config_dir = Path(environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    name = environ.get("DOCKER_CONTEXT") or _current_context_name(config_dir)
    if name == "default":
        return None, None, "the default socket"
    host, tls = _read_context(config_dir, name)
    return host, tls, f"docker context {name!r} ({host})"


def _current_context_name(config_dir: Path) -> str:
    """The context ``docker context use`` chose (``currentContext`` in config.json)."""
    config_file = config_dir / "config.json"
    try:
        data = json.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "default"
    except (OSError, ValueError) as exc:
        raise EnvironmentProblem(
            f"the docker config file {config_file} cannot be read ({exc})",
            advice="Fix or remove it, or point DOCKER_CONFIG at another folder") from None
    return str(data.get("currentContext") or "default") if isinstance(data, dict) else "default"


def _read_context(config_dir: Path, name: str) -> tuple[str, Any]:
    """(host, TLSConfig or None) of the docker context ``name``, as the docker CLI stores it.

    Read here rather than with ``docker.context.ContextAPI``, which finds the
    contexts folder only when config.json exists beside it: a fresh
    ``DOCKER_CONFIG`` (or ``~/.docker``) with contexts but no config.json made
    every context "not exist".
    """
    from docker.tls import TLSConfig

    context_id = hashlib.sha256(name.encode("utf-8")).hexdigest()
    meta_file = config_dir / "contexts" / "meta" / context_id / "meta.json"
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        endpoint = meta["Endpoints"]["docker"]
        host = str(endpoint["Host"])
    except FileNotFoundError:
        raise EnvironmentProblem(f"docker context {name!r} does not exist in {config_dir}",
                                 advice="Try: docker context ls") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EnvironmentProblem(
            f"docker context {name!r} cannot be read ({type(exc).__name__}: {exc})",
            advice=f"Try: docker context inspect {name}") from None
    tls_dir = config_dir / "contexts" / "tls" / context_id / "docker"
    ca, cert, key = (tls_dir / f for f in ("ca.pem", "cert.pem", "key.pem"))
    verify = not endpoint.get("SkipTLSVerify", False)
    if not (cert.is_file() and key.is_file()) and not (verify and ca.is_file()):
        return host, None
    return host, TLSConfig(client_cert=(str(cert), str(key)) if cert.is_file() else None,
                           ca_cert=str(ca) if verify and ca.is_file() else None,
                           verify=verify)


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
        # Ask the unversioned /version first (any engine answers it), then make the
        # client for the API version the engine speaks: docker-py's version="auto"
        # would ask before _trust_only_docker_ca() can take effect.
        probe = _make_client(docker, base_url, tls, environ, MIN_API_VERSION)
        try:
            version = probe.api.version(api_version=False)
        finally:
            probe.close()
    except Exception as exc:  # noqa: BLE001 - translated below
        raise translate_docker_error(exc, where) from None
    api_version = str(version.get("ApiVersion", "0"))
    if _api_tuple(api_version) < _api_tuple(MIN_API_VERSION):
        raise DaemonTooOld(
            f"the Docker engine at {where} speaks API {api_version} "
            f"(engine {version.get('Version', '?')}); labcheck needs API {MIN_API_VERSION} "
            "(Docker 19.03) or newer", advice="Upgrade Docker.")
    try:
        client = _make_client(docker, base_url, tls, environ, api_version)
    except Exception as exc:  # noqa: BLE001 - translated below
        raise translate_docker_error(exc, where) from None
    client.api.timeout = timeout
    return client


def _make_client(docker: Any, base_url: str | None, tls: Any, environ: Mapping[str, str],
                 api_version: str) -> "docker.DockerClient":
    """A client for an explicit API version: it sends no request until used."""
    if base_url is None:
        client = docker.DockerClient.from_env(timeout=_PING_TIMEOUT, environment=environ,
                                              version=api_version)
    else:
        client = docker.DockerClient(base_url=base_url, tls=tls or False,
                                     timeout=_PING_TIMEOUT, version=api_version)
    _trust_only_docker_ca(client)
    return client


def _trust_only_docker_ca(client: "docker.DockerClient") -> None:
    """Verify a TLS daemon with the CA of DOCKER_CERT_PATH or the context, as the CLI does.

    requests lets ``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` (set on many
    corporate and CI machines) replace docker-py's own ``ca.pem``, and every
    TLS connection then fails "certificate verify failed" (docker/docker-py
    #2433). Ignoring the environment also skips HTTP(S)_PROXY for that
    client: a Docker daemon is reached directly, as the docker CLI's TLS
    connections to ``tcp://`` hosts normally are.
    """
    if isinstance(getattr(client.api, "verify", None), str):
        client.api.trust_env = False


def translate_docker_error(exc: BaseException, where: str) -> LabcheckError:
    """The LabcheckError that explains ``exc`` raised while talking to ``where``."""
    import ssl

    if isinstance(exc, LabcheckError):
        return exc
    answered = _engine_answer(exc)
    if answered is not None:
        return EnvironmentProblem(f"the Docker engine at {where} answered with an error: "
                                  f"{answered}", advice=_CHECK_THE_DAEMON)
    text = f"{type(exc).__name__}: {exc}"
    chain = [exc]
    while (context := chain[-1].__context__) is not None and len(chain) < 10:
        chain.append(context)
    kinds = {type(e) for e in chain}
    lowered = text.lower()
    if any(issubclass(k, PermissionError) for k in kinds) or "permission denied" in lowered:
        return DaemonPermissionDenied(
            f"permission denied on the Docker socket ({where})",
            advice="Add yourself to the docker group and log in again: "
                   "sudo usermod -aG docker $USER")
    if (any(issubclass(k, ssl.SSLError) for k in kinds) or "ssl" in lowered
            or "certificate" in lowered or "http request to an https server" in lowered):
        return _tls_error(lowered, where, _short(exc))
    if "unix://" in where or "default socket" in where or "npipe" in where or (
            "no such file" in lowered or "filenotfounderror" in lowered):
        return DaemonNotRunning(
            f"no Docker daemon answers at {where}",
            advice="Start Docker (Docker Desktop, or 'sudo systemctl start docker'), or run "
                   "'make lab' in the course folder")
    if "docker_host" in where.lower() or "context" in where:
        back = ("switch back with 'docker context use default' (or unset DOCKER_CONTEXT)"
                if "context" in where else "unset DOCKER_HOST")
        return DaemonUnreachable(
            f"the Docker daemon at {where} does not answer ({_short(exc)})",
            advice=f"Check that it runs and listens there, or {back} to use the local one")
    return DaemonNotRunning(f"cannot talk to the Docker daemon at {where}: {_short(exc)}")


def _engine_answer(exc: BaseException) -> str | None:
    """The engine's own explanation when ``exc`` is an answer from it (an APIError with an
    HTTP status), else None: such an error never means that no daemon answers."""
    import docker.errors

    if not isinstance(exc, docker.errors.APIError) or not exc.status_code:
        return None
    if "http request to an https server" in str(exc).lower():
        return None  # a TLS daemon spoken to in plain HTTP: _tls_error says what to set
    text = str(exc.explanation or exc).strip().rstrip(".").splitlines()
    first = text[0] if text else f"HTTP {exc.status_code}"
    return first if len(first) <= 300 else first[:297] + "..."


def _tls_error(lowered: str, where: str, short: str) -> DaemonTLSError:
    """Which side of the TLS set-up is wrong, and where to fix it."""
    files = ("the context's TLS files (docker context inspect)" if "context" in where
             else "DOCKER_CERT_PATH")
    if "http request to an https server" in lowered:
        why = "the daemon requires TLS but the client spoke plain HTTP"
        advice = ("Set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH to the folder with ca.pem, "
                  "cert.pem and key.pem")
    elif "wrong version number" in lowered:
        why = "the daemon does not speak TLS there"
        advice = "Unset DOCKER_TLS_VERIFY, or check the port"
    elif "must be provided" in lowered or "tlsparametererror" in lowered:
        why = "the client certificate files are missing"
        advice = f"Check {files}; without DOCKER_CERT_PATH docker looks in ~/.docker"
    elif "mismatch" in lowered or "doesn't match" in lowered:
        why = f"the daemon's certificate does not name the host you connect to ({short})"
        advice = "Connect by a name or address listed in its certificate"
    elif "certificate verify failed" in lowered:
        why = f"the daemon's certificate is not signed by the CA you trust ({short})"
        advice = f"Check ca.pem in {files}"
    elif any(alert in lowered for alert in ("bad certificate", "bad_certificate", "unknown ca",
                                             "unknown_ca", "certificate required",
                                             "certificate_required")):
        why = "the daemon rejected the client certificate: it is not signed by the daemon's CA"
        advice = f"Check cert.pem and key.pem in {files}"
    elif "eof occurred" in lowered or "connection reset" in lowered:
        why = ("the daemon closed the TLS handshake, most likely because it does not accept "
               "the client certificate")
        advice = f"Check cert.pem and key.pem in {files}"
    else:
        why = short
        advice = f"Check ca.pem, cert.pem and key.pem in {files}, and DOCKER_TLS_VERIFY"
    return DaemonTLSError(f"TLS with the Docker daemon at {where} failed: {why}", advice=advice)


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


@contextmanager
def connected(client: "docker.DockerClient | None" = None) -> "Iterator[docker.DockerClient]":
    """``client`` as it is, or one made by :func:`connect` and closed when the block ends."""
    if client is not None:
        yield client
        return
    own = connect()
    try:
        yield own
    finally:
        own.close()


def engine_version(client: "docker.DockerClient") -> dict[str, Any]:
    """The engine's ``/version`` answer (Version, ApiVersion, ...)."""
    with daemon_errors(client):
        return dict(client.version())


#: What to do about an engine that fails in itself.
_CHECK_THE_DAEMON = "Check the daemon (docker info, its log)"

#: Words in a daemon's error answer that say the engine itself is failing, not the request.
_ENGINE_FAILURES = ("containerd", "no space left on device", "read-only file system",
                    "cannot allocate memory", "input/output error")


def where(client: Any) -> str:
    """The address of ``client``'s daemon, for messages ('' if it has none).

    A unix socket's client has the base URL ``http+docker://localhost``;
    the socket's path is in docker-py's adapter, and says more.
    """
    api = getattr(client, "api", client)
    socket_path = getattr(getattr(api, "_custom_adapter", None), "socket_path", None)
    if isinstance(socket_path, str) and socket_path:
        return f"unix://{socket_path}"
    return str(getattr(api, "base_url", "") or "")


@contextmanager
def daemon_errors(client: Any = None, doing: str | None = None) -> Iterator[None]:
    """Turn what docker-py raises inside the block into a :class:`LabcheckError`.

    A daemon that does not answer (connection refused or reset, a timeout,
    any OSError) or that fails in itself (a 502/503/504 answer, containerd
    gone, a full disk) becomes an :class:`EnvironmentProblem` (exit 3), as
    :func:`translate_docker_error` explains it. When ``doing`` says what the
    caller asked for ("cannot run container 'web'"), a request the daemon
    answered with a refusal becomes :class:`ObjectNotFound` (404) or
    :class:`UsageError` (exit 2) with the daemon's reason; without
    ``doing``, every failure is an environment problem.
    """
    try:
        yield
    except LabcheckError:
        raise
    except Exception as exc:  # noqa: BLE001 - sorted below; anything else goes on
        import docker.errors

        if not isinstance(exc, (docker.errors.DockerException, OSError)):
            raise
        raise _translated(exc, where(client), doing) from None


def _translated(exc: BaseException, address: str, doing: str | None) -> LabcheckError:
    """The LabcheckError for ``exc``; see :func:`daemon_errors`."""
    import docker.errors

    if isinstance(exc, docker.errors.APIError) and doing is not None:
        reason = str(exc.explanation or exc)
        status = exc.status_code or 0
        failing = status in (502, 503, 504) or any(w in reason.lower() for w in _ENGINE_FAILURES)
        if not failing:
            if status == 404 or isinstance(exc, docker.errors.NotFound):
                return ObjectNotFound(f"{doing}: {reason}")
            return UsageError(f"{doing}: {reason}")
        return EnvironmentProblem(f"{doing}: the Docker engine at {address or 'its address'} "
                                  f"failed ({reason})", advice=_CHECK_THE_DAEMON)
    return translate_docker_error(exc, address)
