"""Ask a Docker API for its version without docker-py: fast, and for any API version.

Engines answer ``GET /version`` on a unix socket (``unix:///...``) or a TCP
port (``tcp://127.0.0.1:PORT``). The docker CLI is not used: an older CLI
cannot talk to Engine 29 and later.
"""

from __future__ import annotations

import http.client
import json
import socket
from pathlib import Path
from typing import Any

__all__ = ["api_version_of", "api_version_at"]


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self._path)
        self.sock = sock


def _ask(conn: http.client.HTTPConnection) -> dict[str, Any] | None:
    try:
        conn.request("GET", "/version")
        response = conn.getresponse()
        if response.status != 200:
            return None
        answer = json.loads(response.read())
        return answer if isinstance(answer, dict) and "Version" in answer else None
    except (OSError, ValueError, http.client.HTTPException):
        return None
    finally:
        conn.close()


def api_version_of(path: Path | str, timeout: float = 5.0) -> dict[str, Any] | None:
    """The ``/version`` answer of the engine on the unix socket ``path``; None if none answers."""
    return _ask(_UnixConnection(str(path), timeout))


def api_version_at(docker_host: str, timeout: float = 5.0) -> dict[str, Any] | None:
    """The same for a ``unix://`` or plain ``tcp://`` ``DOCKER_HOST`` (no TLS); None otherwise."""
    if docker_host.startswith("unix://"):
        return api_version_of(docker_host[len("unix://"):], timeout)
    if docker_host.startswith("tcp://"):
        hostport = docker_host[len("tcp://"):].rstrip("/")
        host, _, port = hostport.rpartition(":")
        if host and port.isdigit():
            return _ask(http.client.HTTPConnection(host.strip("[]"), int(port), timeout=timeout))
    return None
