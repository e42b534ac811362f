"""Fixtures of the exercise ``03-round-robin`` (labcheck/exercises/03-round-robin.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "03-round-robin"


def solution(lab, names) -> None:
    lab.network(names["searchnet"])
    lab.run(names["search1"], network=names["searchnet"], aliases=["search"], http=80)
    lab.run(names["search2"], network=names["searchnet"], aliases=["search"], http=80)
    lab.run(names["asker"], network=names["searchnet"])


def one_alias_only(lab, names) -> None:
    """search2 was started without the alias."""
    lab.network(names["searchnet"])
    lab.run(names["search1"], network=names["searchnet"], aliases=["search"], http=80)
    lab.run(names["search2"], network=names["searchnet"], http=80)
    lab.run(names["asker"], network=names["searchnet"])


def asker_on_default_bridge(lab, names) -> None:
    """asker is on the default bridge: no embedded DNS, no alias."""
    lab.network(names["searchnet"])
    lab.run(names["search1"], network=names["searchnet"], aliases=["search"], http=80)
    lab.run(names["search2"], network=names["searchnet"], aliases=["search"], http=80)
    lab.run(names["asker"])


BROKEN = {
    "one-alias-only": (one_alias_only, {
        "search2-alias": "",
        "search-two-records": "",
    }),
    "asker-on-default-bridge": (asker_on_default_bridge, {
        "asker-on-searchnet": "docker network connect",
        "search-two-records": "",
        "asker-resolves-search1": "",
        "asker-reaches-search": "",
        "asker-embedded-dns": "",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", names["searchnet"])
    for server in ("search1", "search2"):
        docker("run", "-d", "--name", names[server], "--network", names["searchnet"],
               "--network-alias", "search", LAB_IMAGE, *http_command(80))
    docker("run", "-d", "--name", names["asker"], "--network", names["searchnet"],
           LAB_IMAGE, "sleep", "3600")
