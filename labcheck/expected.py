"""Expected: the topology an exercise asks for, as plain data.

Checks contribute to it (a check "container web is attached to backend"
expects that attachment), and the diagram draws it over what a
:class:`~labcheck.snapshot.Snapshot` shows: satisfied parts green, missing
ones red dashed, unexpected ones orange.

>>> a = Expected(networks=("front",), attachments=(("web", "front"),))
>>> b = Expected(networks=("back",), attachments=(("api", "back"),))
>>> a.merge(b).networks
('back', 'front')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ExpectedPort", "Expected"]


@dataclass(frozen=True)
class ExpectedPort:
    """A port the exercise wants published: container port -> host IP:port."""

    container: str
    container_port: int
    host_port: int | None = None
    host_ip: str | None = None
    protocol: str = "tcp"


@dataclass(frozen=True)
class Expected:
    """Networks, containers, attachments and ports an exercise expects.

    ``forbidden_attachments`` are (container, network) pairs that must not
    exist (isolation); ``unpublished`` are (container, container port) pairs
    that must not be published.
    """

    networks: tuple[str, ...] = ()
    containers: tuple[str, ...] = ()
    attachments: tuple[tuple[str, str], ...] = ()
    forbidden_attachments: tuple[tuple[str, str], ...] = ()
    ports: tuple[ExpectedPort, ...] = ()
    unpublished: tuple[tuple[str, int], ...] = ()

    def merge(self, other: "Expected") -> "Expected":
        """Both expectations together, deduplicated and sorted."""
        def join(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(sorted(set(a) | set(b), key=repr))
        return Expected(
            networks=join(self.networks, other.networks),
            containers=join(self.containers, other.containers),
            attachments=join(self.attachments, other.attachments),
            forbidden_attachments=join(self.forbidden_attachments, other.forbidden_attachments),
            ports=join(self.ports, other.ports),
            unpublished=join(self.unpublished, other.unpublished),
        )

    @property
    def is_empty(self) -> bool:
        return not (self.networks or self.containers or self.attachments
                    or self.forbidden_attachments or self.ports or self.unpublished)
