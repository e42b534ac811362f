"""Fixtures of the exercise ``01-publish`` (labcheck/exercises/01-publish.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "01-publish"


def _both(names, second_ip="127.0.0.1"):
    """Port 80 on 127.0.0.1:8011 and on ``second_ip``:8012."""
    return {80: [("127.0.0.1", names.port(8011)), (second_ip, names.port(8012))]}


def solution(lab, names) -> None:
    lab.run(names["hello"], http=80, ports=_both(names))


def second_on_all_interfaces(lab, names) -> None:
    """The second port is published on 0.0.0.0 where 127.0.0.1 was asked."""
    lab.run(names["hello"], http=80, ports=_both(names, "0.0.0.0"))


def one_port_only(lab, names) -> None:
    """The demo renamed: one binding, the old port only."""
    lab.run(names["hello"], http=80, ports={80: ("127.0.0.1", names.port(8011))})


def two_servers(lab, names) -> None:
    """A second container for the second port: the host reaches a server, not hello's."""
    lab.run(names["hello"], http=80, ports={80: ("127.0.0.1", names.port(8011))})
    lab.run(names["hello"] + "-two", http=80, ports={80: ("127.0.0.1", names.port(8012))})


def not_published(lab, names) -> None:
    """The server runs, but its port is not published."""
    lab.run(names["hello"], http=80)


def stopped(lab, names) -> None:
    """hello is created as asked but never started."""
    lab.run(names["hello"], http=80, ports=_both(names), start=False)


def on_a_user_network(lab, names) -> None:
    """Published right, but on a user-defined network instead of the default bridge."""
    lab.network(names["hello"] + "-net")
    lab.run(names["hello"], network=names["hello"] + "-net", http=80, ports=_both(names))


BROKEN = {
    "second-on-all-interfaces": (second_on_all_interfaces, {
        "hello-published-8012": "on 0.0.0.0:",
    }),
    "one-port-only": (one_port_only, {
        "hello-published-8012": "not",
        "host-reaches-hello-8012": "",
    }),
    "two-servers": (two_servers, {
        "hello-published-8012": "not",
        "host-reaches-hello-8012": "",
    }),
    "not-published": (not_published, {
        "hello-published-8011": "",
        "hello-published-8012": "",
        "host-reaches-hello-8011": "",
        "host-reaches-hello-8012": "",
    }),
    "stopped": (stopped, {
        "hello-running": "",
        "hello-published-8011": "",
        "hello-published-8012": "",
        "host-reaches-hello-8011": "",
        "host-reaches-hello-8012": "",
    }),
    "on-a-user-network": (on_a_user_network, {
        "hello-on-bridge": "is not attached to network",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("run", "-d", "--name", names["hello"], "-p", f"127.0.0.1:{names.port(8011)}:80",
           "-p", f"127.0.0.1:{names.port(8012)}:80", LAB_IMAGE, *http_command(80))
