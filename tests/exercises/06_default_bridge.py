"""Fixtures of ``06-default-bridge`` (labcheck/exercises/06-default-bridge.yaml)."""

from __future__ import annotations

from exercise_fixtures import free_port

from labcheck.live.scenarios import scenario, wait_listening

EXERCISE = "06-default-bridge"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def solution(lab, names) -> None:
    """A user-defined network, both containers connected to it while running."""
    _broken(lab, names)
    lab.network(names["cachenet"])
    lab.connect(names["cache"], names["cachenet"])
    lab.connect(names["app"], names["cachenet"])


def cache_published(lab, names) -> None:
    """The network is right, and cache was also published on the host "to be sure"."""
    _broken(lab, names)
    lab.network(names["cachenet"])
    lab.run(names["cache"], network=names["cachenet"], http=6379,
            ports={6379: ("127.0.0.1", free_port())})
    lab.connect(names["app"], names["cachenet"])
    wait_listening(lab, names["cache"], 6379)


def only_cache_moved(lab, names) -> None:
    """cachenet made, but only cache joined it."""
    _broken(lab, names)
    lab.network(names["cachenet"])
    lab.connect(names["cache"], names["cachenet"])


BROKEN = {
    "cache-published": (cache_published, {
        "cache-not-published": "without -p",
    }),
    "only-cache-moved": (only_cache_moved, {
        "app-on-cachenet": "docker network connect",
        "app-reaches-cache": "",
        "app-uses-embedded-dns": "",
    }),
}
