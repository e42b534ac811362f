"""Fixtures of the exercise ``04-sealed`` (labcheck/exercises/04-sealed.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import IDLE_COMMAND

EXERCISE = "04-sealed"


def solution(lab, names) -> None:
    lab.run(names["hermit"], network_mode="none")


def default_bridge(lab, names) -> None:
    """No network given: the container lands on the default bridge."""
    lab.run(names["hermit"])


def stopped(lab, names) -> None:
    """Sealed, but its command exits at once."""
    lab.run(names["hermit"], network_mode="none", start=False)


def host_mode(lab, names) -> None:
    """Not on any network, not on the bridge, no port: but in the host's network."""
    lab.run(names["hermit"], network_mode="host")


BROKEN = {
    "default-bridge": (default_bridge, {
        "hermit-mode-none": "docker run --network none",
        "hermit-not-on-bridge": "",
        "hermit-only-loopback": "eth0 as well",
        "hermit-cannot-reach-bridge-gateway": "but it should not",
        "hermit-cannot-reach-neighbour": "but it should not",
    }),
    "stopped": (stopped, {
        "hermit-running": "docker start",
        "hermit-only-loopback": "is not running",
        "hermit-cannot-reach-bridge-gateway": "is not running",
        "hermit-cannot-reach-neighbour": "is not running",
    }),
    "sealed-mode-but-a-way-out": (host_mode, {
        "hermit-mode-none": "not 'none'",
        "hermit-only-loopback": "as well",
        "hermit-cannot-reach-bridge-gateway": "but it should not",
        "hermit-cannot-reach-neighbour": "but it should not",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("run", "-d", "--name", names["hermit"], "--network", "none", LAB_IMAGE, *IDLE_COMMAND)
