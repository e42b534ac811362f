"""``labcheck.diagnose(A, B, nodes=LAB)`` on a real lab of three Docker hosts (root).

The scenario of ``09-vxlan-repair`` (relay on node1, north on node2, south on
node3 on the overlay vxnet, node3 dropping incoming UDP 4789): the healthy pair
passes every step across hosts, the pair through node3 fails exactly at the
VXLAN step (and the connection it breaks), a pair on one node claims no
crossing, a host that drops the gossip (7946/udp) fails the control step, and
one that drops the LAN's pings fails the lan step.
"""

from __future__ import annotations

import os
import sys
import uuid
from importlib import import_module
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "exercises"))
from node_fixtures import joined_lab  # noqa: E402

import labcheck  # noqa: E402

pytestmark = [pytest.mark.docker,
              pytest.mark.skipif(os.geteuid() != 0, reason="a multi-node lab needs root")]

ACROSS = ("inspect", "overlay", "lan", "control", "vxlan", "mtu", "resolv.conf", "lookup",
          "connect", "listening")


@pytest.fixture(scope="module")
def lab():
    with joined_lab("diagnose") as lab:
        import_module("09_vxlan_repair").scenario(lab)      # node3 drops UDP 4789
        lab.run("node1", "twin", "vxnet")
        lab.run("node2", "web", "vxnet", http=True)
        lab.settle("node1", "relay", "web")
        yield lab
        lab.reset()


def _failing(d) -> set[str]:
    return {s.name for s in d.steps if s.ok is False}


def test_a_healthy_pair_passes_every_step_across_hosts(lab):
    d = labcheck.diagnose("relay", "north", nodes=lab.nodes)
    text = str(d)
    assert tuple(s.name for s in d.steps) == ACROSS, text
    assert d.where == "node1 -> node2, across hosts", text
    assert d.first_failure is None, text
    assert all(s.ok for s in d.steps if s.name != "listening"), text   # no port: a ping
    assert "10.219.0.11 on lan0" in d.step("lan").evidence, text
    assert "UDP 4789 passes node1 (10.219.0.11) -> node2 (10.219.0.12)" in text, text
    assert "1450 (the default) + 50 bytes of VXLAN = 1500" in d.step("mtu").evidence, text
    assert "a manager" in d.step("control").evidence, text
    assert text.splitlines()[-1] == "every step passes: the path works"


def test_a_port_is_followed_into_the_target_on_its_host(lab):
    d = labcheck.diagnose("relay", "web", port=80, nodes=lab.nodes)
    assert d.first_failure is None, str(d)
    assert d.step("listening").ok and ":80" in d.step("listening").evidence, str(d)


def test_the_4789_break_fails_exactly_the_vxlan_step(lab):
    d = labcheck.diagnose("relay", "south", nodes=lab.nodes)
    text = str(d)
    assert d.first_failure is not None and d.first_failure.name == "vxlan", text
    assert _failing(d) == {"vxlan", "connect"}, text       # connect: the symptom it causes
    assert d.step("lookup").ok and d.step("control").ok and d.step("lan").ok, text
    evidence = d.step("vxlan").evidence
    assert "node3 stops udp/4789 from node1" in evidence, text
    assert "--dport 4789 -j DROP" in evidence and "packets so far" in evidence, text


def test_a_same_node_pair_claims_no_crossing(lab):
    d = labcheck.diagnose("relay", "twin", nodes=lab.nodes)
    text = str(d)
    assert d.where == "both on node1", text
    assert "nothing crosses hosts" in d.step("inspect").evidence, text
    assert not {"overlay", "lan", "control", "vxlan", "mtu"} & {s.name for s in d.steps}, text
    assert "across hosts" not in text


def _healthy_pair_with(lab, rule: str):
    """diagnose(relay, north) while node2's host has ``rule`` (an iptables rule spec)."""
    lab.host("node2", f"iptables -I {rule}")
    try:
        return labcheck.diagnose("relay", "north", nodes=lab.nodes)
    finally:
        lab.host("node2", f"iptables -D {rule}")


def test_a_host_that_drops_the_gossip_fails_the_control_step(lab):
    d = _healthy_pair_with(lab, "INPUT -i lan0 -p udp --dport 7946 -j DROP")
    assert d.first_failure is not None and d.first_failure.name == "control", str(d)
    assert "node2 stops udp/7946 from node1" in d.step("control").evidence, str(d)


def test_a_host_whose_pings_get_no_answer_fails_the_lan_step(lab):
    # the negative of the lan step, for real: node2 drops every ping from the LAN (the
    # overlay still works: its packets reach node2's host as UDP 4789)
    d = _healthy_pair_with(lab, "INPUT -i lan0 -p icmp -j DROP")
    assert d.first_failure is not None and d.first_failure.name == "lan", str(d)
    assert "node1's host gets no answer from node2's 10.219.0.12" in d.step("lan").evidence, \
        str(d)
    assert d.step("connect").ok, str(d)


def test_a_namespace_of_another_mount_namespace_leaves_the_lan_step_alone(lab):
    # What /run/netns holds here for a namespace that `ip netns add` made in another mount
    # namespace (another `labcheck engine run` session: make test's other engines), or for a
    # stale one: an empty file. `ip -o link` on a node's host then says "Error: Peer netns
    # reference is invalid." for it; that says nothing about the ping between the hosts.
    foreign = Path("/run/netns") / f"labcheck-test-foreign-{uuid.uuid4().hex[:6]}"
    foreign.touch()
    try:
        d = labcheck.diagnose("relay", "north", nodes=lab.nodes)
    finally:
        foreign.unlink()
    assert d.first_failure is None, str(d)
    assert "they ping each other" in d.step("lan").evidence, str(d)
