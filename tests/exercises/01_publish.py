"""Fixtures of the exercise ``01-publish`` (labcheck/exercises/01-publish.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "01-publish"


def solution(lab, names) -> None:
    lab.run(names["hello"], http=80, ports={80: ("127.0.0.1", names.port(8011))})


def on_all_interfaces(lab, names) -> None:
    """Published on 0.0.0.0 where 127.0.0.1 was asked."""
    lab.run(names["hello"], http=80, ports={80: names.port(8011)})


def not_published(lab, names) -> None:
    """The server runs, but its port is not published."""
    lab.run(names["hello"], http=80)


def stopped(lab, names) -> None:
    """hello is created as asked but never started."""
    lab.run(names["hello"], http=80, ports={80: ("127.0.0.1", names.port(8011))}, start=False)


def on_a_user_network(lab, names) -> None:
    """Published right, but on a user-defined network instead of the default bridge."""
    lab.network(names["hello"] + "-net")
    lab.run(names["hello"], network=names["hello"] + "-net", http=80,
            ports={80: ("127.0.0.1", names.port(8011))})


BROKEN = {
    "on-all-interfaces": (on_all_interfaces, {
        "hello-published-loopback": "on 0.0.0.0:",
    }),
    "not-published": (not_published, {
        "hello-published-loopback": "",
        "host-reaches-hello": "",
    }),
    "stopped": (stopped, {
        "hello-running": "docker start",
        "hello-published-loopback": "",
        "host-reaches-hello": "",
    }),
    "on-a-user-network": (on_a_user_network, {
        "hello-on-bridge": "is not attached to network",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("run", "-d", "--name", names["hello"], "-p", f"127.0.0.1:{names.port(8011)}:80",
           LAB_IMAGE, *http_command(80))
