"""The engine VM, running: no egress, published ports, start/stop.

These start QEMU, so they run only with ``LABCHECK_TEST_VM=1`` (``make
test-vm`` sets it, as an unprivileged user) and an image built by
``labcheck engine build``. The no-egress checks read the configuration and
look from inside the VM; none sends a packet to an address outside this
machine.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from pathlib import Path

import pytest

from labcheck.live.vm import qemu
from labcheck.live.vm.paths import EnginePaths

pytestmark = pytest.mark.skipif(os.environ.get("LABCHECK_TEST_VM") != "1",
                                reason="starts QEMU: run with make test-vm")

LABEL = {"io.labcheck.test": "vm-" + uuid.uuid4().hex[:8]}


@pytest.fixture(scope="module")
def engine():
    paths = EnginePaths.default()
    if not paths.image_present():
        pytest.fail("no engine image: run labcheck engine build first")
    was_running = qemu.docker_host(paths) is not None
    state = qemu.start(paths)
    yield paths, state
    if not was_running:
        qemu.stop(paths)


@pytest.fixture(scope="module")
def client(engine):
    from labcheck import connect

    c = connect(environ={"DOCKER_HOST": engine[1].docker_host})
    yield c
    for ct in c.containers.list(all=True, filters={"label": "io.labcheck.test"}):
        if ct.labels.get("io.labcheck.test") == LABEL["io.labcheck.test"]:
            ct.remove(force=True)
    c.close()


def _vm_shell(client, script: str) -> str:
    """Run ``script`` as root in the VM's own namespaces (the Docker host)."""
    out = client.containers.run(
        "labcheck/lab:1", ["chroot", "/host", "sh", "-c", script], privileged=True,
        pid_mode="host", network_mode="host", volumes={"/": {"bind": "/host", "mode": "ro"}},
        remove=True, stderr=True, labels=LABEL)
    return out.decode()


def test_running_qemu_has_restrict_on_and_one_netdev(engine):
    paths, state = engine
    args = Path(f"/proc/{state.pid}/cmdline").read_bytes().decode().split("\0")
    netdevs = [args[i + 1] for i, a in enumerate(args) if a == "-netdev"]
    assert len(netdevs) == 1 and "restrict=on" in netdevs[0].split(",")
    assert "-nodefaults" in args


def test_the_vm_has_no_default_route(client):
    routes = _vm_shell(client, "ip -4 route; echo; ip -6 route 2>&1")
    assert "10.0.2.0/24 dev eth0" in routes  # the VM's link to QEMU is there...
    assert "default" not in routes            # ...but no way out through it


def test_the_containers_upstream_dns_answers_nxdomain(client):
    # default bridge: the container asks the daemon's "dns" (dnsmasq in the VM) directly
    out = client.containers.run("labcheck/lab:1",
                                ["sh", "-c", "nslookup -type=a labcheck.invalid 2>&1; true"],
                                remove=True, labels=LABEL).decode()
    assert "NXDOMAIN" in out
    resolv = _vm_shell(client, "cat /etc/resolv.conf; cat /etc/docker/daemon.json")
    assert "nameserver 127.0.0.1" in resolv and '"10.213.0.1"' in resolv


def test_a_negative_dns_check_can_fail_too(client):
    """The same lookup of a name Docker knows succeeds: the NXDOMAIN above is not a broken DNS."""
    net = client.networks.create("vmtest-" + LABEL["io.labcheck.test"], labels=LABEL)
    try:
        peer = client.containers.run("labcheck/lab:1", ["sleep", "60"], detach=True,
                                     network=net.name, name="peer-" + net.name, labels=LABEL)
        out = client.containers.run("labcheck/lab:1", ["nslookup", "-type=a", peer.name],
                                    network=net.name, remove=True, stderr=True,
                                    labels=LABEL).decode()
        assert "NXDOMAIN" not in out and "Address" in out
        peer.remove(force=True)
    finally:
        net.remove()


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
            conn.sendall(b"GET / HTTP/1.0\r\n\r\n")
            return conn.recv(16).startswith(b"HTTP/")
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_published_port_answers_on_this_machine_and_goes_away(client, engine):
    port = _free_port()
    assert not _answers(port)
    web = client.containers.run("labcheck/lab:1", ["httpd", "-f", "-p", "80", "-h", "/etc"],
                                detach=True, ports={80: ("127.0.0.1", port)}, labels=LABEL)
    try:
        assert _answers(port)  # forwarded before run() returned: no waiting
        assert f"127.0.0.1:{port}/tcp" in qemu.status(engine[0]).forwards
    finally:
        web.remove(force=True)
    deadline = time.monotonic() + 10
    while _answers(port) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _answers(port)


def test_status_names_the_engine(engine):
    st = qemu.status(engine[0])
    assert st.running and st.version and st.state and st.state.docker_host.startswith(
        "tcp://127.0.0.1:")


def test_root_on_the_docker_host_is_the_vm_with_the_tools_the_lessons_use(client):
    from labcheck.live.dockerhost import docker_host

    host = docker_host(client)
    access = host.access()
    assert access.ok and access.where == "another machine", access
    assert host.run("hostname").check().stdout.strip() == "labcheck-engine"  # the VM itself
    assert "iproute2" in host.run("ip -V").check().stdout  # the full ip, not busybox's
    for tool in ("ss", "tcpdump", "iptables", "nsenter", "bash"):
        assert host.run(f"command -v {tool}").ok, tool
    # a network namespace made, used and removed (lesson 02's outside world, lesson 04's LAN)
    ns = host.scoped_name("labcheck-vmtest")
    made = host.run(f"set -e; ip netns add {ns}; ip -n {ns} link set lo up; "
                    f"ip netns exec {ns} ping -c 1 -W 2 127.0.0.1 >/dev/null; ip netns list")
    host.run(f"ip netns del {ns}")
    assert made.ok and ns in made.stdout, made
    assert ns not in host.run("ip netns list").stdout
    # tcpdump captures on the VM's loopback: the one ping sent, and nothing when none is
    seen = host.run("tcpdump -c 1 -nli lo icmp 2>/dev/null & sleep 2; "
                    "ping -c 1 -W 1 127.0.0.1 >/dev/null; wait")
    assert seen.ok and "ICMP echo request" in seen.stdout, seen
    quiet = host.run("timeout 3 tcpdump -c 1 -nli lo udp port 9 2>/dev/null; true")
    assert "UDP" not in quiet.stdout
