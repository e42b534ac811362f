"""Fixtures of the exercise ``03-round-robin`` (labcheck/exercises/03-round-robin.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command

EXERCISE = "03-round-robin"


def _servers(lab, names, stage_alias=("search",), second_alias=("search",)) -> None:
    lab.network(names["searchnet"])
    lab.network(names["stagenet"])
    lab.run(names["search1"], network=names["searchnet"], aliases=["search"], http=80)
    lab.run(names["search2"], network=names["searchnet"], aliases=list(second_alias), http=80)
    lab.connect(names["search2"], names["stagenet"], aliases=list(stage_alias))


def solution(lab, names) -> None:
    _servers(lab, names)
    lab.run(names["asker"], network=names["searchnet"])
    lab.run(names["tester"], network=names["stagenet"])


def one_alias_only(lab, names) -> None:
    """search2 was started without the alias on searchnet."""
    _servers(lab, names, second_alias=())
    lab.run(names["asker"], network=names["searchnet"])
    lab.run(names["tester"], network=names["stagenet"])


def no_alias_on_stagenet(lab, names) -> None:
    """search2 joined stagenet without the alias there: an alias is per network."""
    _servers(lab, names, stage_alias=())
    lab.run(names["asker"], network=names["searchnet"])
    lab.run(names["tester"], network=names["stagenet"])


def both_on_stagenet(lab, names) -> None:
    """search1 joined stagenet with the alias too: tester gets two records."""
    solution(lab, names)
    lab.connect(names["search1"], names["stagenet"], aliases=["search"])


def tester_on_searchnet(lab, names) -> None:
    """tester is on searchnet: it sees the production servers' name."""
    _servers(lab, names)
    lab.run(names["asker"], network=names["searchnet"])
    lab.run(names["tester"], network=names["searchnet"])


def asker_on_default_bridge(lab, names) -> None:
    """asker is on the default bridge: no embedded DNS, no alias."""
    _servers(lab, names)
    lab.run(names["asker"])
    lab.run(names["tester"], network=names["stagenet"])


BROKEN = {
    "one-alias-only": (one_alias_only, {
        "search2-alias": "",
        "search-two-records": "",
    }),
    "no-alias-on-stagenet": (no_alias_on_stagenet, {
        "search2-stage-alias": "",
        "stage-one-record": "",
        "tester-finds-search2": "",
    }),
    "both-on-stagenet": (both_on_stagenet, {
        "search1-off-stagenet": "",
        "stage-one-record": "",
        "tester-finds-search2": "",
    }),
    "tester-on-searchnet": (tester_on_searchnet, {
        "tester-stagenet-only": "",
        "stage-one-record": "",
        "tester-finds-search2": "",
    }),
    "asker-on-default-bridge": (asker_on_default_bridge, {
        "asker-on-searchnet": "is not attached to network",
        "search-two-records": "",
        "asker-resolves-search1": "",
        "asker-reaches-search": "",
        "asker-embedded-dns": "",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", names["searchnet"])
    docker("network", "create", names["stagenet"])
    for server in ("search1", "search2"):
        docker("run", "-d", "--name", names[server], "--network", names["searchnet"],
               "--network-alias", "search", LAB_IMAGE, *http_command(80))
    docker("network", "connect", "--alias", "search", names["stagenet"], names["search2"])
    docker("run", "-d", "--name", names["asker"], "--network", names["searchnet"],
           LAB_IMAGE, "sleep", "3600")
    docker("run", "-d", "--name", names["tester"], "--network", names["stagenet"],
           LAB_IMAGE, "sleep", "3600")
