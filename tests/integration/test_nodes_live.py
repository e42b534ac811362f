"""A lab of three Docker hosts (root): own host names, one LAN, nothing left after down()."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import labcheck
from labcheck.live.engines.nodes import Nodes, find

pytestmark = [pytest.mark.docker,
              pytest.mark.skipif(os.geteuid() != 0, reason="a multi-node lab needs root")]


def _leftovers(lab: Nodes) -> list[str]:
    left = [f"namespace {p.name}" for p in Path("/run/netns").glob(f"labcheck-{lab.lab}-*")]
    mounts = Path("/proc/mounts").read_text()
    left += [f"mount of {n.name}" for n in lab if f" {n.engine.data_dir}/" in mounts
             or f" {n.engine.state_dir}/" in mounts]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if any(str(n.engine.state_dir).encode() in cmdline.read_bytes() for n in lab):
                left.append(f"process {cmdline.parent.name}")
        except OSError:
            pass
    return left


def test_three_nodes_with_own_names_on_one_lan_and_nothing_left() -> None:
    name = f"t{uuid.uuid4().hex[:6]}"
    lab = labcheck.nodes(3, lab=name)
    try:
        assert lab.names == ["node1", "node2", "node3"]
        assert [c.info()["Name"] for c in lab.clients] == ["node1", "node2", "node3"]
        assert lab.addresses == {"node1": "10.219.0.11", "node2": "10.219.0.12",
                                 "node3": "10.219.0.13"}
        for node in lab:
            for other in lab:
                if other is node:
                    continue
                done = subprocess.run(node.engine.command(["busybox", "ping", "-c", "1", "-W", "2",
                                                           other.lan_ip]),
                                      capture_output=True, text=True, check=False)
                assert done.returncode == 0, (node.name, other.name, done.stdout, done.stderr)
        labcheck.ensure_lab_image(lab[0].client)
        out = lab[0].client.containers.run(labcheck.LAB_IMAGE, ["ping", "-c", "1", "-W", "2",
                                                                lab[1].lan_ip],
                                           network_mode="host", remove=True)
        assert b"1 packets received" in out
        again = labcheck.nodes(3, lab=name)  # a re-run reuses the running lab
        assert [n.engine.status().details["pid"] for n in again] == \
            [n.engine.status().details["pid"] for n in lab]
        assert len(find(name)) == 3
    finally:
        lab.down()
    assert _leftovers(lab) == []
    assert len(find(name)) == 0
    lab.down()  # idempotent


def test_nodes_from_inside_another_engines_namespace() -> None:
    """The test matrix runs its passes inside a netns engine: named namespaces are global."""
    outer = labcheck.nodes(1, lab=f"o{uuid.uuid4().hex[:6]}")
    name = f"i{uuid.uuid4().hex[:6]}"
    script = ("import labcheck; lab = labcheck.nodes(2, lab=%r); "
              "print([c.info()['Name'] for c in lab.clients]); lab.down()" % name)
    try:
        done = subprocess.run(outer[0].engine.command([sys.executable, "-c", script]),
                              env=outer[0].engine.environ(), capture_output=True, text=True,
                              check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "['node1', 'node2']" in done.stdout
        assert _leftovers(find(name)) == []
    finally:
        outer.down()


def test_the_nodes_command(capsys: pytest.CaptureFixture[str]) -> None:
    from labcheck.cli import main

    name = f"c{uuid.uuid4().hex[:6]}"
    try:
        assert main(["nodes", "status", "--lab", name]) == 3
        assert "no lab" in capsys.readouterr().out
        assert main(["nodes", "up", "2", "--lab", name]) == 0
        out = capsys.readouterr().out
        assert "node2  10.219.0.12" in out and "(present)" in out
        assert main(["nodes", "status", "--lab", name]) == 0
        assert main(["nodes", "up", "1", "--lab", name]) == 0   # fewer nodes: rebuilt smaller
        assert len(find(name)) == 1
    finally:
        assert main(["nodes", "down", "--lab", name]) == 0
    assert "removed" in capsys.readouterr().out
    assert _leftovers(find(name)) == [] and not Path(f"/run/netns/labcheck-{name}-lan").exists()


def test_wait_for_swarm_until_every_node_has_its_ingress() -> None:
    name = f"t{uuid.uuid4().hex[:6]}"
    lab = labcheck.nodes(2, lab=name)
    try:
        assert lab.wait_for_swarm(timeout=5)  # no swarm yet: nothing to wait for
        one, two = lab
        one.client.swarm.init(advertise_addr=one.lan_ip, listen_addr=f"{one.lan_ip}:2377",
                              default_addr_pool=["10.218.0.0/16"], subnet_size=24)
        two.client.swarm.join(remote_addrs=[f"{one.lan_ip}:2377"],
                              join_token=one.client.swarm.attrs["JoinTokens"]["Worker"],
                              advertise_addr=two.lan_ip, listen_addr=f"{two.lan_ip}:2377")
        assert lab.wait_for_swarm(timeout=120)
        for node in lab:
            assert "ingress-sbox" in node.client.networks.get("ingress").attrs["Containers"]
        assert [n.attrs["Status"]["State"] for n in one.client.nodes.list()] == ["ready"] * 2
    finally:
        for node in reversed(lab.nodes):
            node.client.swarm.leave(force=True)
        lab.down()
    assert _leftovers(lab) == []
