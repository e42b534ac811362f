"""Fixtures of ``06-mtu`` (labcheck/exercises/06-mtu.yaml): shopnet gives buyer the default
MTU, 1500, on a path whose narrow link carries 1400 and whose far router drops the
"fragmentation needed" messages; the scenario needs root on the Docker host.

tests/integration/test_mtu_path.py downloads for real over the networks these fixtures make
(:func:`download`)."""

from __future__ import annotations

from labcheck.checks.networks import MTU_OPTION
from labcheck.live.scenarios import scenario
from labcheck.scenarios import MTU_PATH, MTU_SERVER

EXERCISE = "06-mtu"


def _broken(lab, names) -> None:
    scenario(EXERCISE, lab=lab, names=names).build(quiet=True)


def _shopnet_with(lab, names, mtu: int | None) -> None:
    _broken(lab, names)
    lab.remove(names["buyer"])
    lab.network(names["shopnet"], options={MTU_OPTION: str(mtu)} if mtu else None)
    lab.run(names["buyer"], network=names["shopnet"])


def solution(lab, names) -> None:
    """shopnet made again with the path's MTU; buyer joins it again."""
    _shopnet_with(lab, names, MTU_PATH)


def default_mtu(lab, names) -> None:
    """shopnet made again, as before: the default MTU, 1500."""
    _shopnet_with(lab, names, None)


def larger_than_path(lab, names) -> None:
    """shopnet made again with an MTU, but one larger than the path's (a jumbo frame)."""
    _shopnet_with(lab, names, 9000)


def buyer_moved(lab, names) -> None:
    """buyer left shopnet for a network with the path's MTU: its downloads work, but it is
    no longer on shopnet, which still has the default MTU."""
    _broken(lab, names)
    lab.network(names["shopnet"] + "-b", options={MTU_OPTION: str(MTU_PATH)})
    lab.connect(names["buyer"], names["shopnet"] + "-b")
    lab.disconnect(names["buyer"], names["shopnet"])


BROKEN = {
    "default-mtu": (default_mtu, {"shopnet-fits-path": "sets no MTU"}),
    "larger-than-path": (larger_than_path, {"shopnet-fits-path": "more than the path's 1400"}),
    "buyer-moved": (buyer_moved, {"shopnet-fits-path": "sets no MTU", "buyer-on-shopnet": ""}),
}



def download(lab, network: str, path: str) -> int:
    """The exit code of one download of ``path`` from depot, by a fresh container on
    ``network`` (143: ``timeout`` ended a stalled wget). Fresh each time: a container that
    once got a "fragmentation needed" (a big ping, answered by the near router) remembers
    the path's MTU and cures its own fault."""
    import uuid

    name = f"{network}-dl-{uuid.uuid4().hex[:6]}"
    lab.run(name, network=network)
    try:
        code, _ = lab.exec(name, ["sh", "-c", f"timeout 8 wget -q -O /dev/null "
                                              f"http://{MTU_SERVER}:8080/{path}"])
        return code
    finally:
        lab.remove(name)
