"""The check vocabulary: pure functions of a Snapshot, one kind per class.

Kinds (the ``kind:`` of a check in an exercise file):

- networks: ``network_exists``, ``network_driver``, ``network_subnet``,
  ``network_internal``, ``network_attachable``, ``network_mtu``
- containers: ``container_exists``, ``container_running``, ``attached``,
  ``not_attached``, ``has_alias``, ``static_ip``, ``network_mode``, ``interfaces``
- ports: ``published``, ``not_published``, ``host_reaches``
- names: ``resolves``, ``not_resolves``, ``alias_records``, ``resolver``
- reachability: ``reaches``, ``cannot_reach``
- the host's side: ``bridge_port``
- across the hosts of a multi-node lab: ``crosses_hosts``, ``same_network``,
  ``service_tasks``
- your own: ``python``

>>> sorted(KINDS)[:3]
['alias_records', 'attached', 'bridge_port']
>>> kind("attached").summary
'a container is attached to these networks'
"""

from __future__ import annotations

from .base import (
    ERROR,
    FAIL,
    KINDS,
    PASS,
    Binding,
    Check,
    CheckKind,
    Hint,
    Outcome,
    Param,
    kind,
    register,
)

__all__ = ["PASS", "FAIL", "ERROR", "KINDS", "Binding", "Check", "CheckKind", "Hint",
           "Outcome", "Param", "kind", "register", "load_vocabulary"]


def load_vocabulary() -> None:
    """Import every module that registers check kinds (idempotent)."""
    from . import bridges, containers, names, networks, nodes, ports, python, reach  # noqa: F401


load_vocabulary()
