"""Fixtures of the exercise ``03-separate-names`` (labcheck/exercises/03-separate-names.yaml)."""

from __future__ import annotations

EXERCISE = "03-separate-names"


def solution(lab, names) -> None:
    lab.network(names["teamnet"])
    lab.network(names["guestnet"])
    lab.run(names["wiki"], network=names["teamnet"], aliases=["docs"])
    lab.run(names["member"], network=names["teamnet"])
    lab.run(names["guest"], network=names["guestnet"])


def guest_joined_teamnet(lab, names) -> None:
    """guest was connected to teamnet as well: it sees every name there."""
    solution(lab, names)
    lab.connect(names["guest"], names["teamnet"])


def alias_missing(lab, names) -> None:
    """wiki runs without the alias docs."""
    lab.network(names["teamnet"])
    lab.network(names["guestnet"])
    lab.run(names["wiki"], network=names["teamnet"])
    lab.run(names["member"], network=names["teamnet"])
    lab.run(names["guest"], network=names["guestnet"])


BROKEN = {
    "guest-joined-teamnet": (guest_joined_teamnet, {
        "guest-guestnet-only": "",
        "guest-cannot-resolve-wiki": "",
        "guest-cannot-resolve-docs": "",
    }),
    "alias-missing": (alias_missing, {
        "wiki-docs-alias": "",
        "member-resolves-docs": "",
    }),
}
