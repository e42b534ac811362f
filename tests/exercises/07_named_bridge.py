"""Fixtures of the exercise ``07-named-bridge`` (labcheck/exercises/07-named-bridge.yaml).

The bridge's name (``wire0``) is not renamed by a test binding, like a subnet:
two runs of this exercise cannot overlap on one Docker host.
"""

from __future__ import annotations

from labcheck.snapshot import BRIDGE_NAME_OPTION
from labcheck.images import LAB_IMAGE
from labcheck.lab import IDLE_COMMAND

EXERCISE = "07-named-bridge"
_NAMED = {BRIDGE_NAME_OPTION: "wire0"}


def solution(lab, names) -> None:
    lab.network(names["wirenet"], options=_NAMED)
    lab.run(names["sender"], network=names["wirenet"])
    lab.run(names["receiver"], network=names["wirenet"], http=80,
            ports={80: ("127.0.0.1", names.port(8071))})


def docker_named_bridge(lab, names) -> None:
    """Everything right but the bridge's name: Docker's br-<id>."""
    lab.network(names["wirenet"])
    lab.run(names["sender"], network=names["wirenet"])
    lab.run(names["receiver"], network=names["wirenet"], http=80,
            ports={80: ("127.0.0.1", names.port(8071))})


def sender_on_default_bridge(lab, names) -> None:
    """sender left on the default bridge: its veth is a port of docker0, not wire0."""
    lab.network(names["wirenet"], options=_NAMED)
    lab.run(names["sender"])
    lab.run(names["receiver"], network=names["wirenet"], http=80,
            ports={80: ("127.0.0.1", names.port(8071))})


def sender_in_receivers_namespace(lab, names) -> None:
    """sender shares receiver's network namespace: plugged into wire0 by no veth of its own."""
    lab.network(names["wirenet"], options=_NAMED)
    lab.run(names["receiver"], network=names["wirenet"], http=80,
            ports={80: ("127.0.0.1", names.port(8071))})
    lab.run(names["sender"], network_mode=f"container:{names['receiver']}")


def sender_unplugged_on_host(lab, names) -> None:
    """The solution, then sender's veth taken off wire0 on the Docker host (as root there):
    Docker still reports sender on wirenet; only the host's side shows the cable is out."""
    from labcheck import docker_host

    solution(lab, names)
    box = lab.client.containers.get(names["sender"])
    peer = box.exec_run(["cat", "/sys/class/net/eth0/iflink"]).output.decode().strip()
    unplug = ("ip -o link | awk -F': ' -v i=" + peer + " '$1 == i {sub(/@.*/, \"\", $2); "
              "print $2}' | xargs -I{} ip link set {} nomaster")
    docker_host(lab.client).require().run(unplug).check("unplugging sender's veth")


BROKEN = {
    "docker-named-bridge": (docker_named_bridge, {
        "sender-on-wire0": "not 'wire0'",
        "receiver-on-wire0": "com.docker.network.bridge.name=wire0",
    }),
    "sender-on-default-bridge": (sender_on_default_bridge, {
        "sender-on-wire0": "is not attached to network",
        "sender-reaches-receiver": "the default bridge has no embedded DNS",
    }),
    "sender-in-receivers-namespace": (sender_in_receivers_namespace, {
        "sender-on-wire0": "is not attached to network",
    }),
    "sender-unplugged-on-host": (sender_unplugged_on_host, {
        "sender-on-wire0": "a port of no bridge",
        "sender-reaches-receiver": "",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", "-o", f"{BRIDGE_NAME_OPTION}=wire0", names["wirenet"])
    docker("run", "-d", "--name", names["sender"], "--network", names["wirenet"], LAB_IMAGE,
           *IDLE_COMMAND)
    docker("run", "-d", "--name", names["receiver"], "--network", names["wirenet"],
           "-p", f"127.0.0.1:{names.port(8071)}:80", LAB_IMAGE,
           "httpd", "-f", "-p", "80", "-h", "/var/www")
