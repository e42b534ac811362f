"""``labcheck.nodes(3)``: a lab of several Docker hosts for a lesson (see :mod:`.engines.nodes`)."""

from __future__ import annotations

from .engines.base import Say, quiet
from .engines.nodes import Nodes, up

__all__ = ["nodes"]


def nodes(count: int = 3, *, lab: str | None = None, engine: str | None = None,
          say: Say = quiet) -> Nodes:
    """Start (or reuse) ``count`` Docker hosts joined on one LAN; root on this machine only.

    Each node is its own dockerd with its own network namespace, host name
    (``node1``...) and LAN address (``10.219.0.11``...). ``engine``: what they
    run (default ``LABCHECK_NODE_ENGINE``, else the machine's dockerd).
    ``.down()`` (or leaving a ``with`` block) removes everything.
    """
    return up(count, lab=lab, engine=engine, say=say)
