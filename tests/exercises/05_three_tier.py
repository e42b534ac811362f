"""Fixtures of the capstone ``05-three-tier`` (labcheck/exercises/05-three-tier.yaml)."""

from __future__ import annotations

import socket

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "05-three-tier"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def build(lab, names, *, web_networks=("frontend",), api_networks=("frontend", "backend"),
          db_ports=None, web_published=True) -> None:
    """The capstone's topology, or a variant of it (the reference solution by default)."""
    for net in ("frontend", "backend"):
        lab.network(names[net])
    lab.run(names["db"], network=names["backend"], http=5432, ports=db_ports)
    lab.run(names["api"], networks=[names[n] for n in api_networks], http=5000)
    lab.run(names["web"], networks=[names[n] for n in web_networks], http=80,
            ports={80: ("127.0.0.1", names.port(8050))} if web_published else None)


def solution(lab, names) -> None:
    build(lab, names)


def one_flat_network(lab, names) -> None:
    """web joins backend too: it sees db by name and by IP."""
    build(lab, names, web_networks=("frontend", "backend"))


def db_published(lab, names) -> None:
    """The database is published on the host."""
    build(lab, names, db_ports={5432: ("127.0.0.1", _free_port())})


def api_only_on_backend(lab, names) -> None:
    """api was never connected to frontend: web cannot find it."""
    build(lab, names, api_networks=("backend",))


def web_not_published(lab, names) -> None:
    """web runs, but the host cannot reach it."""
    build(lab, names, web_published=False)


BROKEN = {
    "one-flat-network": (one_flat_network, {
        "web-on-frontend-only": "docker network disconnect",
        "web-not-on-backend": "",
        "web-cannot-resolve-db": "",
        "web-cannot-reach-db-by-ip": "",
    }),
    "db-published": (db_published, {
        "db-not-published": "without -p",
    }),
    "api-only-on-backend": (api_only_on_backend, {
        "api-on-both": "docker network connect frontend",
        "web-reaches-api": "",
    }),
    "web-not-published": (web_not_published, {
        "web-published-loopback": "",
        "host-reaches-web": "does not answer",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", names["frontend"])
    docker("network", "create", names["backend"])
    docker("run", "-d", "--name", names["db"], "--network", names["backend"], LAB_IMAGE,
           *http_command(5432))
    docker("run", "-d", "--name", names["api"], "--network", names["backend"], LAB_IMAGE,
           *http_command(5000))
    docker("network", "connect", names["frontend"], names["api"])
    docker("run", "-d", "--name", names["web"], "--network", names["frontend"],
           "-p", f"127.0.0.1:{names.port(8050)}:80", LAB_IMAGE, *http_command(80))
