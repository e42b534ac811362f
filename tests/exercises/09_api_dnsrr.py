"""Fixtures of ``09-api-dnsrr`` (labcheck/exercises/09-api-dnsrr.yaml), across three nodes.

``lab`` is a :class:`node_fixtures.NodeLab` (a swarm of node1..node3); see
tests/integration/test_grading_across_nodes.py.
"""

from __future__ import annotations

import docker

EXERCISE = "09-api-dnsrr"
NODES = 3


def _api(lab, *, mode: str = "dnsrr", spread: bool = True) -> None:
    lab.network("node1", "apinet")
    extra = {"maxreplicas": 1} if spread else {}
    api = lab.service("api", networks=["apinet"],
                      mode=docker.types.ServiceMode("replicated", replicas=3),
                      endpoint_spec=docker.types.EndpointSpec(mode=mode), **extra)
    lab.wait_tasks(api, 3)


def solution(lab, names) -> None:
    _api(lab)
    lab.run("node1", "client", "apinet")
    lab.settle("node1", "client", "api", count=3)


def virtual_ip(lab, names) -> None:
    """The default endpoint mode: api resolves to one virtual IP (which answers only where
    the kernel has IPVS); tasks.api still leads to the tasks."""
    _api(lab, mode="vip")
    lab.run("node1", "client", "apinet")
    lab.settle("node1", "client", "tasks.api", count=3)


def two_tasks_on_one_node(lab, names) -> None:
    """No limit per node, and node3 drained: the swarm puts two tasks on one node."""
    node3 = next(n for n in lab.manager.nodes.list()
                 if n.attrs["Description"]["Hostname"] == "node3")
    node3.update(dict(node3.attrs["Spec"], Availability="drain"))
    _api(lab, spread=False)
    lab.run("node1", "client", "apinet")
    lab.settle("node1", "client", "api", count=3)


def client_on_default_bridge(lab, names) -> None:
    """client left on node1's default bridge: no embedded DNS, no overlay."""
    _api(lab)
    lab.run("node1", "client")


BROKEN = {
    "virtual-ip": (virtual_ip, {
        "api-three-records": "answers with 1 record(s)",
    }),
    "two-tasks-on-one-node": (two_tasks_on_one_node, {
        "api-on-every-node": "runs no task on node3",
    }),
    "client-on-default-bridge": (client_on_default_bridge, {
        "client-on-apinet": "is not attached",
        "api-three-records": "",
        "client-reaches-api": "",
    }),
}
