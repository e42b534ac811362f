"""Fixtures of ``06-alias`` (labcheck/exercises/06-alias.yaml)."""

from __future__ import annotations

from labcheck.live.scenarios import scenario

EXERCISE = "06-alias"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def solution(lab, names) -> None:
    """db re-attached to back with the alias 'database'."""
    _broken(lab, names)
    lab.connect(names["db"], names["back"], aliases=["database"])


def api_joins_admin(lab, names) -> None:
    """api moved onto admin too, where the alias lives."""
    _broken(lab, names)
    lab.connect(names["api"], names["admin"])


def alias_on_api(lab, names) -> None:
    """The alias was given on back, but to api instead of db."""
    _broken(lab, names)
    lab.connect(names["api"], names["back"], aliases=["database"])


BROKEN = {
    "api-joins-admin": (api_joins_admin, {
        "db-alias-on-back": "",
        "api-on-back-only": "",
    }),
    "alias-on-api": (alias_on_api, {
        "api-reaches-database": "",
        "db-alias-on-back": "",
    }),
}
