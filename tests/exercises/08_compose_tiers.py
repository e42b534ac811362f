"""Fixtures of ``08-compose-tiers`` (labcheck/exercises/08-compose-tiers.yaml): compose files."""

from __future__ import annotations

from typing import Any

from compose_fixtures import compose_up, http_service

EXERCISE = "08-compose-tiers"


SUBNET, DB_IP = "10.220.81.0/24", "10.220.81.10"


def spec(*, back_internal: bool = True, db_networks: Any = None,
         web_networks: Any = ("front",), back_subnet: str | None = SUBNET) -> dict[str, Any]:
    """The reference compose file, or a variant of it."""
    if db_networks is None:
        db_networks = {"back": {"aliases": ["database"], "ipv4_address": DB_IP}}
    back: dict[str, Any] = {"internal": back_internal}
    if back_subnet:
        back["ipam"] = {"config": [{"subnet": back_subnet}]}
    return {
        "services": {
            "web": http_service(80, networks=list(web_networks)),
            "api": http_service(5000, networks=["front", "back"]),
            "db": http_service(5432, networks=db_networks),
        },
        "networks": {"front": {}, "back": back},
    }


def solution(lab, names) -> None:
    compose_up(lab, names["shop"], spec())


def back_not_internal(lab, names) -> None:
    """back is an ordinary bridge: its containers could reach beyond it."""
    compose_up(lab, names["shop"], spec(back_internal=False))


def no_alias(lab, names) -> None:
    """db joined back without the alias: api cannot find 'database'."""
    compose_up(lab, names["shop"],
               spec(db_networks={"back": {"ipv4_address": DB_IP}}))


def address_not_fixed(lab, names) -> None:
    """Everything but the fixed address: Compose picks back's range and db's address."""
    compose_up(lab, names["shop"],
               spec(back_subnet=None, db_networks={"back": {"aliases": ["database"]}}))


def range_without_address(lab, names) -> None:
    """back has its range, but db's address is whatever the engine hands out first."""
    compose_up(lab, names["shop"], spec(db_networks={"back": {"aliases": ["database"]}}))


def db_on_both(lab, names) -> None:
    """db on front too: web sees it by name and by address."""
    compose_up(lab, names["shop"],
               spec(db_networks={"front": {},
                                 "back": {"aliases": ["database"], "ipv4_address": DB_IP}}))


def web_on_default(lab, names) -> None:
    """web lists no networks: it lands on the project's default network, away from api."""
    built = spec()
    del built["services"]["web"]["networks"]
    compose_up(lab, names["shop"], built)


BROKEN = {
    "back-not-internal": (back_not_internal, {
        "back-internal": "internal",
    }),
    "no-alias": (no_alias, {
        "db-alias": "database",
        "api-reaches-database": "",
    }),
    "address-not-fixed": (address_not_fixed, {
        "back-subnet": "10.220.81.0/24",
        "db-fixed-address": "10.220.81.10",
    }),
    "range-without-address": (range_without_address, {
        "db-fixed-address": "10.220.81.10",
    }),
    "db-on-both": (db_on_both, {
        "db-on-back-only": "",
        "web-cannot-resolve-db": "",
        "web-cannot-reach-db-by-ip": "",
    }),
    "web-on-default": (web_on_default, {
        "web-on-front-only": "",
        "web-resolves-api": "",
    }),
}
