"""Fixtures of the exercise ``04-host-mode`` (labcheck/exercises/04-host-mode.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "04-host-mode"


def host_web(port: int) -> list[str]:
    """busybox httpd on the host's 127.0.0.1:``port`` (stops at once on SIGTERM)."""
    return ["sh", "-c", f"trap 'exit 0' TERM INT; httpd -f -p 127.0.0.1:{port} & wait $!"]


def solution(lab, names) -> None:
    lab.run(names["hostweb"], network_mode="host", command=host_web(names.port(8041)))


def bridge_and_publish(lab, names) -> None:
    """The bridge way: serve on 80 and publish it. The host reaches it, but it is not host mode."""
    lab.run(names["hostweb"], command=http_command(80),
            ports={80: ("127.0.0.1", names.port(8041))})


def no_server(lab, names) -> None:
    """Host mode, but nothing listens on the port."""
    lab.run(names["hostweb"], network_mode="host")


def impostor(lab, names) -> None:
    """hostweb is in host mode but serves nothing; another host-network server answers."""
    lab.run(names["hostweb"], network_mode="host")
    lab.run(names["hostweb"] + "-impostor", network_mode="host",
            command=host_web(names.port(8041)))


BROKEN = {
    "bridge-and-publish": (bridge_and_publish, {
        "hostweb-mode-host": "docker run --network host",
        "hostweb-publishes-nothing": "publishes 127.0.0.1:",
    }),
    "no-server": (no_server, {
        "host-reaches-hostweb": "does not answer",
    }),
    "impostor": (impostor, {
        "host-reaches-hostweb": "but not from container",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("run", "-d", "--name", names["hostweb"], "--network", "host", LAB_IMAGE,
           *host_web(names.port(8041)))
