"""A lab of three Docker hosts in a swarm, for the fixtures of lesson 09's exercises.

The fixtures of an exercise graded across hosts (``NODES = 3`` in its module)
build with a :class:`NodeLab` instead of a :class:`labcheck.lab.Lab`:
``lab.client("node2")``, ``lab.network(...)``, ``lab.run(...)`` on a node,
``lab.host("node3", script)`` as root on a node's Docker host. Everything is
labelled with the lab's labels, and :meth:`NodeLab.reset` removes it (and any
firewall rule a scenario left) between tests. Names are the exercise's own:
the lab is private to the test run (its own namespaces), so no binding is needed.
"""

from __future__ import annotations

import re
import time
import uuid
from contextlib import contextmanager
from typing import Iterator

import docker

import labcheck
from labcheck.lab import IDLE_COMMAND

__all__ = ["NodeLab", "joined_lab", "WEB", "VXLAN_DROP"]

#: A web server that answers with its host's name (the lesson's WEB).
WEB = ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www"]
#: The firewall rule of the 4789 break-and-fix (insert with -I, remove with -D).
VXLAN_DROP = "INPUT -i lan0 -p udp --dport 4789 -j DROP"


@contextmanager
def joined_lab(purpose: str) -> Iterator["NodeLab"]:
    """Three fresh nodes (with the lab image) in a swarm, labelled for ``purpose``; then down."""
    nodes = labcheck.nodes(3, lab=f"{purpose[0]}{uuid.uuid4().hex[:5]}")
    try:
        for node in nodes:
            labcheck.ensure_lab_image(node.client)
        lab = NodeLab(nodes, {"io.labcheck.test": f"{purpose}-{uuid.uuid4().hex[:6]}"})
        lab.join()
        yield lab
    finally:
        nodes.down()


class NodeLab:
    """Three nodes of :func:`labcheck.nodes`, joined in a swarm (node1 the manager)."""

    def __init__(self, nodes, labels: dict[str, str]) -> None:
        self.nodes = nodes
        self.labels = dict(labels)
        self.filters = {"label": [f"{k}={v}" for k, v in self.labels.items()]}

    def client(self, node: str) -> docker.DockerClient:
        return self.nodes[node].client

    @property
    def manager(self) -> docker.DockerClient:
        return self.client("node1")

    def join(self) -> None:
        """Make the swarm: init on node1, the others join with its token."""
        ips = self.nodes.addresses
        for node in reversed(self.nodes.names):
            if self.client(node).info()["Swarm"]["LocalNodeState"] == "active":
                self.client(node).swarm.leave(force=True)
        self.manager.swarm.init(advertise_addr=ips["node1"], listen_addr=f"{ips['node1']}:2377",
                                default_addr_pool=["10.218.0.0/16"], subnet_size=24)
        token = self.manager.swarm.attrs["JoinTokens"]["Worker"]
        for node in self.nodes.names[1:]:
            self.client(node).swarm.join(remote_addrs=[f"{ips['node1']}:2377"], join_token=token,
                                         advertise_addr=ips[node], listen_addr=f"{ips[node]}:2377")

    def network(self, node: str, name: str, driver: str = "overlay", **kwargs):
        if driver == "overlay":
            kwargs.setdefault("attachable", True)
        return self.client(node).networks.create(name, driver=driver, labels=self.labels, **kwargs)

    def run(self, node: str, name: str, network: str | None = None, *, http: bool = False):
        command = WEB if http else list(IDLE_COMMAND)
        return self.client(node).containers.run(labcheck.LAB_IMAGE, command, name=name,
                                                network=network, labels=self.labels,
                                                hostname=name, detach=True)

    def host(self, node: str, script: str) -> str:
        done = labcheck.docker_host(self.client(node)).run(script, timeout=60)
        return (done.stdout + done.stderr).strip()

    def service(self, name: str, **kwargs):
        return self.manager.services.create(labcheck.LAB_IMAGE, WEB, name=name, labels=self.labels,
                                            container_labels=self.labels,
                                            hostname="{{.Node.Hostname}}", **kwargs)

    def wait_tasks(self, service, count: int, seconds: float = 90) -> int:
        """Wait until ``count`` tasks of ``service`` run; how many do."""
        up: list = []
        for _ in range(int(seconds * 4)):
            tasks = service.tasks(filters={"desired-state": "running"})
            up = [t for t in tasks if t["Status"]["State"] == "running"]
            if len(up) >= count:
                break
            time.sleep(0.25)
        return len(up)

    def settle(self, node: str, container: str, name: str, count: int = 1,
               seconds: float = 20) -> bool:
        """Wait until ``name`` has ``count`` A records from ``container`` on ``node`` (the
        gossip that spreads a new container's address takes a moment); whether it did."""
        box = self.client(node).containers.get(container)
        for _ in range(int(seconds * 2)):
            out = box.exec_run(["nslookup", "-type=a", name]).output.decode()
            if len(re.findall(r"Address: (\S+)", out.split("Non-authoritative")[-1])) >= count:
                return True
            time.sleep(0.5)
        return False

    def reset(self) -> None:
        """Remove the lab's services, containers and networks; drop no more VXLAN anywhere."""
        for svc in self.manager.services.list(filters=self.filters):
            svc.remove()
        for node in self.nodes.names:
            for box in self.client(node).containers.list(all=True, filters=self.filters):
                box.remove(force=True)
        for node in self.nodes.names:
            for net in self.client(node).networks.list(filters=self.filters):
                if net.attrs.get("Scope") == "swarm" and node != "node1":
                    continue
                for _ in range(40):
                    try:
                        net.remove()
                        break
                    except docker.errors.NotFound:
                        break
                    except docker.errors.APIError:
                        time.sleep(0.25)
            for rule in self.host(node, "iptables -S INPUT").splitlines():
                # a test's own drop of VXLAN from the LAN (not dockerd's rules)
                if "--dport 4789" in rule and "-i lan0" in rule and rule.startswith("-A INPUT "):
                    self.host(node, "iptables -D " + rule[len("-A "):])
        for node in self.nodes.names:   # a drained node (a fixture's) is active again
            for member in self.manager.nodes.list():
                if member.attrs["Description"]["Hostname"] == node and \
                        member.attrs["Spec"].get("Availability") != "active":
                    spec = dict(member.attrs["Spec"], Availability="active")
                    member.update(spec)
