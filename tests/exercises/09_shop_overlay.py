"""Fixtures of ``09-shop-overlay`` (labcheck/exercises/09-shop-overlay.yaml), across three nodes.

``lab`` is a :class:`node_fixtures.NodeLab` (a swarm of node1..node3); see
tests/integration/test_grading_across_nodes.py.
"""

from __future__ import annotations

import docker

EXERCISE = "09-shop-overlay"
NODES = 3


def _island(lab) -> None:
    lab.network("node2", "shop", driver="bridge")
    lab.run("node2", "island", "shop")


def solution(lab, names) -> None:
    lab.network("node1", "shop")
    lab.run("node1", "front", "shop")
    lab.run("node3", "store", "shop", http=True)
    _island(lab)
    lab.settle("node1", "front", "store")


def store_on_node1(lab, names) -> None:
    """store next to front on node1: names and HTTP work, but nothing crosses hosts."""
    lab.network("node1", "shop")
    lab.run("node1", "front", "shop")
    lab.run("node1", "store", "shop", http=True)
    _island(lab)


def not_attachable(lab, names) -> None:
    """shop made without attachable: plain containers cannot join it; grade what is left."""
    lab.network("node1", "shop", attachable=False)
    for node, name, http in (("node1", "front", False), ("node3", "store", True)):
        try:
            lab.run(node, name, "shop", http=http)
        except docker.errors.APIError:
            pass
    _island(lab)


def island_on_the_overlay(lab, names) -> None:
    """island joins the overlay shop on node2 instead of a bridge of node2's own."""
    solution_overlay_only(lab)
    lab.run("node2", "island", "shop")
    lab.settle("node2", "island", "store")


def solution_overlay_only(lab) -> None:
    lab.network("node1", "shop")
    lab.run("node1", "front", "shop")
    lab.run("node3", "store", "shop", http=True)
    lab.settle("node1", "front", "store")


def bridge_named_shop2(lab, names) -> None:
    """node2's bridge called shop2: island is isolated, but not on a network called shop."""
    solution_overlay_only(lab)
    lab.network("node2", "shop2", driver="bridge")
    lab.run("node2", "island", "shop2")


BROKEN = {
    "store-on-node1": (store_on_node1, {
        "store-on-shop": "'store' is not on node3 (it is on node1)",
        "shop-spans-hosts": "does not exist on node3",
        "front-store-cross-hosts": "are both on node1: nothing crossed hosts",
    }),
    # the containers are created on the overlay, but cannot start on it
    "not-attachable": (not_attachable, {
        "shop-attachable": "is not attachable",
        "shop-spans-hosts": "does not exist on node3",
        "front-resolves-store": "'front' is not running",
        "front-gets-store": "'front' is not running",
        "front-store-cross-hosts": "'front' on node1 is not running",
        "island-cannot-resolve-store": "'store' is not running",
        "island-cannot-reach-store": "'store' is not running",
    }),
    "island-on-the-overlay": (island_on_the_overlay, {
        "node2-shop-is-bridge": "uses the 'overlay' driver, not 'bridge'",
        "island-cannot-resolve-store": "",
        "island-cannot-reach-store": "but it should not",
    }),
    "bridge-named-shop2": (bridge_named_shop2, {
        "node2-shop-is-bridge": "",
        "island-on-shop": "",
    }),
}
