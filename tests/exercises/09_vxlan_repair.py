"""Fixtures of ``09-vxlan-repair`` (labcheck/exercises/09-vxlan-repair.yaml), across three nodes.

The scenario (:func:`scenario`, as the lesson's set-up cell makes it): relay on
node1, north on node2, south on node3 on the overlay vxnet, and node3 dropping
incoming UDP 4789 on its LAN interface. ``lab`` is a :class:`node_fixtures.NodeLab`.
"""

from __future__ import annotations

from node_fixtures import VXLAN_DROP

EXERCISE = "09-vxlan-repair"
NODES = 3


def scenario(lab, *, south_on: str = "node3") -> None:
    lab.network("node1", "vxnet")
    lab.run("node1", "relay", "vxnet")
    lab.run("node2", "north", "vxnet")
    lab.run(south_on, "south", "vxnet")
    lab.host("node3", f"iptables -I {VXLAN_DROP}")
    lab.settle("node1", "relay", "north")
    lab.settle("node1", "relay", "south")


def solution(lab, names) -> None:
    scenario(lab)
    lab.host("node3", f"iptables -D {VXLAN_DROP}")


def accept_before_the_drop(lab, names) -> None:
    """Another repair that lets VXLAN in: an ACCEPT for the other nodes, before the DROP."""
    scenario(lab)
    lab.host("node3", "iptables -I INPUT -i lan0 -s 10.219.0.0/24 -p udp --dport 4789 -j ACCEPT")


def nothing_done(lab, names) -> None:
    scenario(lab)


def removed_on_the_wrong_node(lab, names) -> None:
    """The student blames node2 (north's host), which drops nothing."""
    scenario(lab)
    lab.host("node2", f"iptables -D {VXLAN_DROP} || true")


def south_moved_to_node1(lab, names) -> None:
    """south run again next to relay: it answers, and nothing crosses hosts."""
    scenario(lab, south_on="node1")


#: Repairs other than the reference one that must pass as well.
ALSO_PASSES = {"accept-before-the-drop": accept_before_the_drop}

BROKEN = {
    "nothing-done": (nothing_done, {
        "relay-reaches-south": "cannot reach 'south'",
        "south-across-hosts": "cannot reach 'south' (node3)",
    }),
    "removed-on-the-wrong-node": (removed_on_the_wrong_node, {
        "relay-reaches-south": "cannot reach 'south'",
        "south-across-hosts": "cannot reach 'south' (node3)",
    }),
    "south-moved-to-node1": (south_moved_to_node1, {
        "south-across-hosts": "are both on node1: nothing crossed hosts",
    }),
}
