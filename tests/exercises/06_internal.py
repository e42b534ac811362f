"""Fixtures of ``06-internal`` (labcheck/exercises/06-internal.yaml). The outside world is
a stand-in on this machine (built by the scenario and by the grader's probe runner)."""

from __future__ import annotations

from labcheck.live.scenarios import scenario

EXERCISE = "06-internal"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def solution(lab, names) -> None:
    """fetcher alone gets a second, ordinary network."""
    _broken(lab, names)
    lab.connect(names["fetcher"], names["egress"])


def db_goes_out_too(lab, names) -> None:
    """fetcher and db both joined egress: db can now talk to the world."""
    _broken(lab, names)
    lab.connect(names["fetcher"], names["egress"])
    lab.connect(names["db"], names["egress"])


def fetcher_moved(lab, names) -> None:
    """fetcher left vault for egress: it reaches the world, but no longer db."""
    _broken(lab, names)
    lab.connect(names["fetcher"], names["egress"])
    lab.disconnect(names["fetcher"], names["vault"])


BROKEN = {
    "db-goes-out-too": (db_goes_out_too, {
        "db-on-vault-only": "",
        "db-cannot-reach-world": "should not",
    }),
    "fetcher-moved": (fetcher_moved, {
        "fetcher-reaches-db": "",
    }),
}
