"""Fixtures of the exercise ``07-named-bridge`` (labcheck/exercises/07-named-bridge.yaml).

The bridge's name (``wire0``) and the subnet are not renamed by a test binding:
two runs of this exercise cannot overlap on one Docker host. ``bridge`` (the
default bridge, whose Linux bridge is ``docker0``) is no object of the exercise
and keeps its name.
"""

from __future__ import annotations

from labcheck.hostside import parse_ip_link, parse_link_indexes
from labcheck.images import LAB_IMAGE
from labcheck.lab import IDLE_COMMAND
from labcheck.snapshot import BRIDGE_NAME_OPTION

EXERCISE = "07-named-bridge"
_NAMED = {BRIDGE_NAME_OPTION: "wire0"}
SUBNET, GATEWAY = "10.220.71.0/24", "10.220.71.254"


def _receiver(lab, names) -> None:
    lab.run(names["receiver"], network=names["wirenet"], http=80,
            ports={80: ("127.0.0.1", names.port(8071))})


def solution(lab, names) -> None:
    lab.network(names["wirenet"], subnet=SUBNET, gateway=GATEWAY, options=_NAMED)
    lab.run(names["sender"], network=names["wirenet"])
    lab.connect(names["sender"], "bridge")                    # a second veth pair, into docker0
    _receiver(lab, names)


def docker_named_bridge(lab, names) -> None:
    """Everything right but the bridge's name: Docker's br-<id>."""
    lab.network(names["wirenet"], subnet=SUBNET, gateway=GATEWAY)
    lab.run(names["sender"], network=names["wirenet"])
    lab.connect(names["sender"], "bridge")
    _receiver(lab, names)


def gateway_left_at_one(lab, names) -> None:
    """The subnet without the gateway: the bridge's address on the host is Docker's .1
    (Engine 29 reports that gateway; 20.10 and 28 report none)."""
    lab.network(names["wirenet"], subnet=SUBNET, options=_NAMED)
    lab.run(names["sender"], network=names["wirenet"])
    lab.connect(names["sender"], "bridge")
    _receiver(lab, names)


def sender_on_wirenet_only(lab, names) -> None:
    """The lesson's demo renamed: one veth per container, none of sender's into docker0."""
    lab.network(names["wirenet"], subnet=SUBNET, gateway=GATEWAY, options=_NAMED)
    lab.run(names["sender"], network=names["wirenet"])
    _receiver(lab, names)


def sender_on_default_bridge_only(lab, names) -> None:
    """sender left on the default bridge: its one veth is a port of docker0, not of wire0."""
    lab.network(names["wirenet"], subnet=SUBNET, gateway=GATEWAY, options=_NAMED)
    lab.run(names["sender"])
    _receiver(lab, names)


def sender_in_receivers_namespace(lab, names) -> None:
    """sender shares receiver's network namespace: plugged in by no veth of its own."""
    lab.network(names["wirenet"], subnet=SUBNET, gateway=GATEWAY, options=_NAMED)
    _receiver(lab, names)
    lab.run(names["sender"], network_mode=f"container:{names['receiver']}")


def sender_unplugged_on_host(lab, names) -> None:
    """The solution, then sender's veth taken off wire0 on the Docker host (as root there):
    Docker still reports sender on wirenet; only the host's side shows the cable is out."""
    from labcheck import docker_host

    solution(lab, names)
    host = docker_host(lab.client).require()
    box = lab.client.containers.get(names["sender"])
    inside = parse_link_indexes(box.exec_run(["sh", "-c", "for d in /sys/class/net/*; do echo "
                                              "${d##*/} $(cat $d/ifindex) $(cat $d/iflink); "
                                              "done"]).output.decode())
    peers = {link.iflink for link in inside if link.name != "lo"}
    ports = parse_ip_link(host.run("ip -o link show master wire0").check().stdout)
    unplug = [link.name for link in ports if link.index in peers]
    assert len(unplug) == 1, (inside, ports)
    host.run(f"ip link set {unplug[0]} nomaster").check("unplugging sender's veth")


BROKEN = {
    "docker-named-bridge": (docker_named_bridge, {
        "sender-on-wire0": "not 'wire0'",
        "receiver-on-wire0": "com.docker.network.bridge.name=wire0",
    }),
    "gateway-left-at-one": (gateway_left_at_one, {
        "wirenet-addressing": "not 10.220.71.254",        # "is not set" before Engine 29
    }),
    "sender-on-wirenet-only": (sender_on_wirenet_only, {
        "sender-on-docker0": "is not attached to network 'bridge'",
    }),
    "sender-on-default-bridge-only": (sender_on_default_bridge_only, {
        "sender-on-wire0": "is not attached to network",
        "sender-reaches-receiver": "the default bridge has no embedded DNS",
    }),
    "sender-in-receivers-namespace": (sender_in_receivers_namespace, {
        "sender-on-wire0": "is not attached to network",
        "sender-on-docker0": "is not attached to network",
    }),
    "sender-unplugged-on-host": (sender_unplugged_on_host, {
        "sender-on-wire0": "a port of no bridge",
        "sender-reaches-receiver": "",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", "-o", f"{BRIDGE_NAME_OPTION}=wire0", "--subnet", SUBNET,
           "--gateway", GATEWAY, names["wirenet"])
    docker("run", "-d", "--name", names["sender"], "--network", names["wirenet"], LAB_IMAGE,
           *IDLE_COMMAND)
    docker("network", "connect", "bridge", names["sender"])
    docker("run", "-d", "--name", names["receiver"], "--network", names["wirenet"],
           "-p", f"127.0.0.1:{names.port(8071)}:80", LAB_IMAGE,
           "httpd", "-f", "-p", "80", "-h", "/var/www")
