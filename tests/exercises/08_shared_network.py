"""Fixtures of ``08-shared-network`` (labcheck/exercises/08-shared-network.yaml): compose files."""

from __future__ import annotations

from typing import Any

from compose_fixtures import compose_up, http_service

EXERCISE = "08-shared-network"


def spec(shared: str, alias: str | None, *, web_shared: bool = True,
         external: bool = True) -> dict[str, Any]:
    """One project's compose file: web on default (and shared, with ``alias``), db on default."""
    web_networks: dict[str, Any] = {"default": {}}
    if web_shared:
        web_networks["shared"] = {"aliases": [alias]} if alias else {}
    shared_net: dict[str, Any] = {"name": shared, "external": True} if external else {}
    return {
        "services": {"web": http_service(80, networks=web_networks),
                     "db": http_service(5432)},
        "networks": {"shared": shared_net},
    }


def build(lab, names, *, aliases=("shop-site", "blog-site"), blog_shared=True,
          external=True) -> None:
    if external:
        lab.network(names["shared"])
    compose_up(lab, names["shop"], spec(names["shared"], aliases[0], external=external))
    compose_up(lab, names["blog"], spec(names["shared"], aliases[1], web_shared=blog_shared,
                                        external=external))


def solution(lab, names) -> None:
    build(lab, names)


def no_aliases(lab, names) -> None:
    """Both webs joined shared without an alias: neither finds the other's site."""
    build(lab, names, aliases=(None, None))


def blog_not_shared(lab, names) -> None:
    """Only shop's web joined shared."""
    build(lab, names, blog_shared=False)


def not_external(lab, names) -> None:
    """Each file declares its own network shared: Compose makes shop_shared and blog_shared."""
    build(lab, names, external=False)


BROKEN = {
    "no-aliases": (no_aliases, {
        "shop-alias": "",
        "blog-alias": "",
        "blog-reaches-shop": "",
        "shop-reaches-blog": "",
    }),
    "blog-not-shared": (blog_not_shared, {
        "blog-web-joins": "",
        "blog-alias": "not attached",
        "blog-reaches-shop": "",
        "shop-reaches-blog": "",
    }),
    "not-external": (not_external, {
        "shared-exists": "does not exist",
        "shop-web-joins": "",
        "blog-web-joins": "",
        "shop-alias": "",
        "blog-alias": "",
        "blog-reaches-shop": "",
        "shop-reaches-blog": "",
    }),
}
