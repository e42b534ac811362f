"""Fixtures of ``06-wrong-port`` (labcheck/exercises/06-wrong-port.yaml)."""

from __future__ import annotations

from exercise_fixtures import free_port

from labcheck.lab import http_command
from labcheck.live.scenarios import scenario, wait_listening

EXERCISE = "06-wrong-port"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def _site(lab, names, ports) -> None:
    lab.run(names["site"], command=http_command(8080, "site"), ports=ports)
    wait_listening(lab, names["site"], 8080)


def solution(lab, names) -> None:
    """site re-created with the host port mapped to 8080, where its server listens."""
    _broken(lab, names)
    _site(lab, names, {8080: ("127.0.0.1", names.port(8062))})


def on_every_address(lab, names) -> None:
    """The right container port, but published on 0.0.0.0 (every address of the host)."""
    _broken(lab, names)
    _site(lab, names, {8080: ("0.0.0.0", names.port(8062))})


def second_port(lab, names) -> None:
    """8080 published on another host port; 8062 still leads to port 80."""
    _broken(lab, names)
    _site(lab, names, {80: ("127.0.0.1", names.port(8062)), 8080: ("127.0.0.1", free_port())})


BROKEN = {
    "on-every-address": (on_every_address, {
        "site-published-8080": "0.0.0.0",
    }),
    "second-port": (second_port, {
        "host-reaches-site": "",
        "site-published-8080": "publishes port 8080 on host port",
        "site-not-publishing-80": "",
    }),
}
