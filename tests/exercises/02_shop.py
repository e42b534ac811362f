"""Fixtures of the exercise ``02-shop`` (labcheck/exercises/02-shop.yaml)."""

from __future__ import annotations

from labcheck.images import LAB_IMAGE
from labcheck.lab import http_command
from labcheck.live.scenarios import wait_listening

EXERCISE = "02-shop"


def _monitor(lab, names, shop_joins=True) -> None:
    """opsnet, monitor on it, and shop connected to it (unless not ``shop_joins``)."""
    lab.network(names["opsnet"])
    if shop_joins:
        lab.connect(names["shop"], names["opsnet"])
    lab.run(names["monitor"], network=names["opsnet"])


def solution(lab, names) -> None:
    lab.network(names["shopnet"])
    lab.run(names["cache"], network=names["shopnet"], http=6379)
    lab.run(names["shop"], network=names["shopnet"], http=5000,
            ports={5000: ("127.0.0.1", names.port(8022))})
    _monitor(lab, names)


def demo_renamed(lab, names) -> None:
    """The lesson's web + db, renamed: shop never joins opsnet, so monitor cannot reach it."""
    lab.network(names["shopnet"])
    lab.run(names["cache"], network=names["shopnet"], http=6379)
    lab.run(names["shop"], network=names["shopnet"], http=5000,
            ports={5000: ("127.0.0.1", names.port(8022))})
    _monitor(lab, names, shop_joins=False)


def monitor_on_shopnet(lab, names) -> None:
    """monitor joined shopnet too: it sees cache."""
    solution(lab, names)
    lab.connect(names["monitor"], names["shopnet"])


def default_bridge(lab, names) -> None:
    """The network exists, but both containers run on the default bridge."""
    lab.network(names["shopnet"])
    lab.run(names["cache"], http=6379)
    lab.run(names["shop"], http=5000, ports={5000: ("127.0.0.1", names.port(8022))})
    _monitor(lab, names, shop_joins=False)


def cache_published(lab, names) -> None:
    """The cache is published on the host (on a port the daemon picks), which nothing needs."""
    solution(lab, names)
    lab.run(names["cache"], network=names["shopnet"], http=6379, ports={6379: ("127.0.0.1", None)})
    # the grade follows at once: under make test's load this new cache's httpd once was not
    # yet listening, and shop-reaches-cache failed with "refused"
    wait_listening(lab, names["cache"], 6379)


def cache_not_listening(lab, names) -> None:
    """cache is there and named, but nothing listens on 6379."""
    lab.network(names["shopnet"])
    lab.run(names["cache"], network=names["shopnet"])
    lab.run(names["shop"], network=names["shopnet"], http=5000,
            ports={5000: ("127.0.0.1", names.port(8022))})
    _monitor(lab, names)


def impostor_on_host_port(lab, names) -> None:
    """shop publishes nothing; another program (here a host-network server) answers on
    the host port instead."""
    lab.network(names["shopnet"])
    lab.run(names["cache"], network=names["shopnet"], http=6379)
    lab.run(names["shop"], network=names["shopnet"], http=5000)
    lab.run(names["shop"] + "-impostor", network_mode="host",
            command=http_command(names.port(8022)))
    _monitor(lab, names)


BROKEN = {
    "default-bridge": (default_bridge, {
        "cache-shopnet-only": "is not attached to network",
        "shop-on-both": "docker network connect",
        "shop-resolves-cache": "the default bridge has no embedded DNS",
        "shop-reaches-cache": "the default bridge has no embedded DNS",
        "monitor-gets-shop": "",
    }),
    "demo-renamed": (demo_renamed, {
        "shop-on-both": "is not attached to network",
        "monitor-gets-shop": "",
    }),
    "monitor-on-shopnet": (monitor_on_shopnet, {
        "monitor-opsnet-only": "",
        "monitor-cannot-resolve-cache": "",
    }),
    "cache-published": (cache_published, {
        "cache-not-published": "without -p",
    }),
    "impostor-on-host-port": (impostor_on_host_port, {
        "shop-published-loopback": "publishes no ports",
        "host-reaches-shop": "but not through container",
    }),
    "cache-not-listening": (cache_not_listening, {
        "shop-reaches-cache": "",
    }),
}


def solution_cli(docker, names) -> None:
    """The solution with the docker CLI instead of docker-py."""
    docker("network", "create", names["shopnet"])
    docker("run", "-d", "--name", names["cache"], "--network", names["shopnet"],
           LAB_IMAGE, *http_command(6379))
    docker("run", "-d", "--name", names["shop"], "--network", names["shopnet"],
           "-p", f"127.0.0.1:{names.port(8022)}:5000", LAB_IMAGE, *http_command(5000))
    docker("network", "create", names["opsnet"])
    docker("network", "connect", names["opsnet"], names["shop"])
    docker("run", "-d", "--name", names["monitor"], "--network", names["opsnet"],
           LAB_IMAGE, "sleep", "3600")
