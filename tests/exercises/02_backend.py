"""Fixtures of the exercise ``02-backend`` (labcheck/exercises/02-backend.yaml).

The subnet 10.220.22.0/24 is fixed by the exercise, so these fixtures and the
lesson's solution cell must not run at the same moment (one pytest process
runs them one after the other).
"""

from __future__ import annotations

EXERCISE = "02-backend"

SUBNET, GATEWAY, LEDGER_IP = "10.220.22.0/24", "10.220.22.1", "10.220.22.10"


def solution(lab, names, *, internal: bool = True, ledger_ip: str | None = LEDGER_IP) -> None:
    lab.network(names["backnet"], subnet=SUBNET, gateway=GATEWAY, internal=internal)
    lab.network(names["frontnet"])
    lab.run(names["ledger"], network=names["backnet"], ip=ledger_ip, http=80)
    lab.run(names["gate"], networks=[names["frontnet"], names["backnet"]])
    lab.run(names["visitor"], network=names["frontnet"])


def not_internal(lab, names) -> None:
    """backnet is an ordinary bridge: it has a way out."""
    solution(lab, names, internal=False)


def dynamic_ip(lab, names) -> None:
    """ledger gets whatever address the daemon hands out."""
    solution(lab, names, ledger_ip="10.220.22.77")


def visitor_on_both(lab, names) -> None:
    """visitor was attached to backnet too: isolation is gone."""
    solution(lab, names)
    lab.connect(names["visitor"], names["backnet"])


def gate_on_front_only(lab, names) -> None:
    """gate never joined backnet."""
    solution(lab, names)
    lab.disconnect(names["gate"], names["backnet"])


def ledger_on_frontnet_too(lab, names) -> None:
    """backnet is internal, but ledger was also attached to frontnet: it has a way out."""
    solution(lab, names)
    lab.connect(names["ledger"], names["frontnet"])


BROKEN = {
    "not-internal": (not_internal, {
        "backnet-internal": "",
        "ledger-cannot-get-out": "but it should not",
    }),
    "ledger-on-frontnet-too": (ledger_on_frontnet_too, {
        "ledger-backnet-only": "too",
        "ledger-cannot-get-out": "but it should not",
        "visitor-cannot-resolve-ledger": "they share network",
        "visitor-cannot-reach-ledger": "They share network",
    }),
    "dynamic-ip": (dynamic_ip, {
        "ledger-static-ip": "",
    }),
    "visitor-on-both": (visitor_on_both, {
        "visitor-frontnet-only": "",
        "visitor-cannot-resolve-ledger": "",
        "visitor-cannot-reach-ledger": "",
    }),
    "gate-on-front-only": (gate_on_front_only, {
        "gate-on-both": "",
        "gate-reaches-ledger": "",
    }),
}
