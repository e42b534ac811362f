"""Fixtures of ``06-vpn-clash`` (labcheck/exercises/06-vpn-clash.yaml): office takes the
subnet the Docker host routes to a (stand-in) VPN; the scenario needs root on the Docker host."""

from __future__ import annotations

from labcheck.live.scenarios import scenario

EXERCISE = "06-vpn-clash"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def solution(lab, names) -> None:
    """office made again with a subnet Docker picks (clear of the host's routes); laptop
    joins it again."""
    _broken(lab, names)
    lab.remove(names["laptop"])
    lab.network(names["office"])
    lab.run(names["laptop"], network=names["office"])


def second_network(lab, names) -> None:
    """laptop also joins a network clear of the VPN, but office keeps the clash: the range
    is still on laptop's own link, so the packets never reach the gateway."""
    _broken(lab, names)
    lab.network(names["office"] + "-b")
    lab.connect(names["laptop"], names["office"] + "-b")


def laptop_moved(lab, names) -> None:
    """laptop left office for another network: it reaches the VPN, but is no longer on
    office."""
    _broken(lab, names)
    lab.network(names["office"] + "-b")
    lab.connect(names["laptop"], names["office"] + "-b")
    lab.disconnect(names["laptop"], names["office"])


BROKEN = {
    "second-network": (second_network, {
        "laptop-reaches-intranet": "cannot reach",
    }),
    "laptop-moved": (laptop_moved, {
        "laptop-on-office": "",
    }),
}
