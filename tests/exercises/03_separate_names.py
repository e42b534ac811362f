"""Fixtures of the exercise ``03-separate-names`` (labcheck/exercises/03-separate-names.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE

EXERCISE = "03-separate-names"


def solution(lab, names) -> None:
    lab.network(names["teamnet"])
    lab.network(names["guestnet"])
    lab.run(names["wiki"], network=names["teamnet"], aliases=["docs"])
    lab.run(names["pubwiki"], network=names["guestnet"], aliases=["docs"])
    lab.run(names["member"], network=names["teamnet"])
    lab.run(names["guest"], network=names["guestnet"])


def guest_on_teamnet(lab, names) -> None:
    """guest was started on teamnet instead: it sees the team's names."""
    lab.network(names["teamnet"])
    lab.network(names["guestnet"])
    lab.run(names["wiki"], network=names["teamnet"], aliases=["docs"])
    lab.run(names["pubwiki"], network=names["guestnet"], aliases=["docs"])
    lab.run(names["member"], network=names["teamnet"])
    lab.run(names["guest"], network=names["teamnet"])


def one_wiki_on_both(lab, names) -> None:
    """The lesson's demo: wiki joins guestnet with the alias there, no public copy."""
    lab.network(names["teamnet"])
    lab.network(names["guestnet"])
    lab.run(names["wiki"], network=names["teamnet"], aliases=["docs"])
    lab.connect(names["wiki"], names["guestnet"], aliases=["docs"])
    lab.run(names["member"], network=names["teamnet"])
    lab.run(names["guest"], network=names["guestnet"])


def alias_missing(lab, names) -> None:
    """pubwiki runs without the alias docs."""
    lab.network(names["teamnet"])
    lab.network(names["guestnet"])
    lab.run(names["wiki"], network=names["teamnet"], aliases=["docs"])
    lab.run(names["pubwiki"], network=names["guestnet"])
    lab.run(names["member"], network=names["teamnet"])
    lab.run(names["guest"], network=names["guestnet"])


BROKEN = {
    "guest-on-teamnet": (guest_on_teamnet, {
        "guest-guestnet-only": "",
        "guest-docs-is-pubwiki": "",
        "guest-cannot-resolve-wiki": "",
    }),
    "one-wiki-on-both": (one_wiki_on_both, {
        "pubwiki-docs-alias": "",
        "pubwiki-guestnet-only": "",
        "wiki-teamnet-only": "",
        "guest-docs-is-pubwiki": "",
        "guest-cannot-resolve-wiki": "",
    }),
    "alias-missing": (alias_missing, {
        "pubwiki-docs-alias": "",
        "guest-docs-is-pubwiki": "",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", names["teamnet"])
    docker("network", "create", names["guestnet"])
    for wiki, net in (("wiki", "teamnet"), ("pubwiki", "guestnet")):
        docker("run", "-d", "--name", names[wiki], "--network", names[net],
               "--network-alias", "docs", LAB_IMAGE, "sleep", "3600")
    docker("run", "-d", "--name", names["member"], "--network", names["teamnet"],
           LAB_IMAGE, "sleep", "3600")
    docker("run", "-d", "--name", names["guest"], "--network", names["guestnet"],
           LAB_IMAGE, "sleep", "3600")
