"""Several engines at once, by name, on this machine (root): each answers its own client,
shares nothing with the others, and leaves nothing behind when it stops."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest

from labcheck.cli import main
from labcheck.live.engines.netns import NetnsEngine
from labcheck.live.engines.registry import running

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="netns engines need root")

LABEL = {"io.labcheck.test": "engines"}


def _leftovers(engine: NetnsEngine) -> list[str]:
    """What of ``engine`` is still on the machine: namespace, processes, mounts, socket."""
    left = []
    if Path(f"/run/netns/{engine.namespace}").exists():
        left.append(f"namespace {engine.namespace}")
    mounts = Path("/proc/mounts").read_text()
    if f" {engine.state_dir}/" in mounts or f" {engine.data_dir}/" in mounts:
        left.append("mounts under its folders")
    if engine.socket.exists():
        left.append("its socket")
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(engine.state_dir).encode() in cmdline.read_bytes():
                left.append(f"process {cmdline.parent.name}")
        except OSError:
            pass
    return left


@pytest.fixture
def two_engines():
    tag = uuid.uuid4().hex[:6]
    old = NetnsEngine(f"t-{tag}-a", "distribution")
    new = NetnsEngine(f"t-{tag}-b", os.environ.get("LABCHECK_TEST_SECOND_ENGINE", "sid"))
    try:
        yield old, new
    finally:
        for engine in (old, new):
            engine.stop(purge=True)


def test_two_netns_engines_of_different_versions_run_side_by_side_and_stop_clean(two_engines):
    old, new = two_engines
    assert main(["engine", "start", old.name]) == 0
    assert main(["engine", "start", new.name, "--engine", new.engine or "sid"]) == 0
    a, b = old.status(), new.status()
    assert a.running and b.running and a.version != b.version
    assert a.docker_host != b.docker_host
    listed = {s.name: s for s in running()}
    assert listed[old.name].version == a.version and listed[new.name].version == b.version
    # each client reaches its own engine only
    client_a, client_b = old.client(), new.client()
    try:
        net = client_a.networks.create(f"only-on-{old.name}", labels=LABEL)
        try:
            assert not client_b.networks.list(names=[net.name])
            assert client_b.version()["Version"] == b.version
        finally:
            net.remove()
    finally:
        client_a.close()
        client_b.close()
    # each has its own loopback: a command run beside one sees its namespace, not the other's
    inode = subprocess.run(old.command(["readlink", "/proc/self/ns/net"]), capture_output=True,
                           text=True, check=True).stdout
    other = subprocess.run(new.command(["readlink", "/proc/self/ns/net"]), capture_output=True,
                           text=True, check=True).stdout
    assert inode != other and inode != os.readlink("/proc/self/ns/net")
    for engine in (old, new):
        assert main(["engine", "stop", engine.name, "--purge"]) == 0
        assert _leftovers(engine) == []
        assert not engine.state_dir.exists() and not engine.data_dir.exists()
