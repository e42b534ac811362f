"""Fixtures of ``06-typo`` (labcheck/exercises/06-typo.yaml)."""

from __future__ import annotations

from labcheck.live.scenarios import health_command, scenario, wait_listening
from labcheck.scenarios import DB_ALIAS, TYPO_HOST

EXERCISE = "06-typo"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def _app(lab, names, db_host) -> None:
    lab.run(names["app"], network=names["orders"], command=health_command(),
            environment={"DB_HOST": db_host})
    wait_listening(lab, names["app"], 8000)
    lab.exec(names["app"], ["timeout", "5", "sh", "-c",
                            "until [ -f /www/health ]; do sleep 0.2; done"])


def solution(lab, names) -> None:
    """app re-created with DB_HOST spelled right."""
    _broken(lab, names)
    _app(lab, names, DB_ALIAS)


def typo_made_an_alias(lab, names) -> None:
    """The typo taught to the network: db gets 'postgers' as a second alias."""
    _broken(lab, names)
    lab.connect(names["db"], names["orders"], aliases=[DB_ALIAS, TYPO_HOST])
    lab.exec(names["app"], ["timeout", "5", "sh", "-c",
                            "until [ -f /www/health ]; do sleep 0.2; done"])


def another_typo(lab, names) -> None:
    """app re-created, with the name still misspelt."""
    _broken(lab, names)
    _app(lab, names, "postgress")


BROKEN = {
    "typo-made-an-alias": (typo_made_an_alias, {
        "typo-not-an-alias": "",
    }),
    "another-typo": (another_typo, {
        "app-healthy": "404",
    }),
}
