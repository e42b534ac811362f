"""Fixtures of the exercise ``example-web-db`` (labcheck/exercises/example-web-db.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "example-web-db"


def solution(lab, names) -> None:
    lab.network(names["appnet"])
    lab.run(names["db"], network=names["appnet"], http=5432)
    lab.run(names["web"], network=names["appnet"], http=5000,
            ports={5000: ("127.0.0.1", names.port(8000))})


def default_bridge(lab, names) -> None:
    """The network exists, but both containers run on the default bridge."""
    lab.network(names["appnet"])
    lab.run(names["db"], http=5432)
    lab.run(names["web"], http=5000, ports={5000: ("127.0.0.1", names.port(8000))})


def web_on_all_interfaces(lab, names) -> None:
    """web is published on 0.0.0.0 where 127.0.0.1 was asked."""
    lab.network(names["appnet"])
    lab.run(names["db"], network=names["appnet"], http=5432)
    lab.run(names["web"], network=names["appnet"], http=5000, ports={5000: names.port(8000)})


def db_published(lab, names) -> None:
    """The database is published on the host."""
    solution(lab, names)
    lab.run(names["db"], network=names["appnet"], http=5432,
            ports={5432: ("127.0.0.1", None)})  # any free host port


def db_stopped(lab, names) -> None:
    """db is created on the network but never started."""
    lab.network(names["appnet"])
    lab.run(names["db"], network=names["appnet"], http=5432, start=False)
    lab.run(names["web"], network=names["appnet"], http=5000,
            ports={5000: ("127.0.0.1", names.port(8000))})


BROKEN = {
    "default-bridge": (default_bridge, {
        "db-on-appnet": "is not attached to network",
        "web-on-appnet": "docker network connect",
        "web-resolves-db": "the default bridge has no embedded DNS",
        "web-reaches-db": "the default bridge has no embedded DNS",
        "web-uses-embedded-dns": "not Docker's embedded DNS",
    }),
    "web-on-all-interfaces": (web_on_all_interfaces, {
        "web-published-loopback": "on 0.0.0.0:",
    }),
    "db-published": (db_published, {
        "db-not-published": "run it again without -p",
    }),
    "db-stopped": (db_stopped, {
        "db-running": "docker start",
        "web-resolves-db": "does not resolve",
        "web-reaches-db": "is not running",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", names["appnet"])
    docker("run", "-d", "--name", names["db"], "--network", names["appnet"],
           LAB_IMAGE, *http_command(5432))
    docker("run", "-d", "--name", names["web"], "--network", names["appnet"],
           "-p", f"127.0.0.1:{names.port(8000)}:5000", LAB_IMAGE, *http_command(5000))
