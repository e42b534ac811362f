"""The hub's relays carry bytes both ways through a unix socket, as between a
student's namespace and the machine's (here both ends in one namespace)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

from labcheck.hub import deploy, relay


def _echo_server() -> tuple[socket.socket, int]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                while data := conn.recv(4096):
                    conn.sendall(data.upper())

    threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


def test_tcp_to_unix_to_tcp(tmp_path: Path) -> None:
    server, port = _echo_server()
    front = deploy.free_port()
    sock = tmp_path / "server.sock"
    # inside: the unix socket to the server's port; outside: a port to the unix socket
    relay.start_in_thread([(f"unix:{sock}", f"tcp:127.0.0.1:{port}")])
    relay.start_in_thread([(f"tcp:127.0.0.1:{front}", f"unix:{sock}")])
    assert oct(sock.stat().st_mode & 0o777) == "0o600"
    with socket.create_connection(("127.0.0.1", front), timeout=5) as client:
        client.sendall(b"hello through two relays")
        client.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := client.recv(4096):
            received += chunk
    server.close()
    assert received == b"HELLO THROUGH TWO RELAYS"


def test_the_hub_config_is_python(tmp_path: Path) -> None:
    text = deploy.CONFIG.format(
        port=8000, hub_port=8081, proxy_api_port=8001, proxy="chp", proxy_pid="p", db="d",
        cookie="c", pid="h", passwords="pw", students={"ann", "bob"}, instructor="teacher",
        lessons="l", handin="i", token="t")
    compile(text, "jupyterhub_config.py", "exec")
    assert 'spawner_class = "labcheck.hub.spawner.LabSpawner"' in text
    assert "privileged" not in text and "docker.sock" not in text
