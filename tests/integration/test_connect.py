"""connect(): each way of failing, through the Python API and the CLI, and DOCKER_CONTEXT.

The failures are real: a closed TCP port, a socket path that does not exist,
the real socket used by an unprivileged user. The one stand-in is a tiny HTTP
server on a unix socket that answers ``/version`` with an old API version:
it exists to test the version check, which no available engine can fail.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from labcheck.live.daemon import MIN_API_VERSION, connect
from labcheck.errors import (
    EXIT_ENVIRONMENT,
    DaemonNotRunning,
    DaemonTooOld,
    DaemonUnreachable,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from as_user import AsUser, as_nobody_fixture  # noqa: E402,F401 - the fixture as_nobody

pytestmark = pytest.mark.docker

#: The socket of the engine under test: DOCKER_HOST's when it names one (a second
#: engine in `make test`), else the machine's daemon.
REAL_SOCKET = (os.environ["DOCKER_HOST"][len("unix://"):]
               if os.environ.get("DOCKER_HOST", "").startswith("unix://") else "/var/run/docker.sock")


def _env(**extra: str) -> dict[str, str]:
    """A clean environment for a labcheck subprocess (no inherited DOCKER_*)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCKER_")}
    env.update(extra)
    return env


def _cli(env: dict[str, str], *args: str, user: AsUser | None = None,
         ) -> subprocess.CompletedProcess:
    """``labcheck ARGS`` here, or as ``user`` from a copy that user can read."""
    if user is None:
        return subprocess.run([sys.executable, "-m", "labcheck", *args], env=env,
                              capture_output=True, text=True, timeout=60,
                              cwd=Path(__file__).resolve().parents[2])
    return subprocess.run(user.python_command("-m", "labcheck", *args), env=user.environ(env),
                          capture_output=True, text=True, timeout=60, cwd=user.root)


def _one_line(done: subprocess.CompletedProcess, *words: str) -> str:
    assert done.returncode == EXIT_ENVIRONMENT, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    assert done.stdout == ""
    return lines[0]


# -- a dead DOCKER_HOST ---------------------------------------------------------------

def test_dead_tcp_docker_host(closed_port):
    host = f"tcp://127.0.0.1:{closed_port}"
    with pytest.raises(DaemonUnreachable) as info:
        connect(environ=_env(DOCKER_HOST=host))
    assert host in str(info.value) and "connection refused" in str(info.value)
    assert "unset DOCKER_HOST" in str(info.value)
    _one_line(_cli(_env(DOCKER_HOST=host), "snapshot"), host, "does not answer")


def test_socket_path_that_does_not_exist(tmp_path):
    host = f"unix://{tmp_path}/no-docker.sock"
    with pytest.raises(DaemonNotRunning) as info:
        connect(environ=_env(DOCKER_HOST=host))
    assert host in str(info.value) and "Start Docker" in str(info.value)
    _one_line(_cli(_env(DOCKER_HOST=host), "snapshot"), host, "no Docker daemon answers")


# -- permission denied ------------------------------------------------------------------

def test_real_socket_without_permission(docker_client, as_nobody):
    socket_mode = os.stat(REAL_SOCKET).st_mode & 0o777
    assert socket_mode & 0o006 == 0, "the socket is world-usable: nothing to test"
    env = _env(HOME="/tmp")
    line = _one_line(_cli(env, "snapshot", user=as_nobody), "permission denied", "docker group")
    assert "usermod -aG docker" in line
    # the Python API says the same, as the same user
    code = ("from labcheck import connect, DaemonPermissionDenied\n"
            "try:\n    connect()\nexcept DaemonPermissionDenied as e:\n    print('denied:', e)\n")
    done = subprocess.run(as_nobody.python_command("-c", code), env=as_nobody.environ(env),
                          capture_output=True, text=True, timeout=60, cwd=as_nobody.root)
    assert done.stdout.startswith("denied: permission denied on the Docker socket"), done
    assert done.stderr == ""


def test_root_only_socket_in_python(as_nobody):
    """Unprivileged user, a socket only root may use: DaemonPermissionDenied.

    The socket is in a folder nobody can enter, not in pytest's tmp_path: that is
    under a 0700 folder, which would refuse them before the socket's mode is asked.
    """
    folder = Path(tempfile.mkdtemp(prefix="labcheck-root-only-"))
    os.chmod(folder, 0o755)
    path = folder / "root-only.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    os.chmod(path, 0o600)
    try:
        done = _cli(_env(DOCKER_HOST=f"unix://{path}", HOME="/tmp"), "snapshot", user=as_nobody)
    finally:
        server.close()
        shutil.rmtree(folder, ignore_errors=True)
    _one_line(done, "permission denied")


# -- an engine API too old -------------------------------------------------------------

class _OldEngine(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def _old_engine(path: Path, api_version: str):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            if self.path.rstrip("/").endswith("/version"):
                body = json.dumps({"ApiVersion": api_version, "Version": "17.03.0-ce",
                                   "MinAPIVersion": "1.12"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
            else:
                body = b"{}"
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def address_string(self):
            return "unix"

        def log_message(self, *args):
            pass

    server = _OldEngine(str(path), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.mark.parametrize("api_version", ["1.30", "1.12"])
def test_engine_api_too_old(tmp_path, api_version):
    path = tmp_path / "old.sock"
    server = _old_engine(path, api_version)
    try:
        host = f"unix://{path}"
        with pytest.raises(DaemonTooOld) as info:
            connect(environ=_env(DOCKER_HOST=host))
        message = str(info.value)
        assert f"API {api_version}" in message and f"needs API {MIN_API_VERSION}" in message
        assert "Upgrade Docker" in message and "\n" not in message
        _one_line(_cli(_env(DOCKER_HOST=host), "snapshot"), f"API {api_version}")
    finally:
        server.shutdown()
        server.server_close()


# -- DOCKER_HOST and DOCKER_CONTEXT honoured ---------------------------------------------------

def test_docker_host_naming_the_real_socket(docker_client):
    client = connect(environ=_env(DOCKER_HOST=f"unix://{REAL_SOCKET}"))
    try:
        assert client.version()["ApiVersion"] == docker_client.version()["ApiVersion"]
    finally:
        client.close()


def _docker_context(config: Path, name: str, host: str) -> None:
    docker = shutil.which("docker")
    if not docker:
        pytest.skip("the docker CLI is needed to create a context")
    subprocess.run([docker, "--config", str(config), "context", "create", name,
                    "--docker", f"host={host}"], check=True, capture_output=True, timeout=60)


def test_docker_context_is_honoured(docker_client, tmp_path, unique, monkeypatch):
    config = tmp_path / "docker-config"
    good, dead = f"labcheck-real-{unique}", f"labcheck-dead-{unique}"
    _docker_context(config, good, f"unix://{REAL_SOCKET}")
    _docker_context(config, dead, f"unix://{tmp_path}/nothing.sock")
    for key in [k for k in os.environ if k.startswith("DOCKER_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("DOCKER_CONFIG", str(config))

    monkeypatch.setenv("DOCKER_CONTEXT", good)
    client = connect()
    try:
        assert client.api.base_url.startswith("http+docker://")
        assert client.ping()
    finally:
        client.close()

    monkeypatch.setenv("DOCKER_CONTEXT", dead)
    with pytest.raises(DaemonNotRunning) as info:
        connect()
    assert dead in str(info.value) and "nothing.sock" in str(info.value)
    _one_line(_cli(_env(DOCKER_CONFIG=str(config), DOCKER_CONTEXT=dead), "snapshot"), dead)

    done = _cli(_env(DOCKER_CONFIG=str(config), DOCKER_CONTEXT=good), "snapshot")
    assert done.returncode == 0 and done.stderr == ""
    assert json.loads(done.stdout)["schema_version"] >= 1
