"""Fixtures of ``06-loopback`` (labcheck/exercises/06-loopback.yaml): the scenario is built
broken by labcheck, then repaired (or "repaired" wrongly)."""

from __future__ import annotations

from exercise_fixtures import free_port

from labcheck.lab import http_command
from labcheck.live.scenarios import scenario, wait_listening

EXERCISE = "06-loopback"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def solution(lab, names) -> None:
    """web's server listens on every address of the container."""
    _broken(lab, names)
    lab.run(names["web"], network=names["shop"], http=80)
    wait_listening(lab, names["web"], 80)


def published_instead(lab, names) -> None:
    """web is published on the host; its server still listens on 127.0.0.1 only."""
    _broken(lab, names)
    lab.run(names["web"], network=names["shop"],
            command=http_command(80, address="127.0.0.1"),
            ports={80: ("127.0.0.1", free_port())})
    wait_listening(lab, names["web"], 80)


def other_port(lab, names) -> None:
    """web listens on all addresses, but on port 8080, where shopper does not ask."""
    _broken(lab, names)
    lab.run(names["web"], network=names["shop"], http=8080)
    wait_listening(lab, names["web"], 8080)


BROKEN = {
    "published-instead": (published_instead, {
        "shopper-reaches-web": "refused",
        "web-not-published": "without -p",
    }),
    "other-port": (other_port, {
        "shopper-reaches-web": "refused",
    }),
}
