"""The hub's relays carry bytes both ways through a unix socket, as between a
student's namespace and the machine's (here both ends in one namespace)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from labcheck.errors import UsageError
from labcheck.hub import deploy, isolation, relay
from labcheck.live.vm.paths import EnginePaths, copy_image


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
        lessons="l", handin="i", token="t", engine="rootless", engines={"cy": "vm"},
        vm_image="v", sockets="s")
    compile(text, "jupyterhub_config.py", "exec")
    assert 'spawner_class = "labcheck.hub.spawner.LabSpawner"' in text
    assert "privileged" not in text and "docker.sock" not in text


def test_an_inherited_listening_socket(tmp_path: Path) -> None:
    """A VM student's way in: the hub's listening socket, handed over by number."""
    server, port = _echo_server()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    front = listener.getsockname()[1]
    relay.start_in_thread([(f"fd:{listener.detach()}", f"tcp:127.0.0.1:{port}")])
    with socket.create_connection(("127.0.0.1", front), timeout=5) as client:
        client.sendall(b"in")
        client.shutdown(socket.SHUT_WR)
        assert client.recv(16) == b"IN"
    server.close()


def test_engine_kinds() -> None:
    assert isolation.parse_kinds("auto") == ("auto", {})
    assert isolation.parse_kinds("vm", "ann=rootless") == ("vm", {"ann": "rootless"})
    with pytest.raises(UsageError):
        isolation.parse_kinds("docker")
    with pytest.raises(UsageError):
        isolation.parse_kinds("auto", "ann")
    assert isolation.vm_image_dir(Path("/h/class")) == Path("/h/vm-engine")


def test_a_students_vm_image_is_links_and_a_copy_of_the_state(tmp_path: Path) -> None:
    shared, own = EnginePaths(tmp_path / "shared"), EnginePaths(tmp_path / "own")
    shared.image.mkdir(parents=True)
    for path in (shared.kernel, shared.initrd, shared.manifest, shared.busybox):
        path.write_text(path.name)
    shared.snapshot_disk.write_bytes(b"state")
    shared.snapshots.write_text('["ready-tcg-2cpu-1024m"]')
    copy_image(shared, own)
    assert own.image_present() and own.kernel.is_symlink()
    assert own.snapshot_disk.read_bytes() == b"state" and not own.snapshot_disk.is_symlink()
    copy_image(shared, own)  # nothing changed: nothing copied
    shared.snapshot_disk.write_bytes(b"rebuilt")
    copy_image(shared, own)
    assert own.snapshot_disk.read_bytes() == b"rebuilt"
